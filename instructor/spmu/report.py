"""``spmu report``: a self-contained HTML report for instructors, read from the gradebook.

Per assignment: the distribution of total scores, the mean score per exercise, and the item analysis of every
graded cell (difficulty and discrimination indices, see :mod:`spmu.item_analysis`), with the
items the cohort struggled with most. Charts are matplotlib PNGs embedded in the page, so the file works
offline.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat

from .course import assignments
from .gradebook import open_gradebook
from .item_analysis import ItemStats, analyse, ebel_label, item_analysis_sources
from .markers import is_answer, nbgrader_flags

STRUGGLED_COUNT = 5
SMALL_COHORT = 30  # below this, indices are unstable (a rule of thumb; Crocker & Algina 1986 advise hundreds)


@dataclass(frozen=True)
class AssignmentScores:
    """Scores of one assignment, read from the gradebook."""

    assignment: str
    max_score: float
    totals: dict[str, float]
    items: dict[str, dict[str, float]]  # trainee -> item -> points (graded items only)
    item_max: dict[str, float]
    exercises: dict[str, str]  # item -> exercise (the answer cell it tests)


def exercise_of_items(root: Path, assignment: str) -> dict[str, str]:
    """Map ``notebook/grade_id`` of each graded cell to its exercise (an answer cell's ``notebook/grade_id``).

    A test belongs to the answer whose grade_id is in its own (``test_impact_angle_hidden`` ->
    ``impact_angle``), else to the first answer it calls, else to the answer cell before it. Written answers
    and tasks are their own.
    """
    mapping = {}
    for path in sorted((root / "source" / assignment).glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        answers = [nbgrader_flags(c)["grade_id"] for c in cells if is_answer(c)]
        current = None
        for cell in cells:
            flags = nbgrader_flags(cell)
            if is_answer(cell):
                current = flags["grade_id"]
            if not (flags.get("grade") or flags.get("task")):
                continue
            grade_id = flags["grade_id"]
            named = sorted((a for a in answers if a in grade_id), key=len, reverse=True)
            called = [a for a in answers if re.search(rf"\b{re.escape(a)}\s*\(", cell.source)]
            if is_answer(cell) or flags.get("task"):
                owner = grade_id
            else:
                owner = (named or called or [current or grade_id])[0]
            mapping[f"{path.stem}/{grade_id}"] = f"{path.stem}/{owner}"
    return mapping


def read_scores(root: Path) -> list[AssignmentScores]:
    """Every assignment's scores from the gradebook (autograded and manually graded cells that have a
    score)."""
    result = []
    with open_gradebook(root) as gradebook:
        known = {a.name: a for a in gradebook.assignments}
        for name in sorted(set(assignments(root)) | set(known)):
            if name not in known:
                continue
            totals, items, item_max = {}, defaultdict(dict), {}
            for submission in gradebook.assignment_submissions(name):
                trainee = submission.student.id
                totals[trainee] = float(submission.score)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        item = f"{notebook.name}/{grade.name}"
                        item_max[item] = float(grade.max_score)
                        scored = grade.auto_score is not None or grade.manual_score is not None
                        if scored and not grade.needs_manual_grade:
                            items[trainee][item] = float(grade.score)
            result.append(
                AssignmentScores(
                    name,
                    float(known[name].max_score),
                    totals,
                    dict(items),
                    item_max,
                    exercise_of_items(root, name),
                )
            )
    return result


def figure_png(figure) -> str:
    """A matplotlib figure as an ``<img>`` tag with the PNG inlined (base64)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{encoded}">'


def distribution_chart(scores: AssignmentScores) -> str:
    """Histogram of total scores (percent of the maximum)."""
    figure, axes = plt.subplots(figsize=(6, 3))
    maximum = scores.max_score or 1.0
    axes.hist(
        [100 * t / maximum for t in scores.totals.values()],
        bins=list(range(0, 101, 10)),
        color="#4c72b0",
        edgecolor="white",
    )
    axes.set_xlabel("total score (% of maximum, manual grades included)")
    axes.set_ylabel("trainees")
    axes.set_title(f"{scores.assignment}: score distribution (n = {len(scores.totals)})")
    return figure_png(figure)


def exercise_means(stats: list[ItemStats]) -> list[tuple[str, float, float]]:
    """(exercise, mean points, max points) summed over each exercise's items."""
    means: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for item in stats:
        means[item.exercise][0] += item.mean_points
        means[item.exercise][1] += item.max_points
    return [(name, mean, maximum) for name, (mean, maximum) in means.items()]


def exercise_chart(assignment: str, means: list[tuple[str, float, float]]) -> str:
    """Horizontal bars: mean score per exercise as a percentage of its points."""
    figure, axes = plt.subplots(figsize=(6, 0.4 * len(means) + 1.2))
    labels = [name for name, _, _ in means]
    values = [100 * mean / maximum if maximum else 0 for _, mean, maximum in means]
    axes.barh(labels, values, color=["#c44e52" if v < 50 else "#55a868" for v in values])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("mean score (% of the exercise's points)")
    axes.set_title(f"{assignment}: mean score per exercise")
    return figure_png(figure)


def item_chart(assignment: str, stats: list[ItemStats]) -> str:
    """Scatter of difficulty (x) against discrimination (y), with Ebel's 0.20 and 0.40 lines."""
    figure, axes = plt.subplots(figsize=(6, 4))
    points = [s for s in stats if s.discrimination is not None]
    axes.scatter([s.difficulty for s in points], [s.discrimination for s in points], color="#4c72b0")
    for s in points:
        if (
            s.discrimination < 0.2 or s.difficulty < 0.5
        ):  # label only the items worth a look, to stay readable
            axes.annotate(s.item.split("/")[-1], (s.difficulty, s.discrimination), fontsize=7)
    for level in (0.2, 0.4):
        axes.axhline(level, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xlabel("difficulty index p (share of points earned)")
    axes.set_ylabel("discrimination index D (upper - lower 27 %)")
    axes.set_title(f"{assignment}: item analysis")
    return figure_png(figure)


def _number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def assignment_section(scores: AssignmentScores) -> str:
    """The HTML section of one assignment."""
    title = html.escape(scores.assignment)
    if not scores.totals:
        return f"<h2>{title}</h2><p>No graded submission yet.</p>"
    stats = analyse(
        scores.items, scores.item_max, scores.exercises, min_graded=math.ceil(len(scores.totals) / 2)
    )
    means = exercise_means(stats)
    waiting = sorted(set(scores.item_max) - {s.item for s in stats})
    rows = "".join(
        f"<tr><td>{html.escape(s.item)}</td><td>{s.max_points:g}</td><td>{s.n}</td><td>{s.mean_points:.2f}</td>"
        f"<td>{s.difficulty:.2f}</td><td>{_number(s.discrimination)}</td><td>{html.escape(ebel_label(s.discrimination))}"
        f"</td><td>{_number(s.item_total_r)}</td></tr>"
        for s in stats
    )
    exercise_rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{mean:.2f}</td><td>{maximum:g}</td>"
        f"<td>{(100 * mean / maximum if maximum else 0):.0f} %</td></tr>"
        for name, mean, maximum in means
    )
    hardest = sorted(means, key=lambda m: (m[1] / m[2] if m[2] else 1.0, m[0]))[:STRUGGLED_COUNT]
    struggled = (
        "".join(
            f"<li><b>{html.escape(name)}</b>: {100 * mean / maximum:.0f} % of its points earned on average"
            "</li>"
            for name, mean, maximum in hardest
            if maximum and mean < maximum
        )
        or "<li>none: every exercise was fully answered by everyone</li>"
    )
    totals = sorted(scores.totals.values())
    small = (
        (
            f"<p class=warn>Only {len(totals)} trainees: the indices below are unstable; read them as hints, "
            "not verdicts.</p>"
        )
        if len(totals) < SMALL_COHORT
        else ""
    )
    pending = (
        f"<p>Awaiting manual grading for most trainees (left out of the item analysis and the exercise "
        f"means): {html.escape(', '.join(waiting))}</p>"
        if waiting
        else ""
    )
    return f"""
<h2>{title}</h2>
<p>{len(totals)} graded submissions; maximum {scores.max_score:g} points;
mean {sum(totals) / len(totals):.2f}; lowest {totals[0]:g}; highest {totals[-1]:g}.</p>{small}
{distribution_chart(scores)}
<h3>Mean score per exercise</h3>
{exercise_chart(scores.assignment, means)}
<table><tr><th>exercise</th><th>mean points</th><th>max points</th><th>mean %</th></tr>{exercise_rows}</table>
<h3>The cohort struggled most with</h3><ol>{struggled}</ol>
<h3>Item analysis</h3>
{item_chart(scores.assignment, stats)}
<table><tr><th>item (notebook/cell)</th><th>points</th><th>n</th><th>mean</th><th>difficulty p</th>
<th>discrimination D</th><th>reading (Ebel)</th><th>item-rest r</th></tr>{rows}</table>{pending}
"""


STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
th{background:#eee}.warn{color:#8a4b00}img{display:block;margin:1em 0}"""


def build_report(root: Path) -> str:
    """The whole report as one HTML string."""
    sections = (
        "".join(assignment_section(scores) for scores in read_scores(root)) or "<p>No gradebook data.</p>"
    )
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort report</title><style>{STYLE}</style></head><body>
<h1>Cohort report</h1>
<p>Generated {created} from the gradebook. Scores include manual grades entered so far. This report holds
personal data about trainees: store and share it accordingly.</p>
{sections}
<h2>How to read the indices</h2>{item_analysis_sources()}
</body></html>
"""


def write_report(root: Path, output: Path) -> Path:
    """Write the report to ``output`` and return its path."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(build_report(root), encoding="utf-8")
    return output
