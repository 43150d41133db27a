"""Matplotlib figures for the cybercrime notebooks (plain Figures outside pyplot: nothing to close).

Each figure is built once per explorer and then redrawn fast (:mod:`courses.blitting`): a control
only changes the data of a few artists (marks, colours, labels of the events, the title); axes and ticks are
drawn again only when the rows themselves change, and texts are rendered once and pasted (:mod:`courses.sprites`).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import matplotlib.dates as mdates
import numpy as np
from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator
from matplotlib.transforms import blended_transform_factory

from courses.blitting import DPI, BlittedFigure, changing, png_bytes
from courses.sprites import Placed, drawn_text_sprites, paste, text_height, text_sprites, tick_marks

if TYPE_CHECKING:  # pandas is imported by the notebook that has the events, not by this module
    import pandas as pd
    from matplotlib.axes import Axes

SOURCE_COLOURS = {"mail": "tab:purple", "windows": "tab:blue", "apache": "tab:green", "syslog": "tab:red"}
MAX_BACKGROUNDS = 6  # failed-logins backgrounds kept, one per set of rows (~1-3 MB each)
ROW_LABEL_SIZE = 8  # points: the failed-logins figure's row labels (IPv6 addresses are long)
# The counts are in the explorer's status line above the figure: the failed-logins title never changes.
FAILED_LOGINS_TITLE = ("Failed SSH logins: red = flagged address, "
                       "star = accepted login of a compromised address")


def _utc_time_axis(ax) -> None:
    """At most 7 date ticks on the x axis, written as day/month over hour:minute in UTC."""
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7, tz="UTC"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M", tz="UTC"))


def _set_time_range(ax, low: float, high: float) -> None:
    """x limits from ``low`` to ``high`` (date numbers) with a small margin on each side."""
    pad = 0.04 * (high - low) or 1 / 24
    ax.set_xlim(low - pad, high + pad)


def _date_numbers(times: pd.Series) -> np.ndarray:
    """Matplotlib date numbers (days, UTC) of a pandas time column, aware or naive (naive is read as UTC)."""
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return mdates.date2num(times.to_numpy(dtype="datetime64[ns]"))


class FailedLoginsFigure:
    """Failed SSH logins over time, one row per IP address with at least ``min_failures`` failures (and every
    flagged address), most failures on top.

    Red marks are the flagged addresses, a black star marks an accepted login of a compromised address.
    :meth:`png` draws the figure for one result of the trainee's functions (the explorer shows the counts).
    """

    def __init__(self, events: pd.DataFrame, min_failures: int = 5, fewest_flagged: int = 2) -> None:
        """``fewest_flagged``: the fewest failures an address can be flagged for (the explorer's lowest
        max_retry); the labels of those addresses are rendered now, so that a new set of rows costs little."""
        times, kinds, addresses = _date_numbers(events["ts"]), events["event"].to_numpy(), events["ip"].to_numpy()
        by_kind: dict[str, dict[str, list[float]]] = {"failed": {}, "accepted": {}}
        for when, kind, ip in zip(times.tolist(), kinds, addresses):  # one pass (per-address pandas: 0.1 s)
            if kind in by_kind:
                by_kind[kind].setdefault(ip, []).append(when)
        self._failures, self._accepted = by_kind["failed"], by_kind["accepted"]
        self._min_failures = min_failures
        can_show = [self._label(ip) for ip, times in self._failures.items() if len(times) >= fewest_flagged]
        text_sprites(can_show, va="center_baseline", fontsize=ROW_LABEL_SIZE)  # kept by text_sprite's cache
        self._blitted, self._ax, self._marks = self._build()
        self._shown: tuple[str, ...] | None = None  # the rows the figure is laid out for
        self._texts: dict[tuple[str, ...], list[Placed]] = {}  # by rows, as many as backgrounds are kept

    def rows(self, flagged: set[str]) -> tuple[str, ...]:
        """The addresses shown, top to bottom: most failures first (a fixed order, so red rows can be compared)."""
        shown = {ip for ip, times in self._failures.items() if len(times) >= self._min_failures} | set(flagged)
        return tuple(sorted(shown, key=lambda ip: (-len(self._failures.get(ip, ())), ip)))

    def _label(self, ip: str) -> str:
        """The label of the row of ``ip``: the address and its number of failures."""
        return f"{ip}  ({len(self._failures.get(ip, ()))})"

    @staticmethod
    def _build() -> tuple[BlittedFigure, Axes, dict[str, Line2D]]:
        """One figure for every set of rows (made once: a new set only resizes it), its axes and marks."""
        fig = Figure(figsize=(10, 1.8), dpi=DPI)
        ax = fig.subplots()
        grey, = ax.plot([], [], "|", color="tab:grey", markersize=9)
        red, = ax.plot([], [], "|", color="tab:red", markersize=9)
        stars, = ax.plot([], [], "*", color="black", markersize=13)
        for marks in (grey, red, stars):  # one zorder: drawn in the order they were added
            changing(marks)
        # The row ticks are one line of tick markers (matplotlib makes ticks at a millisecond each).
        ticks = tick_marks(ax.yaxis, zorder=1.5)
        ax.yaxis.set_major_locator(NullLocator())
        _utc_time_axis(ax)
        # Every text is pasted (rendered once per kernel): a new set of rows draws a background without text.
        ax.tick_params(labelbottom=False)
        ax.grid(axis="x", alpha=0.3)
        ax.patch.set_visible(False)  # white on the figure's white: not filled twice
        blitted = BlittedFigure(fig, MAX_BACKGROUNDS)
        return blitted, ax, {"grey": grey, "red": red, "stars": stars, "ticks": ticks}

    def _lay_out(self, ips: tuple[str, ...]) -> None:
        """Size the figure and set its limits, tick marks and texts for the rows ``ips``."""
        height = 0.32 * len(ips) + 1.8
        fig, ax = self._blitted.figure, self._ax
        fig.set_size_inches(10, height)
        # Fixed margins in inches (room for the longest IPv6 label) instead of a layout engine (slower).
        fig.subplots_adjust(left=2.1 / 10, right=1 - 0.25 / 10, bottom=0.85 / height, top=1 - 0.45 / height)
        times = [t for ip in ips for t in (*self._failures.get(ip, ()), *self._accepted.get(ip, ()))]
        if times:  # the limits of every mark these rows can show: they stay while the colours change
            low, high = min(times), max(times)
            pad = 0.05 * (high - low) or 0.01
            ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(len(ips) - 0.5, -0.5)  # first row on top
        self._marks["ticks"].set_data([0] * len(ips), range(len(ips)))
        if ips not in self._texts:
            if len(self._texts) >= MAX_BACKGROUNDS:
                self._texts.pop(next(iter(self._texts)))
            self._texts[ips] = _failed_logins_texts(ax, [self._label(ip) for ip in ips])
        self._shown = ips

    def png(self, flagged: set[str], compromised: set[str]) -> bytes:
        """The figure with ``flagged`` addresses in red and stars on the accepted logins of ``compromised``."""
        ips = self.rows(flagged)
        if ips != self._shown:
            self._lay_out(ips)
        for name, chosen in (("red", [ip for ip in ips if ip in flagged]),
                             ("grey", [ip for ip in ips if ip not in flagged]),
                             ("stars", [ip for ip in ips if ip in compromised])):
            source = self._accepted if name == "stars" else self._failures
            x = [t for ip in chosen for t in source.get(ip, ())]
            y = [ips.index(ip) for ip in chosen for _ in source.get(ip, ())]
            self._marks[name].set_data(x, y)
        return png_bytes(paste(self._blitted.frame(), self._texts[ips]))  # a background per limits (per row set)


def _failed_logins_texts(ax: Axes, row_labels: list[str]) -> list[Placed]:
    """The failed-logins figure's texts where matplotlib would draw them: ``row_labels`` as y tick labels, the
    x tick labels of the axis' limits, both axis labels and the title."""
    points = DPI / 72  # pixels per point
    box, x_ticks = ax.bbox, ax.xaxis.get_major_ticks(1)[0]
    right = box.x0 - (rcParams["ytick.major.pad"] + rcParams["ytick.major.size"]) * points  # ticks point out
    rows = ax.transData.transform([(0, row) for row in range(len(row_labels))])[:, 1]
    names = text_sprites(row_labels, va="center_baseline", fontsize=ROW_LABEL_SIZE)
    placed = [name.at(right, y, ha="right") for name, y in zip(names, rows, strict=True)]
    low, high = sorted(ax.get_xlim())
    at = [when for when in ax.xaxis.get_major_locator()() if low <= when <= high]
    size = rcParams["xtick.labelsize"]
    top = box.y0 - (x_ticks.get_pad() + x_ticks.get_tick_padding()) * points
    dates = text_sprites(ax.xaxis.get_major_formatter().format_ticks(at), va="top", multialignment="center",
                         fontsize=size)
    columns = ax.transData.transform([(when, 0) for when in at])[:, 0]
    placed += [date.at(x, top, ha="center") for date, x in zip(dates, columns, strict=True)]
    label_size, label_pad = rcParams["axes.labelsize"], rcParams["axes.labelpad"] * points
    below = top - (text_height("0\n0", size) if at else 0) - label_pad
    (x_name,) = text_sprites(["time of the failed login (UTC)"], va="top", fontsize=label_size)
    (flat,) = text_sprites(["IP address (number of failures)"], va="bottom", fontsize=label_size)
    y_name = flat.reading_upwards()
    left = right - max((name.text_width for name in names), default=0) - label_pad
    (title,) = text_sprites([FAILED_LOGINS_TITLE], fontsize=rcParams["axes.titlesize"])
    middle = (box.x0 + box.x1) / 2
    return [*placed, x_name.at(middle, below, ha="center"),
            (y_name, left, (box.y0 + box.y1 - flat.text_width) / 2),  # centred on the axes, reading upwards
            title.at(*_title_at(ax), ha="center")]


def _title_at(ax: Axes) -> tuple[float, float]:
    """The display point where matplotlib anchors the title of ``ax``: centred, axes.titlepad points above it."""
    box = ax.bbox
    return (box.x0 + box.x1) / 2, box.y1 + rcParams["axes.titlepad"] * DPI / 72


class TimelineFigure:
    """Events as (event_id, UTC time, source, description) drawn top-down in the order given to :meth:`png`.

    The x axis covers the time range given when it is built (where the events can fall, whatever syslog time
    zone is assumed), so it stays put while the assumed zone moves the events; it widens if an event falls outside.
    Every text that a change can show (event labels, source names, the expected titles) is rendered once and
    pasted where it belongs: a change redraws only the points.
    """

    def __init__(self, events: list[tuple[str, str, str]], earliest: float, latest: float,
                 titles: list[str] = ()) -> None:
        """``events``: (event_id, source, description) of every event; ``earliest``, ``latest``: the time range
        as matplotlib date numbers (days); ``titles``: the titles :meth:`png` will be asked for (others are
        drawn as text, slower)."""
        self._events = events
        self._titles = list(titles)
        self._range = (earliest, latest)
        self._figure: tuple[BlittedFigure, dict] | None = None
        self._rows = len(events)

    def _build(self) -> tuple[BlittedFigure, dict]:
        n = self._rows
        height = 0.45 * n + 1.6
        fig = Figure(figsize=(10, height), dpi=DPI)
        # Fixed margins in inches (row labels on the left, two-line dates below) instead of a layout engine.
        fig.subplots_adjust(left=0.95 / 10, right=1 - 0.2 / 10, bottom=0.8 / height, top=1 - 0.4 / height)
        ax = fig.subplots()
        _set_time_range(ax, *self._range)
        ax.set_ylim(max(n, 1) - 0.5, -0.5)  # first event on top
        ax.set_yticks(range(n), [""] * n)
        _utc_time_axis(ax)
        ax.set_xlabel("time (UTC)")
        ax.grid(axis="x", alpha=0.3)
        title = changing(ax.set_title(" "))  # drawn as text only for a title without a sprite
        dots = changing(ax.scatter([], [], s=81, zorder=3))
        ids = [event_id for event_id, _, _ in self._events]
        sources = sorted({source for _, source, _ in self._events})
        box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
        labels = drawn_text_sprites([f"{event_id}: {what}" for event_id, _, what in self._events], fontsize=8,
                                    bbox=box)
        # Drawn by matplotlib: FreeType's whole line sits a pixel off the row numbers drawn beside it.
        source_names = drawn_text_sprites(sources, va="center", fontsize=8)
        # Row labels read "5. syslog": the number never changes (background), the source is pasted at each change.
        widest = max((name.text_width for name in source_names), default=0)
        number_end = -(0.012 * ax.bbox.width + widest + 4) / ax.bbox.width  # 4 px left of the widest source
        left_of_axes = blended_transform_factory(ax.transAxes, ax.transData)
        for row in range(n):
            ax.text(number_end, row, f"{row + 1}.", transform=left_of_axes, ha="right", va="center", fontsize=8)
        # FreeType: matplotlib's glyphs, a pixel higher (rounded the other way), ~10 ms sooner at the first draw
        titles = text_sprites(self._titles, fontsize=rcParams["axes.titlesize"]) if self._titles else []
        artists = {"dots": dots, "title": title, "ax": ax, "labels": dict(zip(ids, labels)),
                   "sources": dict(zip(sources, source_names)), "titles": dict(zip(self._titles, titles))}
        return BlittedFigure(fig), artists

    def png(self, rows: list[tuple[str, datetime, str, str]], title: str) -> bytes:
        """The figure for ``rows`` = (event_id, UTC time, source, description) in timeline order."""
        if len(rows) != self._rows or self._figure is None:
            self._rows = len(rows)
            self._figure = self._build()
        blitted, artists = self._figure
        ax = artists["ax"]
        earliest, latest = self._range
        times = [float(mdates.date2num(when)) for _, when, _, _ in rows]
        if times and (min(times) < earliest or max(times) > latest):
            # A time outside the expected range (a wrong conversion, say): widen the axis so the event shows.
            self._range = (min(earliest, *times), max(latest, *times))
            _set_time_range(ax, *self._range)  # new limits: BlittedFigure draws a new background
        middle = (min(times) + max(times)) / 2 if times else 0
        artists["dots"].set_offsets(np.column_stack([times, range(len(rows))]) if rows else np.empty((0, 2)))
        artists["dots"].set_color([SOURCE_COLOURS.get(source, "black") for _, _, source, _ in rows])
        pasted, placed = [], set()
        gap, drop = 8 * DPI / 72, 3 * DPI / 72  # an event label sits 8 pt beside its point, 3 pt lower
        for row, (event_id, _when, source, _what) in enumerate(rows):
            x, y = ax.transData.transform((times[row], row))
            name = artists["sources"].get(source)
            if name is not None:  # the source, right-aligned just left of the axes
                pasted.append(name.at(ax.bbox.x0 - 0.012 * ax.bbox.width, y, ha="right"))
            label = artists["labels"].get(event_id)
            if label is None or event_id in placed:  # an id that is not a key event: no label to show
                continue
            placed.add(event_id)
            # Labels point towards the middle of the events (right of early events, left of late ones): none
            # runs past the edge of the plot.
            late = times[row] > middle
            pasted.append(label.at(x - gap, y - drop, ha="right") if late else label.at(x + gap, y - drop))
        heading = artists["titles"].get(title)
        artists["title"].set_visible(heading is None)
        if heading is None:
            artists["title"].set_text(title)
        else:
            pasted.append(heading.at(*_title_at(ax), ha="center"))
        return png_bytes(paste(blitted.frame(), pasted))
