"""Limits come from nbgrader_config.py with CLI overrides, and the per-notebook wall clock stops a notebook whose
cells are each within the per-cell timeout but together too slow."""

from __future__ import annotations

import nbformat
import pytest
from spmu.limits import Limits
from spmu.sandbox import bwrap_problem
from spmu.sandbox_run import run_notebook


def test_limits_read_config_then_overrides(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.GradingLimits.cell_timeout_s = 12.0\nc.GradingLimits.memory_mb = 640\n"
    )
    limits = Limits.from_config(tmp_path, cell_timeout_s=5.0, notebook_timeout_s=None)
    assert (limits.cell_timeout_s, limits.memory_mb, limits.notebook_timeout_s) == (5.0, 640, 300.0)


def test_unknown_or_invalid_limits_are_refused(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.GradingLimits.memroy_mb = 640\n")
    with pytest.raises(ValueError, match="unknown grading limit"):
        Limits.from_config(tmp_path)
    with pytest.raises(ValueError, match="sandbox must be one of"):
        Limits(sandbox="docker")
    with pytest.raises(ValueError, match="memory_mb must be positive"):
        Limits(memory_mb=0)
    for name in ("sandbox_memory_mb", "max_processes", "cpus", "disk_mb"):
        with pytest.raises(ValueError, match=f"{name} must be positive"):
            Limits(**{name: 0})


def test_sandbox_wide_limits_come_from_the_course_config(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.GradingLimits.sandbox_memory_mb = 900\nc.GradingLimits.max_processes = 40\n"
        "c.GradingLimits.cpus = 0.5\nc.GradingLimits.disk_mb = 64\n"
    )
    limits = Limits.from_config(tmp_path)
    assert (limits.sandbox_memory_mb, limits.max_processes, limits.cpus, limits.disk_mb) == (900, 40, 0.5, 64)


def test_notebook_wall_clock_stops_the_rest_of_the_notebook():
    mode = "bwrap" if bwrap_problem() is None else "none"
    cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(2)") for _ in range(8)]
    nb = nbformat.v4.new_notebook(cells=cells)
    # 8 x 2 s of cells (each within its 4 s) against 12 s for the notebook, kernel start included
    report = run_notebook(nb, None, Limits(cell_timeout_s=4, notebook_timeout_s=12, sandbox=mode), mode, [])
    assert [i.kind for i in report.incidents] == ["notebook_timed_out"]
    last = report.notebook.cells[-1].outputs
    assert last[0]["ename"] == "NotebookTimeLimit", "cells after the limit are marked as not run"
    assert report.notebook.cells[0].outputs == [], "cells before the limit ran normally"


CHILD_HOG = (
    "import subprocess, sys, time\n"
    "hogs = [subprocess.Popen([sys.executable, '-c', 'b = bytearray(350_000_000); import time; "
    "time.sleep(60)']) for _ in range(2)]\n"
    "time.sleep(60)"
)


def test_memory_of_processes_the_kernel_starts_counts_too():
    """Each child stays under the per-process limit; together they pass it and the watchdog stops them."""
    mode = "bwrap" if bwrap_problem() is None else "none"
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(CHILD_HOG), nbformat.v4.new_code_cell("print('after')")]
    )
    report = run_notebook(nb, None, Limits(memory_mb=512, cell_timeout_s=30, sandbox=mode), mode, [])
    assert [(i.kind, i.cell_index) for i in report.incidents] == [("memory_exceeded", 0)]
    assert report.notebook.cells[1].outputs[0]["text"] == "after\n", "the next cell runs after the restart"
