"""Course-wide rules for the trainee-facing side of every source notebook."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from spmu.course import assignments

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = assignments(COURSE_ROOT)


def notebooks(assignment: str) -> list[Path]:
    return sorted((COURSE_ROOT / "source" / assignment).glob("*.ipynb"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_test_assert_says_what_it_checked(assignment):
    """Failed tests, hidden ones included, reach trainees through their assert message: none may be silent."""
    silent = []
    for path in notebooks(assignment):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if not cell["metadata"].get("nbgrader", {}).get("grade") or cell["cell_type"] != "code":
                continue
            silent += [
                f"{path.name} {cell['id']} line {node.lineno}"
                for node in ast.walk(ast.parse("".join(cell["source"])))
                if isinstance(node, ast.Assert) and node.msg is None
            ]
    assert silent == [], f"test asserts without a message: {silent}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_first_notebook_says_to_delete_the_not_implemented_line(assignment):
    """Each module's first notebook is an entry point: it explains the stub every answer cell starts with."""
    first = notebooks(assignment)[0]
    intro = "".join(json.loads(first.read_text(encoding="utf-8"))["cells"][0]["source"])
    assert "raise NotImplementedError()" in intro and "delete" in intro.lower(), (
        f"{first.name}'s introduction"
    )
