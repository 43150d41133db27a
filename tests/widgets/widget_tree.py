"""Finding controls inside a built widget app, reading what its figure shows, and checking its blitted frames,
for the headless widget tests of every module."""

from collections.abc import Callable, Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text

from courses.explorers import NOTHING_TO_DRAW


def find_widgets(app, kind, description=None) -> list:
    """All descendants of ``app`` of type ``kind`` (optionally with a given description)."""
    found, stack = [], [app]
    while stack:
        node = stack.pop()
        if isinstance(node, kind) and (description is None or node.description == description):
            found.append(node)
        stack.extend(getattr(node, "children", ()))
    return found


def one_widget(app, kind, description=None):
    """The single descendant of ``app`` of type ``kind`` (and description); fails if there are none or several."""
    (node,) = find_widgets(app, kind, description)
    return node


def blits_matching_full_draws(app, changes: Iterable[Callable[[], object]]) -> int:
    """Make each change to ``app`` as the browser would see it (blitted over the background kept from the last full
    draw, or drawn whole when the figure is stale) and assert the frame equals a full draw of the figure (no
    changing artist left out of ``animated``). Returns how many changes were blitted."""
    canvas = app.figure.canvas
    canvas.syncing_data_url = False  # as once the browser shows the figure
    canvas.draw()  # the browser's first draw: the background is kept
    blitted = 0
    for change in changes:
        change()
        if app.figure.stale:  # limits or a fixed artist changed: the browser asks for a full draw
            canvas.draw()
        else:
            blitted += 1
        frame = np.asarray(canvas.buffer_rgba()).copy()
        canvas.draw()
        assert (np.asarray(canvas.buffer_rgba()) == frame).all(), f"{app.panel.text}: blitted frame differs"
    return blitted


def figure_texts(fig: Figure) -> list[str]:
    """Every text the figure shows now (titles, axis labels, tick labels, legend entries, annotations), laid
    out as they would be drawn: what a test reads instead of pixels."""
    return [text.get_text() for text in shown_texts(fig)]


def shown_texts(fig: Figure) -> list[Text]:
    """The visible, non-empty :class:`~matplotlib.text.Text` artists of ``fig`` (inside visible parents),
    after a layout: the tick labels are those of the current limits."""
    fig.draw_without_rendering()
    found: list[Text] = []

    def visit(artist: Artist) -> None:
        if not artist.get_visible():
            return
        if isinstance(artist, Axis):  # the tick labels drawn: those inside the current limits
            low, high = sorted(artist.get_view_interval())
            labels = zip(artist.get_majorticklocs(), artist.get_majorticklabels(), strict=True)
            children = [artist.label, artist.offsetText, *(text for at, text in labels if low <= at <= high)]
        else:
            children = artist.get_children()
        if isinstance(artist, Text) and artist.get_text():
            found.append(artist)
        for child in children:
            visit(child)

    visit(fig)
    return found


def blank(app) -> bool:
    """Whether ``app``'s figure is blank: the "Nothing to draw" note shown and every artist the explorer
    changes hidden (so nothing of an earlier answer is left), over the figure's fixed parts. Fails on a mix."""
    note = [text for text in shown_texts(app.figure) if text.get_text() == NOTHING_TO_DRAW]
    shown = [artist for artist in app.animated if artist.get_visible()]
    assert not (note and shown), f"a blank figure still shows {shown}"
    return bool(note)
