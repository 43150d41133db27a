"""Fast redrawing of an explorer's figure: the parts that do not change are rendered once ("blitting").

An explorer builds its Figure once, marks the artists that a control changes as *animated* and then, on every
change, updates those artists' data and asks for a new PNG. The axes, tick labels and axis titles are rendered
only the first time (or after :meth:`BlittedFigure.invalidate`); each update restores that background and draws
the animated artists over it. Drawing text is what makes a matplotlib figure slow (about a millisecond per label
here), so this keeps a control's callback within a few tens of milliseconds.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

if TYPE_CHECKING:
    from ipywidgets import Output
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

DPI = 90  # the resolution of courses.widgets.show_figure, so every module's figures look alike


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

    def png(self) -> bytes:
        """The figure as it is now, as PNG bytes."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=1)  # fast; the PNG stays small
        return buffer.getvalue()


def show_png(output: "Output", png: bytes) -> None:
    """Replace what ``output`` shows with the image ``png`` in one update (works without a running kernel)."""
    output.outputs = ({"output_type": "display_data", "metadata": {},
                       "data": {"image/png": base64.b64encode(png).decode("ascii"),
                                "text/plain": "<figure (PNG image)>"}},)
