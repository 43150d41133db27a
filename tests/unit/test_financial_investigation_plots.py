"""How the money-trail chart bends a wire around accounts (courses/financial_investigation/plots.py)."""

import numpy as np
import pytest

from courses.financial_investigation.plots import clear_bend


def _arc(start, end, control):
    """Points along matplotlib's arc3 connection (a quadratic Bezier curve through ``control``)."""
    t = np.linspace(0, 1, 101)[:, None]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


def test_a_wire_with_nothing_in_its_way_is_straight():
    start, end = np.array([0.0, 0.0]), np.array([200.0, 0.0])
    bend, control = clear_bend(start, end, np.array([[100.0, 100.0]]), radius=10)
    assert bend == 0 and np.allclose(control, [100, 0]), "arc3 with rad=0: the control point is the middle"


def test_a_wire_bends_around_an_account_in_its_way():
    start, end, account = np.array([0.0, 0.0]), np.array([200.0, 0.0]), np.array([[100.0, 0.0]])
    bend, control = clear_bend(start, end, account, radius=10)
    assert bend != 0, "straight from 0 to 200 would run through the account at 100"
    gaps = np.hypot(*(_arc(start, end, control) - account[0]).T)
    assert gaps.min() >= 13, "it passes the account at least 1.3 radii away"
    assert control == pytest.approx([100, -200 * bend]), (
        "matplotlib's arc3: rad times the chord, turned right"
    )


def test_a_wire_that_cannot_clear_takes_the_bend_passing_farthest():
    start, end, account = np.array([0.0, 0.0]), np.array([200.0, 0.0]), np.array([[100.0, 0.0]])
    bend, control = clear_bend(start, end, account, radius=100)  # 1.3 radii: 130 pixels, out of reach
    assert abs(bend) == 0.45 and np.hypot(*(_arc(start, end, control) - account[0]).T).min() == pytest.approx(
        45
    )
