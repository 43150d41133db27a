"""The texts rendered once and pasted onto frames (courses/sprites.py)."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from courses.sprites import (
    LegendTexts,
    PastedText,
    cut_out,
    drawn_text_sprites,
    paste,
    place,
    text_sprite,
    text_sprites,
    tick_marks,
)


def _ink_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The rows and columns of the dark pixels of an RGB image: (top, bottom, left, right)."""
    rows, columns = np.nonzero(rgb.min(axis=-1) < 128)
    return rows.min(), rows.max(), columns.min(), columns.max()


@pytest.mark.parametrize(
    ("text", "size", "ha", "va"),
    [
        ("colder than 21.8 °C (Q ≤ 0.2):", 8, "left", "baseline"),
        ("HANDOFF_GAP", 8, "left", "baseline"),
        ("S1", 10, "left", "baseline"),
        ("15 Mar 2024", 10, "center", "top"),
        ("$10,000", 8, "right", "center"),
    ],
)
def test_a_pasted_text_has_the_pixels_matplotlib_draws(text, size, ha, va):
    """Pasted where matplotlib draws it, within the pixel its subpixel placement may move it: placed by its
    anchor (text_sprites) and, at the baseline, by its box (place)."""
    figure = Figure(figsize=(3, 1), dpi=90)
    canvas = FigureCanvasAgg(figure)
    figure.text(100 / 270, 40 / 90, text.replace("$", r"\$"), fontsize=size, ha=ha, va=va)
    canvas.draw()
    drawn = np.asarray(canvas.buffer_rgba())[..., :3]
    (sprite,) = text_sprites([text.replace("$", r"\$")], va=va, fontsize=size)
    pasted = [paste(np.full_like(drawn, 255), [sprite.at(100, 40, ha)])]
    if (ha, va) == ("left", "baseline"):
        pasted.append(paste(np.full_like(drawn, 255), [place(text_sprite(text, size), 100, 40)]))
    for picture in pasted:
        assert np.abs(np.subtract(_ink_box(drawn), _ink_box(picture))).max() <= 1, text


@pytest.mark.parametrize(
    ("text", "ha", "va"),
    [
        ("29 Dec\n00:00", "center", "top"),
        ("00:00\n29 Dec", "center", "top"),
        ("12 Mar\n2024", "left", "baseline"),
        ("Q3\n2024 ANNEX", "right", "center"),
    ],
)
def test_a_text_of_several_lines_is_pasted_where_matplotlib_draws_it(text, ha, va):
    """Rendered by FreeType when its lines' alignment is given, within the pixel subpixel placement may move it
    (lines without letters taller than the font's ascent: dates, numbers, capitals)."""
    figure = Figure(figsize=(3, 1), dpi=90)
    canvas = FigureCanvasAgg(figure)
    figure.text(100 / 270, 45 / 90, text, fontsize=10, ha=ha, va=va, multialignment=ha)
    canvas.draw()
    drawn = np.asarray(canvas.buffer_rgba())[..., :3]
    (sprite,) = text_sprites([text], va=va, multialignment=ha, fontsize=10)
    (slow,) = drawn_text_sprites([text], va=va, fontsize=10, multialignment=ha)
    assert sprite.pixels.shape[0] < slow.pixels.shape[0], "FreeType's sprite (matplotlib's has room for a box)"
    pasted = paste(np.full_like(drawn, 255), [sprite.at(100, 45, ha)])
    assert np.abs(np.subtract(_ink_box(drawn), _ink_box(pasted))).max() <= 1, text


def _ink_from_anchor(sprite) -> tuple[float, float, float, float]:
    """Where the sprite's letters start and end (left, top, right, bottom), in pixels from its anchor."""
    rows, columns = np.nonzero(sprite.pixels[..., 3] > 64)
    return (columns.min() - sprite.anchor_column, rows.min() - sprite.anchor_row,
            columns.max() - sprite.anchor_column, rows.max() - sprite.anchor_row)


@pytest.mark.parametrize(
    ("text", "va", "fontsize"),
    [
        ("Money from City of Eastbrook Treasury", "baseline", 10),
        ("AC01", "center", 8),
        (r"\$10,000", "center_baseline", 10),
        ("15 Mar 2024", "top", 10),
        ("cash deposited (US\\$)", "bottom", 10),
    ],
)
def test_freetype_texts_sit_where_matplotlib_draws_them(text, va, fontsize):
    (fast,) = text_sprites([text], va=va, fontsize=fontsize)
    (slow,) = drawn_text_sprites([text], va=va, fontsize=fontsize)
    assert fast.text_width == pytest.approx(slow.text_width, abs=0.01), "the same width (alignment)"
    assert _ink_from_anchor(fast) == pytest.approx(_ink_from_anchor(slow), abs=1.01), (
        "the letters as far from the anchor, within a pixel"
    )
    letters = fast.pixels[fast.pixels[..., 3] > 0]
    assert letters[:, 3].max() == 255 and (letters[:, :3] == 0).all(), "opaque black letters"


def test_boxed_or_mathematical_texts_are_drawn_by_matplotlib():
    box = {"boxstyle": "round", "facecolor": "white"}
    assert text_sprites(["B01"], va="center", fontsize=9, bbox=box)[0].pixels.shape == (
        drawn_text_sprites(["B01"], va="center", fontsize=9, bbox=box)[0].pixels.shape
    )
    assert text_sprites(["$x^2$"])[0].pixels.shape == drawn_text_sprites(["$x^2$"])[0].pixels.shape


def test_a_pasted_text_of_several_lines_sits_where_matplotlib_draws_it():
    """A text of several lines pasted line by line inks the rows and columns matplotlib draws it on (within a
    pixel)."""
    from courses.blitting import BlittedFigure

    frames = BlittedFigure(Figure(figsize=(3, 2)))
    text = frames.figure.text(0.5, 0.8, "lowest\nintermediate\nbalance", ha="center", va="top")
    drawn = frames.frame().min(axis=-1) < 128
    pasted_lines = PastedText(text)
    assert not text.get_visible()
    pasted = paste(frames.frame(key="hidden"), pasted_lines.placed()).min(axis=-1) < 128
    assert drawn.any() and not (frames.frame(key="hidden").min(axis=-1) < 128).any()
    for axis in (0, 1):  # the same rows and columns of ink, give or take a pixel
        rows_drawn, rows_pasted = np.nonzero(drawn.any(axis=axis))[0], np.nonzero(pasted.any(axis=axis))[0]
        assert abs(rows_drawn[0] - rows_pasted[0]) <= 1 and abs(rows_drawn[-1] - rows_pasted[-1]) <= 1
    assert abs(int(drawn.sum()) - int(pasted.sum())) < 0.1 * drawn.sum()


def test_legend_labels_are_pasted_where_the_legend_lays_them_out():
    from matplotlib.lines import Line2D

    from courses.blitting import BlittedFigure

    frames = BlittedFigure(Figure(figsize=(3, 2)))
    ax = frames.figure.add_axes((0, 0, 1, 1))
    ax.axis("off")
    legend = ax.legend(handles=[Line2D([], [], color="white", label="threshold $10,000.00")], loc="center",
                       frameon=False)
    drawn = frames.frame().min(axis=-1) < 128
    labels = LegendTexts(legend)
    assert not any(text.get_visible() for text in legend.get_texts())
    hidden = frames.frame(key="hidden")
    assert drawn.any() and not (hidden.min(axis=-1) < 128).any(), "only the label inks this figure"
    pasted = paste(hidden, labels.placed()).min(axis=-1) < 128
    for axis in (0, 1):
        ink_drawn, ink_pasted = np.nonzero(drawn.any(axis=axis))[0], np.nonzero(pasted.any(axis=axis))[0]
        assert abs(ink_drawn[0] - ink_pasted[0]) <= 1 and abs(ink_drawn[-1] - ink_pasted[-1]) <= 1


def test_cut_out_keeps_a_pixel_around_the_box_within_the_picture():
    pixels = np.arange(10 * 20).reshape(10, 20)  # rows top to bottom; the box's y counts from the bottom
    cut, left, top = cut_out(pixels, Bbox([[2.5, 3.0], [6.2, 7.0]]))
    assert (left, top) == (1, 2) and (cut == pixels[2:8, 1:8]).all()
    whole, left, top = cut_out(pixels, Bbox([[0, 0], [20, 10]]))
    assert (left, top) == (0, 0) and (whole == pixels).all()


@pytest.mark.parametrize("own_style", [False, True])
def test_tick_marks_are_drawn_as_matplotlib_draws_its_ticks(own_style):
    """The same pixels as matplotlib's own tick marks, styled by default or like the axis' own tick line."""
    figure = Figure(figsize=(3, 2), dpi=90)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_axes((0.2, 0.2, 0.7, 0.7))
    ax.set(xticks=[0.2, 0.5], yticks=[0.3, 0.9], xticklabels=[], yticklabels=[])
    canvas.draw()
    drawn = np.asarray(canvas.buffer_rgba()).copy()
    ax.tick_params(tick1On=False)
    canvas.draw()
    assert (np.asarray(canvas.buffer_rgba()) != drawn).any(), "matplotlib's marks hidden"
    for axis, at in ((ax.xaxis, [0.2, 0.5]), (ax.yaxis, [0.3, 0.9])):
        marks = tick_marks(axis, like=axis.get_major_ticks(1)[0].tick1line if own_style else None)
        marks.set_data(*((at, [0, 0]) if axis.axis_name == "x" else ([0, 0], at)))
    canvas.draw()
    assert (np.asarray(canvas.buffer_rgba()) == drawn).all()
