"""The trusted kernel has what a test needs beside the notebook (the assignment's own files), and never the
trainee's files."""

from __future__ import annotations

import pytest
from conftest import needs_bwrap
from nbformat.v4 import new_code_cell, new_notebook
from sandboxed import require
from spmu.limits import Limits
from spmu.sandbox import bwrap_problem, resolve_sandbox
from spmu.sandbox_run import run_notebook

pytestmark = [pytest.mark.pipeline, needs_bwrap]


def _meta(grade_id: str, **flags) -> dict:
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False}
    return {"nbgrader": {**meta, **flags}}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    require(bwrap_problem(), "bubblewrap")
    folder = tmp_path_factory.mktemp("files")
    instructor, trainee = folder / "instructor", folder / "trainee"
    instructor.mkdir()
    trainee.mkdir()
    (instructor / "expected.txt").write_text("3")
    (trainee / "expected.txt").write_text("999")  # a trainee's copy would win in the trainee's folder
    nb = new_notebook(
        cells=[
            new_code_cell("def answer():\n    return 3", metadata=_meta("answer", solution=True)),
            new_code_cell(
                "assert answer() == int(open('expected.txt').read())",
                metadata=_meta("test", grade=True, locked=True, points=1),
            ),
        ]
    )
    limits = Limits(cell_timeout_s=10, memory_mb=768)

    def grade(trusted_files):
        report = run_notebook(
            nb, trainee, limits, resolve_sandbox("auto"), [], frozenset({"answer"}), trusted_files
        )
        return report.notebook.cells[1].outputs

    return grade, instructor


def test_a_test_reads_the_assignments_file_not_the_trainees(run):
    grade, instructor = run
    assert grade(instructor) == []


def test_without_the_assignments_files_the_test_finds_nothing(run):
    """The control: the trainee's copy never reaches the trusted kernel."""
    grade, _ = run
    (output,) = grade(None)
    assert output.ename == "FileNotFoundError"
