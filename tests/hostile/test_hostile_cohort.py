"""Hostile and broken submissions graded in one run with well-behaved ones: each gets its exact status and score,
no forging attack gains a point, nothing of the hidden tests reaches a graded notebook or feedback, and the
bystanders keep full marks."""

from __future__ import annotations

import json

import nbformat
import pytest
import toy_course as toy
from cases import CASES
from conftest import needs_bwrap
from nbgrader.api import Gradebook
from spmu.course import load_config
from spmu.feedback import generate_feedback
from spmu.grading import grade_cohort, load_results, status_path
from spmu.trusted_tests import is_test_cell

pytestmark = [pytest.mark.pipeline, needs_bwrap]


def _gradebook(root):
    config = load_config(root)
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


@pytest.mark.parametrize("case", CASES, ids=[c.trainee_id for c in CASES])
def test_each_case_gets_its_exact_status_and_score(cohort, case):
    _, results = cohort
    result = results[case.trainee_id]
    assert (result.status, result.score) == (case.status, case.score), (
        f"{case.what}: got {result.status} {result.score:g}, expected {case.status} {case.score:g}; "
        f"notes: {result.notes}"
    )
    assert result.max_score == toy.AUTOGRADED_POINTS + toy.MANUAL_POINTS
    assert result.notes, "every result explains itself"


def test_well_behaved_trainee_in_the_same_run_gets_full_marks(cohort):
    _, results = cohort
    assert results["well_behaved"].score == toy.AUTOGRADED_POINTS
    assert results["well_behaved"].notes == "graded normally"


def test_notes_name_the_offending_cell(cohort):
    _, results = cohort
    assert "'square_answer'" in results["swallows_interrupt"].notes
    assert "'square_test'" in results["hangs_in_test"].notes
    assert "'hypotenuse_answer'" in results["os_exit"].notes
    assert "'mean_answer'" in results["memory_bomb"].notes
    assert "duplicated" in results["duplicated_answer"].notes
    assert "empty file" in results["empty_file"].notes
    assert "missing" in results["missing_notebook"].notes
    assert "output" in results["output_flood"].notes


def test_output_over_the_cap_costs_no_point_and_is_noted(cohort):
    """(How much is kept is shown by test_output_cap.py, before nbgrader's own LimitOutput cuts it further.)"""
    _, results = cohort
    for trainee_id in ("output_flood", "display_flood"):
        assert results[trainee_id].status == "graded" and results[trainee_id].score == toy.AUTOGRADED_POINTS
        assert "output of cell 2 was cut at the 200000 byte notebook limit" in results[trainee_id].notes


def test_gradebook_and_saved_results_agree_with_returned_results(cohort):
    root, results = cohort
    saved = {r.trainee_id: r for r in load_results(root, toy.ASSIGNMENT)}
    assert saved == results
    with _gradebook(root) as gradebook:
        for trainee_id, result in results.items():
            submission = gradebook.find_submission(toy.ASSIGNMENT, trainee_id)
            assert submission.score == result.score, trainee_id


def test_graded_notebooks_are_in_nbgraders_autograded_folder(cohort):
    root, results = cohort
    autograded = root / "grading" / "autograded"
    for trainee_id, result in results.items():
        exists = (autograded / trainee_id / toy.ASSIGNMENT / f"{toy.NOTEBOOK}.ipynb").is_file()
        assert exists == (result.status != "invalid_submission"), trainee_id


def test_bystanders_graded_beside_the_attackers_keep_full_marks(cohort):
    _, results = cohort
    for trainee_id in ("well_behaved", "bystander_a", "bystander_b"):
        assert (results[trainee_id].score, results[trainee_id].notes) == (
            toy.AUTOGRADED_POINTS,
            "graded normally",
        )


def _outputs(root, trainee_id: str, tests: bool) -> str:
    """The outputs of a graded notebook's test cells (``tests``) or of all its other cells, as text."""
    path = root / "grading" / "autograded" / trainee_id / toy.ASSIGNMENT / f"{toy.NOTEBOOK}.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    return json.dumps([c.get("outputs", []) for c in cells if is_test_cell(c) == tests])


SEEN_DURING_TESTS = "ARGUMENT SEEN"  # what the leaky trainee's square prints whenever a test calls it


def test_graded_notebooks_show_nothing_produced_while_tests_ran(cohort):
    """Nothing the trainee's code printed while a test called it reaches any cell's output, in any graded
    notebook; no cell but the tests' own shows a hidden argument or expected value (the leaky trainee's last cell
    ran after every test and saw nothing of them)."""
    root, results = cohort
    for trainee_id, result in results.items():
        if result.status == "invalid_submission":
            continue
        assert SEEN_DURING_TESTS not in _outputs(root, trainee_id, tests=True), trainee_id
        others = _outputs(root, trainee_id, tests=False)
        for secret in (toy.HIDDEN_ARGUMENT.lstrip("-"), toy.HIDDEN_EXPECTED, SEEN_DURING_TESTS):
            assert secret not in others, f"{trainee_id}: {secret!r} in the output of a trainee's cell"
    assert "RECORDED []" in _outputs(root, "leaky", tests=False)


def test_feedback_shows_nothing_of_the_hidden_tests(cohort):
    root, _ = cohort
    ids = ["leaky", "frame_peek", "edited_test", "os_exit_in_test", "well_behaved"]
    outcome = generate_feedback(root, toy.ASSIGNMENT, ids)
    assert not outcome.failed, outcome.failed
    for trainee_id in ids:
        (page,) = outcome.files[trainee_id]
        html = page.read_text(encoding="utf-8")
        for secret in (toy.HIDDEN_ARGUMENT.lstrip("-"), toy.HIDDEN_EXPECTED, SEEN_DURING_TESTS):
            assert secret not in html, f"{trainee_id}: {secret!r} in feedback"
    assert "RECORDED []" in (outcome.files["leaky"][0]).read_text(encoding="utf-8")


def test_a_result_that_cannot_cross_fails_its_test_with_a_plain_reason(cohort):
    root, _ = cohort
    for trainee_id, kind in (
        ("str_subclass", "Anything"),
        ("eq_always_true", "Yes"),
        ("huge_return", "characters"),
    ):
        text = _outputs(root, trainee_id, tests=True)
        assert "your function square returned" in text and "which the grader cannot read" in text, trainee_id
        assert kind in text, trainee_id


def test_regrading_is_idempotent_and_keeps_manual_grades(cohort):
    root, results = cohort
    ids = [
        "well_behaved",
        "swallows_interrupt",
        "duplicated_answer",
        "patch_isclose",
        "frame_peek",
        "empty_file",
    ]
    with _gradebook(root) as gradebook:
        gradebook.find_grade(
            "written_answer", toy.NOTEBOOK, toy.ASSIGNMENT, "well_behaved"
        ).manual_score = 1.0
        gradebook.db.commit()
    again = {r.trainee_id: r for r in grade_cohort(root, toy.ASSIGNMENT, ids, workers=2, force=True)}
    for trainee_id in ids:
        assert again[trainee_id].status == results[trainee_id].status, trainee_id
    assert again["well_behaved"].score == toy.AUTOGRADED_POINTS + 1.0, "the manual grade survives a re-grade"
    for trainee_id in ids[1:]:
        assert again[trainee_id].score == results[trainee_id].score, trainee_id
    with _gradebook(root) as gradebook:
        grade = gradebook.find_grade("written_answer", toy.NOTEBOOK, toy.ASSIGNMENT, "well_behaved")
        assert grade.manual_score == 1.0


def test_rerun_without_changes_resumes_instead_of_regrading(cohort):
    root, results = cohort
    stamps = {c.trainee_id: status_path(root, toy.ASSIGNMENT, c.trainee_id).stat().st_mtime_ns for c in CASES}
    rerun = grade_cohort(root, toy.ASSIGNMENT, workers=2)
    assert {r.trainee_id for r in rerun} == set(results)
    assert all(status_path(root, toy.ASSIGNMENT, t).stat().st_mtime_ns == s for t, s in stamps.items())
    saved = json.loads(status_path(root, toy.ASSIGNMENT, "well_behaved").read_text())
    assert len(saved["fingerprint"]) == 64
