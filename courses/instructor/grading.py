"""Autograding a cohort: each submission in, a recorded status and score out (first, simple version).

This version runs plain nbgrader autograde through its Python API in parallel processes; the hardened engine
(sandbox, limits, repairs, tamper checks) replaces it behind the same functions.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from courses.instructor.course import load_config, nbgrader_api
from courses.instructor.limits import Limits

__all__ = ["GradeResult", "Limits", "grade_cohort", "grade_submission", "load_results", "save_result"]

STATUSES = (
    "graded", "graded_with_repairs", "timed_out", "kernel_died", "memory_exceeded", "flagged_for_review",
    "invalid_submission",
)


@dataclass
class GradeResult:
    """The outcome of grading one trainee's submission of one assignment."""

    trainee_id: str
    assignment: str
    status: str
    notes: str
    score: float
    max_score: float
    seconds: float


def status_path(course_root: Path, assignment: str, trainee_id: str) -> Path:
    """Where the result of one submission is saved."""
    return Path(course_root) / "grading" / "status" / assignment / f"{trainee_id}.json"


def save_result(course_root: Path, result: GradeResult) -> None:
    """Write ``grading/status/<assignment>/<trainee_id>.json`` atomically (a killed run never leaves half a file)."""
    path = status_path(course_root, result.assignment, result.trainee_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def load_results(course_root: Path, assignment: str | None = None) -> list[GradeResult]:
    """Saved results, sorted by assignment then trainee (all assignments when ``assignment`` is None)."""
    root = Path(course_root) / "grading" / "status"
    pattern = f"{assignment}/*.json" if assignment else "*/*.json"
    results = []
    for path in sorted(root.glob(pattern)):
        data = json.loads(path.read_text(encoding="utf-8"))
        results.append(GradeResult(**{name: data[name] for name in GradeResult.__dataclass_fields__}))
    return results


def submitted_trainees(course_root: Path, assignment: str) -> list[str]:
    """Trainee ids with a collected submission folder for ``assignment``."""
    submitted = Path(course_root) / load_config(course_root).CourseDirectory.submitted_directory
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())


def gradebook_scores(course_root: Path, assignment: str, trainee_id: str) -> tuple[float, float]:
    """(score, max_score) of one submission as the gradebook holds it."""
    from nbgrader.api import Gradebook

    config = load_config(course_root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        submission = gradebook.find_submission(assignment, trainee_id)
        return float(submission.score), float(submission.max_score)


def grade_submission(course_root: Path, assignment: str, trainee_id: str, limits: Limits) -> GradeResult:
    """Grade ``grading/submitted/<trainee_id>/<assignment>/`` into grading/autograded/ and the gradebook, save and
    return the result. Never raises for a bad submission: it returns a status."""
    started = time.monotonic()
    outcome = nbgrader_api(course_root).autograde(assignment, trainee_id, force=True, create=True)
    try:
        score, max_score = gradebook_scores(course_root, assignment, trainee_id)
    except Exception as error:  # noqa: BLE001 - a missing submission row is reported, not raised
        score, max_score = 0.0, 0.0
        outcome = {"success": False, "error": f"{outcome.get('error', '')}\n{error}"}
    if outcome["success"]:
        status, notes = "graded", "graded by nbgrader autograde"
    else:
        last_line = (outcome.get("error") or "unknown error").strip().splitlines()[-1:]
        status, notes = "invalid_submission", f"nbgrader autograde failed: {' '.join(last_line)}"
    result = GradeResult(trainee_id, assignment, status, notes, score, max_score, time.monotonic() - started)
    save_result(course_root, result)
    return result


def grade_cohort(
    course_root: Path,
    assignment: str,
    trainee_ids: list[str] | None = None,
    workers: int | None = None,
    limits: Limits | None = None,
    on_result: Callable[[GradeResult], None] | None = None,
) -> list[GradeResult]:
    """Grade every collected submission (or the given ids) in ``workers`` processes, calling ``on_result`` as
    each finishes. One trainee's failure never stops the cohort."""
    course_root = Path(course_root).resolve()
    limits = limits or Limits.from_config(course_root)
    ids = list(trainee_ids) if trainee_ids is not None else submitted_trainees(course_root, assignment)
    results: list[GradeResult] = []
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        futures = {pool.submit(grade_submission, course_root, assignment, tid, limits): tid for tid in ids}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a crashed worker costs one trainee, not the cohort
                result = GradeResult(futures[future], assignment, "invalid_submission",
                                     f"grading crashed: {type(error).__name__}: {error}", 0.0, 0.0, 0.0)
                save_result(course_root, result)
            results.append(result)
            if on_result:
                on_result(result)
    return sorted(results, key=lambda r: r.trainee_id)
