"""Headless tests of the crime-scene apps: driven by stand-in functions, they redraw and show errors."""

import math

import ipywidgets as widgets
import pytest
from widget_tree import find_widgets as _find
from widget_tree import one_widget as _one

from courses.crime_scene import load_body_examination, load_custody_log, plots
from courses.crime_scene.case import load_bloodstains
from courses.crime_scene.widgets import (
    explore_avalanche,
    explore_convergence,
    explore_custody,
    explore_impact_angle,
    explore_time_of_death,
    explore_triangulation,
)


def _png(app) -> bytes:
    outputs = _one(app, widgets.Output).outputs
    assert len(outputs) == 1, "the app should show exactly one figure"
    return outputs[0]["data"]["image/png"]


def _not_written(*_args):
    raise NotImplementedError()


def test_impact_angle_app_follows_the_sliders_and_the_trainee_function():
    calls = []

    def angle(width, length):
        calls.append((width, length))
        return math.degrees(math.asin(width / length))

    app = explore_impact_angle(angle)
    message, before = _one(app, widgets.HTML), _png(app)
    assert "30.00 degrees" in message.value
    _one(app, widgets.FloatSlider, "Stain width W (mm)").value = 8.0
    assert calls[-1] == (8.0, 10.0)
    assert "53.13 degrees" in message.value
    assert _png(app) != before


def test_impact_angle_app_shows_the_trainee_error_instead_of_crashing():
    def picky(width, length):
        if width > length:
            raise ValueError("width larger than length")
        return 45.0

    app = explore_impact_angle(picky)
    _one(app, widgets.FloatSlider, "Stain width W (mm)").value = 15.0
    message = _one(app, widgets.HTML).value
    assert "ValueError" in message and "width larger than length" in message
    assert len(_one(app, widgets.Output).outputs) == 1  # the stain is still drawn, without an angle
    assert "not written yet" in _one(explore_impact_angle(_not_written), widgets.HTML).value


def test_convergence_app_recomputes_with_the_ticked_stains():
    stains = load_bloodstains()
    seen = []

    def centre(chosen):
        seen.append(list(chosen["stain_id"]))
        return float(chosen["x_cm"].mean()), float(chosen["y_cm"].mean())

    app = explore_convergence(stains, centre, lambda width, length: 30.0, lambda d, a: d / 2)
    assert "S8" not in seen[-1] and len(seen[-1]) == 7, "only impact spatter is ticked at first"
    before, message = _png(app), _one(app, widgets.HTML).value
    _one(app, widgets.Checkbox, "S8 (passive drop)").value = True
    assert "S8" in seen[-1]
    assert _one(app, widgets.HTML).value != message and _png(app) != before


def test_convergence_app_reports_parallel_lines():
    def refuse(_chosen):
        raise ValueError("parallel")

    app = explore_convergence(load_bloodstains(), refuse, lambda width, length: 30.0, lambda d, a: d)
    assert "ValueError: parallel" in _one(app, widgets.HTML).value


def test_time_of_death_app_redraws_when_a_slider_moves():
    exam = load_body_examination()
    used = []

    def hours(rectal, ambient, weight, factor=1.0):
        used.append((ambient, weight, factor))
        return (37.2 - rectal) * weight * factor / 70

    def window(rectal, ambient, weight, factor=1.0):
        return hours(rectal, ambient, weight, factor) - 2.8, hours(rectal, ambient, weight, factor) + 2.8

    app = explore_time_of_death(hours, window, lambda f: (98.4 - f) / 1.5, exam)
    assert "before the measurement" in _one(app, widgets.HTML).value
    before = _png(app)
    slider = _one(app, widgets.FloatSlider, "Body weight (kg)")
    assert slider.continuous_update is False
    slider.value = 100.0
    assert used[-1][1] == 100.0
    assert _png(app) != before


def test_time_of_death_app_shows_unwritten_functions():
    app = explore_time_of_death(_not_written, _not_written, _not_written, load_body_examination())
    assert "not written yet" in _one(app, widgets.HTML).value


def test_triangulation_app_uses_the_trainee_functions_and_scale():
    def place(baseline, r_a, r_b, side=1):
        x = (r_a**2 - r_b**2 + baseline**2) / (2 * baseline)
        return x, side * math.sqrt(max(0.0, r_a**2 - x**2))

    app = explore_triangulation(place, lambda real_m, scale: real_m * 100 / scale)
    message = _one(app, widgets.HTML)
    assert "5.7 cm" in message.value  # 2.85 m at 1:50
    _one(app, widgets.Dropdown).value = 20
    assert "14.2 cm" in message.value  # 2.85 m at 1:20 = 14.25 cm
    before = _png(app)
    _one(app, widgets.ToggleButtons).value = -1
    assert "y = -2.35 m" in message.value and _png(app) != before


def test_triangulation_app_reports_inconsistent_distances():
    def refuse(*_args):
        raise ValueError("circles do not meet")

    app = explore_triangulation(refuse, lambda real_m, scale: 0.0)
    assert "circles do not meet" in _one(app, widgets.HTML).value


def test_custody_app_marks_what_the_trainee_function_flags():
    log = load_custody_log()
    app = explore_custody(
        lambda chosen: {("CS-04", 3, "TIME_REVERSAL")} if "CS-04" in set(chosen["item_id"]) else set(), log
    )
    message = _one(app, widgets.HTML)
    boxes = _find(app, widgets.Checkbox)
    assert len(boxes) == log["item_id"].nunique() and all(box.value for box in boxes), "every exhibit ticked"
    assert "CS-04 #3 TIME_REVERSAL" in message.value
    before = _png(app)
    _one(app, widgets.Button, "Untick all").click()
    assert _one(app, widgets.Output).outputs == ()
    _one(app, widgets.Checkbox, "CS-01").value = True
    assert "nothing" in message.value and "1 exhibits checked" in message.value and _png(app) != before
    _one(app, widgets.Button, "Tick all").click()
    assert all(box.value for box in boxes) and "CS-04 #3 TIME_REVERSAL" in message.value


def test_avalanche_app_starts_with_one_character_changed():
    import hashlib

    def sha(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    app = explore_avalanche(sha)
    result, text = _one(app, widgets.HTML), _one(app, widgets.Text)

    def changed():
        return int(result.value.split("<b>")[1].split(" of 256")[0])

    assert text.value == "Exhibit CS-08: witness statement, 8 March"
    assert 80 < changed() < 176, "one changed character should flip about half of the bits"
    text.value = "Exhibit CS-08: witness statement, 7 March"
    assert changed() == 0 and "identical" in result.value
    text.value = "Exhibit CS-08: witness statement, 7 march"
    assert 80 < changed() < 176


def test_triangulation_uses_the_tape_lengths_as_the_sliders_show_them():
    seen = []

    def place(baseline, r_a, r_b, side=1):
        seen.append((baseline, r_a, r_b))
        return 1.615000001, 2.349999

    app = explore_triangulation(place, lambda real_m, scale: real_m * 100 / scale)
    assert seen[-1] == (4.2, 2.85, 3.49)
    slider = _one(app, widgets.FloatSlider, "Tape from B (m)")
    assert slider.step == 0.01, "a 1 cm grid: the slider never snaps to another value than the one used"
    slider.value = 3.5000000001
    assert seen[-1][2] == 3.5
    assert "x = 1.62 m, y = 2.35 m" in _one(app, widgets.HTML).value


def test_time_of_death_app_greys_out_beyond_the_method():
    exam = load_body_examination()
    app = explore_time_of_death(
        lambda r, a, w, f=1.0: (37.2 - r) * 2.0,
        lambda r, a, w, f=1.0: ((37.2 - r) * 2.0 - 2.8, (37.2 - r) * 2.0 + 2.8),
        lambda f: (98.4 - f) / 1.5,
        exam,
    )
    limit = exam["ambient_c"] + 0.2 * (37.2 - exam["ambient_c"])
    assert f"colder than {limit:.1f} °C" in _one(app, widgets.HTML).value


@pytest.mark.parametrize("bad", [lambda path: "XYZ", lambda path: 42])
def test_avalanche_app_explains_a_malformed_digest(bad):
    assert "expected 64 hexadecimal characters" in _one(explore_avalanche(bad), widgets.HTML).value



def _pixels(png):
    """The pixels of a PNG from an Output (bytes, or base64 text as a kernel-less Output keeps it)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    data = base64.b64decode(png) if isinstance(png, str) else png
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _same_picture(app, fresh) -> bool:
    return bool((_pixels(_png(app)) == _pixels(_png(fresh))).all())


def _place(baseline, r_a, r_b, side=1):
    x = (r_a**2 - r_b**2 + baseline**2) / (2 * baseline)
    return x, side * math.sqrt(max(0.0, r_a**2 - x**2))


def test_a_redrawn_triangulation_is_the_picture_a_new_app_draws():
    """Each change redraws only what changes, over a background kept per scale: after the plot went through
    other scales and came back, the picture must be exactly what a new app draws for the same values."""
    app = explore_triangulation(_place, lambda real_m, scale: real_m * 100 / scale)
    first = _png(app)
    baseline = _one(app, widgets.FloatSlider, "A to B (m)")
    for value in (6.25, 1.5, 7.9, 2.0):  # scales 9 m, 5 m, 9 m, 3 m
        baseline.value = value
        assert _png(app) != first
    baseline.value = 4.2
    assert _pixels(_png(app)).shape == _pixels(first).shape
    assert (_pixels(_png(app)) == _pixels(first)).all()
    _one(app, widgets.ToggleButtons).value = -1
    flipped = explore_triangulation(_place, lambda real_m, scale: real_m * 100 / scale)
    _one(flipped, widgets.ToggleButtons).value = -1
    assert _same_picture(app, flipped)
    baseline.value = 6.25  # a scale seen before: its kept background must be the one for this scale
    x, y = _place(6.25, 2.85, 3.49, -1)
    fresh = plots.TriangulationView().update(6.25, 2.85, 3.49, (round(x, 2), round(y, 2))).png()
    assert (_pixels(_png(app)) == _pixels(fresh)).all()


def test_a_redrawn_custody_timeline_is_the_picture_a_new_app_draws():
    log = load_custody_log()

    def audit(chosen):
        return {("CS-04", 3, "TIME_REVERSAL")} if "CS-04" in set(chosen["item_id"]) else set()

    app = explore_custody(audit, log)
    _one(app, widgets.Button, "Untick all").click()
    _one(app, widgets.Checkbox, "CS-04").value = True
    only_cs04 = _png(app)
    _one(app, widgets.Button, "Tick all").click()
    assert _same_picture(app, explore_custody(audit, log))
    assert not (_pixels(only_cs04) == _pixels(_png(app))).all()


def test_a_redrawn_convergence_and_cooling_are_the_pictures_new_apps_draw():
    stains = load_bloodstains()

    def centre(chosen):
        return float(chosen["x_cm"].mean()), float(chosen["y_cm"].mean())

    functions = (centre, lambda width, length: 30.0, lambda d, a: d / 2)
    app = explore_convergence(stains, *functions)
    for stain_id in ("S8 (passive drop)", "S1 (impact spatter)"):
        box = _one(app, widgets.Checkbox, stain_id)
        box.value = not box.value
        box.value = not box.value
    assert _same_picture(app, explore_convergence(stains, *functions))

    exam = load_body_examination()

    def hours(rectal, ambient, weight, factor=1.0):
        return (37.2 - rectal) * weight * factor / 70

    def window(rectal, ambient, weight, factor=1.0):
        return hours(rectal, ambient, weight, factor) - 2.8, hours(rectal, ambient, weight, factor) + 2.8

    app = explore_time_of_death(hours, window, lambda f: (98.4 - f) / 1.5, exam)
    weight = _one(app, widgets.FloatSlider, "Body weight (kg)")
    weight.value = 150.0  # longer times: the hours axis grows
    weight.value = exam["weight_kg"]
    assert _same_picture(app, explore_time_of_death(hours, window, lambda f: (98.4 - f) / 1.5, exam))


def test_every_pasted_text_lies_inside_its_figure():
    stains, log, exam = load_bloodstains(), load_custody_log(), load_body_examination()
    temps = [36.5 - i for i in range(19)]
    views = [
        plots.StainView().update(5.0, 10.0, 30.0),
        plots.ConvergenceView(stains).update(list(stains["stain_id"]), (141.9, 88.1), [("S1", 58.0, 45.0)]),
        plots.CoolingView(exam["rectal_c"]).update(temps, temps, temps, [(1.0, 2.0)] * 19, 21.8, 18.0),
        plots.TriangulationView().update(7.9, 2.85, 3.49, (1.62, 2.35)),
        plots.CustodyView(log).update(["CS-04"], {("CS-04", 3, "TIME_REVERSAL")}),
    ]
    for view in views:
        view.png()  # lays the figure out
        width, height = view.figure.bbox.size
        for sprite, x, y in view._labels():
            rows, columns = sprite.pixels.shape[:2]
            left, top = x - sprite.anchor_column, y + sprite.anchor_row
            assert 0 <= left and left + columns <= width and top <= height and 0 <= top - rows, type(view)


@pytest.mark.parametrize("wrong", [float("nan"), float("inf")])
def test_a_nan_or_infinite_answer_is_drawn_without_crashing(wrong):
    stains = load_bloodstains()
    apps = [
        explore_impact_angle(lambda width, length: wrong),
        explore_convergence(stains, lambda chosen: (wrong, wrong), lambda width, length: 30.0, lambda d, a: wrong),
        explore_triangulation(lambda *tapes: (wrong, 1.0), lambda real_m, scale: real_m * 100 / scale),
    ]
    for app in apps:
        assert _pixels(_png(app)).size
