"""The financial-investigation charts' fast texts and single backgrounds (courses/financial_investigation/plots.py)."""

import numpy as np
import pytest

from courses.financial_investigation import plots
from courses.sprites import text_sprites


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
def test_fast_texts_sit_where_text_sprites_puts_them(text, va, fontsize):
    (fast,) = plots._rendered([text], va=va, fontsize=fontsize)
    (slow,) = text_sprites([text], va=va, fontsize=fontsize)
    assert fast.text_width == pytest.approx(slow.text_width, abs=0.01), "the same width (alignment)"
    assert _ink_from_anchor(fast) == pytest.approx(_ink_from_anchor(slow), abs=1.01), (
        "the letters as far from the anchor, within a pixel"
    )
    assert fast.pixels[..., 3].max() == 255 and (fast.pixels[..., :3] == 0).all(), "opaque black letters"


def test_boxed_or_mathematical_texts_are_left_to_text_sprites():
    box = {"boxstyle": "round", "facecolor": "white"}
    assert plots._rendered(["B01"], va="center", fontsize=9, bbox=box)[0].pixels.shape == (
        text_sprites(["B01"], va="center", fontsize=9, bbox=box)[0].pixels.shape
    )
    assert plots._rendered(["$x^2$"])[0].pixels.shape == text_sprites(["$x^2$"])[0].pixels.shape


def test_a_new_axis_range_draws_no_new_background():
    chart = plots.BenfordChart()
    draws = []
    draw = chart.frames.canvas.draw
    chart.frames.canvas.draw = lambda: (draws.append(1), draw())
    expected = [0.301, 0.176, 0.125, 0.097, 0.079, 0.067, 0.058, 0.051, 0.046]
    low = chart.png(expected, [30, 18, 12, 10, 8, 7, 6, 5, 4], "small")
    high = chart.png(expected, [10, 5, 5, 70, 3, 3, 2, 1, 1], "one digit dominates")  # y axis to 100 %
    assert len(draws) == 1 and low != high, "one background, drawn once, for both y ranges"
