"""The simulated trainee mistakes of financial_investigation lose exactly the points they claim to.

Each mistake is applied to a copy of its source notebook, which is then executed; a test cell "fails" when it
shows an error (this is how nbgrader scores a test cell: an error gives 0 points).
"""

import tomllib
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

SOURCE = Path(__file__).resolve().parents[2] / "source" / "financial_investigation"
MISTAKES = tomllib.loads((SOURCE / "simulated_mistakes.toml").read_text(encoding="utf-8"))["mistake"]
NOTEBOOKS = sorted(p.name for p in SOURCE.glob("*.ipynb"))
# Mistakes the issue asks for: float dollars, ">=" for the US rule, a window off by one day.
REQUIRED = {
    "float_dollars_first_digit",
    "float_dollars_net_worth",
    "us_regime_or_more",
    "window_off_by_one_day",
}


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
def _model_failures(name: str) -> frozenset[str]:
    return frozenset(_failing_test_cells(_read(name)))


def _apply(mistake: dict):
    nb = _read(mistake["notebook"])
    (cell,) = [c for c in nb.cells if _grade_id(c) == mistake["cell"]]
    assert cell.source.count(mistake["find"]) == 1, (
        f"{mistake['id']}: 'find' must occur exactly once in the cell"
    )
    cell.source = cell.source.replace(mistake["find"], mistake["replace"])
    return nb


def test_mistakes_are_well_formed_and_cover_every_notebook():
    ids = [m["id"] for m in MISTAKES]
    assert len(ids) == len(set(ids)), "mistake ids must be unique"
    assert REQUIRED <= set(ids)
    assert {m["notebook"] for m in MISTAKES} == set(NOTEBOOKS)
    for mistake in MISTAKES:
        nb = _apply(mistake)
        assert mistake["fails"] and set(mistake["fails"]) <= _test_ids(nb), mistake["id"]
        assert mistake["description"].strip()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_model_solutions_pass_every_test_cell(name):
    assert _model_failures(name) == frozenset()


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m["id"] for m in MISTAKES])
def test_mistake_fails_exactly_the_listed_cells(mistake):
    assert _failing_test_cells(_apply(mistake)) == set(mistake["fails"])
