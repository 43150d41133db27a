"""Texts rendered once and pasted onto a figure's frame: labels that only move (timeline events, account names).

Drawing text is what makes a matplotlib figure slow (about a millisecond per label plus a few hundredths per
letter). A text that only moves (a label next to a moving point) is rendered once as a :class:`Sprite` by
:func:`text_sprites` and, on every change, pasted where it belongs onto the pixels of
:meth:`courses.blitting.BlittedFigure.frame` with :func:`paste`, before :func:`courses.blitting.png_bytes`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import IdentityTransform

from courses.blitting import DPI


@dataclass(frozen=True)
class Sprite:
    """A text rendered once: its RGBA pixels, where the text's anchor (its position when drawn left-aligned)
    lies in them, and the width of the text itself in pixels (to centre or right-align it)."""

    pixels: np.ndarray  # rows top to bottom, straight (not premultiplied) alpha
    anchor_column: float
    anchor_row: float
    text_width: float

    def at(self, x: float, y: float, ha: str = "left") -> tuple[Sprite, float, float]:
        """This sprite placed like a text at display point (x, y) with horizontal alignment ``ha``."""
        return self, x - {"left": 0.0, "center": self.text_width / 2, "right": self.text_width}[ha], y


def text_sprites(texts: list[str], va: str = "baseline", **text_style) -> list[Sprite]:
    """Each of ``texts`` rendered once, as ``Figure.text(x, y, text, va=va, **text_style)`` would draw it
    (bbox included): place it with :meth:`Sprite.at`."""
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
        left, right = max(0, math.floor(box.x0) - 1), min(width, math.ceil(box.x1) + 1)
        top, bottom = max(0, height - math.ceil(box.y1) - 1), min(height, height - math.floor(box.y0) + 1)
        if right >= width:
            raise ValueError(f"text too long for its sprite: {artist.get_text()!r}")
        x, y = artist.get_position()
        sprites.append(Sprite(pixels[top:bottom, left:right].copy(), x - left, (height - y) - top,
                              artist.get_window_extent(renderer).width))
    return sprites


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
