"""Hostile and broken submissions graded in one run: each gets its exact status and score, nobody else suffers."""

from __future__ import annotations

import json

import pytest
import toy_course as toy
from cases import CASES
from conftest import needs_bwrap
from nbgrader.api import Gradebook

from spmu.course import load_config
from spmu.grading import grade_cohort, load_results, status_path

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


def test_tampered_tests_are_held_for_manual_review(cohort):
    root, _ = cohort
    with _gradebook(root) as gradebook:
        held = {
            g.name
            for g in gradebook.find_submission_notebook(
                toy.NOTEBOOK, toy.ASSIGNMENT, "patch_allclose_hidden"
            ).grades
            if g.needs_manual_grade and g.name != "written_answer"
        }
    assert held == {"mean_test"}, "only the test run after the patching is held"


def test_regrading_is_idempotent_and_keeps_manual_grades(cohort):
    root, results = cohort
    ids = ["well_behaved", "swallows_interrupt", "duplicated_answer", "patch_isclose", "empty_file"]
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
