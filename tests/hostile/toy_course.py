"""A tiny, self-contained nbgrader course (one notebook, three graded exercises) and a builder of submissions.

Submissions are made the way a trainee makes them: the RELEASED notebook with every answer cell filled in from
the SOURCE solution (a well-behaved trainee), then one hostile or broken edit applied on top.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "toy"
NOTEBOOK = "toy"
AUTOGRADED_POINTS = 10.0  # 2 + 3 + 5
MANUAL_POINTS = 1.0
# what only the hidden tests hold: an argument and an expected value that must never reach a trainee's feedback
HIDDEN_ARGUMENT = "-1234567"
HIDDEN_EXPECTED = "1524155677489"

CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "toy-course"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = "sqlite:///{root}/grading/gradebook.db"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.GradingLimits.cell_timeout_s = {cell_timeout_s}
c.GradingLimits.notebook_timeout_s = {notebook_timeout_s}
c.GradingLimits.memory_mb = {memory_mb}
c.GradingLimits.max_output_bytes = {max_output_bytes}
c.GradingLimits.max_notebook_bytes = 2_000_000
"""


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    """Three exercises (square, hypotenuse with math.isclose, mean with numpy.allclose and a ValueError for no
    values), each test with hidden parts, and a written answer."""
    cells = [
        new_markdown_cell("# Toy assignment\nThree small functions and one written answer."),
        new_code_cell("import math\nimport numpy as np", metadata=_meta("imports", locked=True)),
        new_code_cell(
            "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
            metadata=_meta("square_answer", solution=True),
        ),
        new_code_cell(
            'assert square(3) == 9, "square(3) should be 9"\n### BEGIN HIDDEN TESTS\n'
            f"assert square({HIDDEN_ARGUMENT}) == {HIDDEN_EXPECTED}\n### END HIDDEN TESTS",
            metadata=_meta("square_test", grade=True, locked=True, points=2),
        ),
        new_code_cell(
            "def hypotenuse(a, b):\n    ### BEGIN SOLUTION\n    return math.sqrt(a * a + b * b)\n"
            "    ### END SOLUTION",
            metadata=_meta("hypotenuse_answer", solution=True),
        ),
        new_code_cell(
            'assert math.isclose(hypotenuse(3, 4), 5.0), "hypotenuse(3, 4) should be 5"\n'
            "for _a, _b, _want in [(-5, 12, 13.0), (8, 15, 17.0)]:\n"
            "    assert math.isclose(abs(hypotenuse(_a, _b)), _want)",
            metadata=_meta("hypotenuse_test", grade=True, locked=True, points=3),
        ),
        new_code_cell(
            "def mean(values):\n    ### BEGIN SOLUTION\n    if not values:\n"
            '        raise ValueError("no values")\n    return sum(values) / len(values)\n'
            "    ### END SOLUTION",
            metadata=_meta("mean_answer", solution=True),
        ),
        new_code_cell(
            'assert np.allclose(mean([1, 2, 3, 4]), 2.5), "mean([1, 2, 3, 4]) should be 2.5"\n'
            "### BEGIN HIDDEN TESTS\n_values = [3, 1, 2]\nmean(_values)\n"
            'assert _values == [3, 1, 2], "mean must not change the list it is given"\n'
            "try:\n    mean([])\nexcept ValueError:\n    pass\nelse:\n"
            '    raise AssertionError("mean([]) has no values: it should raise ValueError")\n'
            "### END HIDDEN TESTS",
            metadata=_meta("mean_test", grade=True, locked=True, points=5),
        ),
        new_markdown_cell(
            "Why check a result against a second method?", metadata=_meta("question", locked=True)
        ),
        new_markdown_cell(
            "### BEGIN SOLUTION\nIt catches mistakes.\n### END SOLUTION",
            metadata=_meta("written_answer", grade=True, solution=True, points=1),
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def build_course(
    root: Path, *, cell_timeout_s=4.0, notebook_timeout_s=60.0, memory_mb=768, max_output_bytes=200_000
) -> Path:
    """Write the course, generate the release with nbgrader and return ``root``."""
    from spmu.course import nbgrader_api

    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(
            root=str(root),
            cell_timeout_s=cell_timeout_s,
            notebook_timeout_s=notebook_timeout_s,
            memory_mb=memory_mb,
            max_output_bytes=max_output_bytes,
        ),
        encoding="utf-8",
    )
    (root / "grading").mkdir(exist_ok=True)
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), source / f"{NOTEBOOK}.ipynb")
    outcome = nbgrader_api(root).generate_assignment(ASSIGNMENT, force=True, create=True)
    assert outcome["success"], outcome.get("error")
    return root


def answered_notebook(root: Path) -> nbformat.NotebookNode:
    """The released notebook with every answer cell filled from the source solution."""
    released = nbformat.read(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id].splitlines() if "### " not in line)
    return released


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    """Index of the cell with this nbgrader grade_id."""
    return next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def submit(
    root: Path,
    trainee_id: str,
    edit: Callable[[nbformat.NotebookNode], object] | None = None,
    *,
    raw: bytes | None = None,
) -> Path:
    """Place a submission in grading/submitted/<trainee_id>/toy/: the answered notebook after ``edit``, or ``raw``
    bytes as the notebook file (for broken files). ``edit`` may return bytes to write instead of a notebook."""
    folder = root / "grading" / "submitted" / trainee_id / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text("2026-03-01 12:00:00.000000 UTC", encoding="utf-8")
    path = folder / f"{NOTEBOOK}.ipynb"
    if raw is None:
        nb = answered_notebook(root)
        produced = edit(nb) if edit else None
        raw = produced if isinstance(produced, bytes) else json.dumps(nb, indent=1).encode()
    path.write_bytes(raw)
    return folder


def append_to_answer(grade_id: str, code: str) -> Callable[[nbformat.NotebookNode], None]:
    """An edit that appends ``code`` to one answer cell."""

    def edit(nb: nbformat.NotebookNode) -> None:
        cell = nb.cells[cell_index(nb, grade_id)]
        cell.source = cell.source + "\n" + code

    return edit


def duplicate_cell(grade_id: str) -> Callable[[nbformat.NotebookNode], None]:
    """An edit that inserts a copy of a graded cell right after it (same grade_id)."""

    def edit(nb: nbformat.NotebookNode) -> None:
        index = cell_index(nb, grade_id)
        copied = copy.deepcopy(nb.cells[index])
        copied["id"] = copied.get("id", "cell") + "-copy"
        nb.cells.insert(index + 1, copied)

    return edit
