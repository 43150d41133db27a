"""Figures of the crime-scene explorers: each class builds ONE figure (matplotlib's own ticks, titles and legends)
and keeps the artists that change; ``show(...)`` puts new numbers into them. The explorer in
:mod:`courses.crime_scene.widgets` then redraws the canvas.

The figures only draw numbers they are given: the graded calculations come from the trainee's own functions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, Ellipse, Rectangle
from matplotlib.ticker import MaxNLocator, MultipleLocator

from courses.explorers import figure

DEFECT_COLOUR, OK_COLOUR, DROP_COLOUR = "tab:red", "tab:blue", "darkred"
STAR = {"marker": "*", "color": "gold", "markersize": 16, "markeredgecolor": "black", "linestyle": "none"}


def _finite(*values: float) -> bool:
    return all(math.isfinite(value) for value in values)


def _step_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (axis limits change in steps, not with every move)."""
    return step * math.ceil(value / step - 1e-9)


def _limits(ax: Axes, x: tuple[float, float], y: tuple[float, float]) -> None:
    """Set the limits of ``ax`` only if they change (new limits make the whole figure redraw, not a blit)."""
    if (ax.get_xlim(), ax.get_ylim()) != (tuple(x), tuple(y)):
        ax.set(xlim=x, ylim=y)


class StainPlot:
    """Left: the stain from above (an ellipse, to scale). Right: a side view of the drop's path."""

    def __init__(self, max_mm: float = 20.0) -> None:
        self.figure = figure(9, 3.6)
        self.figure.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.9, wspace=0.12)
        self.top, self.side = self.figure.subplots(1, 2)
        half = max_mm / 2 * 1.3  # one scale for every slider position: a bigger stain looks bigger
        self.top.set(
            xlim=(-half, half),
            ylim=(-half, half),
            aspect="equal",
            title="Stain from above (to scale)",
            xlabel="length direction (mm)",
            ylabel="width direction (mm)",
        )
        self.ellipse = self.top.add_patch(Ellipse((0, 0), 1, 1, facecolor=DROP_COLOUR, alpha=0.7))
        self.size = self.top.text(0.03, 0.97, "", transform=self.top.transAxes, va="top")
        self.side.set(
            xlim=(-1.2, 0.3),
            ylim=(-0.1, 1.1),
            aspect="equal",
            xticks=[],
            yticks=[],
            title="Side view: the drop arrives at the impact angle",
            xlabel="floor, seen from the side (a sketch: no scale)",
            ylabel="height above the floor",
        )
        self.side.axhline(0, color="black", linewidth=2)
        (self.path,) = self.side.plot([], [], color=DROP_COLOUR, linewidth=2, label="path of the drop")
        (self.arc,) = self.side.plot([], [], color="black", linewidth=1)
        self.angle = self.side.text(-1.15, 0.95, "", va="top")
        self.legend = self.side.legend(loc="upper right")
        self.animated = [self.ellipse, self.size, self.path, self.arc, self.angle, self.legend]

    def show(self, width_mm: float, length_mm: float, angle_deg: float | None) -> None:
        self.ellipse.set(width=length_mm, height=width_mm)
        self.size.set_text(f"W = {width_mm:.1f} mm, L = {length_mm:.1f} mm")
        drawn = angle_deg is not None and _finite(angle_deg)
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
        back = np.array([-250.0, 40.0])  # each line backwards (towards the source) and a little forwards
        self.stain_lines, self.names = {}, {}
        for row in stains.itertuples():
            rad = math.radians(row.gamma_deg)
            self.stain_lines[row.stain_id] = np.column_stack(
                [row.x_cm + back * math.cos(rad), row.y_cm + back * math.sin(rad)]
            )
            self.names[row.stain_id] = top.annotate(
                row.stain_id, (row.x_cm, row.y_cm), xytext=(4, 4), textcoords="offset points"
            )
        self.stains = stains.set_index("stain_id")
        self.lines = top.add_collection(LineCollection([], colors="grey", linewidths=1), autolim=False)
        (self.dots,) = top.plot([], [], "o", color=DROP_COLOUR)
        (self.star,) = top.plot([], [], **STAR, label="convergence")
        self.legend = top.legend(loc="upper right", fontsize=9)
        side.set(
            xlim=(0, 150),
            ylim=(0, 60),
            xlabel="distance from the convergence point on the floor (cm)",
            ylabel="height above the floor (cm)",
        )
        side.set_title("Side view: strings rise to the origin (a maximum height)", pad=10)
        self.strings = side.add_collection(
            LineCollection([], colors=DROP_COLOUR, linewidths=1), autolim=False
        )
        self.median = side.axhline(0, color="grey", linestyle=":")
        self.median_text = side.annotate("", (2, 0), xytext=(0, 4), textcoords="offset points")
        self.off_chart = side.text(
            0.98,
            0.97,
            "",
            transform=side.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color=DROP_COLOUR,
            bbox={"facecolor": "white", "edgecolor": DROP_COLOUR},
        )
        feet = {"xytext": (3, 3), "textcoords": "offset points", "fontsize": 8, "visible": False}
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1}
        self.feet = [side.annotate("", (0, 0), bbox=box, **feet) for _ in self.names]  # one per group at most
        self.side_top: float | None = None
        self.animated = [
            self.lines, self.dots, self.star, *self.names.values(), self.legend, self.strings, self.median,
            self.median_text, self.off_chart, *self.feet,
        ]  # fmt: skip

    def show(
        self,
        chosen: Sequence[str],
        point: tuple[float, float] | None,
        strings: Sequence[tuple[str, float, float]],
    ) -> None:
        """``strings`` holds ``(stain_id, distance_cm, height_cm)``: each string rises from the stain, at
        ``distance_cm`` from the convergence point, to ``height_cm`` above it."""
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
            self.side_top = min(400.0, _step_up(max([60.0] + [1.3 * height for height in finite]), 20.0))
            self.side.set_ylim(0, self.side_top)
        median = float(np.median(finite)) if finite else None
        self.median.set_visible(median is not None)
        self.median_text.set_visible(median is not None)
        if median is not None:
            self.median.set_ydata([median, median])
            self.median_text.xy = (2, median)
            self.median_text.set_text(f"median height {median:.0f} cm")
        top = self.side.get_ylim()[1]
        above = [f"{stain_id} {height:.0f} cm" for stain_id, _, height in ordered if not height <= top]
        self.off_chart.set_text("off the chart: " + ", ".join(above) if above else "")
        self.off_chart.set_visible(bool(above))
        groups = _string_feet([(stain_id, distance) for stain_id, distance, _ in ordered], 7.0)
        for label, (text, distance) in itertools.zip_longest(self.feet, groups, fillvalue=("", math.nan)):
            label.set(text=text, visible=math.isfinite(distance))
            label.xy = (distance, 0)


def _string_feet(feet: Sequence[tuple[str, float]], close: float) -> list[tuple[str, float]]:
    """One label per run of strings whose feet (sorted by distance) are closer than ``close`` cm: the names
    one above the other, the nearest at the bottom, at the run's first foot."""
    groups: list[list[tuple[str, float]]] = []
    for stain_id, distance in feet:
        if groups and distance - groups[-1][-1][1] < close:
            groups[-1].append((stain_id, distance))
        else:
            groups.append([(stain_id, distance)])
    return [("\n".join(stain_id for stain_id, _ in reversed(group)), group[0][1]) for group in groups]


class CoolingPlot:
    """Estimated hours since death against the rectal temperature: Henssge with 95 % band, Glaister's line.

    Colder than the limit temperature (Q = 0.2) Henssge's method stops: that range is greyed out with a note.
    The temperature axis is fixed (from 37 °C down to ``coldest_c``, the coldest room the controls allow) and
    the hours axis grows only in whole days, so moving a slider shows the curves move against the same scale.
    """

    def __init__(self, measured_c: float, coldest_c: float = 0.0, hours: float = 72.0) -> None:
        self.figure = figure(8, 4.7)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.11, top=0.865)
        self.ax = ax = self.figure.subplots()
        self.min_hours = hours
        ax.set(
            xlim=(37.5, math.floor(coldest_c)),
            ylim=(0, hours),
            xlabel="rectal temperature (°C)",
            ylabel="time since death (hours)",
        )  # hot to cold, as the body cools
        ax.set_title("How long ago? Two estimates for the same temperature", pad=28)
        ax.xaxis.set_major_locator(MultipleLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1.2, 2.4, 4.8, 6]))  # 12 h, 24 h ...
        ax.grid(color="0.92", linewidth=0.8)
        ax.axvline(measured_c, color="black", linestyle=":", label=f"measured {measured_c:.1f} °C")
        self.beyond = ax.axvspan(0, 0, color="lightgrey", alpha=0.5, zorder=0, visible=False)
        self.below_room = ax.axvspan(0, 0, color="whitesmoke", zorder=0, visible=False)
        self.band = ax.fill_between(
            [0, 0], 0, 0, color=OK_COLOUR, alpha=0.2, linewidth=0, label="Henssge 95 % limits"
        )
        (self.henssge,) = ax.plot([], [], color=OK_COLOUR, linewidth=2, label="Henssge nomogram")
        (self.glaister,) = ax.plot([], [], color="tab:orange", linestyle="--", label="Glaister rule of thumb")
        handles, labels = ax.get_legend_handles_labels()
        order = [1, 2, 3, 0]  # band, Henssge, Glaister, measured: one row between the title and the plot
        ax.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=4,
            frameon=False,
            borderaxespad=0.2,
            fontsize=9,
            handlelength=1.8,
            columnspacing=1.2,
        )
        note = {
            "rotation": 90,
            "ha": "center",
            "va": "top",
            "fontsize": 8,
            "color": "dimgrey",
            "multialignment": "center",
            "transform": ax.get_xaxis_transform(),
        }
        self.beyond_note, self.below_room_note = ax.text(0, 0.98, "", **note), ax.text(0, 0.98, "", **note)
        self.animated = [self.beyond, self.below_room, self.beyond_note, self.below_room_note, self.band]
        self.animated += [self.henssge, self.glaister]

    def show(
        self,
        rectal_c: Sequence[float],
        henssge_h: Sequence[float | None],
        glaister_h: Sequence[float | None],
        band_h: Sequence[tuple[float, float] | None],
        limit_c: float,
        room_c: float,
    ) -> None:
        """``limit_c``: colder than this Henssge's method does not apply (greyed out); ``room_c``: the room
        temperature, below which the body cannot cool (shaded and labelled)."""
        temps = np.asarray(rectal_c, dtype=float)

        def series(values: Iterable[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        low, high = series(b[0] if b else None for b in band_h), series(b[1] if b else None for b in band_h)
        henssge, glaister = series(henssge_h), series(glaister_h)
        coldest = min(float(temps.min()), limit_c, room_c)
        outside = temps < limit_c - 1e-9
        henssge[outside] = low[outside] = high[outside] = np.nan
        self.beyond.set(x=coldest, width=limit_c - coldest, visible=True)
        self.beyond_note.set(
            x=(coldest + limit_c) / 2,
            text=f"colder than {limit_c:.1f} °C (Q ≤ 0.2):\nno reliable Henssge estimate",
        )
        coldest_shown = self.ax.get_xlim()[1]
        below = room_c > coldest_shown
        self.below_room.set(x=room_c, width=coldest_shown - room_c, visible=below)
        self.below_room_note.set(
            x=(room_c + coldest_shown) / 2,
            visible=below,
            text=f"colder than the room ({room_c:.1f} °C):\na body does not cool below it",
        )
        self.band.set_data(temps, low, high)
        self.henssge.set_data(temps, henssge)
        self.glaister.set_data(temps, glaister)
        drawn = np.concatenate([henssge, high, glaister, [0.0]])
        longest = float(np.nanmax(drawn[np.isfinite(drawn)])) if np.isfinite(drawn).any() else 0.0
        _limits(
            self.ax, self.ax.get_xlim(), (0, max(self.min_hours, _step_up(longest * 1.05, 24.0)))
        )  # in days


class TriangulationPlot:
    """The two tape circles from fixed points A = (0, 0), B = (baseline, 0) and where they cross."""

    def __init__(self) -> None:
        self.figure = figure(6.5, 5.5)
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.1, top=0.93)
        self.ax = ax = self.figure.subplots()
        ax.set(
            title="Triangulation from two fixed points",
            xlabel="along the wall A→B (m)",
            ylabel="into the room (m)",
        )
        self.circle_a = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:blue", label="from A"))
        self.circle_b = ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:green", label="from B"))
        (self.wall,) = ax.plot([], [], "ks-", linewidth=2)
        (self.tapes,) = ax.plot([], [], color="grey", linestyle=":")
        (self.star,) = ax.plot([], [], **STAR, label="item")
        ax.annotate("A", (0, 0), xytext=(-12, -14), textcoords="offset points")
        self.b = ax.annotate("B", (0, 0), xytext=(4, -14), textcoords="offset points")
        self.legend = ax.legend(loc="upper right", fontsize=8)
        self.animated = [self.circle_a, self.circle_b, self.wall, self.tapes, self.star, self.b, self.legend]

    def show(self, baseline_m: float, r_a_m: float, r_b_m: float, point: tuple[float, float] | None) -> None:
        self.circle_a.set_radius(r_a_m)
        self.circle_b.set(center=(baseline_m, 0), radius=r_b_m)
        self.wall.set_data([0, baseline_m], [0, 0])
        self.b.xy = (baseline_m, 0)
        self.tapes.set_data(*(([], []) if point is None else ([0, point[0], baseline_m], [0, point[1], 0])))
        self.star.set_data(*(([], []) if point is None else ([point[0]], [point[1]])))
        item = (
            "no item (see the message above)" if point is None else f"item ({point[0]:.2f}, {point[1]:.2f}) m"
        )
        self.legend.legend_handles[2].set_visible(point is not None)  # no star beside "no item"
        for text, label in zip(
            self.legend.get_texts(), [f"{r_a_m:.2f} m from A", f"{r_b_m:.2f} m from B", item], strict=True
        ):
            text.set_text(label)
        # three scales only (a slider move rarely changes the scale)
        needed = max(r_a_m, r_b_m, baseline_m) + 0.5
        reach = next((size for size in (3.0, 5.0, 9.0) if needed <= size), _step_up(needed, 4.0))
        x_low, x_high, y_half = -reach, 2 * reach, reach
        width_in, height_in = self.figure.get_size_inches() * self.ax.get_position(original=True).size
        if (x_high - x_low) / (2 * y_half) > width_in / height_in:  # 1:1 scale: widen the shorter side
            y_half = (x_high - x_low) * height_in / width_in / 2
        else:
            extra = (2 * y_half * width_in / height_in - (x_high - x_low)) / 2
            x_low, x_high = x_low - extra, x_high + extra
        _limits(self.ax, (x_low, x_high), (-y_half, y_half))


class CustodyPlot:
    """One row per exhibit of the whole ``log``, one dot per register entry at its UTC time; flagged in red.

    The rows, the time axis, the thin lines in ``seq`` order and the ``seq`` numbers are drawn for the whole
    register (they do not depend on the trainee's function); an exhibit left out is covered by a blank row
    marked "left out". Each change moves the dots, colours them by the trainee's flags and writes the codes.
    """

    def __init__(self, log: pd.DataFrame) -> None:
        times = pd.to_datetime(log["timestamp"], utc=True, format="ISO8601")
        self.items = sorted(log["item_id"].unique(), reverse=True)
        levels = {item_id: level for level, item_id in enumerate(self.items)}
        height = 0.45 * len(self.items) + 1.2
        self.figure = figure(10, height)
        self.figure.subplots_adjust(left=0.075, right=0.985, bottom=0.65 / height, top=1 - 0.35 / height)
        self.ax = ax = self.figure.subplots()
        span = max((times.max() - times.min()).total_seconds(), 1.0)
        margin = pd.Timedelta(seconds=0.03 * span)
        ax.set(
            xlim=(times.min() - margin, times.max() + margin),
            ylim=(-0.6, len(self.items) - 0.4),
            yticks=range(len(self.items)),
            yticklabels=self.items,
            xlabel="time (UTC)",
        )
        ax.set_title(
            'Custody timeline: each dot is a register entry (number = seq; "1,2" = entries close '
            "together); red = flagged",
            fontsize=11,
        )
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7, tz="UTC"))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz="UTC"))
        entries = log.assign(utc=mdates.date2num(times), level=log["item_id"].map(levels))
        self.entries = {  # (item_id, seq) -> (x, level), for the dots
            (item_id, int(seq)): (utc, level)
            for item_id, seq, utc, level in entries[["item_id", "seq", "utc", "level"]].itertuples(False)
        }
        ax.add_collection(  # a thin line per exhibit in seq order shows any step back in time
            LineCollection(
                [
                    np.column_stack([rows["utc"], rows["level"]])
                    for _, rows in entries.sort_values(["item_id", "seq"]).groupby("item_id")
                ],
                colors="lightgrey",
                linewidths=1,
                zorder=0,
            ),
            autolim=False,
        )
        self.codes = {}  # (item_id, seq) -> where the codes of its run of close entries are written
        right = ax.get_xlim()[0] + 0.8 * (ax.get_xlim()[1] - ax.get_xlim()[0])  # codes there go to the left
        for item_id, rows in entries.sort_values(["item_id", "utc", "seq"]).groupby("item_id"):
            for seqs, when in _seq_groups(rows["utc"], rows["seq"], 0.012 * span / 86400):
                at = (when, levels[item_id])
                seq_text = ",".join(str(seq) for seq in seqs)
                ax.annotate(seq_text, at, xytext=(0, 6), textcoords="offset points", ha="center", fontsize=7)
                codes = ax.annotate(
                    "",
                    at,
                    xytext=(-6 if when > right else 6, -12),
                    textcoords="offset points",
                    ha="right" if when > right else "left",
                    fontsize=8,
                    color=DEFECT_COLOUR,
                )
                self.codes.update(((item_id, seq), codes) for seq in seqs)
        self.covers = {  # item_id -> the blank cover of its row, marked "left out"
            item_id: (
                ax.add_patch(
                    Rectangle(
                        (0.002, level - 0.49),
                        0.996,
                        0.98,
                        transform=ax.get_yaxis_transform(),
                        facecolor="white",
                        edgecolor="none",
                        zorder=1.5,
                    )
                ),
                ax.text(
                    0.005,
                    level,
                    "left out",
                    transform=ax.get_yaxis_transform(),
                    va="center",
                    fontsize=8,
                    color="grey",
                    style="italic",
                    zorder=1.6,
                ),
            )
            for item_id, level in levels.items()
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
            codes.setdefault((str(item_id), int(seq)), []).append(str(code))
        points, colours, sizes = [], [], []
        written: dict = {label: [] for label in self.codes.values()}  # label -> (seq, codes) of its flagged
        for (item_id, seq), (when, level) in self.entries.items():
            found = codes.get((item_id, seq)) if item_id in chosen else None
            if item_id in chosen:
                points.append((when, level))
                colours.append(DEFECT_COLOUR if found else OK_COLOUR)
                sizes.append(81 if found else 36)  # marker sizes 9 and 6 points
            if found:
                written[self.codes[item_id, seq]].append((seq, ", ".join(sorted(found))))
        for label, parts in written.items():  # close entries share a label: then each code says its seq
            text = (
                parts[0][1]
                if len(parts) == 1
                else "; ".join(f"#{seq} {found}" for seq, found in sorted(parts))
            )
            label.set(text=text if parts else "", visible=bool(parts))
        self.dots.set_offsets(np.array(points).reshape(-1, 2))
        self.dots.set_color(colours)
        self.dots.set_sizes(sizes)


def _seq_groups(times: Iterable[float], seqs: Iterable[int], close: float) -> list[tuple[list[int], float]]:
    """The runs of entries closer than ``close`` (in time order): ([2, 3], the middle of the run)."""
    groups: list[list[tuple[float, int]]] = []
    for when, seq in zip(times, seqs, strict=True):
        if groups and when - groups[-1][-1][0] < close:
            groups[-1].append((when, seq))
        else:
            groups.append([(when, seq)])
    return [([seq for _, seq in group], (group[0][0] + group[-1][0]) / 2) for group in groups]
