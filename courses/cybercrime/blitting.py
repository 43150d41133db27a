"""Fast redrawing of an explorer's figure: the parts that do not change are rendered once ("blitting").

An explorer builds its Figure once, marks the artists that a control changes as *animated* and then, on every
change, updates those artists' data and asks for a new PNG. The axes, tick labels and axis titles are rendered
only the first time (or after :meth:`BlittedFigure.invalidate`); each update restores that background and draws
the animated artists over it. Drawing text is what makes a matplotlib figure slow (about a millisecond per label
plus a few hundredths per letter), so text that only moves (a label next to a moving point) is rendered once as a
:class:`Sprite` and pasted where it belongs. This keeps a control's callback within a few tens of milliseconds.
"""
from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import IdentityTransform
from PIL import Image

if TYPE_CHECKING:
    from ipywidgets import Output
    from matplotlib.artist import Artist

DPI = 90  # the resolution of courses.widgets.show_figure, so every module's figures look alike


@dataclass(frozen=True)
class Sprite:
    """A text rendered once: its RGBA pixels, where the text's anchor (its position when drawn left-aligned)
    lies in them, and the width of the text itself in pixels (to centre or right-align it)."""

    pixels: np.ndarray  # rows top to bottom, straight (not premultiplied) alpha
    anchor_column: float
    anchor_row: float
    text_width: float

    def at(self, x: float, y: float, ha: str = "left") -> tuple["Sprite", float, float]:
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


def _paste(frame: np.ndarray, sprite: Sprite, x: float, y: float) -> None:
    """Blend ``sprite`` into ``frame`` (rows top to bottom) with its anchor at display point (x, y) (y up)."""
    height, width = frame.shape[:2]
    top = round(height - y - sprite.anchor_row)
    left = round(x - sprite.anchor_column)
    rows, columns = sprite.pixels.shape[:2]
    t, b, l, r = max(top, 0), min(top + rows, height), max(left, 0), min(left + columns, width)
    if t >= b or l >= r:
        return
    source = sprite.pixels[t - top:b - top, l - left:r - left].astype(np.uint16)
    target = frame[t:b, l:r, :3]
    alpha = source[..., 3:4]
    target[...] = (source[..., :3] * alpha + target.astype(np.uint16) * (255 - alpha) + 127) // 255


class BlittedFigure:
    """``figure`` with a cached background; :meth:`png` redraws only ``animated`` artists over it."""

    def __init__(self, figure: "Figure", animated: Iterable["Artist"]) -> None:
        self.figure = figure
        figure.set_dpi(DPI)
        self.canvas = FigureCanvasAgg(figure)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)  # left out of canvas.draw(): drawn by png() over the background
        self._background = None

    def invalidate(self) -> None:
        """Call after changing a part of the figure that is not animated (limits, ticks, size)."""
        self._background = None

    def png(self, sprites: Iterable[tuple[Sprite, float, float]] = ()) -> bytes:
        """The figure as it is now, as PNG bytes, with each (sprite, x, y) pasted on top with its anchor at display
        point (x, y) (pixels from the bottom left, as ``transData.transform`` gives)."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        frame = np.ascontiguousarray(np.asarray(self.canvas.buffer_rgba())[..., :3])  # a copy to paste on
        for sprite, x, y in sprites:
            _paste(frame, sprite, x, y)
        buffer = io.BytesIO()
        Image.fromarray(frame, "RGB").save(buffer, format="PNG", compress_level=1)  # fast; the PNG stays small
        return buffer.getvalue()


def show_png(output: "Output", png: bytes) -> None:
    """Replace what ``output`` shows with the image ``png`` in one update (works without a running kernel)."""
    output.outputs = ({"output_type": "display_data", "metadata": {},
                       "data": {"image/png": base64.b64encode(png).decode("ascii"),
                                "text/plain": "<figure (PNG image)>"}},)
