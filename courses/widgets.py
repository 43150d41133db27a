"""Widget helpers shared by every module's explorers."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

from IPython.display import Image
from ipywidgets import Output

if TYPE_CHECKING:  # matplotlib is imported by the explorers that draw, not by every module's widgets
    from matplotlib.figure import Figure


def show_figure(output: Output, figure: "Figure | None", tight: bool = True) -> None:
    """Replace what ``output`` shows with ``figure`` as a PNG (works with or without a running kernel, so headless
    tests can see it); ``None`` clears it. ``tight=False`` keeps a figure's own fixed margins (faster to draw)."""
    output.outputs = ()
    if figure is None:
        return
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, **({"bbox_inches": "tight"} if tight else {}))
    output.append_display_data(Image(data=buffer.getvalue(), format="png"))
