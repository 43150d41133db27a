"""The venv's IPython kernel settings (courses/ipython_kernel_config.py, installed by ``make kernel-config``):
a fresh kernel of this venv starts with one OpenBLAS thread and the course's garbage-collector settings, and
leaves no trace in the trainee's namespace."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

TRACKED = Path(__file__).resolve().parents[2] / "courses" / "ipython_kernel_config.py"
INSTALLED = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"

PROBE = """
import gc, json, os
print(json.dumps({"blas": os.environ.get("OPENBLAS_NUM_THREADS"), "threshold": gc.get_threshold(),
                  "frozen": gc.get_freeze_count(), "underscore": _, "out": len(Out)}))
"""


def test_the_venv_has_the_tracked_kernel_settings():
    assert INSTALLED.is_file(), f"{INSTALLED} is missing: run `make kernel-config`"
    assert INSTALLED.read_text() == TRACKED.read_text(), f"{INSTALLED} is stale: run `make kernel-config`"


@pytest.fixture
def no_blas_setting(monkeypatch):
    """The kernel inherits the test's environment: without OPENBLAS_NUM_THREADS the settings must supply it."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)


def test_a_fresh_kernel_starts_with_the_settings_and_a_clean_namespace(no_blas_setting):
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    seen = json.loads(nb.cells[0].outputs[0]["text"])
    assert seen["blas"] == "1", "the kernel should start with one OpenBLAS thread"
    assert seen["threshold"] == [10_000, 10, 10]
    assert seen["frozen"] > 0, "the objects the kernel holds at start should be frozen"
    assert seen["underscore"] == "" and seen["out"] == 0, "the settings must not leave a result in _ or Out"
