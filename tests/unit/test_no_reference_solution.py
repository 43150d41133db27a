"""No module of the trainees' package defines a function a trainee has to write: the package is installed in the
trainees' environment, so a reference solution there would be one import away."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from courses import MODULES

REPO = Path(__file__).resolve().parents[2]


def defined_functions(source: str) -> set[str]:
    """Names of the functions ``source`` defines (none if it is not plain Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def graded_functions(module: str) -> set[str]:
    """The functions the answer (solution) cells of the module's source notebooks define."""
    names: set[str] = set()
    for path in sorted((REPO / "source" / module).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                names |= defined_functions(cell.source)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_package_holds_no_reference_solution(module):
    graded = graded_functions(module)
    assert graded, f"no answer cell of source/{module} defines a function"
    for path in sorted((REPO / "courses" / module).glob("*.py")):
        clash = defined_functions(path.read_text(encoding="utf-8")) & graded
        assert not clash, (
            f"courses/{module}/{path.name} defines functions trainees must write: {sorted(clash)}"
        )
