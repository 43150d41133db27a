"""Classical item analysis of a cohort's scores: difficulty and discrimination indices per graded cell.

Difficulty index p: the mean fraction of the item's points the cohort earned (Crocker & Algina, *Introduction
to Classical and Modern Test Theory*, 1986, ch. 14). Discrimination index D: p in the upper group minus p in
the lower group, each the 27 % of trainees with the highest / lowest total score (Kelley, T. L., 1939, "The
selection of upper and lower groups for the validation of test items", J. Educ. Psychol. 30(1), 17-24). Ebel's
guide for D (Ebel & Frisbie, *Essentials of Educational Measurement*, 5th ed., 1991): >= 0.40 very good,
0.30-0.39 reasonably good, 0.20-0.29 marginal (revise), < 0.20 poor (revise or discard). Corrected item-total
correlation r: Pearson correlation of the item with the total of the OTHER items (so an item is not correlated
with itself).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

UPPER_LOWER_FRACTION = 0.27  # Kelley (1939)


@dataclass(frozen=True)
class ItemStats:
    """Indices of one item (a graded cell) over the trainees who have a score for it."""

    item: str
    exercise: str
    max_points: float
    n: int
    mean_points: float
    difficulty: float
    discrimination: float | None
    item_total_r: float | None


def ebel_label(discrimination: float | None) -> str:
    """Ebel & Frisbie's (1991) reading of a discrimination index."""
    if discrimination is None:
        return "not enough data"
    if discrimination >= 0.40:
        return "very good"
    if discrimination >= 0.30:
        return "reasonably good"
    if discrimination >= 0.20:
        return "marginal: revise"
    return "poor: revise or discard"


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation, or None when either variable is constant or there are fewer than 3 pairs."""
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def upper_lower_groups(totals: dict[str, float]) -> tuple[list[str], list[str]]:
    """Trainee ids in the upper and lower 27 % by total score (at least one each; ties broken by id)."""
    ranked = sorted(totals, key=lambda trainee: (-totals[trainee], trainee))
    size = max(1, math.ceil(UPPER_LOWER_FRACTION * len(ranked)))
    return ranked[:size], ranked[-size:]


def analyse(
    scores: dict[str, dict[str, float]],
    max_points: dict[str, float],
    exercises: dict[str, str],
    min_graded: int = 1,
) -> list[ItemStats]:
    """Item statistics from ``scores[trainee][item]`` (points earned; an item missing means not yet graded).

    Items graded for fewer than ``min_graded`` trainees are left out (e.g. written answers not yet marked).
    """
    totals = {trainee: sum(items.values()) for trainee, items in scores.items()}
    upper, lower = upper_lower_groups(totals) if len(totals) >= 2 else ([], [])
    stats = []
    for item, maximum in max_points.items():
        graded = {t: items[item] for t, items in scores.items() if item in items}
        if len(graded) < max(1, min_graded) or maximum <= 0:
            continue
        fractions = {t: points / maximum for t, points in graded.items()}
        upper_f = [fractions[t] for t in upper if t in fractions]
        lower_f = [fractions[t] for t in lower if t in fractions]
        discrimination = (
            statistics.fmean(upper_f) - statistics.fmean(lower_f) if upper_f and lower_f else None
        )
        trainees = sorted(graded)
        rest = [totals[t] - graded[t] for t in trainees]
        stats.append(
            ItemStats(
                item=item,
                exercise=exercises.get(item, item),
                max_points=maximum,
                n=len(graded),
                mean_points=statistics.fmean(graded.values()),
                difficulty=statistics.fmean(fractions.values()),
                discrimination=discrimination if len(totals) >= 2 else None,
                item_total_r=pearson([graded[t] for t in trainees], rest),
            )
        )
    return stats


def item_analysis_sources() -> str:
    """HTML paragraph explaining the indices and citing their sources (used by the report)."""
    return (
        "<p><b>Difficulty index p</b>: mean share of an item's points earned (1 = everyone got it right; "
        "Crocker &amp; Algina, <i>Introduction to Classical and Modern Test Theory</i>, 1986). "
        "<b>Discrimination index D</b>: p among the 27 % of trainees with the highest totals minus p among "
        "the 27 % with the lowest (Kelley, 1939, <i>J. Educ. Psychol.</i> 30(1), 17-24); Ebel &amp; Frisbie "
        "(<i>Essentials of Educational Measurement</i>, 1991): D &ge; 0.40 very good, 0.30-0.39 reasonably "
        "good, 0.20-0.29 marginal, below 0.20 poor. <b>Item-rest r</b>: correlation of the item with the "
        "total of the other items. A low D on an easy item is expected; a negative D means stronger trainees "
        "did worse on it: check the item and its tests.</p>"
    )
