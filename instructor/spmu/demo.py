"""``spmu demo``: the whole pipeline on a copy of the course with a simulated cohort.

release -> collect -> autograde -> feedback -> export -> report, in a folder of its own (the course's own
``grading/`` is never touched), then a check that no feedback file holds a hidden test or mark scheme.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .cohort import demo_profiles, demo_trainee, write_cohort
from .collect import collect
from .course import CourseError, assignments, course_root
from .export import ExportRow, export_csv
from .feedback import generate_feedback
from .gradebook import open_gradebook
from .integrity import feedback_leak_problems
from .release import release
from .report import write_report


@dataclass
class DemoOutcome:
    """Where the demo wrote its results, what it found and how long each stage took (seconds)."""

    course: Path
    grades_csv: Path
    report_html: Path
    feedback_files: list[Path]
    rows: list[ExportRow]
    leaks: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


def copy_course(root: Path, out: Path) -> Path:
    """Copy what a course needs (``nbgrader_config.py`` and ``source/``) into ``out``, with an empty
    ``grading/``."""
    if out.exists() and any(out.iterdir()):
        raise CourseError(f"{out} is not empty: give a new or empty folder to --out")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", out / "nbgrader_config.py")
    shutil.copytree(
        root / "source", out / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    (out / "grading").mkdir()
    return out


def set_due_dates(root: Path, due: datetime) -> None:
    """Give every released assignment the same due date in the gradebook (to show late submissions)."""
    with open_gradebook(root) as gradebook:
        for name in assignments(root):
            gradebook.update_or_create_assignment(name, duedate=due.replace(tzinfo=None))


def run_demo(
    root: Path,
    out: Path | None = None,
    trainees: int = 9,
    workers: int | None = None,
    on_stage: Callable[[str], None] = lambda stage: None,
    on_result: Callable[[object], None] | None = None,
) -> DemoOutcome:
    """Run the demo on a copy of the course at ``root``; ``on_stage``/``on_result`` report progress."""
    from .grading import grade_cohort

    if trainees < 1:
        raise CourseError("--trainees must be at least 1")
    root = course_root(root)
    names = assignments(root)
    if not names:
        raise CourseError(f"{root / 'source'} holds no assignment: nothing to demonstrate")
    course = copy_course(root, Path(out) if out else Path(tempfile.mkdtemp(prefix="spmu-demo-")))
    seconds: dict[str, float] = {}

    def stage(label: str, action: Callable[..., object], *args, **kwargs) -> object:
        on_stage(label)
        started = time.monotonic()
        value = action(*args, **kwargs)
        seconds[label] = seconds.get(label, 0.0) + time.monotonic() - started
        return value

    stage("release", release, course, names)
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    set_due_dates(course, due)
    ids = [f"trainee{n:02d}" for n in range(1, trainees + 1)]
    for name in names:
        cohort = [
            demo_trainee(course, name, tid, p, k)
            for tid, (p, k) in zip(ids, demo_profiles(trainees), strict=True)
        ]
        # the late trainee's submission is collected a day after the due date, the others two hours before
        for late in (False, True):
            group = [trainee for trainee in cohort if trainee.late == late]
            if group:
                moment = due + timedelta(days=1) if late else due - timedelta(hours=2)
                incoming = write_cohort(course, name, group, course / "incoming" / name / str(late).lower())
                stage("collect", collect, course, name, incoming, now=moment)
    for name in names:
        stage("autograde", grade_cohort, course, name, workers=workers, on_result=on_result)
    feedback_files: list[Path] = []
    for name in names:
        outcome = stage("feedback", generate_feedback, course, name)
        feedback_files += [path for paths in outcome.files.values() for path in paths]
    rows = stage("export", export_csv, course, course / "grades.csv")
    stage("report", write_report, course, course / "report.html")
    leaks = [leak for name in names for leak in feedback_leak_problems(course, name)]
    return DemoOutcome(
        course, course / "grades.csv", course / "report.html", sorted(feedback_files), rows, leaks, seconds
    )
