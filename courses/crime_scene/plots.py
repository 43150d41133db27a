"""Figures of the crime-scene explorers: each class builds ONE figure on fixed axes and keeps the artists that
change (``animated``, so a change is blitted); ``show(...)`` puts the numbers of the trainee's functions into them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

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
NOTE = {"fontsize": 8, "color": DROP_COLOUR, "bbox": {"facecolor": "white", "edgecolor": DROP_COLOUR}}
HOURS = 96  # the fixed hours axis of the cooling figure (the reference answers stay under it up to 195 kg)
REACH = 8.5  # the triangulation view holds every tape the sliders allow (8 m) around A and B


def _runs(points: Iterable[tuple[float, object]], close: float) -> list[list[tuple[float, object]]]:
    """``points`` (sorted by their number) split into runs of neighbours closer than ``close``."""
    runs: list[list[tuple[float, object]]] = []
    for point in points:
        if runs and point[0] - runs[-1][-1][0] < close:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


class StainPlot:
    """Left: the stain from above (an ellipse, to scale). Right: a side view of the drop's path."""

    def __init__(self, max_mm: float = 20.0) -> None:
        self.figure = figure(9, 3.6)
        self.figure.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.9, wspace=0.12)
        self.top, self.side = self.figure.subplots(1, 2)
        half = max_mm / 2 * 1.3  # one scale for every slider position: a bigger stain looks bigger
        self.top.set(
            xlim=(-half, half), ylim=(-half, half), aspect="equal", title="Stain from above (to scale)"
        )
        self.top.set(xlabel="length direction (mm)", ylabel="width direction (mm)")
        self.ellipse = self.top.add_patch(Ellipse((0, 0), 1, 1, facecolor=DROP_COLOUR, alpha=0.7))
        self.size = self.top.text(0.03, 0.97, "", transform=self.top.transAxes, va="top")
        self.side.set(xlim=(-1.2, 0.3), ylim=(-0.1, 1.1), aspect="equal", xticks=[], yticks=[])
        self.side.set(
            title="Side view: the drop arrives at the impact angle", ylabel="height above the floor"
        )
        self.side.set_xlabel("floor, seen from the side (a sketch: no scale)")
        self.side.axhline(0, color="black", linewidth=2)
        (self.path,) = self.side.plot([], [], color=DROP_COLOUR, linewidth=2, label="path of the drop")
        (self.arc,) = self.side.plot([], [], color="black", linewidth=1)
        self.angle = self.side.text(-1.15, 0.95, "", va="top")
        self.legend = self.side.legend(loc="upper right")
        self.animated = [self.ellipse, self.size, self.path, self.arc, self.angle, self.legend]

    def show(self, width_mm: float, length_mm: float, angle_deg: float | None) -> None:
        self.ellipse.set(width=length_mm, height=width_mm)
        self.size.set_text(f"W = {width_mm:.1f} mm, L = {length_mm:.1f} mm")
        drawn = angle_deg is not None and math.isfinite(angle_deg)
        for artist in (self.path, self.arc, self.legend):
            artist.set_visible(drawn)
        if angle_deg is None:
            self.angle.set_text("no angle (see the message above)")
        else:
            self.angle.set_text(f"impact angle = {angle_deg:.1f}°" + ("" if drawn else ": cannot be drawn"))
        if drawn:
            rad = math.radians(angle_deg)
            self.path.set_data([-math.cos(rad), 0], [math.sin(rad), 0])
            arc = np.radians(np.linspace(180 - angle_deg, 180, 30))
            self.arc.set_data(0.3 * np.cos(arc), 0.3 * np.sin(arc))


class ConvergencePlot:
    """Top view of the selected stains' lines and their convergence point; side view of the strings."""

    def __init__(self, stains: pd.DataFrame) -> None:
        self.figure = figure(10, 4.2)
        top = self.top = self.figure.add_axes((0.06, 0.12, 0.4, 0.8))
        side = self.side = self.figure.add_axes((0.53, 0.12, 0.44, 0.8))  # room for the long title
        top.set(xlim=(-60, 340), ylim=(-80, 260), aspect="equal", xlabel="x (cm)", ylabel="y (cm)")
        top.set_title("Top view: stain lines (grey) and area of convergence", pad=10)  # clear of the top tick
        self.stains = stains.set_index("stain_id")
        reach = np.array([-250.0, 40.0])  # each line backwards (towards the source) and a little forwards
        self.stain_lines = {
            stain.stain_id: np.column_stack(
                [stain.x_cm + reach * math.cos(r), stain.y_cm + reach * math.sin(r)]
            )
            for stain, r in zip(stains.itertuples(), np.radians(stains["gamma_deg"]), strict=True)
        }
        offset = {"xytext": (4, 4), **POINTS}
        self.names = {sid: top.annotate(sid, (s.x_cm, s.y_cm), **offset) for sid, s in self.stains.iterrows()}
        self.lines = top.add_collection(LineCollection([], colors="grey", linewidths=1), autolim=False)
        (self.dots,) = top.plot([], [], "o", color=DROP_COLOUR)
        (self.star,) = top.plot([], [], **STAR, label="convergence")
        self.legend = top.legend(loc="upper right", fontsize=9)
        side.set(xlim=(0, 150), ylim=(0, 60), ylabel="height above the floor (cm)")
        side.set_xlabel("distance from the convergence point on the floor (cm)")
        side.set_title("Side view: strings rise to the origin (a maximum height)", pad=10)
        self.strings = side.add_collection(
            LineCollection([], colors=DROP_COLOUR, linewidths=1), autolim=False
        )
        self.median = side.axhline(0, color="grey", linestyle=":")
        self.median_text = side.annotate("", (2, 0), xytext=(0, 4), **POINTS)
        self.off_chart = side.text(0.98, 0.97, "", transform=side.transAxes, ha="right", va="top", **NOTE)
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1}
        self.feet = [side.annotate("", (0, 0), bbox=box, fontsize=8, **offset) for _ in self.names]
        self.side_top: float | None = None
        self.animated = [self.lines, self.dots, self.star, *self.names.values(), self.legend, self.strings]
        self.animated += [self.median, self.median_text, self.off_chart, *self.feet]

    def show(
        self,
        chosen: Sequence[str],
        point: tuple[float, float] | None,
        strings: Sequence[tuple[str, float, float]],
    ) -> None:
        """``strings``: ``(stain_id, distance_cm, height_cm)``, a string from the stain at ``distance_cm`` from
        the convergence point up to ``height_cm`` above it."""
        shown = [stain_id for stain_id in self.stain_lines if stain_id in set(chosen)]
        self.lines.set_segments([self.stain_lines[stain_id] for stain_id in shown])
        self.dots.set_data(self.stains.loc[shown, "x_cm"], self.stains.loc[shown, "y_cm"])
        for stain_id, name in self.names.items():
            name.set_visible(stain_id in shown)
        self.star.set_data(*(([], []) if point is None else ([point[0]], [point[1]])))
        self.legend.set_visible(point is not None)
        if point is not None:
            self.legend.get_texts()[0].set_text(f"convergence ({point[0]:.1f}, {point[1]:.1f}) cm")
        ordered = sorted(strings, key=lambda string: string[1])
        self.strings.set_segments([[(distance, 0), (0, height)] for _, distance, height in ordered])
        finite = [height for _, _, height in strings if math.isfinite(height)]
        if self.side_top is None and finite:  # the first heights set the scale; it then stays for comparison
            self.side_top = min(400.0, 20 * math.ceil(max([60.0] + [1.3 * h for h in finite]) / 20))
            self.side.set_ylim(0, self.side_top)
        self.median.set_visible(bool(finite))
        self.median_text.set_visible(bool(finite))
        if finite:
            median = float(np.median(finite))
            self.median.set_ydata([median, median])
            self.median_text.xy = (2, median)
            self.median_text.set_text(f"median height {median:.0f} cm")
        top = self.side.get_ylim()[1]
        above = [f"{stain_id} {height:.0f} cm" for stain_id, _, height in ordered if not height <= top]
        self.off_chart.set(text="off the chart: " + ", ".join(above), visible=bool(above))
        # one label per run of feet closer than 7 cm: the names one above the other, the nearest at the bottom
        runs = _runs(((distance, stain_id) for stain_id, distance, _ in ordered), 7.0)
        for label, run in itertools.zip_longest(self.feet, runs, fillvalue=[(math.nan, "")]):
            label.set(
                text="\n".join(stain_id for _, stain_id in reversed(run)), visible=math.isfinite(run[0][0])
            )
            label.xy = (run[0][0], 0)


class CoolingPlot:
    """Estimated hours since death against the rectal temperature: Henssge with 95 % band, Glaister's line.

    Both axes are fixed (37.5 °C down to ``coldest_c``, 0 to ``HOURS``): a slider moves the curves against the
    same scale, and a note names any estimate beyond the chart. Colder than the limit (Q = 0.2) Henssge's
    method stops, and no body cools below the room: both ranges are shaded with a note.
    """

    def __init__(self, measured_c: float, coldest_c: float = 0.0) -> None:
        self.figure = figure(8, 4.7, layout="constrained")
        self.ax = ax = self.figure.subplots()
        ax.set(xlim=(37.5, coldest_c), ylim=(0, HOURS), xlabel="rectal temperature (°C)")  # hot to cold
        ax.set(
            ylabel="time since death (hours)", title="How long ago? Two estimates for the same temperature"
        )
        ax.xaxis.set_major_locator(MultipleLocator(5))
        ax.yaxis.set_major_locator(MultipleLocator(12))
        ax.grid(color="0.92", linewidth=0.8)
        self.band = ax.fill_between(
            [0, 0], 0, 0, color=OK_COLOUR, alpha=0.2, linewidth=0, label="Henssge 95 % limits"
        )
        (self.henssge,) = ax.plot([], [], color=OK_COLOUR, linewidth=2, label="Henssge nomogram")
        (self.glaister,) = ax.plot([], [], color="tab:orange", linestyle="--", label="Glaister rule of thumb")
        ax.axvline(measured_c, color="black", linestyle=":", label=f"measured {measured_c:.1f} °C")
        self.figure.legend(loc="outside upper center", ncols=4, frameon=False, fontsize=9)
        note = {"rotation": 90, "ha": "center", "va": "top", "fontsize": 8, "color": "dimgrey"}
        note |= {"multialignment": "center", "transform": ax.get_xaxis_transform()}
        self.shades = [  # beyond Henssge's method, then colder than the room: each shaded, with a note
            (ax.axvspan(0, 0, color=colour, alpha=alpha, zorder=0), ax.text(0, 0.98, "", **note))
            for colour, alpha in (("lightgrey", 0.5), ("whitesmoke", 1.0))
        ]
        self.off_chart = ax.text(0.98, 0.03, "", transform=ax.transAxes, ha="right", **NOTE)  # no curve there
        self.animated = [*(part for shade in self.shades for part in shade), self.band, self.henssge]
        self.animated += [self.glaister, self.off_chart]

    def show(
        self,
        temps: np.ndarray,
        henssge: np.ndarray,
        band: np.ndarray,
        glaister: np.ndarray,
        limit_c: float,
        room_c: float,
    ) -> None:
        """Hours at each of ``temps`` (NaN: no answer), ``band`` with the two limits as columns. Colder than
        ``limit_c`` Henssge does not apply (greyed out); ``room_c``: the room temperature."""
        henssge, band = henssge.copy(), band.copy()
        henssge[temps < limit_c - 1e-9] = band[temps < limit_c - 1e-9] = np.nan
        beyond = f"colder than {limit_c:.1f} °C (Q ≤ 0.2):\nno reliable Henssge estimate"
        below_room = f"colder than the room ({room_c:.1f} °C):\na body does not cool below it"
        coldest, coldest_shown = min(temps.min(), limit_c, room_c), self.ax.get_xlim()[1]
        ranges = [(limit_c, coldest, beyond), (room_c, coldest_shown, below_room)]  # warm end, cold end, note
        for (span, note), (warm, cold, text) in zip(self.shades, ranges, strict=True):
            span.set(x=cold, width=warm - cold, visible=warm > cold)
            note.set(x=(warm + cold) / 2, text=text, visible=warm > cold)
        self.band.set_data(temps, band[:, 0], band[:, 1])
        self.henssge.set_data(temps, henssge)
        self.glaister.set_data(temps, glaister)
        outside = [
            f"{name} reaches {hours[np.nanargmax(abs(hours - HOURS / 2))]:.0f} h"
            for name, hours in (("Henssge", np.append(henssge, band)), ("Glaister", glaister))
            if ((hours < 0) | (hours > HOURS)).any()  # NaN compares False: no answer is not outside
        ]
        self.off_chart.set(text=f"off the chart (0-{HOURS} h): " + ", ".join(outside), visible=bool(outside))


class TriangulationPlot:
    """The two tape circles from fixed points A = (0, 0), B = (baseline, 0) and where they cross, at 1:1 scale
    on a view that holds every tape the sliders allow; an item beyond it is marked at the edge."""

    def __init__(self) -> None:
        self.figure = figure(8, 5.6)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.94)
        ax = self.ax = self.figure.subplots()
        ax.set(
            xlim=(-REACH, 8 + REACH), ylim=(-REACH, REACH), aspect="equal", xlabel="along the wall A→B (m)"
        )
        ax.set(title="Triangulation from two fixed points", ylabel="into the room (m)")
        self.circle_a = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:blue", label="from A"))
        self.circle_b = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:green", label="from B"))
        (self.wall,) = ax.plot([], [], "ks-", linewidth=2)
        (self.tapes,) = ax.plot([], [], color="grey", linestyle=":")
        (self.star,) = ax.plot([], [], **STAR, label="item")
        ax.annotate("A", (0, 0), xytext=(-12, -14), **POINTS)
        self.b = ax.annotate("B", (0, 0), xytext=(4, -14), **POINTS)
        self.legend = ax.legend(loc="upper right", fontsize=8)
        self.animated = [self.circle_a, self.circle_b, self.wall, self.tapes, self.star, self.b, self.legend]

    def show(self, baseline_m: float, r_a_m: float, r_b_m: float, point: tuple[float, float] | None) -> None:
        self.circle_a.set_radius(r_a_m)
        self.circle_b.set(center=(baseline_m, 0), radius=r_b_m)
        self.wall.set_data([0, baseline_m], [0, 0])
        self.b.xy = (baseline_m, 0)
        x, y = (math.nan, math.nan) if point is None else point
        self.tapes.set_data([0, x, baseline_m], [0, y, 0])  # towards an item beyond the view, too
        (x_low, x_high), (y_low, y_high) = self.ax.get_xlim(), self.ax.get_ylim()
        edge = (
            [np.clip(x, x_low, x_high)],
            [np.clip(y, y_low, y_high)],
        )  # an item beyond the view: at its edge
        self.star.set_data(*(([], []) if point is None else edge))
        self.legend.legend_handles[2].set_visible(point is not None)  # no star beside "no item"
        item = "no item (see the message above)" if point is None else f"item ({x:.2f}, {y:.2f}) m"
        if not (x_low <= x <= x_high and y_low <= y <= y_high) and math.isfinite(x + y):
            item += ": beyond the edge"
        labels = [f"{r_a_m:.2f} m from A", f"{r_b_m:.2f} m from B", item]
        for text, label in zip(self.legend.get_texts(), labels, strict=True):
            text.set_text(label)


class CustodyPlot:
    """One row per exhibit of the whole ``log``, one dot per register entry at its UTC time; flagged in red.

    The rows, the thin lines in ``seq`` order and the ``seq`` numbers are drawn for the whole register; an
    exhibit left out is covered by a blank row marked "left out". A change moves the dots, colours them by the
    trainee's flags and writes the codes.
    """

    def __init__(self, log: pd.DataFrame) -> None:
        utc = pd.to_datetime(log["timestamp"], utc=True, format="ISO8601")
        entries = log.assign(utc=mdates.date2num(utc), seq=log["seq"].astype(int))
        items = sorted(log["item_id"].unique(), reverse=True)
        entries["level"] = entries["item_id"].map({item_id: level for level, item_id in enumerate(items)})
        height = 0.45 * len(items) + 1.2
        self.figure = figure(10, height)
        self.figure.subplots_adjust(left=0.075, right=0.985, bottom=0.65 / height, top=1 - 0.35 / height)
        ax = self.figure.subplots()
        first, span = entries["utc"].min(), max(entries["utc"].max() - entries["utc"].min(), 1 / 86400)
        ax.set(
            xlim=(first - 0.03 * span, first + 1.03 * span),
            ylim=(-0.6, len(items) - 0.4),
            xlabel="time (UTC)",
        )
        ax.set_yticks(range(len(items)), items)
        ax.set_title(
            'Custody timeline: each dot is a register entry (number = seq; "1,2" = entries close together); '
            "red = flagged",
            fontsize=11,
        )
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7, tz="UTC"))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz="UTC"))
        where = entries[["item_id", "seq", "utc", "level"]].values
        self.entries = {(item, seq): (x, y) for item, seq, x, y in where}  # for the dots
        by_seq = entries.sort_values(["item_id", "seq"]).groupby("item_id")
        lines = [np.column_stack([rows["utc"], rows["level"]]) for _, rows in by_seq]  # a step back shows
        ax.add_collection(LineCollection(lines, colors="lightgrey", linewidths=1, zorder=0), autolim=False)
        self.codes = {}  # (item_id, seq) -> the label for the codes of its run of close entries
        for item_id, rows in entries.sort_values(["item_id", "utc", "seq"]).groupby("item_id"):
            for run in _runs(zip(rows["utc"], rows["seq"], strict=True), 0.012 * span):
                at, seqs = ((run[0][0] + run[-1][0]) / 2, rows["level"].iloc[0]), [seq for _, seq in run]
                ax.annotate(",".join(map(str, seqs)), at, xytext=(0, 6), ha="center", fontsize=7, **POINTS)
                left = at[0] > first + 0.8 * span  # near the right edge: written to the left
                side = {"xytext": (-6, -12), "ha": "right"} if left else {"xytext": (6, -12)}
                codes = ax.annotate("", at, fontsize=8, color=DEFECT_COLOUR, **side, **POINTS)
                self.codes |= {(item_id, seq): codes for seq in seqs}
        left_out = {"va": "center", "fontsize": 8, "color": "grey", "style": "italic", "zorder": 1.6}
        self.covers = {  # a blank row marked "left out"
            item_id: (
                ax.axhspan(level - 0.49, level + 0.49, 0.002, 0.998, color="white", linewidth=0, zorder=1.5),
                ax.text(0.005, level, "left out", transform=ax.get_yaxis_transform(), **left_out),
            )
            for level, item_id in enumerate(items)
        }
        self.dots = ax.scatter([], [], zorder=2)
        self.animated = [part for cover in self.covers.values() for part in cover] + [self.dots]
        self.animated += list(dict.fromkeys(self.codes.values()))

    def show(self, chosen_items: Iterable[str], flagged: Iterable[tuple[str, int, str]]) -> None:
        """Show the exhibits ``chosen_items`` (the others are left out), the ``flagged`` entries in red."""
        chosen = set(chosen_items)
        for item_id, cover in self.covers.items():
            for artist in cover:
                artist.set_visible(item_id not in chosen)
        codes: dict[tuple[str, int], list[str]] = {}
        for item_id, seq, code in flagged:
            codes.setdefault((item_id, seq), []).append(code)
        shown = [(key, at) for key, at in self.entries.items() if key[0] in chosen]
        red = [key in codes for key, _ in shown]
        self.dots.set_offsets(np.array([at for _, at in shown]).reshape(-1, 2))
        self.dots.set_color([DEFECT_COLOUR if flag else OK_COLOUR for flag in red])
        self.dots.set_sizes([81 if flag else 36 for flag in red])  # marker sizes 9 and 6 points
        written: dict = {label: [] for label in self.codes.values()}  # label -> (seq, codes) of its flagged
        for (item_id, seq), found in sorted(codes.items()):
            if item_id in chosen and (item_id, seq) in self.codes:
                written[self.codes[item_id, seq]].append((seq, ", ".join(sorted(found))))
        for label, parts in written.items():  # close entries share a label: then each code says its seq
            text = parts[0][1] if len(parts) == 1 else "; ".join(f"#{seq} {found}" for seq, found in parts)
            label.set(text=text, visible=bool(parts))
