"""The simulated trainee mistakes of crime_scene are well formed and lose exactly the points they claim to.

Each mistake is applied to a copy of its source notebook, which is then executed; a test cell "fails" when it
shows an error (this is how nbgrader scores a test cell: an error gives 0 points).
"""

import tomllib
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

SOURCE = Path(__file__).resolve().parents[2] / "source" / "crime_scene"
MISTAKES = tomllib.loads((SOURCE / "simulated_mistakes.toml").read_text(encoding="utf-8"))["mistake"]


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _test_ids(nb) -> set[str]:
    return {
        _grade_id(c)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    }


def _read(name: str):
    return nbformat.read(SOURCE / name, as_version=4)


def _failing_test_cells(nb) -> set[str]:
    NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(SOURCE)}},
    ).execute()
    return {
        _grade_id(c)
        for c in nb.cells
        if _grade_id(c) in _test_ids(nb)
        and any(out.get("output_type") == "error" for out in c.get("outputs", []))
    }


@cache
def _unchanged_failures(name: str) -> frozenset[str]:
    return frozenset(_failing_test_cells(_read(name)))


def _apply(mistake: dict):
    nb = _read(mistake["notebook"])
    (cell,) = [c for c in nb.cells if _grade_id(c) == mistake["cell"]]
    assert cell.source.count(mistake["find"]) == 1, (
        f"{mistake['id']}: 'find' must occur exactly once in the cell"
    )
    cell.source = cell.source.replace(mistake["find"], mistake["replace"])
    return nb


def test_mistakes_are_well_formed():
    ids = [m["id"] for m in MISTAKES]
    assert len(ids) == len(set(ids)), "mistake ids must be unique"
    answer_cells = set()
    for name in sorted(p.name for p in SOURCE.glob("*.ipynb")):
        nb = _read(name)
        answer_cells |= {
            _grade_id(c)
            for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
        }
    for mistake in MISTAKES:
        nb = _apply(mistake)
        assert mistake["fails"], f"{mistake['id']}: a mistake must lose some points"
        assert set(mistake["fails"]) <= _test_ids(nb), f"{mistake['id']}: unknown test cells in 'fails'"
        assert mistake["description"].strip()
    assert answer_cells <= {m["cell"] for m in MISTAKES}, (
        "every graded function needs at least one simulated mistake"
    )


@pytest.mark.parametrize("name", sorted(p.name for p in SOURCE.glob("*.ipynb")))
def test_model_solutions_pass_every_test_cell(name):
    assert _unchanged_failures(name) == frozenset()


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m["id"] for m in MISTAKES])
def test_mistake_fails_exactly_the_listed_cells(mistake):
    assert _failing_test_cells(_apply(mistake)) == set(mistake["fails"])
