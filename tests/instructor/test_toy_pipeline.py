"""The whole pipeline on the toy course: exact points, redacted feedback, export statuses and the report.

Includes the negative control: stock nbgrader feedback of the same submissions DOES show the hidden test, and
the scanner catches it (so the scan that passes on our feedback is able to fail).
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest
from instructor_toy_course import HIDDEN_LINE, MARK_SCHEME_LINE
from spmu.cohort import expected_points, pipeline_cohort, write_cohort
from spmu.collect import collect
from spmu.course import load_config
from spmu.export import COLUMNS, export_csv
from spmu.feedback import generate_feedback
from spmu.gradebook import autograded_points, open_gradebook
from spmu.grading import GradeResult, grade_cohort, save_result
from spmu.integrity import feedback_leak_problems, find_leaks, html_text, secret_lines
from spmu.report import build_report

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def graded(released_toy: Path, tmp_path_factory) -> Path:
    """The toy course after collect -> autograde (2 workers) -> feedback -> export."""
    root = released_toy
    trainees = pipeline_cohort(root, "toy")
    incoming = write_cohort(root, "toy", trainees, tmp_path_factory.mktemp("incoming"))
    collect(root, "toy", incoming)
    (root / "grading" / "submitted" / "late_collect" / "toy").mkdir(parents=True)  # collected, never graded
    grade_cohort(root, "toy", [t.trainee_id for t in trainees], workers=2)
    with open_gradebook(root) as gradebook:
        gradebook.update_or_create_student("absent01")
    # a result as the grading engine records it for a submission it could not grade
    save_result(root, GradeResult("stuck01", "toy", "timed_out", "cell 3 ran over 30 s", 0.0, 7.0, 31.0))
    generate_feedback(root, "toy", [t.trainee_id for t in trainees])
    export_csv(root, root / "grades.csv")
    return root


def test_every_autograded_cell_scores_exactly_as_expected(graded: Path):
    for trainee in pipeline_cohort(graded, "toy"):
        expected = expected_points(graded, "toy", trainee)
        actual = autograded_points(graded, "toy", trainee.trainee_id)
        assert {key: actual.get(key) for key in expected} == expected, trainee


def test_feedback_has_no_hidden_test_or_mark_scheme(graded: Path):
    pages = sorted((graded / "grading" / "feedback").glob("*/toy/*.html"))
    assert len(pages) == 4
    assert feedback_leak_problems(graded, "toy") == []
    for page in pages:
        text = html_text(page.read_text(encoding="utf-8"))
        assert HIDDEN_LINE not in text and "triple(-7)" not in text and MARK_SCHEME_LINE not in text
    blank = html_text((graded / "grading" / "feedback" / "blank" / "toy" / "01_toy.html").read_text())
    assert find_leaks(blank, secret_lines_of(graded), ("solution",)) == []
    mistake = html_text((graded / "grading" / "feedback" / "mistakes02" / "toy" / "01_toy.html").read_text())
    assert "A hidden test in this cell did not pass: toy hidden check on a negative number" in mistake


def secret_lines_of(root: Path) -> dict[str, set[str]]:
    import nbformat

    return secret_lines(nbformat.read(root / "source" / "toy" / "01_toy.ipynb", as_version=4))


def _plain_nbgrader_feedback(root: Path, folder: str, stock: bool) -> dict[str, set[str]]:
    """Leaks found in plain nbgrader's feedback for one trainee (``stock``: nbgrader's own preprocessors)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root)
    config.CourseDirectory.feedback_directory = f"grading/{folder}"
    if stock:
        del config.GenerateFeedback["preprocessors"]  # back to nbgrader's defaults
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.WARNING)
    assert api.generate_feedback("toy", "mistakes02")["success"]
    page = root / "grading" / folder / "mistakes02" / "toy" / "01_toy.html"
    return find_leaks(html_text(page.read_text(encoding="utf-8")), secret_lines_of(root))


def test_stock_nbgrader_feedback_leaks_and_the_scanner_catches_it(graded: Path):
    leaks = _plain_nbgrader_feedback(graded, "stock_feedback", stock=True)
    assert f"hidden test line {HIDDEN_LINE!r}" in leaks
    assert f"mark scheme line {MARK_SCHEME_LINE!r}" in leaks


def test_plain_nbgrader_feedback_with_the_course_config_leaks_nothing(graded: Path):
    assert _plain_nbgrader_feedback(graded, "plain_feedback", stock=False) == []


def test_export_is_sorted_and_tells_statuses_apart(graded: Path):
    with open(graded / "grades.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    keys = [(row["trainee_id"], row["assignment"]) for row in rows]
    assert keys == sorted(keys)
    by_trainee = {row["trainee_id"]: row for row in rows}
    assert by_trainee["perfect"]["status"] == "graded" and float(by_trainee["perfect"]["score"]) == 3.0
    assert by_trainee["blank"]["status"] == "graded" and float(by_trainee["blank"]["score"]) == 0.0
    assert by_trainee["absent01"]["status"] == "not_submitted"
    assert by_trainee["stuck01"]["status"] == "timed_out" and float(by_trainee["stuck01"]["score"]) == 0.0
    assert by_trainee["stuck01"]["notes"] == "cell 3 ran over 30 s"
    assert by_trainee["late_collect"]["status"] == "not_graded"
    assert "run `spmu autograde toy`" in by_trainee["late_collect"]["notes"]
    assert all(float(row["max_score"]) == 7.0 for row in rows)


def test_report_embeds_charts_and_item_analysis(graded: Path):
    page = build_report(graded)
    assert page.count('src="data:image/png;base64,') == 3  # distribution, per exercise, item analysis
    assert "01_toy/test_triple_hidden" in page and "discrimination" in page
    assert "Awaiting manual grading" in page and "01_toy/next_step_task" in page  # no grader has scored it
    assert "<script" not in page and "http://" not in page and "https://" not in page  # self-contained
