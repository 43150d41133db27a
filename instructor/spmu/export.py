"""``spmu export``: one sorted CSV row per trainee and assignment, with a status that tells a real zero apart
from a submission that could not be graded, and plain-language notes saying why."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from .course import assignments, load_config
from .gradebook import open_gradebook

COLUMNS = ["trainee_id", "assignment", "score", "max_score", "status", "notes", "submitted_at", "late_hours"]
SCORED_STATUSES = {"graded", "graded_with_repairs"}


@dataclass(frozen=True)
class ExportRow:
    """One trainee's result on one assignment."""

    trainee_id: str
    assignment: str
    score: float
    max_score: float
    status: str
    notes: str
    submitted_at: str
    late_hours: float


def _load_results(root: Path) -> dict[tuple[str, str], object]:
    from .grading import load_results

    return {(r.trainee_id, r.assignment): r for r in load_results(root)}


def collect_rows(root: Path) -> list[ExportRow]:
    """Rows for every (trainee, assignment) pair known to the gradebook, the submitted folder or the
    results."""
    results = _load_results(root)
    submitted = root / load_config(root).CourseDirectory.submitted_directory
    collected = {(p.parent.name, p.name) for p in submitted.glob("*/*") if p.is_dir()}
    rows = []
    with open_gradebook(root) as gradebook:
        names = sorted(set(assignments(root)) | {a.name for a in gradebook.assignments})
        maxima = {a.name: float(a.max_score) for a in gradebook.assignments}
        trainees = sorted(
            {s.id for s in gradebook.students} | {t for t, _ in collected} | {t for t, _ in results}
        )
        for trainee in trainees:
            for name in names:
                rows.append(
                    _row(
                        gradebook,
                        trainee,
                        name,
                        results.get((trainee, name)),
                        (trainee, name) in collected,
                        maxima.get(name),
                    )
                )
    return sorted(rows, key=lambda row: (row.trainee_id, row.assignment))


def _row(gradebook, trainee: str, name: str, result, collected: bool, maximum: float | None) -> ExportRow:
    """The export row of one pair, from the gradebook and the saved grading result."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(name, trainee)
    except MissingEntry:
        submission = None
    max_score = maximum if maximum is not None else float(result.max_score if result else 0.0)
    notes: list[str] = []
    submitted_at, late_hours = "", 0.0
    if submission is not None:
        if submission.timestamp:
            submitted_at = submission.timestamp.strftime("%Y-%m-%d %H:%M UTC")
        late_hours = round(float(submission.total_seconds_late or 0.0) / 3600, 2)
    if result is not None:
        status, notes = result.status, [result.notes]
        use_gradebook = submission is not None and status in SCORED_STATUSES
        score = float(submission.score) if use_gradebook else float(result.score)
    elif submission is not None:
        status, score = "graded", float(submission.score)
        notes = ["graded with plain nbgrader (no spmu result recorded)"]
    elif collected:
        status, score = "not_graded", 0.0
        notes = ["collected but not autograded yet: run `spmu autograde " + name + "`"]
    else:
        status, score = "not_submitted", 0.0
        notes = ["no submission was collected"]
    if late_hours > 0:
        notes.append(f"submitted {late_hours:g} h after the due date")
    if submission is not None and submission.needs_manual_grade:
        notes.append("written answers still need manual grading in the formgrader")
    return ExportRow(
        trainee,
        name,
        round(score, 2),
        round(max_score, 2),
        status,
        "; ".join(n for n in notes if n),
        submitted_at,
        late_hours,
    )


def export_csv(root: Path, output: Path) -> list[ExportRow]:
    """Write the export to ``output`` (CSV, sorted by trainee then assignment) and return its rows."""
    rows = collect_rows(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    return rows
