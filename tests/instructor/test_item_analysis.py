"""Item analysis on a cohort small enough to check by hand."""

from __future__ import annotations

import pytest
from spmu.item_analysis import analyse, ebel_label, upper_lower_groups

# Four trainees, two items: "easy" (1 point) and "hard" (2 points).
SCORES = {
    "t1": {"easy": 1.0, "hard": 2.0},  # total 3
    "t2": {"easy": 1.0, "hard": 1.0},  # total 2
    "t3": {"easy": 1.0, "hard": 0.0},  # total 1
    "t4": {"easy": 0.0},  # total 0, "hard" not graded yet
}


def test_upper_and_lower_groups_are_27_percent_rounded_up():
    upper, lower = upper_lower_groups({t: sum(s.values()) for t, s in SCORES.items()})
    assert upper == ["t1", "t2"] and lower == ["t3", "t4"]  # ceil(0.27 * 4) = 2


def test_difficulty_and_discrimination_by_hand():
    stats = {s.item: s for s in analyse(SCORES, {"easy": 1.0, "hard": 2.0}, {"hard": "exercise_hard"})}
    easy, hard = stats["easy"], stats["hard"]
    assert easy.difficulty == pytest.approx(0.75) and easy.n == 4
    assert easy.discrimination == pytest.approx(1.0 - 0.5)  # upper t1,t2 = 1,1; lower t3,t4 = 1,0
    assert hard.n == 3 and hard.mean_points == pytest.approx(1.0)
    assert hard.difficulty == pytest.approx(0.5)
    assert hard.discrimination == pytest.approx(0.75 - 0.0)  # upper 1.0, 0.5; lower only t3 graded: 0.0
    assert hard.exercise == "exercise_hard" and easy.exercise == "easy"
    # item-rest correlation: hard (2, 1, 0) against the rest (1, 1, 1) is undefined: the rest is constant
    assert hard.item_total_r is None


def test_ebel_reading():
    assert [ebel_label(d) for d in (0.5, 0.35, 0.25, 0.1, None)] == [
        "very good",
        "reasonably good",
        "marginal: revise",
        "poor: revise or discard",
        "not enough data",
    ]
