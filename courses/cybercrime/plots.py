"""Figures of the cybercrime explorers: each class builds ONE figure and keeps the artists that change
(``animated``, so a change that keeps the rows and the time axis is blitted); ``show(...)`` draws an answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from courses.explorers import figure

if TYPE_CHECKING:  # the notebook that has the events imports pandas, not this module
    import pandas as pd

SOURCE_COLOURS = {"mail": "tab:purple", "windows": "tab:blue", "apache": "tab:green", "syslog": "tab:red"}


def _time_axis(ax: Axes, low: float, high: float) -> None:
    """x from ``low`` to ``high`` (date numbers) with a small margin, at most 7 ticks: day month / hour:minute UTC."""
    pad = 0.05 * (high - low) or 1 / 24
    ax.set_xlim(low - pad, high + pad)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7, tz="UTC"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M", tz="UTC"))
    ax.grid(axis="x", alpha=0.3)


class LoginsPlot:
    """A row per address with at least ``min_failures`` failures (the lowest max_retry: no right answer flags
    another), most first, and one for all other addresses (where a wrong answer's marks go): fixed rows, so a
    change is blitted. A mark per failed login (red: a flagged address), a star per accepted login of a
    compromised address."""

    def __init__(self, events: pd.DataFrame, min_failures: int) -> None:
        self.when = mdates.date2num(events["ts"])  # naive times are read as UTC
        self.kinds, self.ips = events["event"].to_numpy(), events["ip"].to_numpy()
        failures = Counter(self.ips[self.kinds == "failed"])
        often = [ip for ip, count in failures.items() if count >= min_failures]
        rows = sorted(often, key=lambda ip: (-failures[ip], ip))  # most failures first, on top
        labels = [f"{ip}  ({failures[ip]})" for ip in rows]
        if others := set(self.ips) - set(rows):
            labels.append(f"other addresses  ({sum(failures[ip] for ip in others)})")
        self.login_rows = np.array([rows.index(ip) if ip in rows else len(rows) for ip in self.ips])
        self.figure = figure(10, 0.14 * len(labels) + 1.5, layout="constrained")  # rows of 8-point labels
        ax = self.figure.subplots()
        mark = {"linestyle": "none", "marker": "|", "markersize": 9}
        (self.grey,) = ax.plot([], [], color="tab:grey", label="failed login", **mark)
        (self.red,) = ax.plot([], [], color="tab:red", mew=1.5, label="failed login, flagged address", **mark)
        (self.stars,) = ax.plot([], [], "*", color="k", ms=12, label="accepted login, compromised address")
        _time_axis(ax, min(self.when, default=0.0), max(self.when, default=1.0))
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set(title="Failed SSH logins per address", ylim=(max(len(labels), 1) - 0.5, -0.5))
        ax.set(xlabel="time of the login (UTC)", ylabel="IP address (number of failures)")
        handles = [self.grey, self.red, self.stars]
        self.figure.legend(handles=handles, loc="outside upper center", ncols=3, fontsize=8, frameon=False)
        self.animated = handles

    def show(self, flagged: set[str], compromised: set[str]) -> None:
        """The failures of ``flagged`` addresses in red, the others grey; stars on ``compromised``."""
        failed = self.kinds == "failed"
        red = failed & np.isin(self.ips, list(flagged))
        stars = (self.kinds == "accepted") & np.isin(self.ips, list(compromised))
        for line, shown in ((self.red, red), (self.grey, failed & ~red), (self.stars, stars)):
            line.set_data(self.when[shown], self.login_rows[shown])


class TimelinePlot:
    """One row per event (a dict with ``event_id``, ``source``, ``what``) on a time axis from ``earliest`` to
    ``latest``: a dot at the event's UTC time with its place in the trainee's order written in it."""

    def __init__(self, events: Sequence[dict[str, str]], earliest: datetime, latest: datetime) -> None:
        self.figure = figure(10, 0.35 * len(events) + 1.7, layout="constrained")
        ax = self.ax = self.figure.subplots()
        _time_axis(ax, *mdates.date2num([earliest, latest]))
        labels = [f"{event['event_id']}: {event['what']}" for event in events]
        ax.set_yticks(range(len(events)), labels, fontsize=8)
        ax.set(ylim=(len(events) - 0.5, -0.5), xlabel="time (UTC)")  # first event on top
        self.dots = ax.scatter([], [], s=190, zorder=3)
        self.dots.set_color([SOURCE_COLOURS.get(event["source"], "black") for event in events])
        white = {"ha": "center", "va": "center_baseline", "fontsize": 7, "color": "white", "weight": "bold"}
        self.numbers = {
            event["event_id"]: ax.text(0, row, "", zorder=4, **white) for row, event in enumerate(events)
        }
        handles = [Line2D([], [], ls="", marker="o", color=c, label=s) for s, c in SOURCE_COLOURS.items()]
        # upper right stays empty: the first rows are the mail and the first Windows event, days before the rest
        title = "source (in the dot: its place in your timeline)"
        ax.legend(handles=handles, loc="upper right", ncols=2, fontsize=8, title_fontsize=8, title=title)
        ax.set_title("Incident timeline", y=1.0)  # a fixed place: matplotlib moves a hidden auto-placed title
        self.figure.draw_without_rendering()  # the rows never change: lay out once, then keep it
        self.figure.set_layout_engine("none")
        self.animated = [self.dots, *self.numbers.values(), ax.title]

    def show(self, times: dict[str, datetime], order: Sequence[str], zone: str) -> None:
        """Move each event's dot to its UTC time in ``times`` (every event has one) and write in it its place(s)
        in ``order``; ``zone``: the time zone assumed for the syslog lines, in the title."""
        x = {event_id: float(mdates.date2num(when)) for event_id, when in times.items()}
        low, high = self.ax.get_xlim()
        if min(x.values()) < low or max(x.values()) > high:  # a wrong conversion, say: widen to show it
            _time_axis(self.ax, min(low, *x.values()), max(high, *x.values()))
        self.dots.set_offsets([(x[event_id], row) for row, event_id in enumerate(self.numbers)])
        for event_id, number in self.numbers.items():
            places = [str(place + 1) for place, other in enumerate(order) if other == event_id]
            number.set(text=",".join(places) or "–", x=x[event_id])
        # not set_title, which would set the other (fixed) titles too
        self.ax.title.set_text(f"Incident timeline, syslog read as {zone}")
