"""Charts of the trafficking explorers, on matplotlib's public API.

Each chart builds its axes and artists once on a figure it is given; ``show(...)`` then only changes their data,
colours, limits and texts. The explorer (:class:`courses.explorers.Explorer`) redraws the figure. No chart decides
anything about the case: it draws what the trainee's functions returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

GREY, RED, GREEN, BLUE, ORANGE = "#9e9e9e", "#c44e52", "#55a868", "#4c72b0", "#dd8452"


def money(cents: float) -> str:
    """``123456`` -> ``'£1,234.56'`` (the case's payroll is in pounds sterling)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}£{abs(cents) / 100:,.2f}"


class ElementsChart:
    """Three boxes, act, means and purpose (Palermo Protocol art. 3(a)), and the trainee's screening result."""

    NAMES = ("ACT", "MEANS", "PURPOSE")

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        self.ax.set(xlim=(0, 3), ylim=(0, 1.25), xticks=[], yticks=[])
        self.ax.set_frame_on(False)
        self.boxes = []
        self.labels = []
        for k, name in enumerate(self.NAMES):
            box = FancyBboxPatch((k + 0.1, 0.3), 0.8, 0.5, boxstyle="round,pad=0.02", facecolor=GREY)
            self.ax.add_patch(box)
            self.boxes.append(box)
            self.labels.append(
                self.ax.text(
                    k + 0.5,
                    0.55,
                    name,
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=13,
                    fontweight="bold",
                )
            )
        self.note = self.ax.text(1.5, 0.12, "", ha="center", va="center", fontsize=10)
        self.ax.set_title("", y=1.0)

    def show(self, present: Sequence[bool], child: bool, result: bool | None) -> None:
        """Colour each present element green; for a child the MEANS box is marked 'not required'."""
        for box, here in zip(self.boxes, present, strict=True):
            box.set_facecolor(GREEN if here else GREY)
        self.labels[1].set_text("MEANS\n(not required:\nchild)" if child else "MEANS")
        if result is None:
            self.ax.set_title("Your function did not answer: see the message above")
        elif result:
            self.ax.set_title("Your function: PRESUMED VICTIM - refer for identification and support")
        else:
            self.ax.set_title("Your function: not a presumed victim under art. 3 (other offences may apply)")
        self.note.set_text("green = the interviewer recorded this element")


class NetworkChart:
    """Ads as dots: each group the trainee's ``ad_networks`` found is a star around its own centre, singletons
    sit in a grey ring outside; the chosen group is drawn in red."""

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        self.ax.set(xticks=[], yticks=[], aspect="equal", xlim=(-1.25, 1.25), ylim=(-1.25, 1.25))
        self.dots = self.ax.scatter([], [], s=30, zorder=3)
        (self.spokes,) = self.ax.plot([], [], color=GREY, linewidth=0.8, zorder=1)
        (self.chosen_spokes,) = self.ax.plot([], [], color=RED, linewidth=1.6, zorder=2)
        self.ax.set_title("", y=1.0)
        self.positions: dict[str, tuple[float, float]] = {}

    def layout(self, ad_ids: Sequence[str], groups: Sequence[set[str]]) -> None:
        """Place every ad: group k on a small circle around a point of an inner ring, the rest on an outer ring."""
        self.positions = {}
        grouped = {ad for group in groups for ad in group}
        spokes_x: list[float] = []
        spokes_y: list[float] = []
        for k, group in enumerate(groups):
            angle = 2 * math.pi * k / max(len(groups), 1)
            cx, cy = 0.55 * math.cos(angle), 0.55 * math.sin(angle)
            radius = 0.08 + 0.03 * len(group)
            for j, ad in enumerate(sorted(group)):
                a = 2 * math.pi * j / len(group)
                self.positions[ad] = (cx + radius * math.cos(a), cy + radius * math.sin(a))
                spokes_x += [cx, self.positions[ad][0], math.nan]
                spokes_y += [cy, self.positions[ad][1], math.nan]
        rest = [ad for ad in ad_ids if ad not in grouped]
        for j, ad in enumerate(rest):
            a = 2 * math.pi * j / max(len(rest), 1)
            self.positions[ad] = (1.1 * math.cos(a), 1.1 * math.sin(a))
        self.spokes.set_data(spokes_x, spokes_y)
        self.dots.set_offsets(np.array(list(self.positions.values())).reshape(-1, 2))

    def show(self, groups: Sequence[set[str]], chosen: int | None) -> None:
        """Colour the groups (blue), the chosen one (red) and the unlinked ads (grey)."""
        colours = []
        member = {ad: k for k, group in enumerate(groups) for ad in group}
        for ad in self.positions:
            k = member.get(ad)
            colours.append(GREY if k is None else RED if k == chosen else BLUE)
        self.dots.set_facecolors(colours)
        xs: list[float] = []
        ys: list[float] = []
        if chosen is not None:
            centre = np.mean([self.positions[ad] for ad in groups[chosen]], axis=0)
            for ad in sorted(groups[chosen]):
                xs += [centre[0], self.positions[ad][0], math.nan]
                ys += [centre[1], self.positions[ad][1], math.nan]
        self.chosen_spokes.set_data(xs, ys)
        size = f"group {chosen + 1}: {len(groups[chosen])} ads" if chosen is not None else "no group chosen"
        self.ax.set_title(f"{len(groups)} linked groups, {len(self.positions)} ads - {size}")


class TimelineChart:
    """One person's crossings (black diamonds, row 0) and, on one row each, the people who crossed at the same
    border point in the same direction within the window (dots), over the dates of the case."""

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        self.own = self.ax.scatter([], [], marker="D", color="black", s=40, zorder=3)
        self.others = self.ax.scatter([], [], color=ORANGE, s=30, zorder=2)
        self.ax.set_xlabel("day of the case (UTC)")
        self.ax.set_title("", y=1.0)

    def show(
        self,
        person: str,
        own_days: Sequence[float],
        companions: dict[str, list[float]],
        first_day: float,
        last_day: float,
    ) -> None:
        """``own_days``/``companions``: days since the first record; one row per companion, first met first."""
        names = sorted(companions, key=lambda name: (min(companions[name]), name))
        self.own.set_offsets(np.column_stack([own_days, np.zeros(len(own_days))]).reshape(-1, 2))
        points = [(day, row + 1) for row, name in enumerate(names) for day in companions[name]]
        self.others.set_offsets(np.array(points, dtype=float).reshape(-1, 2))
        self.ax.set_yticks(range(len(names) + 1), [person, *names])
        self.ax.set_ylim(-0.7, len(names) + 0.7)
        self.ax.set_xlim(first_day - 1, last_day + 1)
        self.ax.set_title(f"{person}: {len(own_days)} crossings, {len(names)} people crossed with them")


class DebtChart:
    """The trainee's monthly balances as a line, the initial debt as a dashed line."""

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        (self.balance,) = self.ax.plot([], [], marker="o", color=BLUE, label="balance (your debt_schedule)")
        (self.initial,) = self.ax.plot([], [], linestyle="--", color=RED, label="initial debt")
        self.ax.set(xlabel="month", ylabel="debt (£)")
        self.ax.legend(loc="upper left")
        self.ax.set_title("", y=1.0)

    def show(self, schedule: Sequence[int], initial_cents: int, verdict: str) -> None:
        months = list(range(len(schedule) + 1))
        pounds = [initial_cents / 100, *(c / 100 for c in schedule)]
        self.balance.set_data(months, pounds)
        self.initial.set_data([0, max(len(schedule), 1)], [initial_cents / 100] * 2)
        top = max([*pounds, initial_cents / 100, 1.0])
        self.ax.set_xlim(0, max(len(schedule), 1))
        self.ax.set_ylim(0, top * 1.1)
        self.ax.set_title(verdict)


class AccountsChart:
    """Accounts that received wages of two or more workers: bars of how many workers, red when the trainee's
    ``shared_wage_accounts`` flags the account at the chosen ``min_workers``."""

    def __init__(self, fig: Figure) -> None:
        self.ax = fig.subplots()
        self.ax.set(ylabel="workers whose wages go in")
        self.bars = None
        self.ax.set_title("", y=1.0)

    def show(self, counts: dict[str, int], flagged: set[str], min_workers: int) -> None:
        names = sorted(counts, key=lambda a: (-counts[a], a))
        if self.bars is not None:
            self.bars.remove()
        self.bars = self.ax.bar(
            range(len(names)),
            [counts[a] for a in names],
            color=[RED if a in flagged else GREY for a in names],
        )
        self.ax.set_xticks(range(len(names)), ["..." + a[-6:] for a in names])
        self.ax.set_ylim(0, max([*counts.values(), min_workers, 1]) + 1)
        self.ax.set_xlim(-0.6, max(len(names), 1) - 0.4)
        self.ax.set_title(f"{len(flagged)} accounts flagged at min_workers = {min_workers}")
