"""Charts of the trafficking explorers, on matplotlib's public API.

Each chart builds its axes and artists once on a figure it is given; ``show(...)`` then only changes their data,
colours, limits and texts. No chart decides anything about the case: it draws what the trainee's functions returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

GREY, RED, GREEN, BLUE, ORANGE = "#9e9e9e", "#c44e52", "#55a868", "#4c72b0", "#dd8452"

VERDICTS = {  # the screening result shown as the title
    True: "Your function: PRESUMED VICTIM - refer for identification and support",
    False: "Your function: not a presumed victim under art. 3 (other offences may apply)",
}


class ElementsChart:
    """Three boxes, act, means and purpose (Palermo Protocol art. 3(a)), and the trainee's screening result."""

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        self.ax.set(xlim=(0, 3), ylim=(0, 1.25))
        self.ax.set_axis_off()
        self.boxes = [
            self.ax.add_patch(FancyBboxPatch((k + 0.1, 0.3), 0.8, 0.5, boxstyle="round,pad=0.02"))
            for k in range(3)
        ]
        self.labels = [
            self.ax.text(
                k + 0.5, 0.55, name, ha="center", va="center", color="white", fontsize=13, weight="bold"
            )
            for k, name in enumerate(("ACT", "MEANS", "PURPOSE"))
        ]
        self.ax.text(1.5, 0.12, "green = the interviewer recorded this element", ha="center", va="center")
        self.title = self.ax.set_title("", y=1.0)

    def show(self, present: Sequence[bool], child: bool, result: bool) -> None:
        """Colour each present element green; for a child the MEANS box is marked 'not required'."""
        for box, here in zip(self.boxes, present, strict=True):
            box.set_facecolor(GREEN if here else GREY)
        self.labels[1].set_text("MEANS\n(not required:\nchild)" if child else "MEANS")
        self.title.set_text(VERDICTS[result])


def ring(count: int, radius: float, centre: Sequence[float] = (0, 0)) -> np.ndarray:
    """``count`` points evenly around a circle, as rows of (x, y)."""
    angles = 2 * np.pi * np.arange(count) / max(count, 1)
    return np.column_stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)])


class NetworkChart:
    """Ads as dots: each group the trainee's ``ad_networks`` found is a star around its own centre, singletons
    sit in a grey ring outside; the chosen group is drawn in red."""

    def __init__(self, fig: Figure, ad_ids: Sequence[str]) -> None:
        self.ax = fig.subplots()
        self.ax.set(xticks=[], yticks=[], aspect="equal", xlim=(-1.25, 1.25), ylim=(-1.25, 1.25))
        self.title = self.ax.set_title("", y=1.0)
        self.ad_ids, self.groups, self.positions = list(ad_ids), None, {}
        self.spokes = self.ax.add_collection(LineCollection([], colors=GREY, linewidths=0.8, zorder=1))
        self.dots = self.ax.scatter([], [], s=30, zorder=2)

    def place(self, groups: list[set[str]]) -> None:
        """Group k on a small circle around a point of an inner ring, the unlinked ads on an outer ring."""
        self.groups, self.positions, spokes = groups, {}, []
        for centre, group in zip(ring(len(groups), 0.55), groups, strict=True):
            self.positions.update(zip(sorted(group), ring(len(group), 0.08 + 0.03 * len(group), centre)))
            spokes += [(centre, self.positions[ad]) for ad in group]
        rest = [ad for ad in self.ad_ids if ad not in self.positions]
        self.positions.update(zip(rest, ring(len(rest), 1.1)))
        self.spokes.set_segments(spokes)
        self.dots.set_offsets(np.reshape(list(self.positions.values()), (-1, 2)))

    def show(self, groups: list[set[str]], chosen: int | None) -> None:
        """Colour the groups (blue), the chosen one (red) and the unlinked ads (grey)."""
        if groups != self.groups:  # placed once for each answer: a change of group only recolours (blitted)
            self.place(groups)
        member = {ad: k for k, group in enumerate(groups) for ad in group}
        self.dots.set_facecolors(
            [GREY if ad not in member else RED if member[ad] == chosen else BLUE for ad in self.positions]
        )
        size = "no group chosen" if chosen is None else f"group {chosen + 1}: {len(groups[chosen])} ads"
        self.title.set_text(f"{len(groups)} linked groups, {len(self.positions)} ads - {size}")


class TimelineChart:
    """One person's crossings (black diamonds, top row) and, on one row each, the people who crossed at the same
    border point in the same direction within the window (dots), over the days of the case. The rows are a
    fixed pool of ``rows`` names, so a change redraws only the dots, the names and the title."""

    def __init__(self, fig: Figure, last_day: float, rows: int) -> None:
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.9)  # fixed margins: no layout per draw
        self.ax = fig.subplots()
        self.ax.set(
            xlabel="day of the case (UTC)", xlim=(-1, last_day + 1), ylim=(rows - 0.3, -0.7), yticks=[]
        )
        beside = self.ax.get_yaxis_transform()  # x in axes fractions, y in rows
        self.names = [
            self.ax.text(-0.01, row, "", transform=beside, ha="right", va="center") for row in range(rows)
        ]
        self.own = self.ax.scatter([], [], marker="D", color="black", s=40, zorder=3)
        self.others = self.ax.scatter([], [], color=ORANGE, s=30, zorder=2)
        self.title = self.ax.set_title("", y=1.0)

    def show(self, person: str, own_days: Sequence[float], companions: dict[str, list[float]]) -> None:
        """``own_days``/``companions``: days since the first record; one row per companion, first met first."""
        names = sorted(companions, key=lambda name: (min(companions[name]), name))
        self.own.set_offsets(np.column_stack([own_days, np.zeros(len(own_days))]))
        points = [(day, row) for row, name in enumerate(names, 1) for day in companions[name]]
        self.others.set_offsets(np.reshape(points, (-1, 2)))
        for label, name in zip(self.names, [person, *names, *[""] * len(self.names)]):  # the rest blank
            label.set_text(name)
        self.title.set_text(f"{person}: {len(own_days)} crossings, {len(names)} people crossed with them")


class DebtChart:
    """The trainee's monthly balances as a line, the initial debt as a dashed line; the y-axis steps through
    1-2-5 limits, so most changes leave the limits alone and only the lines and the title are redrawn."""

    def __init__(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.115, right=0.98, bottom=0.14, top=0.9)  # fixed margins: no layout per draw
        self.ax = fig.subplots()
        (self.balance,) = self.ax.plot([], [], marker="o", color=BLUE, label="balance (your debt_schedule)")
        (self.initial,) = self.ax.plot([], [], linestyle="--", color=RED, label="initial debt")
        self.ax.set(xlabel="month", ylabel="debt (£)")
        self.ax.legend(loc="upper left")
        self.title = self.ax.set_title("", y=1.0)

    def show(self, schedule: Sequence[int], initial_cents: int, verdict: str) -> None:
        pounds = [initial_cents / 100, *(c / 100 for c in schedule)]
        self.balance.set_data(range(len(pounds)), pounds)
        self.initial.set_data([0, max(len(schedule), 1)], [initial_cents / 100] * 2)
        low = -ceiling(-min(pounds) * 1.05) if min(pounds) < 0 else 0  # a balance below zero stays in view
        limits = ((0, max(len(schedule), 1)), (low, ceiling(max(pounds) * 1.05)))
        if limits != (self.ax.get_xlim(), self.ax.get_ylim()):  # set only when they change: else blitted
            self.ax.set(xlim=limits[0], ylim=limits[1])
        self.title.set_text(verdict)


def ceiling(value: float) -> float:
    """The first of 1, 2, 5, 10, 20, 50, 100, ... at or above ``value``."""
    power = 10.0 ** math.floor(math.log10(max(value, 1.0)))
    return next(step * power for step in (1, 2, 5, 10) if value <= step * power)


class AccountsChart:
    """Accounts that received wages of two or more workers: a bar of how many workers for each, red when the
    trainee's ``shared_wage_accounts`` flags the account."""

    def __init__(self, fig: Figure, counts: dict[str, int]) -> None:
        self.ax = fig.subplots()
        self.names = sorted(counts, key=lambda a: (-counts[a], a))
        self.bars = self.ax.bar(range(len(self.names)), [counts[a] for a in self.names], color=GREY)
        self.ax.set_xticks(range(len(self.names)), ["..." + a[-6:] for a in self.names])
        self.ax.set(ylabel="workers whose wages go in", ylim=(0, max([*counts.values(), 1]) + 1))
        self.title = self.ax.set_title("", y=1.0)

    def show(self, flagged: set[str], min_workers: int) -> None:
        for name, bar in zip(self.names, self.bars, strict=True):
            bar.set_facecolor(RED if name in flagged else GREY)
        self.title.set_text(f"{len(flagged)} accounts flagged at min_workers = {min_workers}")
