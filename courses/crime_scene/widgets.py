"""Explorers of the crime-scene notebooks: controls wired to the trainee's OWN functions and to a figure from
:mod:`courses.crime_scene.plots`; a trainee's error is said in red by :class:`courses.explorers.Explorer`."""

from __future__ import annotations

import math
import numbers
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from courses.crime_scene import plots
from courses.explorers import WIDE_LABEL, Explorer, expect, number, pair, row, slider


def explore_impact_angle(impact_angle: Callable[[float, float], float]) -> Explorer:
    """Width and length sliders; the stain and the angle YOUR ``impact_angle`` gives for it."""
    width = slider("Stain width W (mm)", 5.0, 0.5, 20.0, 0.1)
    length = slider("Stain length L (mm)", 10.0, 0.5, 20.0, 0.1)
    plot = plots.StainPlot(max_mm=max(width.max, length.max))

    def update() -> str:
        angle = number("impact_angle", impact_angle(width.value, length.value))
        plot.show(width.value, length.value, angle)
        ratio = width.value / length.value
        spread = math.degrees(0.01 / math.sqrt(1 - ratio**2)) if ratio < 1 else math.inf
        return (
            f"impact_angle({width.value:.1f}, {length.value:.1f}) = {angle:.2f} degrees. "
            f"A 0.01 error in W/L moves it by about {spread:.1f} degrees."
        )

    return Explorer([row(width, length)], plot.figure, plot.animated).wire(update)


def explore_convergence(
    stains: pd.DataFrame, convergence_point: Callable, impact_angle: Callable, origin_height: Callable
) -> Explorer:
    """A checkbox per stain; top view with YOUR convergence point, side view with YOUR heights ("strings")."""
    tick = {"indent": False, "layout": widgets.Layout(width="auto")}
    boxes = {
        sid: widgets.Checkbox(pattern == "impact spatter", description=f"{sid} ({pattern})", **tick)
        for sid, pattern in zip(stains["stain_id"], stains["pattern"], strict=True)
    }
    plot = plots.ConvergencePlot(stains)

    def update() -> str:
        chosen = stains[stains["stain_id"].map(lambda sid: boxes[sid].value)]
        x, y = pair("convergence_point", convergence_point(chosen))
        strings = []
        for stain in chosen.itertuples():
            distance = math.hypot(stain.x_cm - x, stain.y_cm - y)
            angle = number("impact_angle", impact_angle(stain.width_mm, stain.length_mm))
            strings.append((distance, number("origin_height", origin_height(distance, angle))))
        plot.show(list(chosen["stain_id"]), (x, y), strings)
        heights = ", ".join(f"{sid} {height:.0f}" for sid, (_, height) in zip(chosen["stain_id"], strings))
        median = f" (median {np.median([height for _, height in strings]):.0f})" if strings else ""
        said = f"{len(chosen)} stains selected; convergence at ({x:.1f}, {y:.1f}) cm; origin heights (cm) "
        return said + (heights or "none") + median + "."

    return Explorer([row(*boxes.values())], plot.figure, plot.animated).wire(update)


def explore_time_of_death(
    henssge_hours: Callable, henssge_window: Callable, glaister_hours: Callable, exam: dict
) -> Explorer:
    """Ambient temperature, weight and corrective-factor sliders; YOUR Henssge curve, band, Glaister line."""
    ambient = slider("Room (°C)", exam["ambient_c"], 0.0, 23.0, 0.5, continuous_update=False)
    weight = slider("Body weight (kg)", exam["weight_kg"], 40.0, 150.0, 1.0, continuous_update=False)
    factor = slider("Corrective factor", exam["corrective_factor"], 0.7, 1.6, 0.1, continuous_update=False)
    plot = plots.CoolingPlot(exam["rectal_c"], coldest_c=ambient.min)

    def henssge(rectal: float) -> tuple[float, float, float]:
        """(hours, earliest, latest) by YOUR henssge_hours and henssge_window."""
        args = (rectal, ambient.value, weight.value, factor.value)
        return number("henssge_hours", henssge_hours(*args)), *pair("henssge_window", henssge_window(*args))

    def update() -> str:
        limit = ambient.value + 0.2 * (37.2 - ambient.value)  # Q = 0.2: colder, Henssge's method stops
        warm = np.linspace(36.5, limit + 0.01, 30)  # so YOUR Henssge functions are asked only above it
        cold = np.linspace(36.5, ambient.value + 0.5, 30).tolist()  # Glaister's rule: down to the room
        rule = [(t, number("glaister_hours", glaister_hours(t * 9 / 5 + 32))) for t in cold]
        plot.show(warm, [henssge(t) for t in warm.tolist()], rule, limit)
        hours, earliest, latest = henssge(exam["rectal_c"])
        return (
            f"At {exam['rectal_c']} °C rectal: death {hours:.1f} hours before the measurement, between "
            f"{earliest:.1f} and {latest:.1f} hours (95 % limits). The grey area (colder than "
            f"{limit:.1f} °C, Q ≤ 0.2) is beyond what Henssge's method covers."
        )

    return Explorer([row(ambient, weight, factor)], plot.figure, plot.animated).wire(update)


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

    def update() -> str:
        # the tapes are read to the centimetre, as the sliders show them: the text and the plot use these
        ab, tape_a, tape_b = (round(control.value, 2) for control in (baseline, r_a, r_b))
        x, y = (round(v, 2) for v in pair("triangulate", triangulate(ab, tape_a, tape_b, side.value)))
        plot.show(ab, tape_a, tape_b, x, y)
        on_a, on_b = (number("to_drawing_cm", to_drawing_cm(tape, scale.value)) for tape in (tape_a, tape_b))
        angle = math.degrees(math.atan2(abs(y * ab), x * (x - ab) + y * y))  # at the item, between the tapes
        advice = "good (45-90°)" if 45 <= angle <= 90 else "poor: choose other fixed points (aim for 45-90°)"
        return (
            f"item at x = {x:.2f} m, y = {y:.2f} m; angle between the tapes {angle:.0f}° is {advice}. On a "
            f"1:{scale.value} drawing the tapes are {on_a:.1f} cm and {on_b:.1f} cm long."
        )

    return Explorer([row(baseline, r_a, r_b), row(side, scale)], plot.figure, plot.animated).wire(update)


def explore_custody(audit_custody: Callable, log: pd.DataFrame) -> Explorer:
    """A choice of exhibits and the custody timeline in UTC, with YOUR ``audit_custody`` flags in red."""
    items = sorted(log["item_id"].unique())
    options = [("all exhibits", tuple(items)), *((item, (item,)) for item in items)]
    exhibits = widgets.Dropdown(options=options, description="Exhibits to check", style=WIDE_LABEL)
    plot = plots.CustodyPlot(log)

    def update() -> str:
        flagged = audit_custody(log[log["item_id"].isin(exhibits.value)].copy())
        ok = isinstance(flagged, (set, frozenset, list, tuple)) and all(
            isinstance(flag, tuple) and len(flag) == 3 and isinstance(flag[1], numbers.Integral)
            for flag in flagged
        )
        flagged = sorted(expect("audit_custody", flagged, ok, "a set of (item_id, seq, code)"))
        plot.show(exhibits.value, [(item, seq) for item, seq, _ in flagged])
        listed = "; ".join(f"{item} #{seq} {code}" for item, seq, code in flagged) or "nothing"
        return f"Checked: {exhibits.label}. Your audit_custody flags: {listed}"

    return Explorer([exhibits], plot.figure, plot.animated).wire(update)


def explore_avalanche(sha256_file: Callable[[Path], str]) -> Explorer:
    """Type a text: YOUR ``sha256_file`` hashes it (via a temporary file) and the changed bits are counted. The
    box starts with ONE character changed ("7 March" became "8 March"): about half of the 256 bits differ."""
    reference = "Exhibit CS-08: witness statement, 7 March"
    start = reference.replace("7 March", "8 March")
    text = widgets.Text(start, description="Text to hash", style=WIDE_LABEL, layout={"width": "90%"})
    hint = widgets.Label(
        f"The original text is '{reference}'. The box below already has ONE character changed (7 became 8). "
        "Change any other single character, or change it back, and compare the hashes."
    )

    def digest_of(value: str) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "text.txt"
            path.write_bytes(value.encode("utf-8"))
            digest = sha256_file(path)
        ok = isinstance(digest, str) and re.fullmatch("[0-9a-fA-F]{64}", digest) is not None
        return expect("sha256_file", digest, ok, "64 hexadecimal characters")

    def update() -> str:
        base, now = digest_of(reference), digest_of(text.value)
        changed = (int(base, 16) ^ int(now, 16)).bit_count()
        verdict = "About half (near 128) is what a good hash does for ANY change, however small."
        if text.value == reference:
            verdict = "The text is the original again, so the hash is identical: nothing differs."
        return (
            f"{changed} of 256 bits differ from the hash of the original. {verdict} "
            f"Original: {base}, your text: {now}."
        )

    return Explorer([hint, text]).wire(update)
