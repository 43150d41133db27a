"""What every module's explorer widgets share: calling the trainee's own function so that a wrong or unfinished
answer shows as a message instead of crashing the widget, and the sliders the explorers are driven by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

WIDE_LABEL = {"description_width": "initial"}  # the whole description is shown, however long


def error_text(error: BaseException, name: str) -> str:
    """Plain words for what a trainee's function ``name`` raised."""
    if isinstance(error, NotImplementedError):
        return f"Your function {name} is not written yet (it raises NotImplementedError)."
    return f"Your function {name} raised {type(error).__name__}: {error}"


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
