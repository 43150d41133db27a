"""Answered copies of released notebooks, so that Run All reaches the widgets at the end of each exercise.

Each autograded answer cell of the released notebook gets the body of the matching source cell (same
``grade_id``) with the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` marker lines removed: what a trainee
who solved everything would have typed. Test cells stay as released (visible tests only).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _is_autograded_answer(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def without_markers(source: str) -> str:
    """Cell source with the solution marker lines dropped."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def answered_notebook(source_path: Path, release_path: Path) -> nbformat.NotebookNode:
    """The released notebook with every autograded answer cell filled from the source notebook."""
    source = nbformat.read(source_path, as_version=4)
    release = nbformat.read(release_path, as_version=4)
    solutions = {_grade_id(c): without_markers(c.source) for c in source.cells if _is_autograded_answer(c)}
    for cell in release.cells:
        if _is_autograded_answer(cell):
            if _grade_id(cell) not in solutions:
                raise LookupError(f"{release_path.name}: answer cell {_grade_id(cell)!r} has no source cell")
            cell.source = solutions[_grade_id(cell)]
    return release


def write_answered_copies(course_root: Path, assignment: str, out_dir: Path) -> list[Path]:
    """Copy ``release/<assignment>/`` to ``out_dir`` with every notebook answered; the notebooks' paths."""
    shutil.copytree(course_root / "release" / assignment, out_dir)
    written = []
    for release_path in sorted((course_root / "release" / assignment).glob("*.ipynb")):
        notebook = answered_notebook(course_root / "source" / assignment / release_path.name, release_path)
        target = out_dir / release_path.name
        nbformat.write(notebook, target)
        written.append(target)
    return written
