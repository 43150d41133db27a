"""Charts of the financial investigation explorers, on matplotlib's public API.

Each chart builds its axes and artists once; ``show(...)`` then changes their data and texts. ``animated`` lists
what ``show`` changes: the explorer blits a change to those alone and draws the whole figure only when anything
else changed (axis limits: ``show`` keeps them fixed where it can and sets them only when they change).
"""

from __future__ import annotations

import functools
import itertools
import math

import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Affine2D

DIGITS = list(range(1, 10))
BLUE, RED, ORANGE, GREEN, LIGHT_BLUE = "#4c72b0", "#c44e52", "#dd8452", "#55a868", "#8fb3d9"


def dollars(cents: float) -> str:
    """``123456`` -> ``'$1,234.56'``."""
    return f"{'-' if cents < 0 else ''}${abs(cents) / 100:,.2f}"


def plain(text: str) -> str:
    """Escape each ``$`` so matplotlib prints it instead of reading ``$4,000 and $4,999`` as maths."""
    return text.replace("$", r"\$")


def whole_dollars(value: float, _position: object = None) -> str:
    """Axis tick or bar label: ``100000`` -> ``'$100,000'`` (escaped for matplotlib)."""
    return plain(f"{'-' if value < 0 else ''}${abs(value):,.0f}")


def limits(ax: Axes, x: tuple[float, float] | None = None, y: tuple[float, float] | None = None) -> None:
    """Set ``ax``'s limits where they differ from ``x`` and ``y`` (new limits redraw the whole figure)."""
    if x is not None and tuple(ax.get_xlim()) != tuple(x):
        ax.set_xlim(x)
    if y is not None and tuple(ax.get_ylim()) != tuple(y):
        ax.set_ylim(y)


def dated_money_axes(fig: Figure) -> Axes:
    """One Axes with fixed margins, dollars on y and at most 6 dates on x (few tick labels: text is most of the
    time a full draw takes)."""
    fig.subplots_adjust(left=0.13, right=0.95, bottom=0.14, top=0.91)
    ax = fig.subplots()
    ax.yaxis.set(major_formatter=FuncFormatter(whole_dollars), major_locator=MaxNLocator(nbins=4))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # the year is in the axis label
    ax.set_title(" ", y=1.0)  # at a fixed height: its text is set by ``show``
    return ax


class BenfordChart:
    """Observed first-digit shares (bars) against Benford's expected shares (line), in percent."""

    def __init__(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.115, right=0.98, bottom=0.13, top=0.91)
        self.ax = ax = fig.subplots()
        self.bars = ax.bar(DIGITS, [0] * 9, color=BLUE, label="observed")
        (self.expected,) = ax.plot(DIGITS, [0] * 9, "o-", color=RED, label="Benford expected")
        ax.set(
            xticks=DIGITS, xlim=(0.4, 9.6), xlabel="first digit of the amount", ylabel="share of amounts (%)"
        )
        ax.legend(loc="upper right")
        ax.set_title(" ", y=1.0)
        self.animated = [*self.bars, self.expected, ax.title]

    def show(self, expected: list[float], counts: list[int], title: str) -> None:
        line, counts = [100 * float(e) for e in expected], [float(c) for c in counts]
        shares = [100 * c / (sum(counts) or 1) for c in counts]
        for bar, share in zip(self.bars, shares):
            bar.set_height(share)
        self.expected.set_ydata(line)
        top = math.ceil(max(shares + line + [1]) * 1.3 / 10) * 10  # 0-40 %, 0-50 %...: room for the legend
        limits(self.ax, y=(0, top))
        self.ax.title.set_text(plain(title))


class CashCalendar:
    """One customer's cash deposits per UTC day (stacked, each with its branch), the threshold and the band.

    The axes show the whole case period and the largest day of any customer: a new customer is blitted too."""

    def __init__(self, fig: Figure, cash: pd.DataFrame, threshold_cents: int) -> None:
        deposits = cash[cash["type"] == "cash_deposit"].sort_values("ts")
        self.days = deposits.assign(day=deposits["ts"].dt.date, dollars=deposits["amount_cents"] / 100)
        self.threshold = threshold_cents / 100
        self.ax = ax = dated_money_axes(fig)
        first, last = mdates.date2num([self.days["day"].min(), self.days["day"].max()])
        ax.set_xlim(first - 0.6, last + 0.6)  # the whole case period
        totals = self.days.groupby(["customer_id", "day"])["dollars"].sum()
        ax.set_ylim(0, max(self.threshold, totals.max()) * 1.3)  # the top for the legend
        self.bars = ax.add_collection(PolyCollection([], facecolors=BLUE, edgecolors="white"), autolim=False)
        ax.axhline(self.threshold, color=RED, label=plain(f"threshold {dollars(threshold_cents)}"))
        self.band = ax.axhline(0, color=ORANGE, linestyle="--", label="lower edge of the band (slider)")
        ax.legend(loc="upper right", fontsize=8)
        year = self.days["day"].min().year
        ax.set(xlabel=f"business day (UTC date, {year})", ylabel=plain("cash deposited (US$)"))
        # a branch name in each deposit tall enough to hold it, upright: a label per customer's deposit at most
        box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
        style = {"ha": "center", "va": "center", "fontsize": 8, "rotation": 90, "bbox": box}
        most = self.days["customer_id"].value_counts().max()
        self.branches = [ax.text(0, 0, "", visible=False, **style) for _ in range(most)]
        self.animated = [self.bars, self.band, *self.branches, ax.title]

    def show(self, customer_id: str, band: float) -> None:
        mine = self.days[self.days["customer_id"] == customer_id]
        bottoms = mine.groupby("day")["dollars"].cumsum() - mine["dollars"]  # stacked in order of time
        x = mdates.date2num(mine["day"])
        corners = [
            [(d - 0.4, b), (d - 0.4, b + h), (d + 0.4, b + h), (d + 0.4, b)]
            for d, b, h in zip(x, bottoms, mine["dollars"])
        ]
        self.bars.set_verts(corners)
        centres = zip(x, bottoms + mine["dollars"] / 2, mine["branch_id"], mine["dollars"])
        # the deposits tall enough to hold a label, biggest first
        tall = sorted((c for c in centres if c[3] >= self.threshold / 5), key=lambda c: -c[3])
        placed = []  # (day, height, branch, pixels): no label where it would touch one placed (16 x 24 pixels)
        for d, y, branch, _ in tall:
            (px, py) = self.ax.transData.transform((d, y))
            if all(abs(px - qx) >= 16 or abs(py - qy) >= 24 for *_, (qx, qy) in placed):
                placed.append((d, y, branch, (px, py)))
        for text, (d, y, branch, _) in itertools.zip_longest(self.branches, placed, fillvalue=(0, 0, "", 0)):
            text.set(position=(d, y), text=branch, visible=bool(branch))
        self.band.set_ydata([band * self.threshold] * 2)
        self.ax.title.set_text(f"Cash deposits of {customer_id} per day (white box: branch of the deposit)")


class AccountTimeline:
    """Money in (up, green) and out (down, red) of one account over the case period."""

    def __init__(self, fig: Figure, tx: pd.DataFrame) -> None:
        self.tx = tx.assign(day=mdates.date2num(tx["ts"].dt.tz_convert("UTC").dt.tz_localize(None)))
        self.ax = ax = dated_money_axes(fig)
        span = self.tx["day"].max() - self.tx["day"].min()
        ax.set_xlim(self.tx["day"].min() - 0.03 * span, self.tx["day"].max() + 0.03 * span)
        self.lines = ax.add_collection(LineCollection([], linewidths=2), autolim=False)
        zero = ax.axhline(0, color="black", linewidth=0.8)
        self.animated = [self.lines, zero, ax.title]
        money = [Patch(color=GREEN, label="money in"), Patch(color=RED, label="money out")]
        ax.legend(handles=money, fontsize=8, loc="upper right", ncol=2)
        year = mdates.num2date(self.tx["day"].min()).year
        ax.set(xlabel=f"time (UTC, {year})", ylabel=plain("amount (US$; out is negative)"))

    def show(self, account_id: str) -> None:
        rows = self.tx[self.tx["account_id"] == account_id]
        incoming = rows["type"].isin(["wire_in", "cash_deposit"]).to_numpy()
        amounts = rows["amount_cents"].to_numpy() / 100
        self.lines.set_segments(
            [[(t, 0), (t, a)] for t, a in zip(rows["day"], np.where(incoming, amounts, -amounts))]
        )
        self.lines.set_color(np.where(incoming, GREEN, RED))
        # room for the legend; the axis changes in steps of its ticks
        largest = amounts.max(initial=1000) * 1.3
        top = self.ax.yaxis.get_major_locator().tick_values(0, largest)[-1]
        limits(self.ax, y=(-top, top))
        self.ax.title.set_text(f"Transactions of {account_id}")


@functools.cache
def name_path(name: str) -> Path:
    """The outline of an account's name in an 8-point font, centred on (0, 0). Forty names drawn as one
    collection of outlines take 3 ms, as forty texts 40 ms (each glyph is rendered on every draw)."""
    path = TextPath((0, 0), name, size=8)
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return path.transformed(Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2))


NODE_SIZE = 700  # an account's area in points squared (a scatter marker's size)
WIRE_STYLES = {  # a wire only on paths that go back in time (False), on a time-respecting path (True)
    False: {"mutation_scale": 16, "color": "grey", "ls": "--", "lw": 1, "gid": "other wire"},
    True: {"mutation_scale": 20, "color": RED, "ls": "-", "lw": 2, "gid": "time-respecting wire"},
}
BENDS = (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45)  # arc3 bends tried for a wire, straight first


def clear_bends(
    points: np.ndarray, starts: np.ndarray, ends: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each wire from ``points[starts[i]]`` to ``points[ends[i]]`` (accounts, in pixels): the first of
    :data:`BENDS` whose arc (matplotlib's ``arc3``) passes every other account at least 1.3 ``radius`` away, else
    the one passing farthest, and the arc's control point. Each bend is tried on the wires not yet clear."""
    a, b = points[starts], points[ends]
    right = (b - a) @ np.array([[0, -1], [1, 0]])  # the chord turned right, as arc3 bends it
    bends, controls, best = np.zeros(len(a)), (a + b) / 2, np.full(len(a), -1.0)
    t = np.linspace(0.1, 0.9, 13)[:, None]  # along each arc, not at its ends (inside its own accounts)
    todo = np.arange(len(a))
    for bend in BENDS:
        control = (a[todo] + b[todo]) / 2 + bend * right[todo]
        arcs = (1 - t) ** 2 * a[todo, None] + 2 * (1 - t) * t * control[:, None] + t**2 * b[todo, None]
        gaps = np.linalg.norm(arcs[:, :, None] - points, axis=-1).min(axis=1)  # (wires, accounts)
        gaps[np.arange(len(todo)), starts[todo]] = gaps[np.arange(len(todo)), ends[todo]] = np.inf
        gap = gaps.min(axis=1)
        better = gap > best[todo]
        bends[todo[better]], controls[todo[better]], best[todo[better]] = bend, control[better], gap[better]
        todo = todo[gap < 1.3 * radius]
    return bends, controls


class MoneyTrailChart:
    """The accounts on the paths found, by hops from the source: time-respecting wires solid red, others grey
    (no title: the two dropdowns above it name the accounts, and a title takes 9 ms a frame).

    Its artists are made once (``most_wires`` arrows, shown or hidden) in axes that stay 0 to 1: every change is
    blitted."""

    def __init__(self, fig: Figure, accounts: list[str], most_wires: int) -> None:
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.14, top=0.99)
        self.ax = ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 1))
        ax.set_axis_off()
        self.radius = NODE_SIZE**0.5 / 2 * fig.dpi / 72  # an account's radius in pixels
        self.accounts = ax.scatter([], [], s=NODE_SIZE, zorder=2, gid="accounts")
        # the names' outlines as a scatter's markers (``show`` sets them), in points (``s=1``: one point squared)
        self.names = ax.scatter([], [], s=1, color="black", linewidths=0, zorder=3, gid="account names")
        for account in accounts:  # each name's outline made now, not while the trainee waits for a picture
            name_path(account)
        arrow = {"arrowstyle": "-|>", "shrinkA": 0, "shrinkB": 0, "zorder": 1, "visible": False}
        self.wires = [ax.add_artist(FancyArrowPatch((0, 0), (0, 0), **arrow)) for _ in range(most_wires)]
        self.animated = [self.accounts, self.names, *self.wires]
        node = {"marker": "o", "linestyle": "", "markersize": 10}
        handles = [
            Line2D([], [], color=RED, lw=2, label="wire on a path whose dates never go backwards"),
            Line2D([], [], color="grey", linestyle="--", label="wire only on paths that go back in time"),
            Line2D([], [], **node, color=RED, label="start and end account"),
            Line2D([], [], **node, color=LIGHT_BLUE, label="account in between"),
        ]
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, fontsize=8, frameon=False
        )

    def layout(self, graph: nx.DiGraph, source: str, target: str) -> dict[str, np.ndarray]:
        """Accounts in columns by hops from ``source`` (``target`` last), each column centred, scaled to the axes
        (0 to 1); in a column too tall for round accounts, every other account a little to the side."""
        hops = nx.single_source_shortest_path_length(graph, source)
        hops[target] = max(hops.values()) + 1
        columns: dict[int, list[str]] = {}
        for node in graph:
            columns.setdefault(hops.get(node, 0), []).append(node)
        tallest = max(len(column) for column in columns.values())
        shift = 0.2 if self.ax.bbox.height / (tallest + 0.5) < 2.2 * self.radius else 0.0
        spots = {
            node: (x + (shift * (-1) ** y if len(column) > 1 else 0), y - (len(column) - 1) / 2)
            for x, (_, column) in enumerate(sorted(columns.items()))
            for y, node in enumerate(column)
        }
        xy = np.array(list(spots.values()))
        margin = np.array([0.4, 0.75])  # in columns and rows
        return dict(zip(spots, (xy - xy.min(axis=0) + margin) / (np.ptp(xy, axis=0) + 2 * margin)))

    def show(self, paths: list[list[str]], time_paths: list[list[str]], source: str, target: str) -> None:
        timed = {edge for path in time_paths for edge in itertools.pairwise(path)}
        graph = nx.DiGraph([edge for path in paths for edge in itertools.pairwise(path)] + list(timed))
        graph.add_nodes_from([source, target])
        graph.remove_edges_from(list(nx.selfloop_edges(graph)))  # a wire to itself (a wrong path): no arrow
        if graph.number_of_edges() > len(self.wires):
            raise ValueError(
                f"the paths use {graph.number_of_edges()} different wires: more than the case has "
                f"({len(self.wires) // 2}), even counted both ways"
            )
        spots = self.layout(graph, source, target)
        self.accounts.set_offsets(list(spots.values()))
        self.accounts.set_facecolors([RED if node in (source, target) else LIGHT_BLUE for node in spots])
        self.names.set_paths([name_path(node) for node in spots])
        self.names.set_offsets(list(spots.values()))
        pixels = self.ax.transData.transform(list(spots.values()))
        edges, index = list(graph.edges), list(spots).index
        starts, ends = np.array([[index(a), index(b)] for a, b in edges], dtype=int).reshape(-1, 2).T
        bends, controls = clear_bends(pixels, starts, ends, self.radius)
        tips = pixels[np.stack([starts, ends], axis=1)]  # (wires, 2, 2): the centres of each wire's accounts
        towards = controls[:, None] - tips
        tips += self.radius * towards / np.linalg.norm(towards, axis=-1, keepdims=True)  # on their edges
        tips = self.ax.transData.inverted().transform(tips.reshape(-1, 2)).reshape(-1, 2, 2)
        for arrow in self.wires[len(edges) :]:
            arrow.set_visible(False)
        for arrow, edge, bend, (tail, tip) in zip(self.wires, edges, bends, tips):
            arrow.set_positions(tail, tip)
            arrow.set(visible=True, connectionstyle=f"arc3,rad={bend}", **WIRE_STYLES[edge in timed])


class ComminglingChart:
    """Balance and traceable tainted money after each ledger row, under both rules, up to a step."""

    def __init__(self, fig: Figure, labels: list[str], balance: list[int]) -> None:
        self.labels, self.balance = labels, [b / 100 for b in balance]
        # room for tick labels up to "$9,000,000" (a trainee's wrong taint can be far above the balance)
        fig.subplots_adjust(left=0.115, right=0.98, bottom=0.13, top=0.91)
        self.ax = ax = fig.subplots()
        (self.balance_line,) = ax.plot([], [], "k-o", markersize=3, label="balance")
        (self.libr_line,) = ax.plot(
            [], [], "-s", color=RED, markersize=3, label="tainted (lowest intermediate balance)"
        )
        (self.first_out_line,) = ax.plot(
            [], [], "--^", color=ORANGE, markersize=3, label="tainted (tainted money leaves first)"
        )
        ax.set(xlim=(-0.5, len(labels) - 0.5), xlabel="ledger row", ylabel=plain("US$ in the account"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # rows are whole numbers: no 2.5 or 7.5
        ax.yaxis.set_major_formatter(FuncFormatter(whole_dollars))
        ax.legend(fontsize=8, loc="upper left")
        ax.set_title(" ", y=1.0, fontsize=10)
        self.animated = [*ax.lines, ax.title]

    def show(self, libr_taint: list[int], first_out_taint: list[int], step: int) -> None:
        rows = range(step + 1)
        libr, first_out = [t / 100 for t in libr_taint], [t / 100 for t in first_out_taint]
        self.balance_line.set_data(rows, self.balance[: step + 1])
        self.libr_line.set_data(rows, libr)
        self.first_out_line.set_data(rows, first_out)
        # the whole ledger's range, so the axes stay still while the rows play; headroom for the legend
        values = self.balance + libr + first_out
        limits(self.ax, y=(min(values + [0]) * 1.05, max(values + [1]) * 1.4))
        self.ax.title.set_text(plain(f"Row {step}: {self.labels[step]}"))


class NetWorthChart:
    """The inputs of the net-worth method and the unexplained remainder, as horizontal bars (US$)."""

    def __init__(self, fig: Figure, part_names: list[str]) -> None:
        fig.subplots_adjust(left=0.2, right=0.93, bottom=0.15, top=0.91)  # room for "$1,000,000"
        self.ax = ax = fig.subplots()
        names = [*part_names, "unexplained wealth"]
        self.bars = ax.barh(names, [0] * len(names), color=[LIGHT_BLUE] * len(part_names) + [RED])
        zero = ax.axvline(0, color="black", linewidth=0.8)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(whole_dollars))
        self.ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])  # few: room for "-$100,000"
        ax.xaxis.set_major_locator(self.ticks)
        ax.set_xlabel(plain("US$"))
        self.values = [  # each bar's value 3 points beyond its end
            ax.annotate("", (0, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
            for i in range(len(names))
        ]
        ax.set_title(" ", y=1.0)
        self.animated = [*self.bars, zero, *self.values, ax.title]

    def show(self, parts: dict[str, int], unexplained_cents: int, year: int) -> None:
        values = [v / 100 for v in parts.values()] + [unexplained_cents / 100]
        for bar, label, value in zip(self.bars, self.values, values):
            bar.set_width(value)
            label.xy = (value, label.xy[1])
            side = 1 if value >= 0 else -1  # right of a positive bar, left of a negative
            label.set(text=whole_dollars(value), position=(3 * side, 0), ha="left" if side > 0 else "right")
        low, high = min(values + [0]), max(values + [0])
        room = 0.15 * ((high - low) or 1)  # space beyond the longest bars for their value labels
        ends = self.ticks.tick_values(low - room if low < 0 else 0, high + room)  # the axis changes in steps
        limits(self.ax, x=(ends[0], ends[-1]))
        self.ax.title.set_text(plain(f"Net-worth method, {year}: unexplained = {dollars(unexplained_cents)}"))
