"""The grading lifecycle against SQLite and PostgreSQL (``$SPMU_DB_URL``): release -> collect -> autograde
(2 workers) -> feedback -> export with exact points, a formgrader-style manual edit while a re-grade runs, and
one-line errors when the database server cannot be reached."""

from __future__ import annotations

import csv
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from instructor_toy_course import make_toy_course

from spmu.cohort import expected_points, pipeline_cohort, write_cohort
from spmu.collect import collect
from spmu.export import export_csv
from spmu.feedback import generate_feedback
from spmu.gradebook import autograded_points, open_gradebook
from spmu.grading import grade_cohort
from spmu.release import release

pytestmark = pytest.mark.pipeline

WRITTEN = ("01_toy", "custody_answer")  # the manually graded written answer of the toy notebook


def _formgrader_edits(url: str, course_id: str, trainees: list[str], rounds: int, done) -> None:
    """What the formgrader's grade API does on "save": find the grade, set manual_score, commit."""
    from nbgrader.api import Gradebook

    for n in range(rounds):
        for index, trainee in enumerate(trainees):
            with Gradebook(url, course_id) as gradebook:
                grade = gradebook.find_grade(WRITTEN[1], WRITTEN[0], "toy", trainee)
                grade.manual_score = float((index + n) % 3)
                gradebook.db.commit()
    done.set()


@pytest.fixture
def course(tmp_path: Path, gradebook_url: str) -> Path:
    root = make_toy_course(tmp_path / "course")
    release(root)
    return root


def test_lifecycle_with_a_concurrent_manual_grade(course: Path, gradebook_url: str, tmp_path: Path):
    trainees = pipeline_cohort(course, "toy")
    ids = [t.trainee_id for t in trainees]
    collect(course, "toy", write_cohort(course, "toy", trainees, tmp_path / "incoming"))
    first = grade_cohort(course, "toy", ids, workers=2)
    assert {r.status for r in first} == {"graded"}, first

    # the instructor grades written answers in the formgrader while a second autograde of everyone runs
    from spmu.course import load_config

    course_id = str(load_config(course).CourseDirectory.course_id)
    rounds = 3
    done = multiprocessing.get_context("spawn").Event()
    editor = multiprocessing.get_context("spawn").Process(
        target=_formgrader_edits, args=(gradebook_url, course_id, ids, rounds, done)
    )
    editor.start()
    again = grade_cohort(course, "toy", ids, workers=2, force=True)
    editor.join(timeout=120)
    assert editor.exitcode == 0 and done.is_set(), "the formgrader-style edits failed"
    assert {r.status for r in again} == {"graded"}, again

    with open_gradebook(course) as gradebook:
        manual = {t: gradebook.find_grade(WRITTEN[1], WRITTEN[0], "toy", t).manual_score for t in ids}
        assert str(gradebook.db.get_bind().url).startswith(gradebook_url.split("://")[0])
    assert manual == {t: float((i + rounds - 1) % 3) for i, t in enumerate(ids)}, "a manual grade was lost"
    for trainee in trainees:
        expected = expected_points(course, "toy", trainee)
        actual = autograded_points(course, "toy", trainee.trainee_id)
        assert {key: actual.get(key) for key in expected} == expected, trainee

    outcome = generate_feedback(course, "toy", ids)
    assert not outcome.failed and sorted(outcome.files) == sorted(ids)
    export_csv(course, course / "grades.csv")
    rows = {row["trainee_id"]: row for row in csv.DictReader((course / "grades.csv").open())}
    perfect = next(t.trainee_id for t in trainees if t.profile == "perfect")
    assert float(rows[perfect]["score"]) == 3.0 + manual[perfect]
    if gradebook_url.startswith("postgresql"):
        assert not (course / "grading" / "gradebook.db").exists(), "SPMU_DB_URL was not used"


def test_unreachable_postgresql_is_one_line_and_keeps_the_course(tmp_path: Path, monkeypatch):
    root = make_toy_course(tmp_path / "course")
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    url = f"postgresql+psycopg2://spmu:s3cret-pw@/spmu?host={tmp_path / 'no-server-here'}"
    monkeypatch.setenv("SPMU_DB_URL", url)
    for argv in (["release", "toy"], ["autograde", "toy"], ["export", "-o", str(tmp_path / "g.csv")]):
        done = subprocess.run(
            [sys.executable, "-c", "from spmu.cli import main; main()", "--course", str(root), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1, (argv, done.stderr)
        assert lines[0].startswith("spmu: error: gradebook postgresql+psycopg2://spmu:***@/spmu"), lines
        assert "s3cret-pw" not in done.stderr + done.stdout
        print(lines[0])
    assert {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "g.csv").exists()
