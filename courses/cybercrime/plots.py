"""Figures of the cybercrime explorers: each ``*_figure`` function builds one figure and returns the artists that
change; the matching ``show_*`` function changes only what they show. Both figures are slow to draw whole (text is
most of it): their explorers name the changing artists ``animated``, and a change that keeps the rest is blitted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
from matplotlib.lines import Line2D

from courses import explorers

if TYPE_CHECKING:  # pandas is imported by the notebook that has the events, not by this module
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.text import Text

SOURCE_COLOURS = {"mail": "tab:purple", "windows": "tab:blue", "apache": "tab:green", "syslog": "tab:red"}
MAX_ROWS = 28  # failed-logins rows drawn (the right answer flags up to 23); more are counted in the title
LOGINS_TITLE = "Failed SSH logins per address"


def _utc_time_axis(ax: Axes) -> None:
    """At most 7 date ticks on the x axis, written as day/month over hour:minute in UTC."""
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7, tz="UTC"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M", tz="UTC"))


def _time_range(ax: Axes, low: float, high: float) -> None:
    """x limits from ``low`` to ``high`` (date numbers) with a small margin on each side."""
    pad = 0.05 * (high - low) or 1 / 24
    ax.set_xlim(low - pad, high + pad)


# Failed logins (notebook 01) ----------------------------------------------------------------------------------


@dataclass
class Logins:
    """Times (matplotlib date numbers, UTC) of the failed and the accepted logins of each address."""

    failed: dict[str, np.ndarray]
    accepted: dict[str, np.ndarray]


def logins_by_address(events: pd.DataFrame) -> Logins:
    """The failed and accepted logins of ``events`` (columns ``ts``, ``event``, ``ip``) grouped by address."""
    times = events["ts"]
    if getattr(times.dt, "tz", None) is not None:  # naive times are read as UTC
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    when = mdates.date2num(times.to_numpy(dtype="datetime64[ns]"))
    kinds, addresses = events["event"].to_numpy(), events["ip"].to_numpy()
    grouped = {
        kind: {ip: when[(kinds == kind) & (addresses == ip)] for ip in set(addresses[kinds == kind])}
        for kind in ("failed", "accepted")
    }
    return Logins(grouped["failed"], grouped["accepted"])


def login_rows(logins: Logins, marked: Iterable[str], min_failures: int = 5) -> list[str]:
    """Addresses drawn, top to bottom: those with at least ``min_failures`` failures and every ``marked`` one
    (flagged or compromised), most failures first (a fixed order, so red rows can be compared)."""
    many = {ip for ip, times in logins.failed.items() if len(times) >= min_failures}
    count = {ip: len(logins.failed.get(ip, ())) for ip in many | set(marked)}
    return sorted(count, key=lambda ip: (-count[ip], ip))


def _marks(rows: Sequence[str], times: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """x (time) and y (row number) of every time in ``times`` of the addresses ``rows``."""
    chosen = [(row, times[ip]) for row, ip in enumerate(rows) if ip in times]
    if not chosen:
        return np.empty(0), np.empty(0)
    return np.concatenate([t for _, t in chosen]), np.concatenate([np.full(len(t), row) for row, t in chosen])


@dataclass
class LoginsPlot:
    """The artists of the failed-logins figure that a new answer changes."""

    fig: Figure
    ax: Axes
    grey: Line2D
    red: Line2D
    stars: Line2D
    rows: list[str] | None = None  # the rows drawn now


def _row_label(logins: Logins, ip: str) -> str:
    return f"{ip}  ({len(logins.failed.get(ip, ()))})"


def logins_figure(logins: Logins) -> LoginsPlot:
    """Axes for the failed logins over the whole log (x fixed), three empty sets of marks and their legend."""
    fig = explorers.figure(10, 6, layout="constrained")  # room for MAX_ROWS rows of 8-point labels
    ax = fig.subplots()
    grey = ax.plot([], [], "|", color="tab:grey", markersize=9, label="failed login")[0]
    stars = ax.plot([], [], "*", color="black", markersize=12, label="accepted login, compromised address")[0]
    red = ax.plot([], [], "|", color="tab:red", markersize=9, mew=1.5, label="failed login, flagged address")[
        0
    ]
    every = [t for group in (logins.failed, logins.accepted) for t in group.values()]
    if every:
        _time_range(ax, min(t.min() for t in every), max(t.max() for t in every))
    _utc_time_axis(ax)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("time of the login (UTC)")
    ax.set_ylabel("IP address (number of failures)")
    ax.set_title(LOGINS_TITLE)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(handles=[grey, red, stars], loc="outside upper center", ncols=3, fontsize=8, frameon=False)
    # Lay the figure out once with every address of the log as a row label (room for the widest), then keep it:
    # constrained layout's advice for figures whose tick labels change (a third of each draw otherwise).
    addresses = sorted(logins.failed.keys() | logins.accepted.keys())
    ax.set_yticks(range(len(addresses)), [_row_label(logins, ip) for ip in addresses])
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return LoginsPlot(fig, ax, grey, red, stars)


def show_logins(
    plot: LoginsPlot, logins: Logins, flagged: set[str], compromised: set[str], failed: str = ""
) -> list[str]:
    """Draw the rows for ``flagged`` addresses (red) and ``compromised`` ones (stars); ``failed``: the trainee's
    function that gave no answer, named in the title. Returns the rows drawn."""
    rows = login_rows(logins, flagged | compromised)
    hidden = len(rows) - MAX_ROWS
    rows = rows[:MAX_ROWS]
    plot.red.set_data(*_marks([ip if ip in flagged else "" for ip in rows], logins.failed))
    plot.grey.set_data(*_marks([ip if ip not in flagged else "" for ip in rows], logins.failed))
    plot.stars.set_data(*_marks([ip if ip in compromised else "" for ip in rows], logins.accepted))
    if hidden > 0:
        title = f"{LOGINS_TITLE} ({hidden} more marked addresses not drawn: see the list above)"
    else:
        title = f"{LOGINS_TITLE}: no answer from {failed} (see the message above)" if failed else LOGINS_TITLE
    if (rows, title) != (
        plot.rows,
        plot.ax.get_title(),
    ):  # only then the rest of the figure must be drawn again
        plot.rows = rows
        plot.ax.set_yticks(range(len(rows)), [_row_label(logins, ip) for ip in rows])
        plot.ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # first row on top
        plot.ax.set_title(title)
    return rows


# Incident timeline (notebook 04) -------------------------------------------------------------------------------


@dataclass
class TimelinePlot:
    """The artists of the timeline figure that a new time zone or order changes."""

    fig: Figure
    ax: Axes
    dots: PathCollection
    numbers: dict[str, Text]
    title: Text


def timeline_figure(events: Sequence[tuple[str, str, str]], earliest: float, latest: float) -> TimelinePlot:
    """One row per event of ``events`` = (event_id, source, description), labelled with its description, on a
    time axis from ``earliest`` to ``latest`` (date numbers); no dots yet."""
    fig = explorers.figure(10, 0.35 * len(events) + 1.7, layout="constrained")
    ax = fig.subplots()
    _time_range(ax, earliest, latest)
    _utc_time_axis(ax)
    ax.set_yticks(range(len(events)), [f"{event_id}: {what}" for event_id, _, what in events], fontsize=8)
    ax.set_ylim(len(events) - 0.5, -0.5)  # first event on top
    ax.set_xlabel("time (UTC)")
    ax.grid(axis="x", alpha=0.3)
    dots = ax.scatter([], [], s=190, zorder=3)
    dots.set_color([SOURCE_COLOURS.get(source, "black") for _, source, _ in events])
    numbers = {
        event_id: ax.text(
            0, row, "", ha="center", va="center_baseline", fontsize=7, color="white", weight="bold", zorder=4
        )
        for row, (event_id, _, _) in enumerate(events)
    }
    handles = [
        Line2D([], [], ls="", marker="o", color=colour, label=source)
        for source, colour in SOURCE_COLOURS.items()
    ]
    # Upper right stays empty: the first rows are the mail and the first Windows event, days before the rest.
    ax.legend(
        handles=handles,
        loc="upper right",
        ncols=2,
        fontsize=8,
        title_fontsize=8,
        title="source (in the dot: its place in your timeline)",
    )
    title = ax.set_title("Incident timeline")  # one line, as every title show_timeline writes
    # The rows never change: lay the figure out once, then keep it (constrained layout's advice for animations).
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return TimelinePlot(fig, ax, dots, numbers, title)


def show_timeline(plot: TimelinePlot, times: dict[str, datetime], order: Sequence[str], title: str) -> None:
    """Move each event's dot to its UTC time in ``times`` and write in it its place(s) in ``order``."""
    ax, rows = plot.ax, list(plot.numbers)
    x = {event_id: float(mdates.date2num(when)) for event_id, when in times.items()}
    low, high = ax.get_xlim()
    if x and (min(x.values()) < low or max(x.values()) > high):  # a wrong conversion, say: widen to show it
        _time_range(ax, min(low, *x.values()), max(high, *x.values()))
    plot.dots.set_offsets([(x.get(event_id, np.nan), row) for row, event_id in enumerate(rows)])
    for event_id, number in plot.numbers.items():
        places = [str(place + 1) for place, other in enumerate(order) if other == event_id]
        number.set_text(",".join(places) or "–")
        number.set_x(x.get(event_id, 0))
        number.set_visible(event_id in x)
    plot.title.set_text(title)
