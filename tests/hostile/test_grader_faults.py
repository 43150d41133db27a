"""A failure of the grader's own kernels is retried once and then recorded as the grader's fault, never as the
trainee's (no kernel_died, no zero that looks like a real one)."""

from __future__ import annotations

import pytest
import toy_course as toy
from conftest import needs_bwrap
from sandboxed import require

from spmu.grading import grade_submission
from spmu.grading.forked_kernel import ForkServerError, trusted_servers
from spmu.grading.limits import Limits
from spmu.grading.sandbox import bwrap_problem

pytestmark = [pytest.mark.pipeline, needs_bwrap]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    require(bwrap_problem(), "bubblewrap")  # before anything runs unsandboxed (fails under CI=true)
    root = toy.build_course(tmp_path_factory.mktemp("faults") / "course")
    toy.submit(root, "trainee")
    return root


def _failing(calls: list):
    def get(*args, **kwargs):
        calls.append(args)
        raise ForkServerError("the trusted kernels' sandbox could not be set up (simulated)")

    return get


def test_trusted_kernel_failure_is_retried_once_then_grader_error(course, monkeypatch):
    calls: list = []
    monkeypatch.setattr(trusted_servers, "get", _failing(calls))
    result = grade_submission(course, toy.ASSIGNMENT, "trainee", Limits.from_config(course))
    assert result.status == "grader_error", result.notes
    assert "not graded" in result.notes and "simulated" in result.notes and "tried twice" in result.notes
    assert "kernel_died" not in result.notes and "stopped the Python kernel" not in result.notes
    assert len(calls) == 2, "tried once, retried once"


def test_a_passing_retry_grades_normally(course, monkeypatch):
    real = trusted_servers.get
    calls: list = []

    def fails_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise ForkServerError("a transient failure (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(trusted_servers, "get", fails_once)
    result = grade_submission(course, toy.ASSIGNMENT, "trainee", Limits.from_config(course))
    assert (result.status, result.score, result.notes) == ("graded", toy.AUTOGRADED_POINTS, "graded normally")
