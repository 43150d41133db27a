"""A matplotlib Figure turned into PNG frames quickly: the unchanging part drawn once, the rest every frame.

Axes, ticks, tick labels, axis labels and fixed titles take most of a figure's drawing time (text layout), yet
they do not change when a trainee moves a slider. :class:`BlittedFigure` draws everything that is not
*animated* once (the background, kept per set of axis limits), then for each frame restores that
background and draws only the artists marked ``animated=True`` on top of it (matplotlib's "blitting").
The PNG shows what a full ``savefig`` would show (same figure, same dpi, fixed margins), except that the
changing artists are always drawn above the unchanging ones.
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from operator import methodcaller

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 90  # as courses.widgets.show_figure draws
BACKGROUNDS_KEPT = 4  # backgrounds kept per figure (one per set of axis limits seen recently)


def changing(artist: Artist) -> Artist:
    """Mark ``artist`` as redrawn every frame (it changes with the controls); returns it."""
    artist.set_animated(True)
    return artist


class BlittedFigure:
    """PNG frames of one :class:`~matplotlib.figure.Figure` whose changing artists are marked ``animated``.

    The background (every artist not animated) is redrawn only when an axis' limits change, a watched artist
    changes (:meth:`watch`), or after :meth:`background_changed` (call it after changing another non-animated
    artist, e.g. tick labels).
    """

    def __init__(self, figure: Figure) -> None:
        figure.set_dpi(DPI)
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._backgrounds: OrderedDict[tuple, object] = OrderedDict()
        self._version = 0
        self._watched: list[Artist] = []

    def watch(self, *artists: Artist) -> None:
        """Keep ``artists`` in the background although they change now and then (a title with two wordings, a
        legend shown or hidden): their text and visibility are part of the background's key."""
        self._watched += artists

    def background_changed(self) -> None:
        """Forget the cached backgrounds: a non-animated artist changed."""
        self._version += 1
        self._backgrounds.clear()

    def _background_key(self) -> tuple:
        for ax in self.figure.axes:  # fixed aspect: settle where the axes sit and their limits before drawing
            ax.apply_aspect()
        return (
            self._version,
            *((tuple(ax.viewLim.bounds), tuple(ax.get_position().bounds)) for ax in self.figure.axes),
            *((a.get_visible(), getattr(a, "get_text", str)()) for a in self._watched),
        )

    def _changing_artists(self) -> list[Artist]:
        found = [a for a in self.figure.get_children() if a.get_animated()]
        for ax in self.figure.axes:
            found += [a for a in ax.get_children() if a.get_animated()]
        return sorted(found, key=methodcaller("get_zorder"))

    def png(self) -> bytes:
        """The figure as PNG bytes (``DPI`` dots per inch, the figure's own margins)."""
        key = self._background_key()
        background = self._backgrounds.get(key)
        if background is None:
            self.canvas.draw()  # draws every artist that is not animated
            background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._backgrounds[key] = background
            while len(self._backgrounds) > BACKGROUNDS_KEPT:
                self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(key)
            self.canvas.restore_region(background)
        renderer = self.canvas.get_renderer()
        for artist in self._changing_artists():
            if artist.get_visible():
                artist.draw(renderer)
        return png_bytes(np.asarray(self.canvas.buffer_rgba()))


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(rgba: np.ndarray) -> bytes:
    """An opaque RGBA image (height x width x 4, uint8) as an RGB PNG: rows unfiltered, zlib level 1.

    Half the time of Pillow's encoder on these figures (mostly flat colour, which zlib packs well by itself),
    and a smaller file.
    """
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[:, :, :3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + _chunk(b"IEND", b"")
    )
