"""Every course module that draws imports matplotlib without its generated property lists (see
courses/fast_matplotlib.py): checked in a fresh interpreter per module, because import order decides it."""
from __future__ import annotations

import subprocess
import sys

import pytest

DRAWING_MODULES = [
    "courses.blitting",
    "courses.sprites",
    "courses.crime_scene.plots",
    "courses.crime_scene.widgets",
    "courses.financial_investigation.plots",
    "courses.financial_investigation.widgets",
    "courses.cybercrime.plots",
]

CHECK = """
import importlib, sys
importlib.import_module(sys.argv[1])
from courses.fast_matplotlib import PROPERTIES_NOTE
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
for cls in (Line2D, Rectangle, Text, LineCollection):
    doc = cls.set.__doc__
    assert doc.rstrip().endswith(PROPERTIES_NOTE), f"{cls.__name__}.set docstring was generated in full"
    assert "antialiased" not in doc, cls.__name__
"""


@pytest.mark.parametrize("module", DRAWING_MODULES)
def test_module_imports_matplotlib_without_generated_property_lists(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", CHECK, module], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_without_the_course_module_matplotlib_documents_properties() -> None:
    """The check above can fail: plain matplotlib lists every property."""
    probe = "from matplotlib.lines import Line2D; assert 'antialiased' in Line2D.set.__doc__"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
