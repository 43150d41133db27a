"""The shared explorer helper's own contract, on a small figure: one error style, blank and back by blits, no
nested update, and a figure that names what its update changes."""

import ipywidgets as widgets
import pytest
from widget_tree import blank

from courses import explorers


def _app(answer):
    """A slider whose value goes through the trainee's ``answer`` to the height of one line."""
    slider = explorers.slider("x", 1, 0, 5)
    fig = explorers.figure(3, 2)
    ax = fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 10))
    (line,) = ax.plot([0, 1], [0, 0])

    def update() -> str:
        height = explorers.number("answer", answer(slider.value))
        line.set_ydata([height, height])
        return f"height {height}"

    return explorers.Explorer([slider], fig, animated=[line]).wire(update), slider, line


def test_an_error_is_said_in_red_and_the_figure_is_blank_then_comes_back_by_blits():
    def answer(x):
        if x == 3:
            raise NotImplementedError
        return "tall" if x == 4 else x

    app, slider, line = _app(answer)
    app.figure.canvas.draw()  # the browser's first frame
    slider.value = 3
    # (the function named is the outermost one outside the course's code: here this test's update; the modules'
    # tests check that an explorer in courses/ names the trainee's own function)
    assert app.panel.text.endswith("is not written yet (it raises NotImplementedError).")
    assert not app.figure.stale, "blanking changes only animated artists: a blit, not a full draw"
    assert explorers.ERROR_COLOUR in app.message.value and blank(app) and not line.get_visible()
    app.figure.canvas.draw()  # blank() laid the figure out again
    slider.value = 2
    assert not app.figure.stale, "coming back is a blit too"
    assert app.panel.text == "height 2.0" and not blank(app) and line.get_visible()
    slider.value = 4
    assert app.panel.text == "Your function answer returned str 'tall', not a finite number." and blank(app)


def test_a_control_the_update_changes_starts_no_second_update():
    calls = []
    other = widgets.IntText(0)

    def update() -> str:
        calls.append(other.value)
        other.value += 1
        return "ok"

    explorers.Explorer([other]).wire(update)
    other.value = 10
    assert calls == [0, 10], "one update when built, one per change by the trainee"


def test_a_figure_must_name_what_its_update_changes():
    fig = explorers.figure(3, 2)
    fig.subplots()
    with pytest.raises(ValueError, match="animated"):
        explorers.Explorer([], fig)


def test_linked_controls_give_one_update_and_one_frame_per_change():
    """A Play linked to its slider reports each step twice; a second frame right after the first can make the
    browser lose the first (ipympl replaces an image that has not loaded), so it must not be sent."""
    calls = []
    step = explorers.slider("row", 0, 0, 5)
    play = widgets.Play(max=5)
    widgets.link((play, "value"), (step, "value"))
    fig = explorers.figure(3, 2)
    (line,) = fig.subplots().plot([0, 1], [0, 0])

    def update() -> str:
        calls.append(step.value)
        line.set_ydata([step.value] * 2)
        return f"row {step.value}"

    explorers.Explorer([play, step], fig, animated=[line]).wire(update)
    frames = []
    fig.canvas.draw()
    fig.canvas.blit = lambda bbox=None: frames.append(bbox)  # counts the frames that would be sent
    play.value = 2
    step.value = 3
    assert calls == [0, 2, 3] and len(frames) == 2, "one update and one blitted frame per change"
