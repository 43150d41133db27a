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


def test_pasted_lines_sit_where_matplotlib_draws_them():
    """A text of several lines pasted line by line inks the rows and columns matplotlib draws it on (within a
    pixel)."""
    import numpy as np
    from matplotlib.figure import Figure

    from courses.blitting import BlittedFigure
    from courses.sprites import paste

    frames = BlittedFigure(Figure(figsize=(3, 2)))
    text = frames.figure.text(0.5, 0.8, "lowest\nintermediate\nbalance", ha="center", va="top")
    drawn = frames.frame().min(axis=-1) < 128
    pasted_lines = plots.PastedLines(text)
    assert not text.get_visible()
    pasted = paste(frames.frame(key="hidden"), pasted_lines.placed()).min(axis=-1) < 128
    assert drawn.any() and not (frames.frame(key="hidden").min(axis=-1) < 128).any()
    for axis in (0, 1):  # the same rows and columns of ink, give or take a pixel
        rows_drawn, rows_pasted = np.nonzero(drawn.any(axis=axis))[0], np.nonzero(pasted.any(axis=axis))[0]
        assert abs(rows_drawn[0] - rows_pasted[0]) <= 1 and abs(rows_drawn[-1] - rows_pasted[-1]) <= 1
    assert abs(int(drawn.sum()) - int(pasted.sum())) < 0.1 * drawn.sum()


def test_an_x_axis_label_is_pasted_not_drawn():
    chart = plots.BenfordChart()
    x_ticks = chart.ticks[0]
    assert not chart.ax.xaxis.label.get_visible()
    assert x_ticks.x_name is not None and len(x_ticks.x_name.lines) == 1
    sprite = x_ticks.x_name.lines[0][0]
    assert any(placed[0] is sprite for placed in x_ticks.place())
