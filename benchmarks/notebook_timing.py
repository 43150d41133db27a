"""Timing helpers shared by the benchmarks: kernel start plus execution of one notebook, and summaries."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

COURSE_ROOT = Path(__file__).resolve().parent.parent


def prepare_environment() -> None:
    """Headless plotting and the venv's executables on PATH (nbgrader shells out to ``alembic``)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")


def empty_notebook() -> nbformat.NotebookNode:
    """A notebook without cells: executing it costs only the kernel start."""
    return nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )


def start_and_execute_seconds(nb: nbformat.NotebookNode, cwd: Path, timeout_s: float = 120) -> float:
    """Wall-clock seconds to start a fresh ``python3`` kernel in ``cwd`` and run every cell of ``nb`` (a copy).

    Kernel shutdown is not counted. An error in a cell raises, so a broken notebook is never timed as fast.
    """
    copy = nbformat.from_dict(nb)
    client = NotebookClient(
        copy,
        timeout=int(timeout_s),
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}},
    )
    started = time.perf_counter()
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's TCP warning is not a result
        for index, cell in enumerate(copy.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - started
    return elapsed


def source_notebooks(given: list[Path]) -> list[Path]:
    """The notebooks named on the command line, or every source notebook of the course."""
    return [p.resolve() for p in given] or sorted((COURSE_ROOT / "source").glob("*/*.ipynb"))


def median(values: list[float]) -> float:
    """Median of a non-empty list."""
    return statistics.median(values)
