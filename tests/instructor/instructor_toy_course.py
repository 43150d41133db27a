"""A tiny nbgrader course built in a temporary folder, so the instructor tools are tested without the real
modules.

Assignment ``toy`` has one notebook: an autograded function with a visible and a hidden test (1 + 2 points), a
manually graded written answer and a task cell with a mark scheme (2 points each, graded by hand).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

COURSE_ROOT = Path(__file__).resolve().parents[2]

HIDDEN_LINE = 'assert triple(-7) == -21, "toy hidden check on a negative number"'
VISIBLE_LINE = 'assert triple(2) == 6, "triple(2) should be 6"'
MARK_SCHEME_LINE = "Toy mark scheme: two marks for naming the chain of custody."
MODEL_ANSWER_LINE = "Toy model answer: the seal was broken before the hand-off."
SOLUTION_LINE = "return 3 * number"

MISTAKES_TOML = """
[[mistake]]
id = "doubles_instead"
notebook = "01_toy.ipynb"
cell = "triple"
find = "return 3 * number"
replace = "return 2 * number"
fails = ["test_triple_visible", "test_triple_hidden"]
description = "doubles the number instead of tripling it"

[[mistake]]
id = "wrong_sign_for_negatives"
notebook = "01_toy.ipynb"
cell = "triple"
find = "return 3 * number"
replace = "return 3 * abs(number)"
fails = ["test_triple_hidden"]
description = "drops the sign of negative numbers"
"""


def _meta(grade_id: str, **flags) -> dict:
    nbgrader = {"grade": False, "solution": False, "locked": False, "schema_version": 3, "grade_id": grade_id}
    nbgrader.update(flags)
    return {"nbgrader": nbgrader}


def toy_notebook() -> nbformat.NotebookNode:
    """The source notebook of the toy assignment (solutions, hidden test and mark scheme included)."""
    cells = [
        new_markdown_cell(
            "# Toy exercise\nWrite `triple(number: int) -> int`.", metadata=_meta("intro", locked=True)
        ),
        new_code_cell(
            'def triple(number: int) -> int:\n    """Three times number."""\n'
            f"    ### BEGIN SOLUTION\n    {SOLUTION_LINE}\n    ### END SOLUTION",
            metadata=_meta("triple", solution=True),
        ),
        new_code_cell(VISIBLE_LINE, metadata=_meta("test_triple_visible", grade=True, locked=True, points=1)),
        new_code_cell(
            'assert triple(0) == 0, "triple(0) should be 0"\n'
            f"### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}\n### END HIDDEN TESTS",
            metadata=_meta("test_triple_hidden", grade=True, locked=True, points=2),
        ),
        new_markdown_cell(
            "Why does the custody log matter? (written answer, 2 points)", metadata=_meta("q", locked=True)
        ),
        new_markdown_cell(
            MODEL_ANSWER_LINE, metadata=_meta("custody_answer", grade=True, solution=True, points=2)
        ),
        new_markdown_cell(
            f"Explain the next step.\n=== BEGIN MARK SCHEME ===\n{MARK_SCHEME_LINE}\n=== END MARK SCHEME ===",
            metadata=_meta("next_step_task", task=True, locked=True, points=2),
        ),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def make_toy_course(root: Path) -> Path:
    """Write a course folder at ``root`` (config copied from the real course) holding the ``toy``
    assignment."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "grading").mkdir(exist_ok=True)
    source = root / "source" / "toy"
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(toy_notebook(), source / "01_toy.ipynb")
    (source / "simulated_mistakes.toml").write_text(MISTAKES_TOML, encoding="utf-8")
    return root
