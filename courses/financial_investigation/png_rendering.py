"""Fast PNG rendering for the explorers: one Figure per app, kept for the app's lifetime, redrawn in place.

A callback that builds a new Figure and ``savefig``s it spends most of its time laying out and rasterising text
(tick labels, titles, legends) and on a new canvas (cold text caches) each time. ``PngFigure`` keeps one Agg
canvas, draws the parts that do not change ("static": axes, ticks, labels, legends) once per ``static_key`` into
a cached background, and on each change only restores that background and draws the artists marked animated
(bars, lines, a title) on top of it: the usual matplotlib blitting, written to PNG bytes instead of a screen.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from IPython.display import Image
from ipywidgets import Output
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 90  # the resolution every course figure has always been shown at (courses.widgets.show_figure)


class PngFigure:
    """A figure of ``figsize`` inches with fixed margins, rendered to PNG by :meth:`png`."""

    def __init__(self, figsize: tuple[float, float], backgrounds: int = 16) -> None:
        self.figure = Figure(figsize=figsize, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.animated: list[Artist] = []
        self._backgrounds: OrderedDict[Hashable, object] = OrderedDict()
        self._keep = backgrounds

    def animate(self, *artists: Artist) -> None:
        """Draw ``artists`` on every :meth:`png` over the background, in this order (last on top)."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)

    def forget(self, artists: Iterable[Artist]) -> None:
        """Stop drawing ``artists`` (they were removed from the figure)."""
        gone = {id(a) for a in artists}
        self.animated = [a for a in self.animated if id(a) not in gone]

    def png(self, static_key: Hashable = None) -> bytes:
        """PNG bytes of the figure now. The caller has set the static parts for ``static_key``: every state with
        the same key must draw the same background (a new key draws and keeps a new one)."""
        background = self._backgrounds.get(static_key)
        if background is None:
            self.canvas.draw()  # animated artists are left out of this draw
            background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._backgrounds[static_key] = background
            while len(self._backgrounds) > self._keep:
                self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(static_key)
            self.canvas.restore_region(background)
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(self.canvas)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as PNG (fast zlib level: the image goes to the browser, not to an archive)."""
    from PIL import Image as PILImage  # matplotlib itself depends on Pillow

    width, height = canvas.get_width_height()
    picture = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    picture = picture.convert("RGB")  # the figures are opaque: a quarter less to filter and compress (~5 ms)
    buffer = io.BytesIO()
    picture.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


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
    """Replace what ``output`` shows with ``png`` (``None`` clears it); the same display data as
    ``courses.widgets.show_figure`` makes from a Figure, so headless tests read it the same way."""
    output.outputs = ()
    if png is not None:
        output.append_display_data(Image(data=png, format="png"))
