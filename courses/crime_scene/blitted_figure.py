"""A matplotlib Figure turned into PNG frames quickly: the unchanging part is drawn once, the rest every frame.

Axes, ticks, tick labels, axis labels and fixed titles take most of a figure's drawing time (text layout), yet
they do not change when a trainee moves a slider. :class:`BlittedFigure` draws everything that is not
*animated* once (the background, kept per set of axis limits), then for each frame restores that background and
draws only the artists marked ``animated=True`` on top of it (matplotlib's "blitting"). The PNG shows exactly
what a full ``savefig`` would show (same figure, same dpi, fixed margins).
"""

from __future__ import annotations

import io
from collections import OrderedDict
from operator import methodcaller

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

DPI = 90  # as courses.widgets.show_figure draws
BACKGROUNDS_KEPT = 8  # backgrounds per figure (one per set of axis limits seen recently)


def changing(artist: Artist) -> Artist:
    """Mark ``artist`` as redrawn every frame (it changes with the controls); returns it."""
    artist.set_animated(True)
    return artist


class BlittedFigure:
    """PNG frames of one :class:`~matplotlib.figure.Figure` whose changing artists are marked ``animated``.

    The background (every artist not animated) is redrawn only when an axis' limits change, or after
    :meth:`background_changed` (call it after changing a non-animated artist, e.g. tick labels).
    """

    def __init__(self, figure: Figure) -> None:
        figure.set_dpi(DPI)
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._backgrounds: OrderedDict[tuple, object] = OrderedDict()
        self._version = 0

    def background_changed(self) -> None:
        """Forget the cached backgrounds: a non-animated artist changed."""
        self._version += 1
        self._backgrounds.clear()

    def _background_key(self) -> tuple:
        for ax in self.figure.axes:  # fixed aspect: where the axes sit and their limits are settled before drawing
            ax.apply_aspect()
        return (
            self._version,
            *((tuple(ax.viewLim.bounds), tuple(ax.get_position().bounds)) for ax in self.figure.axes),
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
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
