"""Explorers of the crime-scene notebooks: controls wired to the trainee's OWN functions and to a figure from
:mod:`courses.crime_scene.plots`; a trainee's error is shown in red instead of crashing."""

from __future__ import annotations

import html
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from courses.crime_scene import plots
from courses.explorers import WIDE_LABEL, Explorer, call, row, slider

AUTO = widgets.Layout(width="auto")


def _tick_box(description: str, value: bool) -> widgets.Checkbox:
    return widgets.Checkbox(value=value, description=description, indent=False, layout=AUTO)


def _answer(name: str, func: Callable, *args: object, pair: bool = False) -> tuple[object, str | None]:
    """YOUR ``func(*args)`` as a number (or an ``(x, y)`` pair of numbers), or ``(None, plain-words error)``."""
    value, error = call(func, *args)
    if error:
        return None, error
    try:
        if pair:
            x, y = value
            return (float(x), float(y)), None
        return float(value), None
    except (TypeError, ValueError):
        return (
            None,
            f"{name} returned {value!r}: expected {'a pair of numbers (x, y)' if pair else 'a number'}",
        )


def explore_impact_angle(impact_angle: Callable[[float, float], float]) -> Explorer:
    """Width and length sliders; the stain and the angle YOUR ``impact_angle`` gives for it."""
    width = slider("Stain width W (mm)", 5.0, 0.5, 20.0, 0.1)
    length = slider("Stain length L (mm)", 10.0, 0.5, 20.0, 0.1)
    plot = plots.StainPlot(max_mm=max(width.max, length.max))
    app = Explorer([row(width, length)], plot.figure, plot.animated)

    def update() -> None:
        angle, error = _answer("impact_angle", impact_angle, width.value, length.value)
        plot.show(width.value, length.value, angle)
        if error:
            return app.say(error, error=True)
        ratio = width.value / length.value
        spread = math.degrees(0.01 / math.sqrt(1 - ratio**2)) if ratio < 1 else math.inf
        app.say(
            f"impact_angle({width.value:.1f}, {length.value:.1f}) = {angle:.2f} degrees. "
            f"A 0.01 error in W/L moves it by about {spread:.1f} degrees."
        )

    return app.wire(update)


def explore_convergence(
    stains: pd.DataFrame, convergence_point: Callable, impact_angle: Callable, origin_height: Callable
) -> Explorer:
    """A checkbox per stain; top view with YOUR convergence point, side view with YOUR heights ("strings")."""
    patterns = zip(stains["stain_id"], stains["pattern"], strict=True)
    boxes = {sid: _tick_box(f"{sid} ({pattern})", pattern == "impact spatter") for sid, pattern in patterns}
    plot = plots.ConvergencePlot(stains)
    app = Explorer([row(*boxes.values())], plot.figure, plot.animated)

    def update() -> None:
        chosen = stains[stains["stain_id"].map(lambda sid: boxes[sid].value)]
        point, error = _answer("convergence_point", convergence_point, chosen, pair=True)
        strings, problems = [], [error] if error else []
        for stain in chosen.itertuples() if point is not None else ():
            distance = math.hypot(stain.x_cm - point[0], stain.y_cm - point[1])
            angle, err = _answer("impact_angle", impact_angle, stain.width_mm, stain.length_mm)
            height, err = (None, err) if err else _answer("origin_height", origin_height, distance, angle)
            if err:
                problems.append(f"{stain.stain_id}: {err}")
            else:
                strings.append((stain.stain_id, distance, height))
        plot.show(list(chosen["stain_id"]), point, strings)
        if problems:
            return app.say(" | ".join(problems), error=True)
        heights = [height for _, _, height in strings]
        said = f"{len(chosen)} stains selected; convergence at ({point[0]:.1f}, {point[1]:.1f}) cm"
        if heights:
            said += f"; origin heights {min(heights):.0f}-{max(heights):.0f} cm (median {np.median(heights):.0f} cm)"
        app.say(said + ".")

    return app.wire(update)


def explore_time_of_death(
    henssge_hours: Callable, henssge_window: Callable, glaister_hours: Callable, exam: dict
) -> Explorer:
    """Ambient temperature, weight and corrective-factor sliders; YOUR Henssge curve, band, Glaister line."""
    ambient = slider("Room (°C)", exam["ambient_c"], 0.0, 23.0, 0.5, continuous_update=False)
    weight = slider("Body weight (kg)", exam["weight_kg"], 40.0, 150.0, 1.0, continuous_update=False)
    factor = slider("Corrective factor", exam["corrective_factor"], 0.7, 1.6, 0.1, continuous_update=False)
    plot = plots.CoolingPlot(exam["rectal_c"], coldest_c=ambient.min)
    app = Explorer([row(ambient, weight, factor)], plot.figure, plot.animated)

    def update() -> None:
        # Q = (rectal - room) / (37.2 - room) = 0.2 here (the notebook's definition): colder is beyond it
        limit = ambient.value + 0.2 * (37.2 - ambient.value)
        temps = np.unique(np.append(np.linspace(36.5, ambient.value + 0.5, 40), limit))[::-1]
        henssge, band, glaister, errors = [], [], [], []
        for temp in temps:
            args = (float(temp), ambient.value, weight.value, factor.value)
            hours, error = _answer("henssge_hours", henssge_hours, *args)
            window, refused = _answer("henssge_window", henssge_window, *args, pair=True)
            rule, error_g = _answer("glaister_hours", glaister_hours, float(temp) * 9 / 5 + 32)
            henssge.append(np.nan if error else hours)
            band.append((np.nan, np.nan) if refused else window)  # a refused temperature: a gap in the band
            glaister.append(np.nan if error_g else rule)
            beyond = temp <= limit + 1e-9  # from Q = 0.2 down henssge_hours may refuse (no solution in 200 h)
            errors += [e for e in (None if beyond else error, error_g) if e]
        plot.show(temps, np.array(henssge), np.array(band), np.array(glaister), limit, room_c=ambient.value)
        args = (exam["rectal_c"], ambient.value, weight.value, factor.value)
        window, error = _answer("henssge_window", henssge_window, *args, pair=True)
        if errors or error:
            return app.say(errors[0] if errors else f"At {exam['rectal_c']} °C: {error}", error=True)
        app.say(
            f"At {exam['rectal_c']} °C rectal: death between {window[0]:.1f} and {window[1]:.1f} hours before "
            "the measurement (95 % limits). Gaps in the band are where YOUR henssge_window refuses the "
            f"temperature. The grey area (colder than {limit:.1f} °C, Q ≤ 0.2) is beyond what Henssge's "
            "method covers."
        )

    return app.wire(update)


def explore_triangulation(triangulate: Callable, to_drawing_cm: Callable) -> Explorer:
    """Tape-length sliders and a scale selector; YOUR intersection point and YOUR drawing distances."""
    baseline = slider("A to B (m)", 4.2, 1.0, 8.0, 0.01)
    r_a = slider("Tape from A (m)", 2.85, 0.1, 8.0, 0.01)
    r_b = slider("Tape from B (m)", 3.49, 0.1, 8.0, 0.01)
    sides = [("into the room (+1)", 1), ("outside (-1)", -1)]
    side = widgets.ToggleButtons(options=sides, value=1, description="Side of A-B", style=WIDE_LABEL)
    scales = [("1:20", 20), ("1:50", 50), ("1:100", 100)]
    scale = widgets.Dropdown(options=scales, value=50, description="Drawing scale", style=WIDE_LABEL)
    plot = plots.TriangulationPlot()
    app = Explorer([row(baseline, r_a, r_b), row(side, scale)], plot.figure, plot.animated)

    def update() -> None:
        # the tapes are read to the centimetre, as the sliders show them: the text and the plot use these
        ab, tape_a, tape_b = (round(control.value, 2) for control in (baseline, r_a, r_b))
        point, error = _answer("triangulate", triangulate, ab, tape_a, tape_b, side.value, pair=True)
        point = None if point is None else (round(point[0], 2), round(point[1], 2))
        plot.show(ab, tape_a, tape_b, point)
        drawn = [_answer("to_drawing_cm", to_drawing_cm, tape, scale.value) for tape in (tape_a, tape_b)]
        error = error or next((err for _, err in drawn if err), None)
        if error:
            return app.say(error, error=True)
        x, y = point  # the angle at the item between the tapes to A and B, from their cross and dot products
        angle = math.degrees(math.atan2(abs(y * ab), x * (x - ab) + y * y))
        advice = "good (45-90°)" if 45 <= angle <= 90 else "poor: choose other fixed points (aim for 45-90°)"
        app.say(
            f"item at x = {point[0]:.2f} m, y = {point[1]:.2f} m; angle between the tapes {angle:.0f}° is "
            f"{advice}. On a 1:{scale.value} drawing the tapes are {drawn[0][0]:.1f} cm and "
            f"{drawn[1][0]:.1f} cm long."
        )

    return app.wire(update)


def explore_custody(audit_custody: Callable, log: pd.DataFrame) -> Explorer:
    """A tick box per exhibit and the custody timeline in UTC, with YOUR ``audit_custody`` flags in red."""
    boxes = {item: _tick_box(str(item), True) for item in sorted(log["item_id"].unique())}
    tick_all, tick_none = (
        widgets.Button(description=name, layout=AUTO) for name in ("Tick all", "Untick all")
    )
    hint = widgets.Label("Exhibits to check (untick an exhibit to leave it out of the register):")
    plot = plots.CustodyPlot(log)
    app = Explorer([hint, row(*boxes.values(), tick_all, tick_none)], plot.figure, plot.animated)

    def update() -> None:
        chosen = log[log["item_id"].map(lambda item_id: boxes[item_id].value)]
        flagged, error = call(audit_custody, chosen.copy())
        if not error:
            try:
                flagged = sorted({(str(item), int(seq), str(code)) for item, seq, code in flagged})
            except (TypeError, ValueError) as exc:
                error = f"audit_custody returned {flagged!r}: expected a set of (item_id, seq, code) ({exc})"
        plot.show(chosen["item_id"].unique(), [] if error else flagged)
        if error:
            return app.say(error, error=True)
        listed = "; ".join(f"{item} #{seq} {code}" for item, seq, code in flagged) or "nothing"
        app.say(f"{chosen['item_id'].nunique()} exhibits checked. Your audit_custody flags: {listed}")

    def set_all(value: bool) -> None:
        with app.hold():
            for box in boxes.values():
                box.value = value

    tick_all.on_click(lambda _button: set_all(True))
    tick_none.on_click(lambda _button: set_all(False))
    return app.wire(update)


def explore_avalanche(sha256_file: Callable[[Path], str]) -> Explorer:
    """Type a text: YOUR ``sha256_file`` hashes it (via a temporary file) and the changed bits are counted. The
    box starts with ONE character changed ("7 March" became "8 March"): about half of the 256 bits differ."""
    reference = "Exhibit CS-08: witness statement, 7 March"
    text = widgets.Text(
        reference.replace("7 March", "8 March"),
        description="Text to hash",
        style=WIDE_LABEL,
        layout={"width": "90%"},
    )
    hint = widgets.Label(
        f"The original text is '{reference}'. The box below already has ONE character changed (7 became 8). "
        "Change any other single character, or change it back, and compare the hashes."
    )
    app = Explorer([hint, text])

    def digest_of(value: str) -> tuple[str | None, str | None]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "text.txt"
            path.write_bytes(value.encode("utf-8"))
            return call(sha256_file, path)

    def update() -> None:
        base, error = digest_of(reference)
        now, error = (None, error) if error else digest_of(text.value)
        if error:
            return app.say(error, error=True)
        try:
            changed = (int(base, 16) ^ int(now, 16)).bit_count()
        except (TypeError, ValueError):
            return app.say(f"sha256_file returned {now!r}: expected 64 hexadecimal characters", error=True)
        if text.value == reference:
            verdict = "The text is the original again, so the hash is identical: nothing differs."
        else:
            verdict = "About half (near 128) is what a good hash does for ANY change, however small."
        summary = f"{changed} of 256 bits differ from the hash of the original. {verdict}"
        app.say(
            f"original: {base}, your text: {now}. {summary}",
            markup=f"original: <code>{html.escape(base)}</code><br>your text: <code>{html.escape(now)}</code><br>"
            f"<b>{changed} of 256 bits differ</b> from the hash of the original. {verdict}",
        )

    return app.wire(update)
