"""release/ is exactly what nbgrader generates from source/ now, and holds no instructor-only line."""
import shutil
from pathlib import Path

import nbformat
import pytest

from spmu import integrity
from spmu.course import assignments

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = assignments(COURSE_ROOT)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_in_sync_with_source(assignment):
    assert integrity.sync_problems(COURSE_ROOT, [assignment]) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_leaks_no_solution_hidden_test_or_mark_scheme(assignment):
    assert integrity.leak_problems(COURSE_ROOT, [assignment]) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_instructor_only_file(assignment):
    released = {p.name for p in (COURSE_ROOT / "release" / assignment).rglob("*") if p.is_file()}
    assert "simulated_mistakes.toml" not in released


def test_leak_scan_catches_a_solution_line_pasted_into_a_release(tmp_path):
    """Negative control: the scanner must notice a real solution line, not only the markers."""
    assignment = ASSIGNMENTS[0]
    for part in ("source", "release"):
        shutil.copytree(COURSE_ROOT / part / assignment, tmp_path / part / assignment)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", tmp_path)
    source_nb = sorted((tmp_path / "source" / assignment).glob("*.ipynb"))[0]
    secrets = integrity.secret_lines(nbformat.read(source_nb, as_version=4))
    solution_line = sorted(secrets["solution"])[0]
    hidden_line = sorted(secrets["hidden test"])[0]
    released = tmp_path / "release" / assignment / source_nb.name
    nb = nbformat.read(released, as_version=4)
    nb.cells[-1].source += f"\n    {solution_line}\n{hidden_line}"
    nbformat.write(nb, released)
    problems = integrity.leak_problems(tmp_path, [assignment])
    assert any(solution_line in p for p in problems), problems
    assert any(hidden_line in p for p in problems), problems
