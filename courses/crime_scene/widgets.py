"""Interactive apps for the crime-scene notebooks, each driven by the trainee's OWN functions.

Every ``explore_*`` function wires ipywidgets controls to a plot from :mod:`courses.crime_scene.plots` and
returns the app (a ``VBox``); the notebook shows it in one line. When the trainee's function raises, the app
shows the error message in red instead of crashing, so a wrong or unfinished answer is visible.
"""

from __future__ import annotations

import html
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from courses.blitting import show_png
from courses.crime_scene import plots
from courses.explorers import WIDE_LABEL, call, slider


def _message(label: widgets.HTML, text: str, error: bool = False) -> None:
    colour = "#b00020" if error else "#1b5e20"
    label.value = f'<span style="color:{colour}">{html.escape(text)}</span>'


def explore_impact_angle(impact_angle: Callable[[float, float], float]) -> widgets.VBox:
    """Width and length sliders; the stain and the angle YOUR ``impact_angle`` gives for it."""
    width = slider("Stain width W (mm)", 5.0, 0.5, 20.0, 0.1)
    length = slider("Stain length L (mm)", 10.0, 0.5, 20.0, 0.1)
    message, out = widgets.HTML(), widgets.Output()
    view = plots.StainView(max_mm=max(width.max, length.max))

    def update(_=None) -> None:
        angle, error = call(impact_angle, width.value, length.value)
        if error:
            _message(message, error, error=True)
        else:
            ratio = width.value / length.value
            spread = math.degrees(0.01 / math.sqrt(1 - ratio**2)) if ratio < 1 else math.inf
            _message(
                message,
                f"impact_angle({width.value:.1f}, {length.value:.1f}) = {angle:.2f} degrees. "
                f"A 0.01 error in W/L moves it by about {spread:.1f} degrees.",
            )
        show_png(out, view.update(width.value, length.value, None if error else angle).png())

    width.observe(update, "value")
    length.observe(update, "value")
    update()
    return widgets.VBox([widgets.HBox([width, length]), message, out])


def explore_convergence(
    stains: pd.DataFrame, convergence_point: Callable, impact_angle: Callable, origin_height: Callable
) -> widgets.VBox:
    """A checkbox per stain; top view with YOUR convergence point, side view with YOUR heights ("strings")."""
    boxes = {
        sid: widgets.Checkbox(
            value=pattern == "impact spatter",
            description=f"{sid} ({pattern})",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        for sid, pattern in zip(stains["stain_id"], stains["pattern"], strict=True)
    }
    message, out = widgets.HTML(), widgets.Output()
    view = plots.ConvergenceView(stains)

    def update(_=None) -> None:
        chosen = stains[stains["stain_id"].map(lambda sid: boxes[sid].value)]
        point, error = call(convergence_point, chosen)
        strings, problems = [], [] if error is None else [error]
        if point is not None:
            for row in chosen.itertuples():
                distance = math.hypot(row.x_cm - point[0], row.y_cm - point[1])
                angle, err = call(impact_angle, row.width_mm, row.length_mm)
                height, err = (None, err) if err else call(origin_height, distance, angle)
                if err:
                    problems.append(f"{row.stain_id}: {err}")
                else:
                    strings.append((row.stain_id, distance, height))
        if problems:
            _message(message, " | ".join(problems), error=True)
        else:
            heights = [h for _, _, h in strings]
            _message(
                message,
                f"{len(chosen)} stains selected; convergence at ({point[0]:.1f}, {point[1]:.1f}) cm; "
                f"origin heights {min(heights):.0f}-{max(heights):.0f} cm (median "
                f"{float(np.median(heights)):.0f} cm).",
            )
        show_png(out, view.update(list(chosen["stain_id"]), point, strings).png())

    for box in boxes.values():
        box.observe(update, "value")
    update()
    return widgets.VBox(
        [widgets.HBox(list(boxes.values()), layout=widgets.Layout(flex_flow="row wrap")), message, out]
    )


def explore_time_of_death(
    henssge_hours: Callable, henssge_window: Callable, glaister_hours: Callable, exam: dict
) -> widgets.VBox:
    """Ambient temperature, weight and corrective-factor sliders; YOUR Henssge curve, band, Glaister line."""
    ambient = slider("Room (°C)", exam["ambient_c"], 0.0, 23.0, 0.5, continuous_update=False)
    weight = slider("Body weight (kg)", exam["weight_kg"], 40.0, 150.0, 1.0, continuous_update=False)
    factor = slider("Corrective factor", exam["corrective_factor"], 0.7, 1.6, 0.1, continuous_update=False)
    message, out = widgets.HTML(), widgets.Output()
    view = plots.CoolingView(exam["rectal_c"], coldest_c=ambient.min)

    def update(_=None) -> None:
        # Q = (rectal - room) / (37.2 - room) = 0.2 here (the notebook's definition): colder is beyond it
        limit = ambient.value + 0.2 * (37.2 - ambient.value)
        temps = np.unique(np.append(np.linspace(36.5, ambient.value + 0.5, 40), limit))[::-1]
        henssge, glaister, band, errors = [], [], [], []
        for temp in temps:
            args = (float(temp), ambient.value, weight.value, factor.value)
            value, err = call(henssge_hours, *args)
            henssge.append(value)
            window, _err2 = call(henssge_window, *args)
            band.append(window)
            hours, err3 = call(glaister_hours, float(temp) * 9 / 5 + 32)
            glaister.append(hours)
            errors += [e for e in (err, err3) if e]
        measured = (exam["rectal_c"], ambient.value, weight.value, factor.value)
        window, err = call(henssge_window, *measured)
        if errors:
            _message(message, errors[0], error=True)
        elif err:
            _message(message, f"At {exam['rectal_c']} °C: {err}", error=True)
        else:
            _message(
                message,
                f"At {exam['rectal_c']} °C rectal: death between {window[0]:.1f} and {window[1]:.1f} "
                "hours before the measurement (95 % limits). Gaps in the band are where YOUR "
                f"henssge_window refuses the temperature. The grey area (colder than {limit:.1f} °C, "
                "Q ≤ 0.2) is beyond what Henssge's method covers.",
            )
        show_png(out, view.update(temps, henssge, glaister, band, limit, room_c=ambient.value).png())

    for control in (ambient, weight, factor):
        control.observe(update, "value")
    update()
    return widgets.VBox(
        [widgets.HBox([ambient, weight, factor], layout=widgets.Layout(flex_flow="row wrap")), message, out]
    )


def explore_triangulation(triangulate: Callable, to_drawing_cm: Callable) -> widgets.VBox:
    """Tape-length sliders and a scale selector; YOUR intersection point and YOUR drawing distances."""
    baseline = slider("A to B (m)", 4.2, 1.0, 8.0, 0.01)
    r_a = slider("Tape from A (m)", 2.85, 0.1, 8.0, 0.01)
    r_b = slider("Tape from B (m)", 3.49, 0.1, 8.0, 0.01)
    side = widgets.ToggleButtons(
        options=[("into the room (+1)", 1), ("outside (-1)", -1)],
        value=1,
        description="Side of A-B",
        style=WIDE_LABEL,
    )
    scale = widgets.Dropdown(
        options=[("1:20", 20), ("1:50", 50), ("1:100", 100)],
        value=50,
        description="Drawing scale",
        style=WIDE_LABEL,
    )
    message, out = widgets.HTML(), widgets.Output()
    view = plots.TriangulationView()

    def update(_=None) -> None:
        # the tapes are read to the centimetre, as the sliders show them: the text and the plot use these
        ab, tape_a, tape_b = (round(control.value, 2) for control in (baseline, r_a, r_b))
        point, error = call(triangulate, ab, tape_a, tape_b, side.value)
        if not error:
            try:
                point = (round(float(point[0]), 2), round(float(point[1]), 2))
            except (TypeError, ValueError, IndexError) as exc:
                error = f"triangulate returned {point!r}: expected a pair (x_m, y_m) ({exc})"
        if error:
            _message(message, error, error=True)
        else:
            angle = _angle_at_item(ab, point)
            drawn = [call(to_drawing_cm, value, scale.value) for value in (tape_a, tape_b)]
            if any(err for _, err in drawn):
                _message(message, next(err for _, err in drawn if err), error=True)
            else:
                advice = (
                    "good (45-90°)"
                    if 45 <= angle <= 90
                    else "poor: choose other fixed points (aim for 45-90°)"
                )
                _message(
                    message,
                    f"item at x = {point[0]:.2f} m, y = {point[1]:.2f} m; angle between the tapes "
                    f"{angle:.0f}° is {advice}. On a 1:{scale.value} drawing the tapes are "
                    f"{drawn[0][0]:.1f} cm and {drawn[1][0]:.1f} cm long.",
                )
        show_png(out, view.update(ab, tape_a, tape_b, None if error else point).png())

    for control in (baseline, r_a, r_b, side, scale):
        control.observe(update, "value")
    update()
    return widgets.VBox(
        [
            widgets.HBox([baseline, r_a, r_b], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([side, scale]),
            message,
            out,
        ]
    )


def _angle_at_item(baseline_m: float, point: tuple[float, float]) -> float:
    """Angle (degrees) between the tapes to A = (0, 0) and B = (baseline, 0), measured at the item."""
    x, y = point
    a = (-x, -y)
    b = (baseline_m - x, -y)
    norm = math.hypot(*a) * math.hypot(*b)
    if norm == 0:
        return 0.0
    return math.degrees(math.acos(max(-1.0, min(1.0, (a[0] * b[0] + a[1] * b[1]) / norm))))


def explore_custody(audit_custody: Callable, log: pd.DataFrame) -> widgets.VBox:
    """A tick box per exhibit and the custody timeline in UTC, with YOUR ``audit_custody`` flags in red."""
    boxes = {
        item_id: widgets.Checkbox(
            value=True, description=str(item_id), indent=False, layout=widgets.Layout(width="auto")
        )
        for item_id in sorted(log["item_id"].unique())
    }
    tick_all = widgets.Button(description="Tick all", layout=widgets.Layout(width="auto"))
    tick_none = widgets.Button(description="Untick all", layout=widgets.Layout(width="auto"))
    hint = widgets.Label("Exhibits to check (untick an exhibit to leave it out of the register):")
    message, out = widgets.HTML(), widgets.Output()
    view = plots.CustodyView(log)

    def update(_=None) -> None:
        chosen = log[log["item_id"].map(lambda item_id: boxes[item_id].value)]
        flagged, error = call(audit_custody, chosen.copy())
        if error:
            _message(message, error, error=True)
            flagged = set()
        else:
            listed = "; ".join(f"{i} #{s} {c}" for i, s, c in sorted(flagged)) or "nothing"
            checked = chosen["item_id"].nunique()
            _message(message, f"{checked} exhibits checked. Your audit_custody flags: {listed}")
        if not chosen.empty:
            show_png(out, view.update(list(chosen["item_id"].unique()), set(flagged)).png())
        else:
            show_png(out, None)

    def set_all(value: bool) -> None:
        for box in boxes.values():
            box.unobserve(update, "value")
            box.value = value
            box.observe(update, "value")
        update()

    for box in boxes.values():
        box.observe(update, "value")
    tick_all.on_click(lambda _button: set_all(True))
    tick_none.on_click(lambda _button: set_all(False))
    update()
    return widgets.VBox(
        [
            hint,
            widgets.HBox(
                [*boxes.values(), tick_all, tick_none], layout=widgets.Layout(flex_flow="row wrap")
            ),
            message,
            out,
        ]
    )


def explore_avalanche(sha256_file: Callable[[Path], str]) -> widgets.VBox:
    """Type a text: YOUR ``sha256_file`` hashes it (via a temporary file); changed bits are counted.

    The box starts with one character already changed ("7 March" became "8 March"), so the first thing the
    trainee sees is the avalanche: about half of the 256 bits differ.
    """
    reference = "Exhibit CS-08: witness statement, 7 March"
    text = widgets.Text(
        value=reference.replace("7 March", "8 March"),
        description="Text to hash",
        style=WIDE_LABEL,
        layout=widgets.Layout(width="90%"),
    )
    hint = widgets.Label(
        f"The original text is '{reference}'. The box below already has ONE character changed (7 became 8). "
        "Change any other single character, or change it back, and compare the hashes."
    )
    result = widgets.HTML()

    def digest_of(value: str) -> tuple[str | None, str | None]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "text.txt"
            path.write_bytes(value.encode("utf-8"))
            return call(sha256_file, path)

    def update(_=None) -> None:
        base, error = digest_of(reference)
        now, error = (None, error) if error else digest_of(text.value)
        if error:
            _message(result, error, error=True)
            return
        try:
            changed = (int(base, 16) ^ int(now, 16)).bit_count()
        except (TypeError, ValueError):
            _message(result, f"sha256_file returned {now!r}: expected 64 hexadecimal characters", error=True)
            return
        if text.value == reference:
            verdict = "The text is the original again, so the hash is identical: nothing differs."
        else:
            verdict = "About half (near 128) is what a good hash does for ANY change, however small."
        result.value = (
            f"original: <code>{html.escape(base)}</code><br>"
            f"your text: <code>{html.escape(now)}</code><br>"
            f"<b>{changed} of 256 bits differ</b> from the hash of the original. {verdict}"
        )

    text.observe(update, "value")
    update()
    return widgets.VBox([hint, text, result])
