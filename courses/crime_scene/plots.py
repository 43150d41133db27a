"""Figures for the crime-scene notebooks and widgets.

Each widget keeps one *view* (``StainView``, ``ConvergenceView``, ...): the figure, its axes and fixed texts
are built once, and ``view.update(...)`` only replaces what the controls change, then ``view.png()`` draws a
frame (see :mod:`courses.blitting`). Margins are fixed and axis limits change in steps, so a
slider move redraws only the data. matplotlib takes a millisecond or more to lay out and draw a text, so the
figures' texts (titles, axis labels, tick numbers, legend labels, notes) are not drawn by it:
:func:`courses.sprites.text_sprite` renders each text once with FreeType, as matplotlib would, and ``png()``
pastes it onto the frame.

The figures only draw numbers they are given: the graded calculations come from the trainee's own functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, Patch, Rectangle
from matplotlib.ticker import NullLocator

from courses.blitting import DPI, BlittedFigure, changing, png_bytes
from courses.sprites import BOX_PAD, Placed, Sprite, cut_out, paste, place, text_sprite, tick_marks

DEFECT_COLOUR = "tab:red"
OK_COLOUR = "tab:blue"


class _View:
    """A figure kept by one widget; subclasses add ``update``. ``png()`` draws the current state: the changing
    artists over the kept background, then the labels of :meth:`_labels`."""

    figure: Figure

    def __init__(self, figure: Figure, limits_in_key: bool = True) -> None:
        self.figure = figure
        self._frames = BlittedFigure(figure, limits_in_key=limits_in_key)
        self._transient: list = []

    def png(self) -> bytes:
        frame = self._frames.frame()
        placed = [label for label in self._labels() if math.isfinite(label[1]) and math.isfinite(label[2])]
        return png_bytes(paste(frame, placed))  # a label at a trainee's NaN or infinite number is left out

    def _labels(self) -> Iterable[Placed]:
        """The labels to paste on the frame, placed in display coordinates (the figure is laid out by now)."""
        return ()

    def _keep(self, artist):
        """A changing artist that the next ``update`` removes (drawn every frame until then)."""
        self._transient.append(changing(artist))
        return artist

    def _clear(self) -> None:
        for artist in self._transient:
            artist.remove()
        self._transient = []


def _offset(ax, x: float, y: float, dx_points: float = 0.0, dy_points: float = 0.0) -> tuple[float, float]:
    """Display point of data point (x, y) of ``ax``, moved by (dx, dy) points (like ``textcoords="offset
    points"``)."""
    px, py = ax.transData.transform((x, y))
    return px + dx_points * DPI / 72, py + dy_points * DPI / 72


class _AxesTexts:
    """The title, axis labels and tick numbers of ``ax``, pasted where matplotlib puts them, and its tick
    marks as two lines of markers (``ticks``), without matplotlib's Tick objects (each takes about a
    millisecond to make). ``grid``: grid lines in that style. ``per_frame``: marks and grid drawn with every
    frame (for a figure whose background ignores the axis limits).
    """

    LENGTH, PAD, LABEL_PAD, TITLE_PAD = 3.5, 3.5, 4.0, 6.0  # points, as matplotlib's defaults
    SIZE, TITLE_SIZE = 10.0, 12.0  # the font sizes of numbers and labels, of the title

    def __init__(self, ax, title: str = "", xlabel: str = "", ylabel: str = "", *, ticks: bool = True,
                 grid: dict | None = None, per_frame: bool = False, title_pad: float = TITLE_PAD) -> None:
        self.ax, self.title, self.xlabel, self.ylabel, self.title_pad = ax, title, xlabel, ylabel, title_pad
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(NullLocator())
        self.lines = []
        if ticks:
            self.lines += [tick_marks(ax.xaxis), tick_marks(ax.yaxis)]
        if grid is not None:
            self.lines += [ax.plot([], [], transform=along, zorder=0.5, **grid)[0]
                           for along in (ax.get_xaxis_transform(), ax.get_yaxis_transform())]
        for line in self.lines if per_frame else ():
            changing(line)
        self.ticks = ticks
        self.x: list[tuple[float, str]] = []
        self.y: list[tuple[float, str]] = []

    def set_ticks(self, x: list[tuple[float, str]], y: list[tuple[float, str]]) -> None:
        """The ticks: (value, text) along x and along y."""
        self.x, self.y = x, y
        xs, ys = [value for value, _ in x], [value for value, _ in y]
        self.lines[0].set_data(xs, [0.0] * len(xs))
        self.lines[1].set_data([0.0] * len(ys), ys)
        if len(self.lines) == 4:  # grid: a line through each tick, broken between ticks (NaN)
            self.lines[2].set_data(np.repeat(xs, 3), np.tile([0.0, 1.0, np.nan], len(xs)))
            self.lines[3].set_data(np.tile([0.0, 1.0, np.nan], len(ys)), np.repeat(ys, 3))

    def placed(self) -> list[Placed]:
        """Every text, placed."""
        ax, points = self.ax, DPI / 72
        (left, bottom), (right, top) = ax.transAxes.transform([(0, 0), (1, 1)])
        middle, gap = ((left + right) / 2, (bottom + top) / 2), (self.LENGTH + self.PAD) * points
        along_x, along_y = ax.get_xaxis_transform(), ax.get_yaxis_transform()
        size = self.SIZE
        numbers = [
            place(text_sprite(text, size), along_x.transform((value, 0))[0], bottom - gap, ha="center", va="top")
            for value, text in self.x
        ] + [
            place(text_sprite(text, size), left - gap, along_y.transform((0, value))[1], ha="right", va="center")
            for value, text in self.y
        ]
        widest = max((sprite.pixels.shape[1] for sprite, _, _ in numbers[len(self.x):]), default=0)
        below = (gap + size * points if self.ticks else 0) + self.LABEL_PAD * points  # a number: 1 em high
        beside = (gap + widest if self.ticks else 0) + self.LABEL_PAD * points
        above = top + self.title_pad * points
        texts = [
            (self.title, self.TITLE_SIZE, False, middle[0], above, "center", "baseline"),
            (self.xlabel, size, False, middle[0], bottom - below, "center", "top"),
            (self.ylabel, size, True, left - beside, middle[1], "right", "center"),
        ]
        return numbers + [
            place(text_sprite(text, size, rotated=rotated), x, y, ha=ha, va=va)
            for text, size, rotated, x, y, ha, va in texts if text
        ]


def _numbers(low: float, high: float, step: float) -> list[tuple[float, str]]:
    """The multiples of ``step`` from ``low`` to ``high`` as ticks, written as matplotlib writes them ("−2"
    with a real minus sign, "0", "5")."""
    first, last = math.ceil(min(low, high) / step - 1e-9), math.floor(max(low, high) / step + 1e-9)
    values = step * np.arange(first, last + 1)
    return [(float(value), f"{value + 0.0:g}".replace("-", "\N{MINUS SIGN}")) for value in values]


def _step_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (axis limits change in steps, not with every move)."""
    return step * math.ceil(value / step - 1e-9)


class StainView(_View):
    """Left: the stain from above (an ellipse, to scale). Right: a side view of the drop's path."""

    def __init__(self, max_mm: float = 20.0) -> None:
        fig = Figure(figsize=(9, 3.6))
        fig.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.9, wspace=0.12)
        top, side = fig.subplots(1, 2)
        super().__init__(fig)
        self.top, self.side = top, side
        half = max_mm / 2 * 1.3  # one scale for every slider position: a bigger stain looks bigger
        top.set(xlim=(-half, half), ylim=(-half, half), aspect="equal")
        self.texts = [
            _AxesTexts(top, "Stain from above (to scale)", "length direction (mm)", "width direction (mm)")
        ]
        self.texts[0].set_ticks(_numbers(-half, half, 5), _numbers(-half, half, 5))
        self.ellipse = changing(top.add_patch(Ellipse((0, 0), 1, 1, facecolor="darkred", alpha=0.7)))
        side.axhline(0, color="black", linewidth=2)
        side.set(xlim=(-1.2, 0.3), ylim=(-0.1, 1.1), aspect="equal")
        self.texts.append(
            _AxesTexts(side, "Side view: the drop arrives at the impact angle",
                       "floor, seen from the side (a sketch: no scale)", "height above the floor",
                       ticks=False)
        )
        (self.path,) = side.plot([], [], color="darkred", linewidth=2)
        (self.arc,) = side.plot([], [], color="black", linewidth=1)
        changing(self.path), changing(self.arc)
        handle = Line2D([], [], color="darkred", linewidth=2)
        self.legend = _PastedLegend(side, [handle], ["path of the drop"], size=10, loc="upper right")
        self.size_text = self.angle_text = ""

    def update(self, width_mm: float, length_mm: float, angle_deg: float | None) -> StainView:
        self.ellipse.set_width(length_mm)
        self.ellipse.set_height(width_mm)
        self.size_text = f"W = {width_mm:.1f} mm, L = {length_mm:.1f} mm"
        self.angle_text = "no angle (see the message above)" if angle_deg is None else (
            f"impact angle = {angle_deg:.1f}°"
        )
        shown = angle_deg is not None and math.isfinite(angle_deg)
        for artist in (self.path, self.arc):
            artist.set_visible(shown)
        self.legend.show(["path of the drop"] if shown else None)
        if not shown:
            return self
        rad = math.radians(angle_deg)
        self.path.set_data([-math.cos(rad), 0], [math.sin(rad), 0])
        arc = np.radians(np.linspace(180 - angle_deg, 180, 30))
        self.arc.set_data(0.3 * np.cos(arc), 0.3 * np.sin(arc))
        return self

    def _labels(self) -> list[Placed]:
        size = place(text_sprite(self.size_text), *self.top.transAxes.transform((0.03, 0.97)), va="top")
        angle = place(text_sprite(self.angle_text), *self.side.transData.transform((-1.15, 0.95)))
        return [size, angle, *self.legend.placed(), *self.texts[0].placed(), *self.texts[1].placed()]


class ConvergenceView(_View):
    """Top view of the selected stains' lines and their convergence point; side view of the strings."""

    def __init__(self, stains: pd.DataFrame) -> None:
        fig = Figure(figsize=(10, 4.2))
        top = fig.add_axes((0.06, 0.12, 0.4, 0.8))
        side = fig.add_axes((0.53, 0.12, 0.44, 0.8))  # room on the right for the side view's long title
        super().__init__(fig)
        self.top, self.side = top, side
        top.set(xlim=(-60, 340), ylim=(-80, 260), aspect="equal")
        self.top_texts = _AxesTexts(
            top, "Top view: stain lines (grey) and area of convergence", "x (cm)", "y (cm)"
        )
        self.top_texts.set_ticks(_numbers(-60, 340, 100), _numbers(-80, 260, 100))
        self.side_texts = _AxesTexts(side, "Side view: strings rise to the origin (a maximum height)",
                                     "distance from the convergence point on the floor (cm)",
                                     "height above the floor (cm)")
        self.side_top: float | None = None
        self.stain_lines: dict[str, np.ndarray] = {}  # stain_id -> its line (backwards, towards the source)
        self.stain_points: dict[str, tuple[float, float]] = {}
        back = np.array([-250.0, 40.0])  # each line backwards (towards the source) and a little forwards
        for row in stains.itertuples():
            rad = math.radians(row.gamma_deg)
            self.stain_lines[row.stain_id] = np.column_stack(
                [row.x_cm + back * math.cos(rad), row.y_cm + back * math.sin(rad)]
            )
            self.stain_points[row.stain_id] = (row.x_cm, row.y_cm)
        self.lines = changing(
            top.add_collection(LineCollection([], colors="grey", linewidths=1), autolim=False)
        )
        (self.dots,) = top.plot([], [], "o", color="darkred")
        star = {"marker": "*", "color": "gold", "markersize": 18, "markeredgecolor": "black"}
        (self.star,) = top.plot([], [], linestyle="none", **star)
        changing(self.dots), changing(self.star)
        self.legend = _PastedLegend(top, [Line2D([], [], linestyle="none", **star)],
                                    ["convergence (888.8, 888.8) cm"], size=10, loc="upper right")
        side.set_xlim(0, 150)
        self.strings = changing(
            side.add_collection(LineCollection([], colors="darkred", linewidths=1), autolim=False)
        )
        self.median = changing(side.axhline(0, color="grey", linestyle=":"))
        self.shown: list[str] = []
        self.feet: list[tuple[str, float]] = []  # (label, distance) of each group of strings' feet
        self.median_cm: float | None = None

    def update(
        self,
        chosen: Sequence[str],
        point: tuple[float, float] | None,
        strings: Sequence[tuple[str, float, float]],
    ) -> ConvergenceView:
        """``strings`` holds ``(stain_id, distance_cm, height_cm)``: each string rises from the stain, at
        ``distance_cm`` from the convergence point, to ``height_cm`` above it."""
        self._clear()
        self.shown = [stain_id for stain_id in self.stain_lines if stain_id in set(chosen)]
        self.lines.set_segments([self.stain_lines[stain_id] for stain_id in self.shown])
        points = [self.stain_points[stain_id] for stain_id in self.shown]
        self.dots.set_data([x for x, _ in points], [y for _, y in points])
        self.star.set_visible(point is not None)
        if point is not None:
            self.star.set_data([point[0]], [point[1]])
        self.legend.show(None if point is None else [f"convergence ({point[0]:.1f}, {point[1]:.1f}) cm"])
        side = self.side
        ordered = sorted(strings, key=lambda string: string[1])
        self.strings.set_segments([[(distance, 0), (0, height)] for _, distance, height in ordered])
        self.feet = _string_feet([(stain_id, distance) for stain_id, distance, _ in ordered], 7.0)
        self.median_cm = float(np.median([height for _, _, height in strings])) if strings else None
        self.median.set_visible(self.median_cm is not None)
        if self.median_cm is not None:
            self.median.set_ydata([self.median_cm, self.median_cm])
        if self.side_top is None and strings:  # the first heights set the scale; it then stays for comparison
            highest = max([60.0] + [1.3 * height for _, _, height in strings if math.isfinite(height)])
            self.side_top = min(400.0, _step_up(highest, 20.0))
        top = self.side_top or 60.0
        above = [(stain_id, height) for stain_id, _, height in ordered if height > top]
        if above:  # rare (a first scale too low for later heights): drawn by matplotlib
            self._keep(
                side.text(
                    0.98,
                    0.97,
                    "off the chart: " + ", ".join(f"{name} {height:.0f} cm" for name, height in above),
                    transform=side.transAxes,
                    ha="right",
                    va="top",
                    fontsize=8,
                    color="darkred",
                    bbox={"facecolor": "white", "edgecolor": "darkred", "alpha": 0.9},
                )
            )
        side.set_ylim(0, top)
        self.side_texts.set_ticks(_numbers(0, 150, 50), _numbers(0, top, 20))
        return self

    def _labels(self) -> list[Placed]:
        top, side = self.top, self.side
        names = [
            place(text_sprite(stain_id), *_offset(top, *self.stain_points[stain_id], 4, 4))
            for stain_id in self.shown
        ]
        feet = [
            place(text_sprite(text, 8, box_alpha=0.8), *_offset(side, distance, 0, 3, 3), va="bottom", pad=BOX_PAD)
            for text, distance in self.feet
        ]
        median = [] if self.median_cm is None else [
            place(text_sprite(f"median height {self.median_cm:.0f} cm"), *_offset(side, 2, self.median_cm, 0, 4))
        ]
        ticks = self.top_texts.placed() + self.side_texts.placed()
        return names + self.legend.placed() + feet + median + ticks


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


class CoolingView(_View):
    """Estimated hours since death against the rectal temperature: Henssge with 95 % band, Glaister's line.

    Colder than the limit temperature (Q = 0.2) Henssge's method stops: that range is greyed out with a note.
    The temperature axis is fixed (from 37 °C down to ``coldest_c``, the coldest room the controls allow) and
    the hours axis grows only in whole days, so moving a slider shows the curves move against the same scale.
    """

    def __init__(self, measured_c: float, coldest_c: float = 0.0, hours: float = 72.0) -> None:
        fig = Figure(figsize=(8, 4.7))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.11, top=0.865)
        ax = fig.subplots()
        super().__init__(fig)
        self.ax = ax
        self.min_hours = hours
        ax.set(xlim=(37.5, math.floor(coldest_c)), ylim=(0, hours))  # hot to cold, as the body cools
        self.texts = _AxesTexts(
            ax, "How long ago? Two estimates for the same temperature", "rectal temperature (°C)",
            "time since death (hours)", grid={"color": "0.92", "linewidth": 0.8}, title_pad=24,
        )
        ax.axvline(measured_c, color="black", linestyle=":")
        # the greyed-out ranges, the band and the curves change with every frame; the notes are pasted
        self.beyond = changing(ax.axvspan(0, 0, color="lightgrey", alpha=0.5, zorder=0, visible=False))
        self.below_room = changing(ax.axvspan(0, 0, color="whitesmoke", zorder=0, visible=False))
        self.band = changing(ax.fill_between([0, 0], 0, 0, color=OK_COLOUR, alpha=0.2, linewidth=0))
        (self.henssge,) = ax.plot([], [], color=OK_COLOUR, linewidth=2)
        (self.glaister,) = ax.plot([], [], color="tab:orange", linestyle="--")
        changing(self.henssge), changing(self.glaister)
        self.notes: list[tuple[float, str]] = []  # (temperature, text) of each note
        handles = [
            Patch(color=OK_COLOUR, alpha=0.2),
            Line2D([], [], color=OK_COLOUR, linewidth=2),
            Line2D([], [], color="tab:orange", linestyle="--"),
            Line2D([], [], color="black", linestyle=":"),
        ]
        labels = ["Henssge 95 % limits", "Henssge nomogram", "Glaister rule of thumb",
                  f"measured {measured_c:.1f} °C"]
        # one row between the title and the plot, where the curves never run
        self.legend = _PastedLegend(ax, handles, labels, size=9, loc="lower center",
                                    bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False, borderaxespad=0.2,
                                    handlelength=1.8, columnspacing=1.2)
        self.legend.show(labels)

    def update(
        self,
        rectal_c: Sequence[float],
        henssge_h: Sequence[float | None],
        glaister_h: Sequence[float | None],
        band_h: Sequence[tuple[float, float] | None],
        limit_c: float | None = None,
        room_c: float | None = None,
    ) -> CoolingView:
        """``room_c``: the room temperature, below which the body cannot cool (shaded and labelled)."""
        temps = np.asarray(rectal_c, dtype=float)

        def series(values: Sequence[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        low = series([b[0] if b else None for b in band_h])
        high = series([b[1] if b else None for b in band_h])
        henssge, glaister = series(henssge_h), series(glaister_h)
        self.notes = []
        self.beyond.set_visible(limit_c is not None)
        if limit_c is not None:
            coldest = min([float(temps.min()), limit_c] + ([room_c] if room_c is not None else []))
            outside = temps < limit_c - 1e-9
            henssge[outside] = low[outside] = high[outside] = np.nan
            self.beyond.set(x=coldest, width=limit_c - coldest)
            text = f"colder than {limit_c:.1f} °C (Q ≤ 0.2):\nno reliable Henssge estimate"
            self.notes.append(((coldest + limit_c) / 2, text))
        coldest_shown = self.ax.get_xlim()[1]
        self.below_room.set_visible(room_c is not None and room_c > coldest_shown)
        if room_c is not None and room_c > coldest_shown:
            self.below_room.set(x=room_c, width=coldest_shown - room_c)
            text = f"colder than the room ({room_c:.1f} °C):\na body does not cool below it"
            self.notes.append(((room_c + coldest_shown) / 2, text))
        self.band.set_data(temps, low, high)
        self.henssge.set_data(temps, henssge)
        self.glaister.set_data(temps, glaister)
        drawn = np.concatenate([henssge, high, glaister, [0.0]])
        longest = float(np.nanmax(drawn)) if np.isfinite(drawn).any() else 0.0
        hours = max(self.min_hours, _step_up(longest * 1.05, 24.0))  # whole days: rarely changes
        self.ax.set_ylim(0, hours)
        self.texts.set_ticks(_numbers(*self.ax.get_xlim(), 5), _numbers(0, hours, 12))
        return self

    def _labels(self) -> list[Placed]:
        along_x = self.ax.get_xaxis_transform().transform
        notes = [
            place(text_sprite(text, 8, "dimgrey", align="center", rotated=True), *along_x((x, 0.98)),
                ha="center", va="top")
            for x, text in self.notes
        ]
        return notes + self.texts.placed() + self.legend.placed()


class TriangulationView(_View):
    """The two tape circles from fixed points A = (0, 0), B = (baseline, 0) and where they cross."""

    def __init__(self) -> None:
        fig = Figure(figsize=(6.5, 5.5))
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.1, top=0.93)
        ax = fig.subplots()
        super().__init__(fig, limits_in_key=False)  # ticks drawn per frame, not in the background
        self.ax = ax
        ax.set(aspect="equal")
        self.texts = _AxesTexts(ax, "Triangulation from two fixed points", "along the wall A→B (m)",
                                "into the room (m)", per_frame=True)
        self.circle_a = changing(ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:blue")))
        self.circle_b = changing(ax.add_patch(Circle((0, 0), 1, fill=False, color="tab:green")))
        (self.wall,) = ax.plot([], [], "ks-", linewidth=2)
        (self.tapes,) = ax.plot([], [], color="grey", linestyle=":")
        star = {"marker": "*", "color": "gold", "markersize": 16, "markeredgecolor": "black"}
        (self.star,) = ax.plot([], [], linestyle="none", **star)
        for artist in (self.wall, self.tapes, self.star):
            changing(artist)
        handles = [Patch(fill=False, color="tab:blue"), Patch(fill=False, color="tab:green"),
                   Line2D([], [], linestyle="none", **star)]
        templates = ["8.88 m from A", "8.88 m from B", "item (88.88, 88.88) m"]  # the widest usual labels
        self.legends = {  # with the item, without it (no point)
            shown: _PastedLegend(ax, handles[:count], templates[:count], size=8, loc="upper right")
            for shown, count in ((True, 3), (False, 2))
        }
        self.baseline_m, self.point = 0.0, None

    def update(
        self, baseline_m: float, r_a_m: float, r_b_m: float, point: tuple[float, float] | None
    ) -> TriangulationView:
        ax = self.ax
        self.baseline_m, self.point = baseline_m, point
        self.circle_a.set_radius(r_a_m)
        self.circle_b.set(center=(baseline_m, 0), radius=r_b_m)
        self.wall.set_data([0, baseline_m], [0, 0])
        self.tapes.set_visible(point is not None)
        self.star.set_visible(point is not None)
        labels = [f"{r_a_m:.2f} m from A", f"{r_b_m:.2f} m from B"]
        if point is not None:
            x, y = point
            self.tapes.set_data([0, x, baseline_m], [0, y, 0])
            self.star.set_data([x], [y])
            labels.append(f"item ({x:.2f}, {y:.2f}) m")
        for shown, legend in self.legends.items():
            legend.show(labels if shown == (point is not None) else None)
        # three scales only (a slider move rarely changes the scale), widened to fill the plot at 1:1 scale
        needed = max(r_a_m, r_b_m, baseline_m) + 0.5
        reach = next((size for size in (3.0, 5.0, 9.0) if needed <= size), _step_up(needed, 4.0))
        step = {3.0: 1.0, 5.0: 2.0, 9.0: 5.0}.get(reach, _step_up(reach / 3, 5.0))  # one spacing: 1:1 scale
        x_low, x_high, y_half = -reach, 2 * reach, reach
        width_in, height_in = self.figure.get_size_inches() * self.ax.get_position(original=True).size
        if (x_high - x_low) / (2 * y_half) > width_in / height_in:
            y_half = (x_high - x_low) * height_in / width_in / 2
        else:
            extra = (2 * y_half * width_in / height_in - (x_high - x_low)) / 2
            x_low, x_high = x_low - extra, x_high + extra
        ax.set(xlim=(x_low, x_high), ylim=(-y_half, y_half))
        self.texts.set_ticks(_numbers(x_low, x_high, step), _numbers(-y_half, y_half, step))
        return self

    def _labels(self) -> list[Placed]:
        ends = [place(text_sprite("A"), *_offset(self.ax, 0, 0, -12, -14)),
                place(text_sprite("B"), *_offset(self.ax, self.baseline_m, 0, 4, -14))]
        legends = [placed for legend in self.legends.values() for placed in legend.placed()]
        return ends + legends + self.texts.placed()


class _PastedLegend:
    """A legend rendered once, its labels hidden, and pasted on every frame with its labels over the data (a
    legend takes milliseconds to lay out and draw, a paste a tenth of one).

    The legend's box is sized for the ``templates`` (the widest labels expected); a label wider than its
    template runs over the box's edge.
    """

    def __init__(self, ax, handles: list, templates: list[str], size: float, **options) -> None:
        self.legend = Legend(ax, handles, templates, fontsize=size, **options)  # not in ax: never drawn there
        for text in self.legend.get_texts():
            text.set_visible(False)
        self.size = size
        self.labels: list[str] | None = None
        self.box: Placed | None = None

    def show(self, labels: list[str] | None) -> None:
        """Show the legend with ``labels`` (``None``: hide it)."""
        self.labels = labels

    def placed(self) -> list[Placed]:
        """The legend and its labels, each where its template lies (the figure is laid out by now)."""
        if self.labels is None:
            return []
        if self.box is None:
            self.box = self._render()
        return [self.box] + [
            text_sprite(label, self.size).at(*text.get_transform().transform(text.get_position()))
            for text, label in zip(self.legend.get_texts(), self.labels, strict=True)
        ]

    def _render(self) -> Placed:
        """The legend drawn alone on a transparent frame, cut out, and where it goes."""
        width, height = (int(size) for size in self.legend.figure.bbox.size)
        renderer = RendererAgg(width, height, DPI)
        self.legend.draw(renderer)  # also places the (hidden) labels
        pixels, left, top = cut_out(np.asarray(renderer.buffer_rgba()), self.legend.get_window_extent(renderer))
        return Sprite(pixels, 0.0, 0.0, float(pixels.shape[1])), float(left), float(height - top)


class CustodyView(_View):
    """One row per exhibit of the whole ``log``, one dot per register entry at its UTC time; flagged in red.

    The rows, the time axis and the thin lines in ``seq`` order are drawn once for the whole register (they do
    not depend on the trainee's function); an exhibit left out is covered by a blank row marked "left out".
    Each frame draws only the dots, coloured by the trainee's flags, and pastes the ``seq`` numbers and the
    flag codes.
    """

    def __init__(self, log: pd.DataFrame) -> None:
        times = pd.to_datetime(log["timestamp"], utc=True, format="ISO8601")
        self.items = sorted(log["item_id"].unique(), reverse=True)
        levels = {item_id: level for level, item_id in enumerate(self.items)}
        height = 0.45 * len(self.items) + 1.2
        fig = Figure(figsize=(10, height))
        fig.subplots_adjust(left=0.075, right=0.985, bottom=0.65 / height, top=1 - 0.35 / height)
        ax = fig.subplots()
        super().__init__(fig)
        self.ax = ax
        span = max((times.max() - times.min()).total_seconds(), 1.0)
        margin = pd.Timedelta(seconds=0.03 * span)
        ax.set_xlim(times.min() - margin, times.max() + margin)
        ax.set_ylim(-0.6, len(self.items) - 0.4)
        hours = span / 3600
        ticks = (  # about six, level
            mdates.HourLocator(interval=max(1, math.ceil(hours / 6)), tz="UTC")
            if hours >= 3
            else mdates.AutoDateLocator(maxticks=7, tz="UTC")
        )
        ticks.set_axis(ax.xaxis)
        stamp = mdates.DateFormatter("%d %b %H:%M", tz="UTC")
        first, last = ax.get_xlim()
        self.texts = _AxesTexts(
            ax,
            'Custody timeline: each dot is a register entry (number = seq; "1,2" = entries close together); '
            "red = flagged",
            "time (UTC)",
        )
        shown = [(x, stamp(x)) for x in ticks() if first <= x <= last]
        self.texts.set_ticks(shown, list(enumerate(self.items)))
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
        self.seq_labels = {  # item_id -> its seq numbers, placed
            item_id: [
                place(text_sprite(text, 7), *_offset(ax, when, levels[item_id], 0, 6), ha="center")
                for text, when in _seq_groups(rows["utc"], rows["seq"], 0.012 * span / 86400)
            ]
            for item_id, rows in entries.sort_values(["item_id", "utc", "seq"]).groupby("item_id")
        }
        self.covers = {  # item_id -> the blank cover of its row
            item_id: changing(ax.add_artist(  # not add_patch: the limits are set
                Rectangle((0.002, level - 0.49), 0.996, 0.98, transform=ax.get_yaxis_transform(),
                          facecolor="white", edgecolor="none", zorder=1.5)
            ))
            for item_id, level in levels.items()
        }
        note = text_sprite("left out", 8, "grey", style="italic")
        self.left_out = {
            item_id: place(note, *ax.get_yaxis_transform().transform((0.005, level)), va="center")
            for item_id, level in levels.items()
        }
        self.dots = changing(ax.scatter([], [], zorder=2))
        self.chosen: set[str] = set()
        self.codes: list[Placed] = []

    def update(self, chosen_items: Sequence[str], flagged: set[tuple[str, int, str]]) -> CustodyView:
        """Show the exhibits ``chosen_items`` (the others are left out), the ``flagged`` entries in red."""
        self.chosen = set(chosen_items)
        for item_id, cover in self.covers.items():
            cover.set_visible(item_id not in self.chosen)
        codes: dict[tuple[str, int], list[str]] = {}
        for item_id, seq, code in flagged:
            codes.setdefault((str(item_id), int(seq)), []).append(code)
        points, colours, sizes, self.codes = [], [], [], []
        for (item_id, seq), (when, level) in self.entries.items():
            if item_id not in self.chosen:
                continue
            found = codes.get((item_id, seq))
            points.append((when, level))
            colours.append(DEFECT_COLOUR if found else OK_COLOUR)
            sizes.append(81 if found else 36)  # marker sizes 9 and 6 points
            if found:
                text = text_sprite(", ".join(sorted(found)), 8, DEFECT_COLOUR)
                self.codes.append(place(text, *_offset(self.ax, when, level, 6, -12)))
        self.dots.set_offsets(np.array(points).reshape(-1, 2))
        self.dots.set_color(colours)
        self.dots.set_sizes(sizes)
        return self

    def _labels(self) -> list[Placed]:
        chosen = [item_id for item_id in self.items if item_id in self.chosen]
        shown = [placed for item_id in chosen for placed in self.seq_labels[item_id]]
        left_out = [self.left_out[item_id] for item_id in self.items if item_id not in self.chosen]
        return shown + left_out + self.codes + self.texts.placed()


def _seq_groups(times: Iterable[float], seqs: Iterable[int], close: float) -> list[tuple[str, float]]:
    """One label per run of entries closer than ``close`` (in time order): ("2,3", the middle of the run)."""
    groups: list[list[tuple[float, int]]] = []
    for when, seq in zip(times, seqs, strict=True):
        if groups and when - groups[-1][-1][0] < close:
            groups[-1].append((when, seq))
        else:
            groups.append([(when, seq)])
    return [(",".join(str(seq) for _, seq in group), (group[0][0] + group[-1][0]) / 2) for group in groups]
