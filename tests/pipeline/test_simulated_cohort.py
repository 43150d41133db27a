"""Pipeline tier: every assignment in source/ with a simulated_mistakes.toml, end to end in a temporary
course.

release -> collect (perfect, blank, one trainee per mistake) -> autograde (2 workers) -> feedback -> export,
then: exact autograder points of every graded cell from nbgrader's Gradebook, and feedback free of hidden
tests, mark schemes and model answers (the blank trainee's feedback also free of solution lines).
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from spmu.cohort import MISTAKES_FILE, expected_points, pipeline_cohort, write_cohort
from spmu.collect import collect
from spmu.demo import copy_course
from spmu.export import export_csv
from spmu.feedback import generate_feedback
from spmu.gradebook import autograded_points
from spmu.grading import grade_cohort
from spmu.integrity import feedback_leak_problems, find_leaks, html_text, secret_lines
from spmu.release import release

pytestmark = pytest.mark.pipeline

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.parent.name for p in (COURSE_ROOT / "source").glob(f"*/{MISTAKES_FILE}"))


@pytest.fixture(
    scope="module",
    params=ASSIGNMENTS
    or [
        pytest.param(
            None, marks=pytest.mark.skip(reason=f"no assignment in source/ has a {MISTAKES_FILE} yet")
        )
    ],
)
def graded(request, tmp_path_factory) -> tuple[Path, str]:
    """(course, assignment) after the whole pipeline ran on the simulated trainees of that assignment."""
    assignment = request.param
    course = copy_course(COURSE_ROOT, tmp_path_factory.mktemp(assignment) / "course")
    release(course, [assignment])
    trainees = pipeline_cohort(course, assignment)
    collect(course, assignment, write_cohort(course, assignment, trainees, course / "incoming"))
    results = grade_cohort(course, assignment, workers=2)
    assert {r.trainee_id: r.status for r in results} == {t.trainee_id: "graded" for t in trainees}, results
    outcome = generate_feedback(course, assignment)
    assert outcome.failed == {}
    export_csv(course, course / "grades.csv")
    return course, assignment


def test_exact_points_of_every_graded_cell(graded):
    course, assignment = graded
    for trainee in pipeline_cohort(course, assignment):
        expected = expected_points(course, assignment, trainee)
        actual = autograded_points(course, assignment, trainee.trainee_id)
        wrong = {
            key: (actual.get(key), points) for key, points in expected.items() if actual.get(key) != points
        }
        assert not wrong, f"{trainee.trainee_id} ({trainee.mistakes}): (actual, expected) points {wrong}"


def test_feedback_shows_no_hidden_test_mark_scheme_or_model_answer(graded):
    course, assignment = graded
    assert feedback_leak_problems(course, assignment) == []
    feedback = course / "grading" / "feedback"
    for source in sorted((course / "source" / assignment).glob("*.ipynb")):
        secrets = secret_lines(nbformat.read(source, as_version=4))
        assert secrets["hidden test"], f"{source.name} has no hidden test lines to scan for"
        blank_page = feedback / "blank" / assignment / f"{source.stem}.html"
        assert find_leaks(html_text(blank_page.read_text(encoding="utf-8")), secrets) == []


def test_export_lists_every_trainee_as_graded(graded):
    course, assignment = graded
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["assignment"] == assignment]
    assert sorted(row["trainee_id"] for row in rows) == sorted(
        t.trainee_id for t in pipeline_cohort(course, assignment)
    )
    assert {row["status"] for row in rows} == {"graded"}
    scores = {row["trainee_id"]: float(row["score"]) for row in rows}
    assert scores["perfect"] > max(score for trainee, score in scores.items() if trainee != "perfect")
