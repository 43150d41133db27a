"""Headless tests of the crime-scene apps: driven by stand-in functions (set ``.value``, ``Button.click()``), they
show the trainee's numbers and errors in the message and in what the figure holds (artists, texts)."""

import hashlib
import html
import math
import subprocess
import sys

import ipywidgets as widgets
import matplotlib.dates as mdates
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output
from matplotlib.colors import to_rgba
from widget_tree import blank, blits_matching_full_draws, figure_texts, find_widgets, one_widget, shown_texts

from courses.crime_scene import load_body_examination, load_custody_log
from courses.crime_scene.case import load_bloodstains
from courses.crime_scene.plots import DEFECT_COLOUR
from courses.crime_scene.widgets import (
    explore_avalanche,
    explore_convergence,
    explore_custody,
    explore_impact_angle,
    explore_time_of_death,
    explore_triangulation,
)
from courses.explorers import ERROR_COLOUR


def _not_written(*_args):
    raise NotImplementedError()


def _angle(width, length):
    return math.degrees(math.asin(width / length))


def _centre(chosen):
    return float(chosen["x_cm"].mean()), float(chosen["y_cm"].mean())


def _hours(rectal, ambient, weight, factor=1.0):
    return (37.2 - rectal) * weight * factor / 70


def _window(rectal, ambient, weight, factor=1.0):
    return _hours(rectal, ambient, weight, factor) - 2.8, _hours(rectal, ambient, weight, factor) + 2.8


def _glaister(fahrenheit):
    return (98.4 - fahrenheit) / 1.5


def _place(baseline, r_a, r_b, side=1):
    x = (r_a**2 - r_b**2 + baseline**2) / (2 * baseline)
    return x, side * math.sqrt(max(0.0, r_a**2 - x**2))


def _to_cm(real_m, scale):
    return real_m * 100 / scale


def _audit(chosen):
    return {("CS-04", 3, "TIME_REVERSAL")} if "CS-04" in set(chosen["item_id"]) else set()


def _line(app, label):
    """The line of the cooling figure with this legend label."""
    (line,) = [line for line in app.figure.axes[0].lines if line.get_label() == label]
    return line


def _drop_angle(app) -> float:
    """The angle (degrees) at which the side view's drop path meets the floor, if the path is shown."""
    path = app.figure.axes[1].lines[1]
    assert path.get_visible(), "the drop's path is drawn"
    (x, y), floor = path.get_xydata()
    assert tuple(floor) == (0, 0), "the path ends on the floor"
    return math.degrees(math.atan2(y, -x))


def _message(app) -> str:
    return html.unescape(one_widget(app, widgets.HTML).value)


def _failed(app, said: str) -> bool:
    """The one error style: the message says ``said`` in red; the figure shows only that nothing is drawn."""
    red = ERROR_COLOUR in app.message.value and said in _message(app)
    return red and blank(app)


def _stains_shown(app) -> list[str]:
    """The stains the convergence top view shows (a line with a dot at the stain, and its name)."""
    top = app.figure.axes[0]
    lines = [line for line in top.lines[:-1] if line.get_visible()]
    names = [text.get_text() for text in top.texts if text.get_visible()]
    assert len(lines) == len(names), "each stain shown has its line and its name"
    return names


def _custody_dots(app) -> tuple[np.ndarray, np.ndarray]:
    """The dots of the custody timeline the figure shows, and those of them that are red."""
    rows = [dots for dots in app.figure.axes[0].collections if dots.get_visible()]
    offsets = np.concatenate([dots.get_offsets() for dots in rows]) if rows else np.empty((0, 2))
    colours = [tuple(colour) for dots in rows for colour in dots.get_facecolors()]
    return offsets, offsets[[colour == to_rgba(DEFECT_COLOUR) for colour in colours]]


def _row_names(app) -> dict[float, str]:
    """The exhibit named on each row of the custody timeline, by the row's height."""
    ax = app.figure.axes[0]
    app.figure.draw_without_rendering()
    return {at: label.get_text() for at, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}


def _every_app():
    stains, exam = load_bloodstains(), load_body_examination()
    return [
        explore_impact_angle(_angle),
        explore_convergence(stains, _centre, lambda width, length: 30.0, lambda d, a: d / 2),
        explore_time_of_death(_hours, _window, _glaister, exam),
        explore_triangulation(_place, _to_cm),
        explore_custody(_audit, load_custody_log()),
    ]


def test_impact_angle_app_follows_the_sliders_and_the_trainee_function():
    calls = []

    def angle(width, length):
        calls.append((width, length))
        return _angle(width, length)

    app = explore_impact_angle(angle)
    top, side = app.figure.axes
    assert "30.00 degrees" in _message(app) and _drop_angle(app) == pytest.approx(30.0)
    one_widget(app, widgets.FloatSlider, "Stain width W (mm)").value = 8.0
    assert calls[-1] == (8.0, 10.0)
    assert "53.13 degrees" in _message(app) and _drop_angle(app) == pytest.approx(53.13, abs=0.01)
    ellipse = top.patches[0]
    assert (ellipse.get_width(), ellipse.get_height()) == (10.0, 8.0), (
        "the stain drawn to scale: L across, W up"
    )
    path = side.lines[1]
    assert path.get_visible() and np.allclose(path.get_xydata()[0], [-0.6, 0.8]), "the drop arrives at 53.13°"


def test_impact_angle_app_shows_the_trainee_error_instead_of_crashing():
    def picky(width, length):
        if width > length:
            raise ValueError("width larger than length")
        return 45.0

    app = explore_impact_angle(picky)
    width = one_widget(app, widgets.FloatSlider, "Stain width W (mm)")
    width.value = 15.0
    assert _failed(app, "Your function picky raised ValueError: width larger than length")
    width.value = 6.0
    assert _drop_angle(app) == pytest.approx(45.0) and ERROR_COLOUR not in app.message.value
    assert _failed(explore_impact_angle(_not_written), "Your function _not_written is not written yet")


def test_convergence_app_recomputes_with_the_ticked_stains():
    stains = load_bloodstains()
    seen = []

    def centre(chosen):
        seen.append(list(chosen["stain_id"]))
        return _centre(chosen)

    app = explore_convergence(stains, centre, lambda width, length: 30.0, lambda d, a: d / 2)
    assert "S8" not in seen[-1] and len(seen[-1]) == 7, "only impact spatter is ticked at first"
    top, side = app.figure.axes
    assert _stains_shown(app) == ["S1", "S2", "S3", "S4", "S5", "S6", "S7"]
    x, y = _centre(stains[stains["pattern"] == "impact spatter"])
    assert np.allclose(top.lines[-1].get_xydata(), [[x, y]]), "the star where YOUR convergence_point puts it"
    assert f"convergence at ({x:.1f}, {y:.1f}) cm" in _message(app)
    assert len(side.collections[0].get_segments()) == 7, "one string per ticked stain"
    one_widget(app, widgets.Checkbox, "S8 (passive drop)").value = True
    assert "S8" in seen[-1] and "8 stains selected" in _message(app)
    assert _stains_shown(app)[-1] == "S8" and len(side.collections[0].get_segments()) == 8


def test_convergence_app_draws_the_trainee_heights_as_strings():
    app = explore_convergence(load_bloodstains(), _centre, lambda width, length: 30.0, lambda d, a: 2 * d)
    strings = app.figure.axes[1].collections[0].get_segments()
    for (distance, _), (_, height) in strings:
        assert height == pytest.approx(2 * distance), "each string rises from its foot to YOUR height"
    heights = [2 * distance for (distance, _), _ in strings]
    said = ", ".join(f"S{number} {height:.0f}" for number, height in enumerate(heights, start=1))
    assert f"origin heights (cm) {said} (median {np.median(heights):.0f})." in _message(app), (
        "each string's height, named by its stain, and their median"
    )


def test_convergence_app_reports_parallel_lines():
    def refuse(_chosen):
        raise ValueError("parallel")

    app = explore_convergence(load_bloodstains(), refuse, lambda width, length: 30.0, lambda d, a: d)
    assert _failed(app, "Your function refuse raised ValueError: parallel")


def test_time_of_death_app_redraws_when_a_slider_moves():
    exam = load_body_examination()
    used = []

    def hours(rectal, ambient, weight, factor=1.0):
        used.append((ambient, weight, factor))
        return _hours(rectal, ambient, weight, factor)

    app = explore_time_of_death(hours, _window, _glaister, exam)
    assert "before the measurement" in _message(app)
    henssge = _line(app, "Henssge nomogram")
    before = henssge.get_xydata().copy()
    slider = one_widget(app, widgets.FloatSlider, "Body weight (kg)")
    assert slider.continuous_update is False
    slider.value = 150.0
    assert used[-1][1] == 150.0
    after = henssge.get_xydata()
    assert np.allclose(after[0, 1], (37.2 - after[0, 0]) * 150 * 1.1 / 70), "YOUR hours, for the new weight"
    assert not np.allclose(np.nan_to_num(after), np.nan_to_num(before))


def test_time_of_death_axes_stay_fixed_and_an_estimate_beyond_them_is_drawn():
    app = explore_time_of_death(
        lambda *args: 100.0, lambda *args: (97.2, 102.8), _glaister, load_body_examination()
    )
    ax = app.figure.axes[0]
    assert ax.get_ylim() == (0, 96) and "death 100.0 hours before the measurement" in _message(app)
    assert (_line(app, "Henssge nomogram").get_ydata() == 100.0).all(), "YOUR hours, even above the chart"
    app.figure.canvas.draw()
    one_widget(app, widgets.FloatSlider, "Body weight (kg)").value = 40.0
    assert ax.get_ylim() == (0, 96) and not app.figure.stale, "the same axes: the change is blitted"
    one_widget(app, widgets.FloatSlider, "Room (°C)").value = 23.0
    assert not app.figure.stale


def test_time_of_death_accepts_henssge_hours_refusing_beyond_the_method():
    def hours(rectal, ambient, weight, factor=1.0):
        if (rectal - ambient) / (37.2 - ambient) < 0.2:
            raise ValueError("No solution within 200 hours")  # documented: colder than Q = 0.2 it may refuse
        return _hours(rectal, ambient, weight, factor)

    app = explore_time_of_death(hours, _window, _glaister, load_body_examination())
    assert "before the measurement" in _message(app) and ERROR_COLOUR not in app.message.value
    assert not np.isnan(_line(app, "Henssge nomogram").get_ydata()).any()


def test_time_of_death_app_shows_unwritten_functions():
    app = explore_time_of_death(_not_written, _not_written, _not_written, load_body_examination())
    assert _failed(app, "Your function _not_written is not written yet")
    wrong_kind = explore_time_of_death(_hours, lambda *args: 12.0, _glaister, load_body_examination())
    assert _failed(
        wrong_kind, "Your function henssge_window returned float 12.0, not a pair of finite numbers."
    )


def test_time_of_death_app_greys_out_beyond_the_method():
    exam = load_body_examination()
    app = explore_time_of_death(
        lambda r, a, w, f=1.0: (37.2 - r) * 2.0,
        lambda r, a, w, f=1.0: ((37.2 - r) * 2.0 - 2.8, (37.2 - r) * 2.0 + 2.8),
        _glaister,
        exam,
    )
    limit = exam["ambient_c"] + 0.2 * (37.2 - exam["ambient_c"])
    assert f"colder than {limit:.1f} °C" in _message(app)
    assert "beyond Henssge's method (Q ≤ 0.2)" in figure_texts(app.figure)
    grey = app.figure.axes[0].patches[0]
    assert (grey.get_x(), grey.get_x() + grey.get_width()) == pytest.approx((0, limit)), (
        "shaded from the limit"
    )
    henssge = _line(app, "Henssge nomogram").get_xdata()
    assert henssge.min() == pytest.approx(limit, abs=0.02), "the Henssge curve ends at the limit"


def test_triangulation_app_uses_the_trainee_functions_and_scale():
    app = explore_triangulation(_place, _to_cm)
    assert "5.7 cm" in _message(app)  # 2.85 m at 1:50
    one_widget(app, widgets.Dropdown).value = 20
    assert "14.2 cm" in _message(app)  # 2.85 m at 1:20 = 14.25 cm
    one_widget(app, widgets.ToggleButtons).value = -1
    assert "y = -2.35 m" in _message(app)
    ax = app.figure.axes[0]
    star = ax.lines[2]
    assert np.allclose(star.get_xydata(), [[1.62, -2.35]]), "the item where YOUR triangulate puts it"
    assert "item (1.62, -2.35) m" in figure_texts(app.figure)
    assert ax.patches[1].get_center() == (4.2, 0) and ax.patches[1].get_radius() == 3.49


def test_triangulation_app_reports_inconsistent_distances():
    def refuse(*_args):
        raise ValueError("circles do not meet")

    app = explore_triangulation(refuse, _to_cm)
    assert _failed(app, "Your function refuse raised ValueError: circles do not meet")
    one_widget(app, widgets.Dropdown).value = 20  # still refused: still nothing drawn
    assert _failed(app, "circles do not meet")


def test_triangulation_uses_the_tape_lengths_as_the_sliders_show_them():
    seen = []

    def place(baseline, r_a, r_b, side=1):
        seen.append((baseline, r_a, r_b))
        return 1.615000001, 2.349999

    app = explore_triangulation(place, _to_cm)
    assert seen[-1] == (4.2, 2.85, 3.49)
    slider = one_widget(app, widgets.FloatSlider, "Tape from B (m)")
    assert slider.step == 0.01, "a 1 cm grid: the slider never snaps to another value than the one used"
    slider.value = 3.5000000001
    assert seen[-1][2] == 3.5
    assert "x = 1.62 m, y = 2.35 m" in _message(app)


def test_triangulation_view_is_fixed_at_one_to_one_and_marks_an_item_beyond_it():
    app = explore_triangulation(_place, _to_cm)
    ax = app.figure.axes[0]
    limits = (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for name in ("A to B (m)", "Tape from A (m)", "Tape from B (m)"):
        one_widget(app, widgets.FloatSlider, name).value = 8.0
    assert (ax.get_xlim(), ax.get_ylim()) == limits, "one view for every setting: a change is blitted"
    assert x0 < -8 and x1 > 16 and y0 < -8 and y1 > 8, "every tape circle the sliders allow is in view"
    app.figure.draw_without_rendering()
    width_in, height_in = app.figure.get_size_inches() * ax.get_position().size
    assert (x1 - x0) / width_in == pytest.approx((y1 - y0) / height_in), "1:1 scale"
    far = explore_triangulation(lambda *tapes: (30.0, 2.0), _to_cm)
    assert far.figure.axes[0].lines[2].get_xydata().tolist() == [[x1, 2.0]], "the star at the right edge"
    assert "item (30.00, 2.00) m: beyond the edge" in figure_texts(far.figure)


def test_custody_app_marks_what_the_trainee_function_flags():
    log = load_custody_log()
    app = explore_custody(_audit, log)
    exhibits = one_widget(app, widgets.Dropdown, "Exhibits to check")
    assert exhibits.label == "all exhibits" and len(exhibits.options) == 1 + log["item_id"].nunique()
    on_screen = app.figure.axes[0].transData.transform([(0, at) for at in _row_names(app)])[:, 1]
    top_down = [name for _, name in sorted(zip(on_screen, _row_names(app).values()), reverse=True)]
    assert top_down == sorted(log["item_id"].unique()), "one row per exhibit, CS-01 on top, in order"
    assert "Checked: all exhibits. Your audit_custody flags: CS-04 #3 TIME_REVERSAL" in _message(app)
    offsets, red = _custody_dots(app)
    assert len(offsets) == len(log) and len(red) == 1, "one red dot: the entry YOUR function flags"
    ((x, row),) = red
    assert _row_names(app)[row] == "CS-04" and mdates.num2date(x).strftime("%H:%M") == "09:25", (
        "CS-04 #3 (10:25 UTC+1) in UTC, in CS-04's row"
    )
    exhibits.label = "CS-01"
    assert "Checked: CS-01. Your audit_custody flags: nothing" in _message(app)
    offsets, red = _custody_dots(app)
    assert len(offsets) == (log["item_id"] == "CS-01").sum() and len(red) == 0
    assert {_row_names(app)[row] for row in offsets[:, 1]} == {"CS-01"}
    assert "2,3" not in figure_texts(app.figure), "the seq numbers of the other exhibits are hidden"
    exhibits.label = "all exhibits"
    assert "CS-04 #3 TIME_REVERSAL" in _message(app)
    offsets, red = _custody_dots(app)
    assert len(offsets) == len(log) and len(red) == 1


def test_custody_app_gives_the_trainee_function_only_the_chosen_exhibit():
    calls = []

    def audit(chosen):
        calls.append(sorted(chosen["item_id"].unique()))
        return set()

    log = load_custody_log()
    app = explore_custody(audit, log)
    one_widget(app, widgets.Dropdown).label = "CS-02"
    assert calls == [sorted(log["item_id"].unique()), ["CS-02"]], "one call per choice, with those rows only"


def test_custody_app_explains_a_malformed_answer():
    app = explore_custody(lambda chosen: {"CS-04"}, load_custody_log())
    assert _failed(
        app, "Your function audit_custody returned set {'CS-04'}, not a set of (item_id, seq, code)."
    )
    seq_as_text = explore_custody(lambda chosen: {("CS-04", "3", "TIME_REVERSAL")}, load_custody_log())
    assert _failed(seq_as_text, "not a set of (item_id, seq, code)")


def test_avalanche_app_starts_with_one_character_changed():
    def sha(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    app = explore_avalanche(sha)
    text = one_widget(app, widgets.Text)

    def changed():
        return int(app.panel.text.split(" of 256 bits differ")[0])

    assert text.value == "Exhibit CS-08: witness statement, 8 March"
    assert 80 < changed() < 176, "one changed character should flip about half of the bits"
    text.value = "Exhibit CS-08: witness statement, 7 March"
    assert changed() == 0 and "identical" in _message(app)
    text.value = "Exhibit CS-08: witness statement, 7 march"
    assert 80 < changed() < 176
    original = hashlib.sha256(b"Exhibit CS-08: witness statement, 7 March").hexdigest()
    now = hashlib.sha256(b"Exhibit CS-08: witness statement, 7 march").hexdigest()
    assert f"Original: {original}, your text: {now}." in _message(app), "both hashes are shown"


@pytest.mark.parametrize("bad", ["XYZ", 42, "g" * 64])
def test_avalanche_app_explains_a_malformed_digest(bad):
    app = explore_avalanche(lambda path: bad)
    said = (
        f"Your function sha256_file returned {type(bad).__name__} {bad!r:.60}, not 64 hexadecimal characters."
    )
    assert said in _message(app) and ERROR_COLOUR in app.message.value


@pytest.mark.parametrize("wrong", [float("nan"), float("inf")])
def test_a_nan_or_infinite_answer_is_refused_in_the_one_error_style(wrong):
    stains = load_bloodstains()
    said = f"returned float {wrong}, not a finite number."
    assert _failed(explore_impact_angle(lambda width, length: wrong), f"Your function impact_angle {said}")
    convergence = explore_convergence(stains, _centre, lambda w, l: 30.0, lambda d, a: wrong)
    assert _failed(convergence, said)
    pair = f"returned tuple ({wrong}, 1.0), not a pair of finite numbers."
    assert _failed(explore_triangulation(lambda *tapes: (wrong, 1.0), _to_cm), pair)


@pytest.mark.parametrize("kind", ["not a number", None, True])
def test_a_malformed_answer_is_explained(kind):
    def impact_angle(width, length):
        return kind

    def convergence_point(chosen):
        return kind

    def triangulate(*tapes):
        return kind

    said = f"returned {type(kind).__name__} {kind!r}, not"
    assert _failed(explore_impact_angle(impact_angle), f"impact_angle {said} a finite number.")
    convergence = explore_convergence(load_bloodstains(), convergence_point, impact_angle, lambda d, a: d)
    assert _failed(convergence, f"convergence_point {said} a pair of finite numbers.")
    assert _failed(
        explore_triangulation(triangulate, _to_cm), f"triangulate {said} a pair of finite numbers."
    )


def test_every_text_lies_inside_its_figure_and_none_overlap():
    for app in _every_app():
        inside, boxes = app.figure.bbox, []
        for text in shown_texts(app.figure):
            box = text.get_window_extent()
            assert (
                inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            ), f"{text.get_text()!r} runs out of the figure"
            boxes.append((text.get_text(), box))
        for i, (name, box) in enumerate(boxes):
            for other, other_box in boxes[i + 1 :]:
                assert not box.overlaps(other_box), f"{name!r} overlaps {other!r}"


def test_an_app_shows_its_first_frame_as_a_picture_without_a_kernel():
    """The cell shows the controls and the figure as two outputs; the figure's has a PNG for nbconvert and for
    notebook viewers, and the controls' plain text is the message."""
    InteractiveShell.instance()
    app = explore_impact_angle(_angle)
    with capture_output() as shown:
        display(app)
    controls, picture = shown.outputs
    assert "30.00 degrees" in controls.data["text/plain"]
    assert picture.data["image/png"] and "application/vnd.jupyter.widget-view+json" in picture.data


def test_importing_the_explorers_keeps_the_matplotlib_backend():
    code = (
        "import matplotlib; matplotlib.use('svg'); import courses.explorers; print(matplotlib.get_backend())"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "svg", "importing ipympl must not switch a trainee's backend"


def _changes(app):
    """A few changes a trainee makes in each explorer: sliders, tick boxes, buttons, options."""
    for control in find_widgets(
        app, (widgets.FloatSlider, widgets.Checkbox, widgets.Dropdown, widgets.Button)
    ):
        if isinstance(control, widgets.Button):
            yield control.click
        elif isinstance(control, widgets.Checkbox):
            yield lambda box=control: setattr(box, "value", not box.value)
        elif isinstance(control, widgets.Dropdown):
            yield lambda menu=control: setattr(menu, "index", (menu.index + 1) % len(menu.options))
        else:
            yield lambda slider=control: setattr(
                slider, "value", round(slider.value * 0.9 + slider.min * 0.1, 2)
            )


def test_a_blitted_frame_is_the_frame_a_full_draw_gives():
    """In the browser a change that touches only the animated artists is blitted over the kept background; the
    frame must be what drawing the whole figure gives (no artist left out of ``animated``)."""
    for app in _every_app():
        assert blits_matching_full_draws(app, _changes(app)) > 0, "small changes are blitted"


def test_custody_entries_at_the_same_time_share_one_seq_label():
    flags = {("CS-02", 2, "MISSING_HASH"), ("CS-02", 3, "TIME_REVERSAL"), ("CS-01", 2, "GAP")}
    app = explore_custody(lambda chosen: flags, load_custody_log())
    texts = figure_texts(app.figure)
    assert "2,3" in texts and texts.count("3") == 8, (
        "CS-02 #2 and #3 are both at 10:00 UTC: one label, in order"
    )
    assert "CS-01 #2 GAP; CS-02 #2 MISSING_HASH; CS-02 #3 TIME_REVERSAL" in _message(app), (
        "the codes, in order"
    )
    assert len(_custody_dots(app)[1]) == 3
