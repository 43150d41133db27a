"""Fast redrawing of the explorers' figures: the unchanging part drawn once, the changing part every frame.

Axes, ticks, tick labels, axis labels and fixed titles take most of a figure's drawing time (text layout), yet
they do not change when a trainee moves a slider. An explorer builds its Figure once, marks the artists a control
changes with :func:`changing`, and on every change updates their data and asks :class:`BlittedFigure` for a PNG:
the background (every artist not marked) is drawn once per set of axis limits (matplotlib's "blitting"), then
restored and only the changing artists are drawn on top of it. This keeps a callback within a few tens of
milliseconds, where building and ``savefig``-ing a new Figure took several hundred.
"""

from __future__ import annotations

import base64
import gc
import struct
import zlib
from collections import OrderedDict
from collections.abc import Hashable
from operator import methodcaller
from typing import TYPE_CHECKING, TypeVar

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

if TYPE_CHECKING:
    from ipywidgets import Output
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

# What is imported by now (IPython, pandas, matplotlib, ipywidgets ...) lives as long as the kernel. Frozen, the
# garbage collector no longer walks it: a full collection, which may fall inside a widget's callback, took
# 25-110 ms and takes 6-21 ms (11 and 10 full collections during benchmarks/widget_latency.py, CPU time).
gc.freeze()

DPI = 90  # every course figure is shown at this resolution
BACKGROUNDS_KEPT = 4  # backgrounds kept per figure (one per set of axis limits or key seen recently)
A = TypeVar("A", bound="Artist")


def changing(artist: A) -> A:
    """Mark ``artist`` as redrawn every frame (it changes with the controls); returns it."""
    artist.set_animated(True)
    return artist


class BlittedFigure:
    """PNG frames of one Figure whose changing artists are marked with :func:`changing`.

    The background is drawn again only when an axis' limits or position change or the caller's ``key`` changes.
    ``limits_in_key=False`` leaves the axis limits out of that test, for a figure whose background does not
    depend on them (axes turned off, every artist in data coordinates marked changing): new limits then cost
    no new background.
    """

    def __init__(self, figure: Figure, backgrounds_kept: int = BACKGROUNDS_KEPT, *, limits_in_key: bool = True
                 ) -> None:
        figure.set_dpi(DPI)
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._backgrounds: OrderedDict[tuple, object] = OrderedDict()
        self._kept = backgrounds_kept
        self._limits_in_key = limits_in_key

    def _background_key(self, key: Hashable) -> tuple:
        for ax in self.figure.axes:  # fixed aspect: settle where the axes sit and their limits before drawing
            ax.apply_aspect()
        return (
            key,
            *((tuple(ax.viewLim.bounds) if self._limits_in_key else None, tuple(ax.get_position().bounds))
              for ax in self.figure.axes),
        )

    def _changing_artists(self) -> list[Artist]:
        found = [a for a in self.figure.get_children() if a.get_animated()]
        for ax in self.figure.axes:
            found += [a for a in ax.get_children() if a.get_animated()]
        return sorted(found, key=methodcaller("get_zorder"))

    def frame(self, key: Hashable = None) -> np.ndarray:
        """The figure's pixels now (rows top to bottom, RGB, a copy the caller may draw on). ``key``: anything
        else the background depends on (states with the same key and axis limits must draw the same one)."""
        background_key = self._background_key(key)
        background = self._backgrounds.get(background_key)
        if background is None:
            self.canvas.draw()  # draws every artist that is not marked as changing
            self._backgrounds[background_key] = self.canvas.copy_from_bbox(self.figure.bbox)
            while len(self._backgrounds) > self._kept:
                self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(background_key)
            self.canvas.restore_region(background)
        renderer = self.canvas.get_renderer()
        for artist in self._changing_artists():
            if artist.get_visible():
                artist.draw(renderer)
        return np.array(np.asarray(self.canvas.buffer_rgba())[..., :3])


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB image (rows top to bottom, uint8) as PNG (W3C PNG spec, 3rd ed.): every row unfiltered, zlib's
    fastest level. The image goes to the browser, not an archive: on the course's flat-coloured figures this is
    as small as Pillow's PNG at level 1 in a third of the time, because Pillow tries five row filters per row."""
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # a leading 0 on every row: filter type None
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class PngCache:
    """The last ``size`` PNGs by the inputs that drew them: going back to a state shows it without drawing."""

    def __init__(self, size: int = 64) -> None:
        self._pngs: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = size

    def get(self, key: Hashable) -> bytes | None:
        png = self._pngs.get(key)
        if png is not None:
            self._pngs.move_to_end(key)
        return png

    def put(self, key: Hashable, png: bytes) -> bytes:
        self._pngs[key] = png
        while len(self._pngs) > self._size:
            self._pngs.popitem(last=False)
        return png


def show_png(output: Output, png: bytes | None) -> None:
    """Replace what ``output`` shows with the image ``png`` in one update (``None`` clears it); works without a
    running kernel, so headless tests read it from ``output.outputs``."""
    output.outputs = (
        ()
        if png is None
        else (
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": "<figure (PNG image)>"},
            },
        )
    )
