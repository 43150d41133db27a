"""Every path a kernel's output takes into the graded notebook counts toward the notebook's output cap: streams,
display updates, an Output widget's messages and widget state (measured on the executed notebook, before
nbgrader's own LimitOutput trims outputs while recording)."""

from __future__ import annotations

import json

import nbformat
import pytest
import toy_course as toy
from cases import DISPLAY_FLOOD
from conftest import needs_bwrap
from sandboxed import require
from spmu.limits import Limits
from spmu.sandbox import bwrap_problem, hidden_paths, resolve_sandbox
from spmu.sandbox_run import run_notebook
from spmu.trusted_tests import answer_names

pytestmark = [pytest.mark.pipeline, needs_bwrap]
CAP = 200_000


@pytest.fixture(scope="module")
def flooding(tmp_path_factory):
    require(bwrap_problem(), "bubblewrap")  # before anything runs unsandboxed (fails under CI=true)
    root = toy.build_course(tmp_path_factory.mktemp("cap") / "course")
    nb = toy.answered_notebook(root)
    toy.append_to_answer("square_answer", DISPLAY_FLOOD)(nb)
    source = nbformat.read(root / "source" / toy.ASSIGNMENT / f"{toy.NOTEBOOK}.ipynb", as_version=4)
    return root, nb, answer_names(source)


def _run(flooding, max_output_bytes: int):
    root, nb, answers = flooding
    limits = Limits.from_config(root, max_output_bytes=max_output_bytes)
    return run_notebook(nb, None, limits, resolve_sandbox("auto"), hidden_paths(root), answers)


def test_display_updates_and_output_widgets_are_capped(flooding):
    report = _run(flooding, CAP)
    size = len(json.dumps(report.notebook))
    assert size < CAP + 50_000, f"the executed notebook holds {size} bytes"
    assert [i.kind for i in report.incidents] == ["output_capped"]
    outputs = report.notebook.cells[toy.cell_index(report.notebook, "square_answer")].outputs
    assert any("[grader] further output of this cell was dropped" in o.get("text", "") for o in outputs)
    assert not any(o.output_type == "error" for o in outputs), "a note, never an error output"


def test_without_the_cap_the_same_cell_keeps_megabytes(flooding):
    """The control: the flood really is there (so the test above can fail)."""
    report = _run(flooding, 50_000_000)
    assert len(json.dumps(report.notebook)) > 2_000_000
    assert report.incidents == []
