"""Figures of the crime-scene explorers: each class builds ONE figure on fixed axes and keeps the artists that
change (``animated``, so a change is blitted); ``show(...)`` puts the numbers of the trainee's functions into them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, Ellipse
from matplotlib.ticker import MultipleLocator

from courses.explorers import figure

DEFECT_COLOUR, OK_COLOUR, DROP_COLOUR = "tab:red", "tab:blue", "darkred"
POINTS = {"textcoords": "offset points"}
STAR = {"marker": "*", "color": "gold", "markersize": 16, "markeredgecolor": "black", "linestyle": "none"}
VIEW = np.array([(-8.5, -8.5), (16.5, 8.5)])  # triangulation view's corners: every 8 m tape around A and B


class StainPlot:
    """Left: the stain from above (an ellipse, to scale). Right: a side view of the drop's path."""

    def __init__(self, max_mm: float = 20.0) -> None:
        self.figure = figure(9, 3.6, layout="constrained")
        top, side = self.figure.subplots(1, 2)
        half = max_mm / 2 * 1.3  # one scale for every slider position: a bigger stain looks bigger
        top.set(xlim=(-half, half), ylim=(-half, half), aspect="equal", title="Stain from above (to scale)")
        top.set(xlabel="length direction (mm)", ylabel="width direction (mm)")
        self.ellipse = top.add_patch(Ellipse((0, 0), 1, 1, facecolor=DROP_COLOUR, alpha=0.7))
        side.set(xlim=(-1.2, 0.3), ylim=(-0.1, 1.1), aspect="equal", xticks=[], yticks=[])
        side.set(title="Side view: the drop arrives at the impact angle", ylabel="height above the floor")
        side.set_xlabel("floor, seen from the side (a sketch: no scale)")
        side.axhline(0, color="black", linewidth=2)
        (self.path,) = side.plot([], [], color=DROP_COLOUR, linewidth=2)
        self.animated = [self.ellipse, self.path]

    def show(self, width_mm: float, length_mm: float, angle_deg: float) -> None:
        self.ellipse.set(width=length_mm, height=width_mm)
        rad = math.radians(angle_deg)
        self.path.set_data([-math.cos(rad), 0], [math.sin(rad), 0])


class ConvergencePlot:
    """Top view of the selected stains' lines and their convergence point; side view of the strings."""

    def __init__(self, stains: pd.DataFrame) -> None:
        self.figure = figure(10, 4.2, layout="constrained")
        top, side = self.figure.subplots(1, 2, width_ratios=(0.8, 1))
        top.set(xlim=(-60, 340), ylim=(-80, 260), aspect="equal", xlabel="x (cm)", ylabel="y (cm)")
        top.set_title("Top view: stain lines (grey) and area of convergence")
        # each stain's line back towards the source and a little forwards, with a dot at the stain
        along = np.array([-250.0, 0.0, 40.0])
        dot = {"marker": "o", "markevery": [1], "markerfacecolor": DROP_COLOUR, "markeredgewidth": 0}
        self.stains = []  # (stain_id, its line or its name)
        for s in stains.itertuples():
            dx, dy = math.cos(math.radians(s.gamma_deg)), math.sin(math.radians(s.gamma_deg))
            (drawn,) = top.plot(s.x_cm + along * dx, s.y_cm + along * dy, color="grey", linewidth=1, **dot)
            name = top.annotate(s.stain_id, (s.x_cm, s.y_cm), xytext=(4, 4), **POINTS)
            self.stains += [(s.stain_id, drawn), (s.stain_id, name)]
        (self.star,) = top.plot([], [], **STAR, label="convergence")
        top.legend(loc="upper right", fontsize=9)
        side.set(xlim=(0, 150), ylim=(0, 80), ylabel="height above the floor (cm)")  # higher: off the top
        side.set_xlabel("distance from the convergence point on the floor (cm)")
        side.set_title("Side view: strings rise to the origin (a maximum height)")
        self.strings = side.add_collection(LineCollection([], colors=DROP_COLOUR, linewidths=1))
        self.animated = [*(part for _, part in self.stains), self.star, self.strings]

    def show(self, chosen: Sequence[str], point: tuple[float, float], strings: list) -> None:
        """``strings``: ``(distance_cm, height_cm)``, a string from a stain ``distance_cm`` from the
        convergence ``point`` up to ``height_cm`` above it."""
        for stain_id, part in self.stains:
            part.set_visible(stain_id in chosen)
        self.star.set_data([point[0]], [point[1]])
        self.strings.set_segments([[(distance, 0), (0, height)] for distance, height in strings])


class CoolingPlot:
    """Estimated hours since death against the rectal temperature: Henssge with 95 % band, Glaister's line.

    Both axes are fixed (37.5 °C down to ``coldest_c``, 0 to 96 hours: the reference answers stay under it up
    to 195 kg): a slider moves the curves against the same scale. Colder than the limit (Q = 0.2) Henssge's
    method stops: that range is shaded.
    """

    def __init__(self, measured_c: float, coldest_c: float = 0.0) -> None:
        self.figure = figure(8, 4.7, layout="constrained")
        self.ax = ax = self.figure.subplots()
        ax.set(xlim=(37.5, coldest_c), ylim=(0, 96), title="How long ago? Two estimates, one temperature")
        ax.set(xlabel="rectal temperature (°C, hot to cold)", ylabel="time since death (hours)")
        ax.yaxis.set_major_locator(MultipleLocator(12))
        ax.grid(color="0.92", linewidth=0.8)
        self.band = ax.fill_between([0, 0], 0, 0, fc=OK_COLOUR, alpha=0.2, label="Henssge 95 % limits")
        (self.henssge,) = ax.plot([], [], color=OK_COLOUR, linewidth=2, label="Henssge nomogram")
        (self.glaister,) = ax.plot([], [], color="tab:orange", linestyle="--", label="Glaister rule of thumb")
        ax.axvline(measured_c, color="black", linestyle=":", label=f"measured {measured_c:.1f} °C")
        self.beyond = ax.axvspan(0, 0, color="lightgrey", zorder=0, label="beyond Henssge's method (Q ≤ 0.2)")
        self.figure.legend(loc="outside upper center", ncols=3, frameon=False, fontsize=9)
        self.animated = [self.beyond, self.band, self.henssge, self.glaister]

    def show(self, warm: np.ndarray, henssge: list, glaister: list, limit_c: float) -> None:
        """``henssge``: rows (hours, earliest, latest) at the temperatures ``warm``, warmer than ``limit_c``
        (Q = 0.2: colder is shaded); ``glaister``: rows (temperature, hours)."""
        coldest = self.ax.get_xlim()[1]
        self.beyond.set(x=coldest, width=limit_c - coldest)
        hours, earliest, latest = np.transpose(henssge)
        self.band.set_data(warm, earliest, latest)
        self.henssge.set_data(warm, hours)
        self.glaister.set_data(*np.transpose(glaister))


class TriangulationPlot:
    """The two tape circles from fixed points A = (0, 0), B = (baseline, 0) and where they cross, at 1:1 scale
    on a view that holds every tape the sliders allow; an item beyond it is marked at the edge."""

    def __init__(self) -> None:
        self.figure = figure(8, 5.6)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.94)
        ax = self.figure.subplots()
        ax.set(xlim=VIEW[:, 0], ylim=VIEW[:, 1], aspect="equal", xlabel="along the wall A→B (m)")
        ax.set(title="Triangulation from two fixed points", ylabel="into the room (m)")
        self.circle_a = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:blue", label="tape from A"))
        self.circle_b = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:green", label="tape from B"))
        (self.wall,) = ax.plot([], [], "ks-", linewidth=2)
        (self.tapes,) = ax.plot([], [], color="grey", linestyle=":")
        (self.star,) = ax.plot([], [], **STAR, label="item")
        ax.annotate("A", (0, 0), xytext=(-12, -14), **POINTS)
        self.b = ax.annotate("B", (0, 0), xytext=(4, -14), **POINTS)
        self.legend = ax.legend(loc="upper right", fontsize=8)
        self.animated = [self.circle_a, self.circle_b, self.wall, self.tapes, self.star, self.b, self.legend]

    def show(self, baseline_m: float, r_a_m: float, r_b_m: float, x: float, y: float) -> None:
        self.circle_a.set_radius(r_a_m)
        self.circle_b.set(center=(baseline_m, 0), radius=r_b_m)
        self.wall.set_data([0, baseline_m], [0, 0])
        self.b.xy = (baseline_m, 0)
        self.tapes.set_data([0, x, baseline_m], [0, y, 0])  # towards an item beyond the view, too
        shown = np.clip((x, y), *VIEW)  # an item beyond the view is starred at its edge
        self.star.set_data(shown[:1], shown[1:])
        beyond = ": beyond the edge" if (shown != (x, y)).any() else ""
        self.legend.get_texts()[-1].set_text(f"item ({x:.2f}, {y:.2f}) m{beyond}")


class CustodyPlot:
    """One row per exhibit of the whole ``log``, one dot per register entry at its UTC time; flagged in red.

    Every exhibit has its row; a change shows the entries of the exhibits chosen (thin lines in ``seq`` order,
    ``seq`` numbers, dots) and colours the dots by the trainee's flags.
    """

    def __init__(self, log: pd.DataFrame) -> None:
        items = log["item_id"].nunique()
        self.figure = figure(10, 0.45 * items + 1.2, layout="constrained")
        ax = self.figure.subplots()
        ax.set(ylim=(items - 0.4, -0.6), xlabel="time (UTC)")  # one row per exhibit, the first on top
        ax.set_title('Each dot a register entry, its seq above it ("2,3": same time); red = flagged')
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7, tz="UTC"))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz="UTC"))
        utc = mdates.date2num(pd.to_datetime(log["timestamp"], utc=True, format="ISO8601"))
        self.rows = {}  # item_id -> its seqs; its line in seq order (a step back shows), dots, seq numbers
        for item_id, rows in log.assign(utc=utc).sort_values("seq").groupby("item_id"):
            (line,) = ax.plot(rows["utc"], rows["item_id"], color="lightgrey", linewidth=1, zorder=0)
            parts = [line, ax.scatter(rows["utc"], rows["item_id"], zorder=2)]
            labels = rows.groupby("utc")["seq"].agg(lambda seqs: ",".join(map(str, seqs)))
            for at, seqs in labels.items():  # entries at the same time share one label
                parts.append(
                    ax.annotate(seqs, (at, item_id), xytext=(0, 6), ha="center", fontsize=7, **POINTS)
                )
            self.rows[item_id] = (rows["seq"].tolist(), parts)
        self.animated = [part for _, parts in self.rows.values() for part in parts]

    def show(self, chosen: Collection[str], flagged: Collection[tuple[str, int]]) -> None:
        """Show the exhibits ``chosen`` (the others' rows stay empty), ``flagged`` entries in red."""
        for item_id, (seqs, parts) in self.rows.items():
            for part in parts:
                part.set_visible(item_id in chosen)
            red = [
                (item_id, seq) in flagged for seq in seqs
            ]  # red dots 9 points wide, the others 6 (81, 36 pt²)
            parts[1].set(color=np.where(red, DEFECT_COLOUR, OK_COLOUR), sizes=np.where(red, 81, 36))
