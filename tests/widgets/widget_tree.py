"""Finding controls inside a built widget app, and checking its blitted frames, for the headless widget tests of
every module."""

from collections.abc import Callable, Iterable

import numpy as np


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
