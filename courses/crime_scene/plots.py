"""Figures for the crime-scene notebooks and widgets. Each function returns a new matplotlib ``Figure``.

The figures only draw numbers they are given: the graded calculations come from the trainee's own functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse

DEFECT_COLOUR = "tab:red"
OK_COLOUR = "tab:blue"


def plot_stain(width_mm: float, length_mm: float, angle_deg: float | None) -> Figure:
    """Left: the stain from above (an ellipse). Right: a side view of the drop's path at ``angle_deg``."""
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    top, side = fig.subplots(1, 2)
    top.add_patch(Ellipse((0, 0), length_mm, width_mm, facecolor="darkred", alpha=0.7))
    half = max(length_mm, width_mm, 1.0) / 2 * 1.3
    top.set(
        xlim=(-half, half),
        ylim=(-half, half),
        aspect="equal",
        xlabel="length direction (mm)",
        ylabel="width direction (mm)",
        title=f"Stain from above: W = {width_mm:.1f} mm, L = {length_mm:.1f} mm",
    )
    side.axhline(0, color="black", linewidth=2)
    side.set(
        xlim=(-1.2, 0.3),
        ylim=(-0.1, 1.1),
        aspect="equal",
        xticks=[],
        yticks=[],
        xlabel="floor, seen from the side (a sketch: no scale)",
        ylabel="height above the floor",
    )
    if angle_deg is None:
        side.set_title("Side view: no angle (see the message above)")
    else:
        rad = math.radians(angle_deg)
        side.plot(
            [-math.cos(rad), 0], [math.sin(rad), 0], color="darkred", linewidth=2, label="path of the drop"
        )
        arc = np.radians(np.linspace(180 - angle_deg, 180, 30))
        side.plot(0.3 * np.cos(arc), 0.3 * np.sin(arc), color="black", linewidth=1)
        side.annotate(f"impact angle = {angle_deg:.1f}°", (0, 0), xytext=(-1.15, 0.95))
        side.legend(loc="upper right")
        side.set_title("Side view: the drop arrives at the impact angle")
    return fig


def plot_convergence(
    stains: pd.DataFrame, point: tuple[float, float] | None, strings: Sequence[tuple[str, float, float]]
) -> Figure:
    """Top view of the selected stains' lines and their convergence ``point``; side view of the ``strings``.

    ``strings`` holds ``(stain_id, distance_cm, height_cm)``: each string rises from the stain, at distance
    ``distance_cm`` from the convergence point, to ``height_cm`` above it.
    """
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    top, side = fig.subplots(1, 2)
    for row in stains.itertuples():
        rad = math.radians(row.gamma_deg)
        back = np.array([-250.0, 40.0])  # draw each line backwards (towards the source) and a little forwards
        top.plot(row.x_cm + back * math.cos(rad), row.y_cm + back * math.sin(rad), color="grey", linewidth=1)
        top.plot(row.x_cm, row.y_cm, "o", color="darkred")
        top.annotate(row.stain_id, (row.x_cm, row.y_cm), xytext=(4, 4), textcoords="offset points")
    if point is not None:
        top.plot(
            *point,
            "*",
            color="gold",
            markersize=18,
            markeredgecolor="black",
            label=f"convergence ({point[0]:.1f}, {point[1]:.1f}) cm",
        )
        top.legend(loc="upper right")
    top.set(
        xlim=(-60, 340),
        ylim=(-80, 260),
        aspect="equal",
        xlabel="x (cm)",
        ylabel="y (cm)",
        title="Top view: stain lines (grey) and area of convergence",
    )
    ordered = sorted(strings, key=lambda string: string[1])
    for stain_id, distance, height in ordered:
        side.plot([distance, 0], [0, height], color="darkred", linewidth=1)
    groups: list[list[tuple[str, float]]] = []  # strings whose feet are closer than a label's width
    for stain_id, distance, _height in ordered:
        if groups and distance - groups[-1][-1][1] < 7.0:
            groups[-1].append((stain_id, distance))
        else:
            groups.append([(stain_id, distance)])
    for group in groups:
        foot = group[0][1]
        side.annotate(
            "\n".join(stain_id for stain_id, _ in reversed(group)),
            (foot, 0),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=8,
            va="bottom",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )
    if strings:
        median = float(np.median([height for _, _, height in strings]))
        side.axhline(median, color="grey", linestyle=":")
        side.annotate(
            f"median height {median:.0f} cm", (2, median), xytext=(0, 4), textcoords="offset points"
        )
    top_cm = max([60.0] + [1.3 * height for _, _, height in strings])
    side.set(
        xlim=(0, 150),
        ylim=(0, top_cm),
        xlabel="distance from the convergence point on the floor (cm)",
        ylabel="height above the floor (cm)",
        title="Side view: strings rise to the origin (a maximum height)",
    )
    return fig


def plot_cooling(
    rectal_c: Sequence[float],
    henssge_h: Sequence[float | None],
    glaister_h: Sequence[float | None],
    band_h: Sequence[tuple[float, float] | None],
    measured_c: float,
    limit_c: float | None = None,
) -> Figure:
    """Estimated hours since death against the rectal temperature: Henssge with 95 % band, Glaister's line.

    ``limit_c`` is the rectal temperature where Henssge's method stops (Q = 0.2): colder than that, the
    Henssge curve is not drawn and the range is greyed out with a note.
    """
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    temps = np.asarray(rectal_c, dtype=float)

    def series(values: Sequence[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    low = series([b[0] if b else None for b in band_h])
    high = series([b[1] if b else None for b in band_h])
    henssge = series(henssge_h)
    if limit_c is not None:
        outside = temps < limit_c - 1e-9
        henssge[outside] = low[outside] = high[outside] = np.nan
        ax.axvspan(min(temps.min(), limit_c), limit_c, color="lightgrey", alpha=0.5, zorder=0)
        ax.text(
            (min(temps.min(), limit_c) + limit_c) / 2,
            0.98,
            f"colder than {limit_c:.1f} °C (Q ≤ 0.2):\nno reliable Henssge estimate",
            transform=ax.get_xaxis_transform(),
            rotation=90,
            va="top",
            ha="center",
            color="dimgrey",
            fontsize=8,
        )
    ax.fill_between(temps, low, high, color=OK_COLOUR, alpha=0.2, label="Henssge 95 % limits")
    ax.plot(temps, henssge, color=OK_COLOUR, linewidth=2, label="Henssge nomogram")
    ax.plot(temps, series(glaister_h), color="tab:orange", linestyle="--", label="Glaister rule of thumb")
    ax.axvline(measured_c, color="black", linestyle=":", label=f"measured {measured_c:.1f} °C")
    ax.set(
        xlabel="rectal temperature (°C)",
        ylabel="time since death (hours)",
        title="How long ago? Two estimates for the same temperature",
    )
    ax.set_ylim(bottom=0)
    ax.invert_xaxis()
    ax.legend(loc="upper left")
    return fig


def plot_triangulation(
    baseline_m: float, r_a_m: float, r_b_m: float, point: tuple[float, float] | None
) -> Figure:
    """The two tape circles from fixed points A = (0, 0), B = (baseline, 0) and where they cross."""
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.add_patch(Circle((0, 0), r_a_m, fill=False, color="tab:blue", label=f"{r_a_m:.2f} m from A"))
    ax.add_patch(Circle((baseline_m, 0), r_b_m, fill=False, color="tab:green", label=f"{r_b_m:.2f} m from B"))
    ax.plot([0, baseline_m], [0, 0], "ks-", linewidth=2)
    ax.annotate("A", (0, 0), xytext=(-12, -14), textcoords="offset points")
    ax.annotate("B", (baseline_m, 0), xytext=(4, -14), textcoords="offset points")
    if point is not None:
        x, y = point
        ax.plot([0, x, baseline_m], [0, y, 0], color="grey", linestyle=":")
        ax.plot(
            x,
            y,
            "*",
            color="gold",
            markersize=16,
            markeredgecolor="black",
            label=f"item ({x:.2f}, {y:.2f}) m",
        )
    reach = max(r_a_m, r_b_m, baseline_m) + 0.5
    ax.set(
        xlim=(-reach, baseline_m + reach),
        ylim=(-reach, reach),
        aspect="equal",
        xlabel="along the wall A→B (m)",
        ylabel="into the room (m)",
        title="Triangulation from two fixed points",
    )
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_custody_timeline(log: pd.DataFrame, flagged: set[tuple[str, int, str]]) -> Figure:
    """One row per exhibit, one dot per register entry at its UTC time; ``flagged`` entries in red."""
    times = pd.to_datetime(log["timestamp"], utc=True, format="ISO8601")
    items = sorted(log["item_id"].unique(), reverse=True)
    fig = Figure(figsize=(10, 0.45 * len(items) + 1.6), layout="constrained")
    ax = fig.subplots()
    codes: dict[tuple[str, int], list[str]] = {}
    for item_id, seq, code in flagged:
        codes.setdefault((str(item_id), int(seq)), []).append(code)
    ordered = log.assign(utc=times).sort_values(["item_id", "seq"])
    for item_id, rows in ordered.groupby("item_id"):  # a thin line in seq order shows any step back in time
        ax.plot(rows["utc"], [items.index(item_id)] * len(rows), color="lightgrey", linewidth=1, zorder=0)
    span = max((times.max() - times.min()).total_seconds(), 1.0)
    for item_id, rows in log.assign(utc=times).sort_values(["item_id", "utc", "seq"]).groupby("item_id"):
        # entries of one exhibit closer than a label's width share one label ("2,3"), in time order
        level, groups = items.index(item_id), []
        for row in rows.itertuples():
            if groups and (row.utc - groups[-1][-1][0]).total_seconds() < 0.012 * span:
                groups[-1].append((row.utc, row.seq))
            else:
                groups.append([(row.utc, row.seq)])
        for group in groups:
            ax.annotate(
                ",".join(str(seq) for _, seq in group),
                (group[0][0] + (group[-1][0] - group[0][0]) / 2, level),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=7,
            )
    for row, when in zip(log.itertuples(), times, strict=True):
        level = items.index(row.item_id)
        found = codes.get((row.item_id, int(row.seq)))
        ax.plot(when, level, "o", color=DEFECT_COLOUR if found else OK_COLOUR, markersize=9 if found else 6)
        if found:
            ax.annotate(
                ", ".join(sorted(found)),
                (when, level),
                xytext=(6, -12),
                textcoords="offset points",
                color=DEFECT_COLOUR,
                fontsize=8,
            )
    ax.set_yticks(range(len(items)), items)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz="UTC"))
    ax.set(
        xlabel="time (UTC)",
        title=(
            'Custody timeline: each dot is a register entry (number = seq; "1,2" = entries close together); '
            "red = flagged"
        ),
    )
    fig.autofmt_xdate()
    return fig
