"""Shared test settings: headless plotting and the venv's executables on PATH (nbgrader shells out to alembic)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

COURSE_ROOT = Path(__file__).resolve().parent.parent
