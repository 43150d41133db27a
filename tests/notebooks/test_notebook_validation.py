"""Source notebooks pass their own tests; released notebooks fail them until answered; metadata is valid."""
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.validator import Validator

COURSE_ROOT = Path(__file__).resolve().parents[2]

SOURCE = sorted(p for p in COURSE_ROOT.glob("source/*/*.ipynb"))
RELEASE = sorted(p for p in COURSE_ROOT.glob("release/*/*.ipynb"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _only_comments(source: str) -> bool:
    return all(not line.strip() or line.strip().startswith("#") for line in source.splitlines())


def test_every_assignment_has_notebooks_and_a_release():
    assignments = sorted(p.name for p in (COURSE_ROOT / "source").iterdir() if p.is_dir())
    assert assignments, "source/ holds no assignment"
    for name in assignments:
        assert list((COURSE_ROOT / "source" / name).glob("*.ipynb")), f"source/{name} has no notebook"
        assert (COURSE_ROOT / "release" / name).is_dir(), f"release/{name} is missing: run `spmu release {name}`"


@pytest.mark.parametrize("path", SOURCE + RELEASE, ids=_id)
def test_nbgrader_metadata_is_valid(path):
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)  # raises on unknown keys, missing points, schema errors
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(grade_ids) == len(set(grade_ids)), f"duplicate grade_id in {path}"
    assert all(c.get("id") for c in nb.cells), f"{path} has cells without a stable id"


@pytest.mark.parametrize("path", SOURCE, ids=_id)
def test_source_is_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, f"{path}: cell {cell['id']} has outputs"


@pytest.mark.parametrize("path", SOURCE, ids=_id)
def test_source_notebook_passes_its_tests(path):
    results = Validator().validate(str(path))
    assert results == {}, f"{path} fails its own tests: {results}"


@pytest.mark.parametrize("path", RELEASE, ids=_id)
def test_unanswered_release_fails_its_visible_tests(path):
    results = Validator(invert=True).validate(str(path))
    assert "changed" not in results and "type_changed" not in results, results
    # In invert mode "passed" lists the test cells that pass unanswered. Only the placeholders left where
    # nbgrader removed hidden tests (comments only) may pass; every visible test must fail on the stubs.
    wrongly_passing = [c["source"] for c in results.get("passed", []) if not _only_comments(c["source"])]
    assert not wrongly_passing, f"{path}: these tests pass without any answer: {wrongly_passing}"
    nb = nbformat.read(path, as_version=4)
    visible = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
               and not _only_comments(c.source)]
    assert visible, f"{path} has no visible test"
