"""How the money-trail chart bends a wire around accounts (courses/financial_investigation/plots.py)."""

import numpy as np
import pytest

from courses.financial_investigation.plots import clear_bends


def _arc(start, end, control):
    """Points along matplotlib's arc3 connection (a quadratic Bezier curve through ``control``)."""
    t = np.linspace(0, 1, 101)[:, None]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


# accounts in pixels: 0, 1 and 2 in a row, 3 above 1
POINTS = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [100.0, 100.0]])


def test_a_wire_with_nothing_in_its_way_is_straight():
    bends, controls = clear_bends(POINTS, np.array([0, 1]), np.array([3, 2]), radius=10)
    assert list(bends) == [0, 0] and np.allclose(controls, [[50, 50], [150, 0]]), "rad=0: the middle"


def test_a_wire_bends_around_an_account_in_its_way():
    (bend,), (control,) = clear_bends(POINTS, np.array([0]), np.array([2]), radius=10)
    assert bend != 0, "straight from 0 to 2 would run through account 1"
    gaps = np.hypot(*(_arc(POINTS[0], POINTS[2], control)[:, None] - POINTS[[1, 3]]).transpose(2, 0, 1))
    assert gaps.min() >= 13, "it passes accounts 1 and 3 at least 1.3 radii away"
    assert control == pytest.approx([100, -200 * bend]), (
        "matplotlib's arc3: rad times the chord, turned right"
    )


def test_a_wire_that_cannot_clear_takes_the_bend_passing_farthest():
    (bend,), (control,) = clear_bends(POINTS[:3], np.array([0]), np.array([2]), radius=100)  # 130 px: too far
    gaps = np.hypot(*(_arc(POINTS[0], POINTS[2], control) - POINTS[1]).T)
    assert abs(bend) == 0.45 and gaps.min() == pytest.approx(45)
