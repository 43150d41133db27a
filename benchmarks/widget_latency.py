"""Widget latency: how long each explorer takes to react to a control, on the module's own case data.

Every source notebook is run in this process (an IPython shell, headless, ``MPLBACKEND=Agg``) so each explorer
gets the case data and the reference functions exactly as the notebook wires them. Then every control of every
explorer is changed and its server-side time is measured: the control's callbacks (the trainee's functions, the
artists updated, the figure blitted or ``draw_idle`` called) plus the draw the browser then asks for. ipympl's
``draw_idle`` only tells the browser that the figure changed; the browser answers with a "draw" message, and the
kernel draws the whole figure and sends the changed pixels as a PNG (a blit sends them at once, without that
round trip). Here a stand-in browser is attached to each ipympl canvas: it receives what the browser would, and when
asked to draw it sends the canvas the browser's "draw" message (``manager.handle_json({"type": "draw"})``), with
``syncing_data_url`` off as after the browser's "initialized" message (with no browser, ipympl also keeps a full PNG
of every frame for the saved widget state). Network and the browser's own drawing are not included.

Each slider goes to its maximum, its minimum and ``--changes`` points in between; each dropdown to every option (at
most 60, evenly spread); check boxes, text and buttons ``--changes`` times. Then, with every slider of the explorer
at its maximum and then at its minimum (the heaviest settings are often at an end), every other control is driven
again. The goal is at most 100 ms per change.

    python benchmarks/widget_latency.py [--changes 3] [--cpu] [NOTEBOOK ...]

``--cpu`` measures the process's CPU time instead of wall-clock time: a callback runs on one thread, so on a quiet
machine the two agree, and CPU time stays meaningful while other work shares the cores (the goal is judged on
wall-clock time on a quiet machine).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
from notebook_timing import median, prepare_environment, source_notebooks

GOAL_MS = 100.0
EXPLORER_CALL = re.compile(r"\b((?:explore|build)_\w+)\s*\(")


def notebook_widgets(path: Path) -> list[tuple[str, object]]:
    """(explorer name, widget) for every cell of ``path`` whose value is a widget, in notebook order."""
    import ipywidgets as widgets
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from courses.explorers import Explorer

    shell = InteractiveShell.instance()
    shell.reset(new_session=True)
    previous = os.getcwd()
    os.chdir(path.parent)
    found = []
    try:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            with capture_output():
                outcome = shell.run_cell(cell.source, store_history=False)
            if not outcome.success:
                raise SystemExit(
                    f"{path.name}: a cell failed ({outcome.error_before_exec or outcome.error_in_exec})"
                )
            if isinstance(outcome.result, (widgets.Widget, Explorer)):
                names = EXPLORER_CALL.findall(cell.source)
                found.append((names[-1] if names else "widget", outcome.result))
    finally:
        os.chdir(previous)
    return found


def controls(widget) -> Iterator[object]:
    """Every control a trainee can change inside ``widget`` (depth first)."""
    import ipywidgets as widgets

    passive = (widgets.HTML, widgets.HTMLMath, widgets.Label, widgets.Output, widgets.Image, widgets.Valid)
    stack = [widget]
    while stack:
        node = stack.pop(0)
        children = getattr(node, "children", None)
        if children:
            stack[:0] = list(children)
        elif isinstance(node, widgets.Button) or (
            isinstance(node, widgets.ValueWidget)
            and not isinstance(node, passive)
            and not getattr(node, "disabled", False)
        ):
            yield node


MAX_OPTIONS = 60


def is_slider(control) -> bool:
    """A numeric control with a range (slider, bounded number box)."""
    value = getattr(control, "value", None)
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and hasattr(control, "min")
        and hasattr(control, "max")
    )


def option_values(control) -> list[Browser]:
    """The values a selection control can take: its ``options``, or their second halves when given as
    (label, value) pairs."""
    return [
        option[1] if isinstance(option, tuple) and len(option) == 2 else option for option in control.options
    ]


def new_values(control, count: int) -> list[Browser]:
    """Values to drive ``control`` through, each different from the one before (empty: not a control we drive).

    Sliders: maximum, minimum, then ``count`` points between. Dropdowns and the like: every other option, then
    back to the current one (at most ``MAX_OPTIONS``, evenly spread). Check boxes and text: ``count`` changes.
    """
    import ipywidgets as widgets

    value = control.value
    if isinstance(control, (widgets.SelectMultiple, widgets.SelectionRangeSlider)):
        options = option_values(control)
        return [tuple(options[: (i % len(options)) + 1]) for i in range(1, count + 1)] if options else []
    if hasattr(control, "options"):  # Dropdown, RadioButtons, ToggleButtons, Select, SelectionSlider
        options = option_values(control)
        if len(options) < 2:
            return []
        start = options.index(value) if value in options else 0
        rotated = options[start + 1 :] + options[: start + 1]  # every option, the current one last
        if len(rotated) > MAX_OPTIONS:
            rotated = [rotated[round(i * (len(rotated) - 1) / (MAX_OPTIONS - 1))] for i in range(MAX_OPTIONS)]
        return rotated
    if isinstance(value, bool):
        return [not value if i % 2 == 0 else value for i in range(count)]
    if is_slider(control):
        low, high = control.min, control.max
        step = getattr(control, "step", None) or (1 if isinstance(value, int) else (high - low) / 100)
        picks = [high, low]
        for i in range(count):
            target = low + (high - low) * (0.25 + 0.5 * (i % 2)) + step * (i // 2)
            snapped = low + round((target - low) / step) * step
            picks.append(type(value)(min(high, max(low, snapped))))
        return [v for i, v in enumerate(picks) if v != (picks[i - 1] if i else value)]
    if isinstance(value, str):
        return [value + " " * (i % 2 + 1) if i % 2 == 0 else value for i in range(count)]
    return []


class Browser:
    """Stands in for the browser showing one ipympl canvas: the canvas sends it what it sends the browser, and it
    notes when it is asked to draw (``draw_idle``); a blitted frame needs no draw."""

    def __init__(self, canvas) -> None:
        self.canvas, self.asked = canvas, False
        canvas.syncing_data_url = False  # as after the browser's "initialized" message
        sockets = canvas.manager.web_sockets  # ipympl keeps a list, matplotlib's WebAgg a set
        sockets.append(self) if isinstance(sockets, list) else sockets.add(self)
        self.draw()  # the first, full frame: not timed

    def send_json(self, content: dict) -> None:
        self.asked = self.asked or content.get("type") == "draw"

    def send_binary(self, frame: bytes) -> None:
        pass

    def draw(self) -> None:
        """What the canvas does with the browser's "draw" message."""
        self.asked = False
        self.canvas.manager.handle_json({"type": "draw"})


def browsers(widget) -> list[Browser]:
    """A stand-in browser for each ipympl canvas (live figure) inside ``widget``."""
    from ipympl.backend_nbagg import Canvas

    found, stack = [], [widget]
    while stack:
        node = stack.pop()
        if isinstance(node, Canvas):
            found.append(Browser(node))
        stack.extend(getattr(node, "children", ()))
    return found


def _timed(change, figures: list[Browser], clock) -> tuple[float, float]:
    """(milliseconds for ``change`` and the draws it asked the browser for, of which for ``change`` alone)."""
    started = clock()
    change()
    called = clock()
    for browser in figures:
        if browser.asked:
            browser.draw()
    return (clock() - started) * 1000, (called - started) * 1000


def _timed_changes(
    control, values: list[Browser], figures: list[Browser], clock
) -> list[tuple[float, float, object]]:
    """(milliseconds, of which callbacks, value) for each change of ``control`` to the next of ``values``."""
    return [
        (*_timed(lambda v=value: setattr(control, "value", v), figures, clock), value) for value in values
    ]


def _drive(control, changes: int, figures: list[Browser], clock) -> list[tuple[float, float, object]]:
    """(milliseconds, of which callbacks, value) per change of one control driven through its values (a button:
    ``changes`` clicks)."""
    import ipywidgets as widgets

    if isinstance(control, widgets.Button):
        return [(*_timed(control.click, figures, clock), "click") for _ in range(changes)]
    return _timed_changes(control, new_values(control, changes), figures, clock)


def change_times_ms(
    widget, changes: int, clock=time.perf_counter
) -> dict[str, list[tuple[float, float, object]]]:
    """Control description -> (milliseconds by ``clock`` until the callbacks returned and the figures were drawn,
    of which callbacks, the value set) for each change: every control alone, then every non-slider control again
    with all sliders at their maximum, then at their minimum."""
    every, figures = list(controls(widget)), browsers(widget)
    label = {id(c): f"{type(c).__name__} '{getattr(c, 'description', '') or n}'" for n, c in enumerate(every)}
    times: dict[str, list[tuple[float, float, object]]] = {}
    for control in every:
        times.setdefault(label[id(control)], []).extend(_drive(control, changes, figures, clock))
    sliders = [c for c in every if is_slider(c)]
    others = [c for c in every if not is_slider(c)]
    if sliders and others:
        for end in ("max", "min"):
            for slider in sliders:
                times[label[id(slider)]].extend(
                    _timed_changes(slider, [getattr(slider, end)], figures, clock)
                    if slider.value != getattr(slider, end)
                    else []
                )
            for control in others:
                times[label[id(control)]].extend(_drive(control, changes, figures, clock))
    return {name: runs for name, runs in times.items() if runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--changes",
        type=int,
        default=3,
        help="changes per check box, text or button, and slider points between the ends [3]",
    )
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall-clock time")
    parser.add_argument("notebooks", nargs="*", type=Path, help="source notebooks [all of source/]")
    args = parser.parse_args()
    prepare_environment()
    paths = source_notebooks(args.notebooks)
    worst_all, over, total = 0.0, 0, 0
    for path in paths:
        for name, widget in notebook_widgets(path):
            times = change_times_ms(
                widget, args.changes, time.process_time if args.cpu else time.perf_counter
            )
            if not times:
                print(f"{path.parent.name}/{name}: no control to drive")
                continue
            total += 1
            runs = [
                (ms, callback, label, value)
                for label, changes in times.items()
                for ms, callback, value in changes
            ]
            worst, worst_callback, worst_label, worst_value = max(runs, key=lambda run: run[0])
            typical = median([run[0] for run in runs])
            worst_all = max(worst_all, worst)
            over += worst > GOAL_MS
            print(
                f"{path.parent.name}/{name}: median {typical:.0f} ms, max {worst:.0f} ms (callbacks "
                f"{worst_callback:.0f} ms + draw {worst - worst_callback:.0f} ms; {worst_label} = {worst_value!r}), "
                f"{len(runs)} changes{'  OVER GOAL' if worst > GOAL_MS else ''}",
                flush=True,
            )
    print(f"explorers: {total}")
    print(f"max_change_ms: {worst_all:.0f}")
    print(f"explorers_over_{GOAL_MS:g}ms: {over} of {total}")


if __name__ == "__main__":
    main()
