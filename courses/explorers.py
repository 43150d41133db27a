"""What every module's explorer widgets share: calling the trainee's own function so that a wrong or unfinished
answer shows as a message instead of crashing the widget, and the sliders the explorers are driven by."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

WIDE_LABEL = {"description_width": "initial"}  # the whole description is shown, however long


COURSE_CODE = Path(__file__).resolve().parent  # frames from here are the course's, not the trainee's
LIBRARIES = tuple({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


def error_text(error: BaseException, name: str | None) -> str:
    """Plain words for what a trainee's function ``name`` raised (``None``: not known which of them)."""
    who = f"Your function {name}" if name else "One of your functions"
    if isinstance(error, NotImplementedError):
        return f"{who} is not written yet (it raises NotImplementedError)."
    return f"{who} raised {type(error).__name__}: {error}"


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


def call(func: Callable, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """``(result, None)``, or ``(None, plain-words error)`` when the trainee's ``func`` raised anything."""
    try:
        return func(*args, **kwargs), None
    except Exception as error:  # noqa: BLE001 - the trainee's code may raise anything: show it, never crash
        return None, error_text(error, getattr(func, "__name__", "?"))


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
