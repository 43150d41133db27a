"""Texts rendered once and pasted onto a figure's frame: labels, tick numbers and titles that only move.

Drawing text is what makes a matplotlib figure slow (about a millisecond per label plus a few hundredths per
letter). A text that only moves (a label next to a moving point) is rendered once as a :class:`Sprite` (with
FreeType by :func:`text_sprite` and :func:`text_sprites`, as matplotlib would draw it; by matplotlib itself
with :func:`drawn_text_sprites` for maths and rounded boxes) and, on every change, placed (:func:`place` by
its pixels' box, :meth:`Sprite.at` by its anchor) and pasted where it belongs onto the pixels of
:meth:`courses.blitting.BlittedFigure.frame` with :func:`paste`, before :func:`courses.blitting.png_bytes`.
Their tick marks, likewise, are one line of markers (:func:`tick_marks`), not matplotlib's Tick objects.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import numpy as np
from matplotlib import cbook, rcParams
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN, TICKLEFT
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

from courses.blitting import DPI

BOX_PAD = 2  # pixels of white box around a text of text_sprite(box_alpha=...)


@dataclass(frozen=True)
class Sprite:
    """A text rendered once: its RGBA pixels, where the text's anchor (its position when drawn left-aligned)
    lies in them, and the width of the text itself in pixels (to centre or right-align it)."""

    pixels: np.ndarray  # rows top to bottom, straight (not premultiplied) alpha
    anchor_column: float
    anchor_row: float
    text_width: float

    def at(self, x: float, y: float, ha: str = "left") -> Placed:
        """This sprite placed like a text at display point (x, y) with horizontal alignment ``ha``."""
        return self, x - {"left": 0.0, "center": self.text_width / 2, "right": self.text_width}[ha], y

    def reading_upwards(self) -> Sprite:
        """This sprite turned a quarter anticlockwise (a y axis label): its bottom edge on the right, its anchor
        turned with it."""
        return Sprite(np.rot90(self.pixels).copy(), self.anchor_row, self.pixels.shape[1] - self.anchor_column,
                      self.text_width)


Placed = tuple[Sprite, float, float]  # a sprite and the display point (pixels from bottom left) of its anchor


@functools.cache
def _font_files(style: str) -> list:
    """The files of matplotlib's default font in ``style`` ("normal" or "italic")."""
    return fontManager._find_fonts_by_props(FontProperties(style=style))


def _font(size: float, style: str = "normal") -> FT2Font:
    """matplotlib's default font at ``size`` points (``style``: "normal" or "italic") for the figures' DPI."""
    found = get_font(_font_files(style))
    found.set_size(size, DPI)
    return found


class _Line(NamedTuple):
    """One line of text as FreeType draws it for matplotlib."""

    coverage: np.ndarray  # rows top to bottom
    baseline: int  # the row of its baseline
    bearing: float  # pixels from its first column to where the pen starts
    advance: float  # pixels the pen moves


def _line(text: str, size: float, style: str) -> _Line:
    """One line of ``text`` as FreeType draws it for matplotlib."""
    drawn = _font(size, style)
    drawn.clear()
    drawn.set_text(text, 0, flags=get_hinting_flag())
    drawn.draw_glyphs_to_bitmap(antialiased=True)
    coverage = np.asarray(drawn.get_image())
    baseline = coverage.shape[0] - 1 - round(drawn.get_descent() / 64)
    return _Line(coverage, baseline, -drawn.get_bitmap_offset()[0] / 64, drawn.get_width_height()[0] / 64)


@functools.cache
def _line_pitch(size: float) -> float:
    """Pixels from one baseline to the next in a text of several lines: 1.2 times the font's ascent plus
    descent, as matplotlib spaces lines."""
    metrics = _font(size).get_sfnt_table("OS/2")
    scale = size * DPI / 72 / _font(size).get_sfnt_table("head")["unitsPerEm"]
    return 1.2 * (metrics["sTypoAscender"] - metrics["sTypoDescender"]) * scale


@functools.lru_cache(maxsize=4096)
def text_sprite(text: str, size: float = 10.0, colour: str = "black", style: str = "normal", align: str = "left",
                rotated: bool = False, box_alpha: float = 0.0) -> Sprite:
    """``text`` rendered once with FreeType, as matplotlib draws it (lines split at newlines, spaced and aligned
    like a matplotlib text). Anchored on the first line's baseline where the pen starts a line as wide as the
    text, ``text_width`` that width (for :meth:`Sprite.at`); ``rotated``: turned a quarter anticlockwise
    (:meth:`Sprite.reading_upwards`), as ``rotation=90`` draws it. ``box_alpha``: over a white box. Place it with
    :func:`place` or :meth:`Sprite.at`. As in a matplotlib text that is not maths, ``\\$`` is a dollar sign."""
    lines = [_line(line, size, style) for line in text.replace(r"\$", "$").split("\n")]
    rgb, opacity = _ink(colour)
    if len(lines) == 1 and not box_alpha and opacity == 1:  # most texts: FreeType's coverage is their alpha
        pixels = np.empty((*lines[0].coverage.shape, 4), np.uint8)
        pixels[..., :3], pixels[..., 3] = rgb, lines[0].coverage
        first, left = lines[0].baseline, 0
    else:
        alpha, first, left = _stacked(lines, size, align, BOX_PAD if box_alpha else 0)
        pixels = _coloured(alpha, colour, box_alpha)
    width = max(line.advance for line in lines)  # the anchor: where a line as wide as the text would start
    indent = {"left": 0.0, "center": 0.5, "right": 1.0}[align] * (width - lines[0].advance)
    sprite = Sprite(pixels, left + lines[0].bearing - indent, float(first), width)
    return sprite.reading_upwards() if rotated else sprite


@functools.lru_cache(maxsize=64)
def _ink(colour: str) -> tuple[np.ndarray, float]:
    """``colour`` as 8-bit RGB and its opacity (0 to 1)."""
    *rgb, opacity = to_rgba(colour)
    return np.round(np.multiply(rgb, 255)).astype(np.uint8), opacity


def _stacked(lines: list[_Line], size: float, align: str, pad: int) -> tuple[np.ndarray, int, int]:
    """The coverage (0 to 1) of ``lines`` spaced and aligned like a matplotlib text with ``pad`` pixels around
    them, the row of the first baseline and the column where the first line starts."""
    pitch = _line_pitch(size)
    first = pad + max(line.baseline for line in lines)
    tops = [first + round(n * pitch) - line.baseline for n, line in enumerate(lines)]
    width = max(line.coverage.shape[1] for line in lines) + 2 * pad
    height = max(top + line.coverage.shape[0] for top, line in zip(tops, lines, strict=True)) + pad
    alpha = np.zeros((height, width))
    lefts = []
    for top, line in zip(tops, lines, strict=True):
        rows, columns = line.coverage.shape
        lefts.append({"left": pad, "center": (width - columns) // 2, "right": width - pad - columns}[align])
        alpha[top:top + rows, lefts[-1]:lefts[-1] + columns] += line.coverage / 255
    return alpha, first, lefts[0]


def _coloured(alpha: np.ndarray, colour: str, box_alpha: float) -> np.ndarray:
    """RGBA pixels (straight alpha) of a text of coverage ``alpha`` in ``colour`` over a white box of opacity
    ``box_alpha``."""
    red, green, blue, opacity = to_rgba(colour)
    ink = np.clip(alpha, 0, 1) * opacity
    total = ink + box_alpha * (1 - ink)
    shade = np.divide(ink, total, out=np.zeros_like(ink), where=total > 0)
    rgb = [255 * (channel * shade + (1 - shade)) for channel in (red, green, blue)]
    return np.dstack([*rgb, 255 * total]).round().astype(np.uint8)


def place(sprite: Sprite, x: float, y: float, ha: str = "left", va: str = "baseline", pad: float = 0) -> Placed:
    """``sprite`` placed like a matplotlib text at display point (x, y) by its pixels' box, with alignments
    ``ha`` and ``va`` (``pad``: pixels of box around the text, outside the text's own box as matplotlib
    draws it); ``va="baseline"`` puts the anchor's row at ``y``."""
    rows, columns = sprite.pixels.shape[:2]
    left = x - {"left": pad, "center": columns / 2, "right": columns - pad}[ha]
    top = y + {"top": pad, "center": rows / 2, "bottom": rows - pad, "baseline": sprite.anchor_row}[va]
    return sprite, left + sprite.anchor_column, top - sprite.anchor_row


class PastedText:
    """A fixed matplotlib text (an axis or legend label, a tick label of several lines) pasted line by line where
    matplotlib's layout puts each line, instead of drawn by matplotlib (a few ms per text): each line rendered
    once by :func:`text_sprite`. The text itself is hidden; its transform and position still give the place,
    whoever sets them (an axis, a legend's layout)."""

    def __init__(self, text: Text) -> None:
        self.text = text
        renderer = text.get_figure(root=True).canvas.get_renderer()
        _, lines, _ = text._get_layout(renderer)  # (line, size, its baseline's start from the anchor)
        colour = to_hex(text.get_color(), keep_alpha=True)
        self.lines = [(text_sprite(line, text.get_fontsize(), colour), dx, dy) for line, _, (dx, dy) in lines]
        text.set_visible(False)  # still laid out: a legend or an axis keeps its size

    def placed(self) -> list[Placed]:
        """Each line where matplotlib would draw it now."""
        x, y = self.text.get_transform().transform(self.text.get_position())
        return [sprite.at(x + dx, y + dy) for sprite, dx, dy in self.lines]


class LegendTexts:
    """A legend's labels pasted (:class:`PastedText`, about 15 ms less for four labels): the legend stays where it
    is, and matplotlib still lays it out and draws its frame and handles."""

    def __init__(self, legend: Legend) -> None:
        self.labels = [PastedText(text) for text in legend.get_texts()]

    def placed(self) -> list[Placed]:
        """Each label where the legend put it (once the figure has been drawn)."""
        return [line for label in self.labels for line in label.placed()]


@functools.cache
def _probe() -> tuple[Figure, RendererAgg]:
    """A figure and renderer to measure texts with (made once)."""
    figure = Figure(dpi=DPI)
    return figure, FigureCanvasAgg(figure).get_renderer()


@functools.cache
def text_height(text: str, size: float) -> float:
    """The height in pixels of the box matplotlib lays ``text`` out in at ``size`` points (for several lines)."""
    figure, renderer = _probe()
    return Text(0, 0, text, fontsize=size, figure=figure).get_window_extent(renderer).height


@functools.cache
def _baseline_to_anchor(size: float, va: str, lines: int = 1) -> float:
    """How far above the first baseline ``Text(va=va, fontsize=size)`` of ``lines`` lines puts its anchor, in
    pixels (matplotlib's layout of lines of "x", measured once: the font's box, which most letters fit in)."""
    figure, renderer = _probe()
    text = "\n".join(["x"] * lines)
    box = {v: Text(0, 0, text, fontsize=size, va=v, figure=figure).get_window_extent(renderer)
           for v in (va, "baseline")}  # "baseline": the last line's baseline at the anchor
    return box["baseline"].y0 - box[va].y0 - (lines - 1) * box["baseline"].height / lines


def text_sprites(texts: list[str], va: str = "baseline", multialignment: str | None = None, **text_style
                 ) -> list[Sprite]:
    """Each of ``texts`` rendered once, as ``Figure.text(x, y, text, va=va, **text_style)`` would draw it
    (bbox included): place it with :meth:`Sprite.at`. Plain one-line texts in a ``fontsize`` and ``color``
    are rendered by :func:`text_sprite` (ten times faster), and so are plain texts of several lines when
    ``multialignment`` (how their lines align) is given (spaced by the font's line pitch, as matplotlib spaces
    lines of dates, numbers and capitals: taller letters such as "l" or "d" move matplotlib's lines apart by a
    pixel or two); anything else (maths, a box) is drawn by matplotlib."""
    several_lines = multialignment is None and any("\n" in t for t in texts)
    if set(text_style) - {"fontsize", "color"} or several_lines or any(map(cbook.is_math_text, texts)):
        return drawn_text_sprites(texts, va, **text_style)
    size = FontProperties(size=text_style.get("fontsize")).get_size_in_points()
    sprites = [text_sprite(text, size, text_style.get("color", "black"),
                           align=multialignment or "left") for text in texts]
    above = [_baseline_to_anchor(size, va, text.count("\n") + 1) for text in texts]
    return [Sprite(s.pixels, s.anchor_column, s.anchor_row - up, s.text_width)
            for s, up in zip(sprites, above, strict=True)]


def drawn_text_sprites(texts: list[str], va: str = "baseline", **text_style) -> list[Sprite]:
    """Each of ``texts`` drawn by matplotlib as ``Figure.text(x, y, text, va=va, **text_style)`` (bbox included;
    through a Figure: ~1.5 ms + 0.8 ms per text, 5-10 times :func:`text_sprite`): place it with
    :meth:`Sprite.at`. Its letters are matplotlib's own, drawn glyph by glyph (FreeType's whole line may space
    them a pixel apart)."""
    line = 3 * FontProperties(size=text_style.get("fontsize")).get_size_in_points() * DPI / 72  # room for a bbox
    width = math.ceil(line * (2 + max(map(len, texts), default=0)) / 2)  # a letter is narrower than 1.5 em
    height = math.ceil(line * (len(texts) + 1))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="none")
    canvas = FigureCanvasAgg(figure)
    artists = [figure.text(line, line * (n + 1), text, transform=IdentityTransform(), ha="left", va=va,
                           **text_style) for n, text in enumerate(texts)]
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    renderer = canvas.get_renderer()
    sprites = []
    for artist in artists:
        box = artist.get_window_extent(renderer)
        if artist.get_bbox_patch() is not None:
            box = box.union([box, artist.get_bbox_patch().get_window_extent(renderer)])
        cut, left, top = cut_out(pixels, box)
        if left + cut.shape[1] >= width:
            raise ValueError(f"text too long for its sprite: {artist.get_text()!r}")
        x, y = artist.get_position()
        sprites.append(Sprite(cut, x - left, (height - y) - top, artist.get_window_extent(renderer).width))
    return sprites


def cut_out(pixels: np.ndarray, box: Bbox) -> tuple[np.ndarray, int, int]:
    """A copy of the ``pixels`` (rows top to bottom) in ``box`` (display pixels from the bottom left) and one
    pixel around it, within ``pixels``; and the column and row of its top left corner in ``pixels``."""
    height, width = pixels.shape[:2]
    left, right = max(0, math.floor(box.x0) - 1), min(width, math.ceil(box.x1) + 1)
    top, bottom = max(0, height - math.ceil(box.y1) - 1), min(height, height - math.floor(box.y0) + 1)
    return pixels[top:bottom, left:right].copy(), left, top


def tick_marks(axis: Axis, like: Line2D | None = None, **style) -> Line2D:
    """The tick marks of ``axis`` as one line of tick markers added to its axes, instead of matplotlib's Tick
    objects (a millisecond each to make): ``set_data`` places them (values and 0s along x, 0s and values along
    y). Styled as matplotlib's default major ticks (pointing out), or as the tick line ``like`` (an axis' own
    ``tick1line``); ``style``: other Line2D properties."""
    ax, name = axis.axes, axis.axis_name
    if like is None:
        look = {"marker": TICKDOWN if name == "x" else TICKLEFT, "markersize": rcParams[f"{name}tick.major.size"],
                "markeredgewidth": rcParams[f"{name}tick.major.width"], "color": rcParams[f"{name}tick.color"],
                "transform": ax.get_xaxis_transform() if name == "x" else ax.get_yaxis_transform()}
    else:
        look = {"marker": like.get_marker(), "markersize": like.get_markersize(),
                "markeredgewidth": like.get_markeredgewidth(), "color": like.get_color(),
                "transform": like.get_transform()}
    return ax.add_artist(Line2D([], [], linestyle="", clip_on=False, **look | style))  # not in the data limits


def paste(frame: np.ndarray, placed: Iterable[tuple[Sprite, float, float]]) -> np.ndarray:
    """Blend each (sprite, x, y) into ``frame`` (RGB, rows top to bottom), the sprite's anchor at display
    point (x, y) (pixels from the bottom left, as ``transData.transform`` gives); returns ``frame``."""
    height, width = frame.shape[:2]
    for sprite, x, y in placed:
        top = round(height - y - sprite.anchor_row)
        left = round(x - sprite.anchor_column)
        rows, columns = sprite.pixels.shape[:2]
        t, b, l, r = max(top, 0), min(top + rows, height), max(left, 0), min(left + columns, width)
        if t >= b or l >= r:
            continue
        source = sprite.pixels[t - top:b - top, l - left:r - left].astype(np.uint16)
        target = frame[t:b, l:r, :3]
        alpha = source[..., 3:4]
        target[...] = (source[..., :3] * alpha + target.astype(np.uint16) * (255 - alpha) + 127) // 255
    return frame
