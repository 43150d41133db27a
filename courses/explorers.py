"""The one explorer helper every module uses: a live matplotlib figure (ipympl), controls, the trainee's function
called safely, and one message line.

An explorer is a compute step, a plotting function that builds ONE figure and returns what changes, and a few
lines of wiring::

    def stain_figure():
        fig = explorers.figure(6, 3.5)
        ax = fig.subplots()
        ax.set(title="Stain from above", xlim=(-15, 15), ylim=(-15, 15))
        (path,) = ax.plot([], [])
        return fig, path

    def explore_impact_angle(impact_angle):
        width = explorers.slider("Stain width W (mm)", 5.0, 0.5, 20.0, 0.1)
        fig, path = stain_figure()
        app = explorers.Explorer([width], fig, animated=[path])  # what update changes

        def update():
            angle = explorers.number("impact_angle", impact_angle(width.value, 10.0))  # the trainee's function
            path.set_data([0, -math.cos(math.radians(angle))], [0, math.sin(math.radians(angle))])
            return f"impact angle {angle:.1f} degrees"  # the message under the controls

        return app.wire(update)  # runs update now, and after every change with a redraw of the figure

``update`` returns the message. When anything in it raises (the trainee's function, or :func:`expect` finding an
answer of the wrong kind), the explorer says so in one red line naming the trainee's function, and the figure
is blank until an update succeeds: its fixed parts (axes, labels) and the note "Nothing to draw: see the message
above.", none of the ``animated`` artists. One style for every error.

The figure is a plain ``matplotlib.figure.Figure`` on ipympl's canvas widget (no pyplot): the notebook shows the
controls with the message, then the live figure; a notebook opened without a kernel and nbconvert's HTML
(feedback) show the message and, from ipympl, a picture of the first frame. ``animated`` names every artist
``update`` changes: a change to those alone is blitted (matplotlib's blitting) instead of drawing the whole
figure again; a change to anything else (limits, tick labels) is drawn whole.
"""

from __future__ import annotations

import html
import math
import numbers
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets
import matplotlib
import numpy as np
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.backend_bases import DrawEvent
from matplotlib.figure import Figure

# Importing ipympl makes it matplotlib's backend when matplotlib is already loaded (ipympl/__init__.py calls
# matplotlib.use, as `%matplotlib ipympl` does). The explorers do not need that: they put each figure on ipympl's
# canvas themselves. So the backend the trainee's kernel had is put back, and their own pyplot code (if any)
# behaves as before the course was imported.
_backend = matplotlib.get_backend(auto_select=False)
from ipympl.backend_nbagg import Canvas, FigureManager

if _backend is not None and matplotlib.get_backend(auto_select=False) != _backend:
    matplotlib.use(_backend)

WIDE_LABEL = {"description_width": "initial"}  # the whole description is shown, however long
DPI = 90  # every course figure is shown at this resolution
ERROR_COLOUR, OK_COLOUR = "#b00020", "#1b5e20"
NOTHING_TO_DRAW = "Nothing to draw:\nsee the message above."
T = TypeVar("T")

COURSE_CODE = Path(__file__).resolve().parent  # frames from here are the course's, not the trainee's
LIBRARIES = tuple({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


def raising_function(error: BaseException) -> str | None:
    """Name of the outermost function in ``error``'s traceback that is neither the course's code nor a
    library's: the trainee's function an explorer called (which may have called others). ``None`` if none."""
    frame = error.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        path = Path(filename).resolve() if not filename.startswith("<") else None
        if path is None or not (path.is_relative_to(COURSE_CODE) or str(path).startswith(LIBRARIES)):
            return frame.tb_frame.f_code.co_name
        frame = frame.tb_next
    return None


class WrongAnswer(Exception):
    """A trainee's function answered, but not with the kind of value its task asks for (the text says which)."""


def explain(error: BaseException) -> str:
    """Plain words for what went wrong in a trainee's function, named when the traceback shows which."""
    if isinstance(error, WrongAnswer):
        return str(error)
    name = raising_function(error)
    who = f"Your function {name}" if name else "One of your functions"
    if isinstance(error, NotImplementedError):
        return f"{who} is not written yet (it raises NotImplementedError)."
    return f"{who} raised {type(error).__name__}: {error}"


def expect(name: str, value: T, ok: bool, wanted: str) -> T:
    """``value`` when ``ok``, else :class:`WrongAnswer`: "Your function ``name`` returned <value>, not ``wanted``"."""
    if not ok:
        raise WrongAnswer(
            f"Your function {name} returned {type(value).__name__} {value!r:.60}, not {wanted}."
        )
    return value


def finite(value: Any) -> bool:
    """Whether ``value`` is a number that can be drawn: a real number (numpy's too), not bool, NaN or infinity."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def number(name: str, value: Any) -> float:
    """The trainee's answer ``value`` (of YOUR function ``name``) as a float, or :class:`WrongAnswer` (NaN and
    infinity too: they cannot be drawn)."""
    return float(expect(name, value, finite(value), "a finite number"))


def pair(name: str, value: Any) -> tuple[float, float]:
    """The trainee's answer ``value`` as a pair of floats (finite, as for :func:`number`)."""
    ok = isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2 and all(map(finite, value))
    first, second = expect(name, value, ok, "a pair of finite numbers")
    return float(first), float(second)


def strings(name: str, value: Any, wanted: str) -> set[str]:
    """The trainee's answer ``value`` (a set, list or tuple of strings) as a set, or :class:`WrongAnswer`."""
    ok = isinstance(value, (set, frozenset, list, tuple)) and all(isinstance(item, str) for item in value)
    return set(expect(name, value, ok, wanted))


def slider(
    description: str, value: float, low: float, high: float, step: float = 1, **options: Any
) -> widgets.IntSlider | widgets.FloatSlider:
    """An IntSlider when every number is a whole int, else a FloatSlider, with its full description shown;
    ``options`` go to the widget (e.g. ``continuous_update=False``, ``layout``)."""
    whole = all(isinstance(n, int) for n in (value, low, high, step))
    kind = widgets.IntSlider if whole else widgets.FloatSlider
    return kind(
        value=value, min=low, max=high, step=step, description=description, style=WIDE_LABEL, **options
    )


def row(*controls: widgets.Widget) -> widgets.HBox:
    """Controls side by side, wrapping onto the next line when the notebook is narrow."""
    return widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap"))


def offer(dropdown: widgets.Dropdown, options: Sequence) -> Any:
    """Give ``dropdown`` these ``options`` (values or (label, value) pairs), showing the first, unless it has
    them already; returns the value it shows (``None``: no options)."""
    if list(dropdown.options) != list(options):
        dropdown.options = options
        dropdown.index = 0 if options else None  # ipywidgets 8 leaves a dropdown made empty unselected
    return dropdown.value


def figure(width_in: float, height_in: float, **options: Any) -> Figure:
    """A new Figure on its own ipympl canvas (a widget), without pyplot: no toolbar, header or resize handle.
    ``options`` go to :class:`~matplotlib.figure.Figure` (e.g. ``layout="constrained"``)."""
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, **options)
    manager = FigureManager(Canvas(fig), 0)  # the canvas's manager answers the browser's draw requests
    manager.set_window_title("")  # no "Figure 0" above the picture
    fig.canvas.toolbar_visible = fig.canvas.header_visible = fig.canvas.footer_visible = False
    fig.canvas.resizable = False
    return fig


class Explorer:
    """The app a notebook cell shows: a panel of ``controls`` (widgets or rows of them) with a message line under
    them, and the live figure below it, shown as two outputs. A figure comes with ``animated``, every artist its
    update changes: the rest is fixed (axes, labels, legends of fixed entries)."""

    def __init__(
        self, controls: Sequence[widgets.Widget], fig: Figure | None = None, animated: Sequence[Artist] = ()
    ) -> None:
        self.message = widgets.HTML()
        self.panel = _Panel([*controls, self.message])
        self.figure = fig
        self.children = (self.panel,) if fig is None else (self.panel, fig.canvas)  # what the cell shows
        self.animated = sorted(animated, key=lambda artist: artist.get_zorder())
        # each with its parts: a change inside (a legend's text) leaves the rest as drawn
        for artist in self.animated:
            for part in artist.findobj():
                part.set_animated(True)
        self._background = None
        self._hidden: list[Artist] | None = None  # what show_figure(False) hid (None: the figure is shown)
        if fig is not None:
            if not self.animated:
                raise ValueError("a figure needs animated=[...]: every artist the update changes")
            # in the first axes, so a saved picture (feedback) shows it too, animated: shown and hidden by a blit
            self._note = fig.axes[0].text(0.5, 0.5, NOTHING_TO_DRAW, transform=fig.axes[0].transAxes)
            self._note.set(
                ha="center", va="center", color="grey", bbox={"facecolor": "white", "edgecolor": "grey"}
            )
            self._note.set(clip_on=False, in_layout=False, visible=False, animated=True, zorder=10)
            fig.canvas.mpl_connect("draw_event", self._drawn)
        self._busy = False  # an update is running: a control it changes starts no other

    def say(self, text: str, error: bool = False) -> None:
        """Show ``text`` as the message (red for a trainee's error)."""
        colour = ERROR_COLOUR if error else OK_COLOUR
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>'
        self.panel.text = text

    def fail(self, error: BaseException) -> None:
        """Say in red what went wrong in a trainee's function, and blank the figure (nothing stale left)."""
        self.show_figure(False)
        self.say(explain(error), error=True)

    def show_figure(self, shown: bool) -> None:
        """Show the figure as the last update left it, or (``False``) blank: its fixed parts only, with the note
        that there is nothing to draw. Both are blitted (only animated artists change)."""
        if self.figure is None or shown == (self._hidden is None):
            return
        if not shown:
            self._hidden = [artist for artist in self.animated if artist.get_visible()]
        for artist in self._hidden:
            artist.set_visible(shown)
        self._note.set_visible(not shown)
        if shown:
            self._hidden = None

    def wire(self, update: Callable[[], str | None]) -> Explorer:
        """Run ``update`` now, and whenever a control's value changes followed by a redraw of the figure; returns
        self. ``update`` returns the message (``None``: it said it itself); what it raises is said by :meth:`fail`.
        A control that ``update`` itself changes (new dropdown options) starts no second update.

        The first frame is not drawn here: the browser asks for it once it shows the figure, and an extra draw
        request at that moment can make ipympl lose the first frame (a blank figure, ipympl#556)."""

        def run() -> None:
            self.show_figure(True)
            try:
                said = update()
            except Exception as error:  # noqa: BLE001 - a trainee's function failed: say why, never crash
                self.fail(error)
            else:
                if said is not None:
                    self.say(said)

        controls = list(_value_controls(self.panel.children))
        shown: list[object] = []  # the controls' values the figure shows now

        def changed(_change: object = None, draw: bool = True) -> None:
            # Linked controls (a Play and its slider) report one change twice: one update, one frame. Two frames
            # in quick succession can lose the first in the browser (ipympl replaces an image not yet loaded).
            if self._busy or [control.value for control in controls] == shown:
                return
            self._busy = True
            try:
                run()
                shown[:] = [control.value for control in controls]
                if draw and self.figure is not None:
                    self.redraw()
            finally:
                self._busy = False

        for control in controls:
            control.observe(changed, "value")
        changed(draw=False)  # not drawn: the browser asks for the first frame itself once it shows the figure
        return self

    def redraw(self) -> None:
        """Show the figure's changes: only the ``animated`` artists over the background kept from the last full
        draw (matplotlib's blitting), or a full draw when anything else changed (the figure is stale: limits,
        other artists) or the browser has not drawn the figure yet."""
        canvas = self.figure.canvas
        if self._background is None or self.figure.stale:
            canvas.draw_idle()  # the browser asks for the draw; in a kernel without a browser nothing is drawn
            return
        canvas.restore_region(self._background)
        self._draw_animated()
        canvas.blit(self.figure.bbox)

    def _draw_animated(self) -> None:
        for artist in (*self.animated, self._note):  # the hidden ones draw nothing
            self.figure.draw_artist(artist)

    def _drawn(self, event: DrawEvent) -> None:
        """After a full draw of the canvas (not savefig, which draws the animated artists itself): keep it as the
        background, then draw the animated artists over it."""
        canvas = self.figure.canvas
        if canvas.is_saving() or event.renderer is not canvas.get_renderer():
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _ipython_display_(self) -> None:  # IPython's display protocol: the panel and the figure, two outputs
        display(*self.children)


class _Panel(widgets.VBox):
    """The controls and the message; without a running kernel it reads as the message."""

    text = ""

    def __repr__(self) -> str:
        return self.text or "Interactive controls (run the notebook to use them)."


def _value_controls(children: Sequence[widgets.Widget]) -> Iterator[widgets.ValueWidget]:
    """Every control with a value inside ``children`` (depth first), not the message or the figure."""
    for child in children:
        if isinstance(child, widgets.Box):
            yield from _value_controls(child.children)
        elif isinstance(child, widgets.ValueWidget) and not isinstance(child, (widgets.HTML, widgets.Label)):
            yield child
