"""The money-trail chart's layout and wire shapes (courses/financial_investigation/plots.py)."""

import math

import numpy as np

from courses.financial_investigation.plots import arrow_shapes, clear_bends, layers_layout


def test_accounts_are_laid_out_in_columns_by_hops_with_the_target_on_the_far_right():
    edges = {("S", "A"), ("S", "B"), ("A", "T"), ("B", "C"), ("C", "T")}
    spots = layers_layout(["S", "T", "A", "B", "C"], edges, "S", "T")
    assert spots["S"] == (0, 0) and spots["C"] == (2, 0)
    assert spots["A"][0] == spots["B"][0] == 1 and sorted([spots["A"][1], spots["B"][1]]) == [-0.5, 0.5]
    assert spots["T"] == (3, 0), "one hop from S, but the target is always the last column"
    staggered = layers_layout(["S", "T", "A", "B", "C"], edges, "S", "T", stagger=0.2)
    assert sorted([staggered["A"][0], staggered["B"][0]]) == [0.8, 1.2] and staggered["C"] == (2, 0)


def test_a_wire_runs_from_edge_to_edge_and_its_head_touches_the_target():
    starts, ends = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[100.0, 0.0], [100.0, 0.0]])
    (straight, curved), (head, curved_head) = arrow_shapes(starts, ends, np.array([0.0, 0.2]), 10, 8)
    assert np.allclose(straight[0], [10, 0]) and np.allclose(straight[-1], [82, 0])
    assert np.allclose(head, [[90, 0], [82, 3.2], [82, -3.2]])
    assert math.isclose(curved[:, 1].min(), -10), (
        "bent to the right of the direction of payment (down, for left to right)"
    )
    assert math.isclose(np.hypot(*(curved_head[0] - ends[1])), 10), "the tip is on the target's edge"


def test_accounts_too_close_for_a_wire_get_none():
    (shaft,), (head,) = arrow_shapes(np.array([[0.0, 0.0]]), np.array([[15.0, 0.0]]), np.array([0.0]), 10, 8)
    assert shaft.size == 0 and head.size == 0


def test_a_wire_bends_around_an_account_in_its_way_and_only_then():
    points = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [100.0, 100.0]])
    bends = clear_bends(points, np.array([0, 0]), np.array([2, 3]), radius=10)
    assert bends[0] != 0, "straight from 0 to 2 would run through account 1"
    curve_middle = np.array([100.0, 0.0]) + bends[0] / 2 * np.array([0.0, -200.0])
    assert np.hypot(*(curve_middle - points[1])) >= 13, "it passes account 1 at least 1.3 radii away"
    assert bends[1] == 0, "nothing between 0 and 3: straight"
