"""One graded cohort of hostile and broken submissions, shared by the tests of this folder; the sandbox checks
skip where bubblewrap (or a control group) is unusable, but FAIL under CI (CI=true): there every defence must
be shown, not skipped."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import toy_course as toy
from cases import CASES, submit_all
from sandboxed import bwrap_required, cgroups_required  # noqa: F401 - fixtures for this folder's tests

needs_bwrap = pytest.mark.usefixtures("bwrap_required")
needs_cgroups = pytest.mark.usefixtures("cgroups_required")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The toy course with every case submitted and graded once with 2 workers: (root, {trainee: result})."""
    from spmu.grading import grade_cohort

    root = toy.build_course(tmp_path_factory.mktemp("hostile") / "course")
    submit_all(root)
    seen = []
    results = grade_cohort(root, toy.ASSIGNMENT, workers=2, on_result=seen.append)
    assert sorted(r.trainee_id for r in seen) == sorted(c.trainee_id for c in CASES)
    return root, {r.trainee_id: r for r in results}
