"""The financial-investigation charts' single backgrounds (courses/financial_investigation/plots.py)."""

from courses.financial_investigation import plots


def test_a_new_axis_range_draws_no_new_background():
    chart = plots.BenfordChart()
    draws = []
    draw = chart.frames.canvas.draw
    chart.frames.canvas.draw = lambda: (draws.append(1), draw())
    expected = [0.301, 0.176, 0.125, 0.097, 0.079, 0.067, 0.058, 0.051, 0.046]
    low = chart.png(expected, [30, 18, 12, 10, 8, 7, 6, 5, 4], "small")
    high = chart.png(expected, [10, 5, 5, 70, 3, 3, 2, 1, 1], "one digit dominates")  # y axis to 100 %
    assert len(draws) == 1 and low != high, "one background, drawn once, for both y ranges"


def test_an_x_axis_label_is_pasted_not_drawn():
    chart = plots.BenfordChart()
    x_ticks = chart.ticks[0]
    assert not chart.ax.xaxis.label.get_visible()
    assert x_ticks.x_name is not None and len(x_ticks.x_name.lines) == 1
    sprite = x_ticks.x_name.lines[0][0]
    assert any(placed[0] is sprite for placed in x_ticks.place())
