"""Pipeline tier: every assignment in source/ with a simulated_mistakes.toml, end to end in a temporary
course, on both gradebook databases.

release -> collect (perfect, blank, one trainee per mistake) -> autograde (2 workers) -> feedback -> export,
then: exact autograder points of every graded cell from nbgrader's Gradebook, and feedback free of hidden
tests, mark schemes and model answers (the blank trainee's feedback also free of solution lines).

Every assignment runs on SQLite (the embedded default); :data:`POSTGRES_ASSIGNMENTS` also run on PostgreSQL (the
hub's gradebook, a throwaway cluster of the session: tests/postgres.py), with the same exact-point asserts, and
their points and exported scores must equal the SQLite run's. Only one assignment runs on both, to keep the tier
within CI's time budget (each assignment costs about 30 s on a 2-core machine).
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import nbformat
import pytest

from spmu.cohort import MISTAKES_FILE, expected_points, pipeline_cohort, write_cohort
from spmu.collect import collect
from spmu.course import load_config
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
# the assignments that also run on PostgreSQL: the one with the fewest notebooks (three)
POSTGRES_ASSIGNMENTS = [a for a in ("crime_scene",) if a in ASSIGNMENTS]
RUNS = [(assignment, "sqlite") for assignment in ASSIGNMENTS] + [
    (assignment, "postgresql") for assignment in POSTGRES_ASSIGNMENTS
]


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory):
    """``run(assignment, database, request)``: the (course, assignment) after the whole pipeline ran on that
    assignment's simulated trainees with the gradebook on ``database``; each run happens once per module (the
    caller's ``request`` starts the PostgreSQL cluster only when a run needs it)."""
    done: dict[tuple[str, str], tuple[Path, str]] = {}

    def run(assignment: str, database: str, request: pytest.FixtureRequest) -> tuple[Path, str]:
        if (assignment, database) not in done:
            course = tmp_path_factory.mktemp(f"{assignment}-{database}") / "course"
            url = None
            if database == "postgresql":
                cluster = request.getfixturevalue("postgres_cluster")
                url = cluster.create_database(f"spmu_pipeline_{uuid.uuid4().hex[:12]}")
            done[assignment, database] = run_pipeline(course, assignment, url)
        return done[assignment, database]

    return run


def run_pipeline(course: Path, assignment: str, db_url: str | None) -> tuple[Path, str]:
    """release -> collect -> autograde -> feedback -> export in a new copy of the course; ``db_url`` (if given)
    is written into its nbgrader_config.py, as an instructor configures the hub's gradebook."""
    copy_course(COURSE_ROOT, course)
    if db_url is not None:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
        assert str(load_config(course).CourseDirectory.db_url) == db_url
    release(course, [assignment])
    trainees = pipeline_cohort(course, assignment)
    collect(course, assignment, write_cohort(course, assignment, trainees, course / "incoming"))
    results = grade_cohort(course, assignment, workers=2)
    assert {r.trainee_id: r.status for r in results} == {t.trainee_id: "graded" for t in trainees}, results
    outcome = generate_feedback(course, assignment)
    assert outcome.failed == {}
    export_csv(course, course / "grades.csv")
    return course, assignment


@pytest.fixture(
    scope="module",
    params=[pytest.param(run, id="-".join(run)) for run in RUNS]
    or [
        pytest.param(
            None, marks=pytest.mark.skip(reason=f"no assignment in source/ has a {MISTAKES_FILE} yet")
        )
    ],
)
def graded(request, pipelines) -> tuple[Path, str]:
    """(course, assignment) after the whole pipeline ran on the simulated trainees of that assignment, with the
    gradebook on SQLite or PostgreSQL."""
    assignment, database = request.param
    course, assignment = pipelines(assignment, database, request)
    url = str(load_config(course).CourseDirectory.db_url)
    assert url.startswith((f"{database}:", f"{database}+")), url
    assert (course / "grading" / "gradebook.db").exists() == (database == "sqlite")
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


def scores(course: Path, assignment: str) -> dict[str, float]:
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return {
            row["trainee_id"]: float(row["score"])
            for row in csv.DictReader(handle)
            if row["assignment"] == assignment
        }


@pytest.mark.parametrize("assignment", POSTGRES_ASSIGNMENTS or [None])
def test_postgresql_and_sqlite_gradebooks_give_the_same_points(pipelines, assignment, request):
    if assignment is None:
        pytest.skip("no assignment runs on PostgreSQL")
    on_sqlite = pipelines(assignment, "sqlite", request)[0]
    on_postgresql = pipelines(assignment, "postgresql", request)[0]
    trainees = pipeline_cohort(on_sqlite, assignment)
    for trainee in trainees:
        expected = autograded_points(on_sqlite, assignment, trainee.trainee_id)
        assert expected, f"{trainee.trainee_id} has no graded cell on SQLite"
        assert autograded_points(on_postgresql, assignment, trainee.trainee_id) == expected, (
            trainee.trainee_id
        )
    assert scores(on_postgresql, assignment) == scores(on_sqlite, assignment)
    assert len(scores(on_sqlite, assignment)) == len(trainees)
