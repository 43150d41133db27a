"""Source notebooks are valid and pass their own tests; released notebooks fail them until answered.

The checks are those of `spmu check` (instructor/spmu/integrity.py, release.py), one test per notebook.
"""

import json
from pathlib import Path

import pytest

from spmu.course import assignments, load_config
from spmu.integrity import release_validation_problems, source_validation_problems
from spmu.release import metadata_problems

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = assignments(COURSE_ROOT)
SOURCE = sorted(COURSE_ROOT.glob("source/*/*.ipynb"))
RELEASE = sorted(COURSE_ROOT.glob("release/*/*.ipynb"))
CONFIG = load_config(COURSE_ROOT)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_every_assignment_has_notebooks_and_a_release():
    assert ASSIGNMENTS, "source/ holds no assignment"
    for name in ASSIGNMENTS:
        assert list((COURSE_ROOT / "source" / name).glob("*.ipynb")), f"source/{name} has no notebook"
        assert (COURSE_ROOT / "release" / name).is_dir(), (
            f"release/{name} is missing: run `spmu release {name}`"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata_is_valid(assignment):
    assert metadata_problems(COURSE_ROOT, assignment) == []


@pytest.mark.parametrize("path", SOURCE, ids=_id)
def test_source_is_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, (
                f"{path}: cell {cell['id']} has outputs"
            )


@pytest.mark.parametrize("path", SOURCE, ids=_id)
def test_source_notebook_passes_its_tests(path):
    assert source_validation_problems(path, CONFIG) == []


@pytest.mark.parametrize("path", RELEASE, ids=_id)
def test_unanswered_release_fails_its_visible_tests(path):
    assert release_validation_problems(path, CONFIG) == []
