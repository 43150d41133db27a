"""Charts of the financial investigation explorers, on matplotlib's public API.

Each chart builds its axes and artists once on a figure it is given; ``show(...)`` then only changes their data,
limits and texts (``set_height``, ``set_data``, ``set_offsets``, ``set_text``). The explorer redraws the figure.
Margins are fixed (no layout engine), so the axes stay still while the trainee moves a control, and titles are
set at ``y=1.0`` (matplotlib would otherwise measure the axes' decorations on every draw to place them).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Affine2D, IdentityTransform

DIGITS = list(range(1, 10))
BLUE, RED, ORANGE, GREEN, LIGHT_BLUE = "#4c72b0", "#c44e52", "#dd8452", "#55a868", "#8fb3d9"


def dollars(cents: float) -> str:
    """``123456`` -> ``'$1,234.56'``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def plain(text: str) -> str:
    """Escape each ``$`` so matplotlib prints it instead of reading ``$4,000 and $4,999`` as maths."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def whole_dollars(value: float, _position: object = None) -> str:
    """Axis tick or bar label: ``100000`` -> ``'$100,000'`` (escaped for matplotlib)."""
    sign = "-" if value < 0 else ""
    return plain(f"{sign}${abs(value):,.0f}")


def _money_axis(axis) -> None:
    """Show an axis in whole dollars with thousands separators."""
    axis.set_major_formatter(FuncFormatter(whole_dollars))


def _round_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (a round axis end)."""
    return math.ceil(value / step - 1e-9) * step


class BenfordChart:
    """Observed first-digit shares (bars) against Benford's expected shares (line), in percent."""

    def __init__(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.91)
        self.ax = ax = fig.subplots()
        self.bars = ax.bar(DIGITS, [0] * 9, color=BLUE, label="observed")
        (self.expected,) = ax.plot(DIGITS, [0] * 9, "o-", color=RED, label="Benford expected")
        ax.set_xticks(DIGITS)
        ax.set_xlim(0.4, 9.6)
        ax.set_xlabel("first digit of the amount")
        ax.set_ylabel("share of amounts (%)")
        ax.legend(loc="upper right")

    def show(self, expected: list[float], counts: list[int], title: str) -> None:
        line, counts = [100 * float(e) for e in expected], [float(c) for c in counts]
        if len(line) != 9 or len(counts) != 9:  # said now: a wrong length would only fail when drawn
            raise ValueError(
                f"9 counts and 9 expected shares are needed (digits 1-9), not {len(counts)} and {len(line)}"
            )
        total = sum(counts)
        shares = [100 * c / total if total else 0 for c in counts]
        for bar, share in zip(self.bars, shares):
            bar.set_height(share)
        self.expected.set_ydata(line)
        # 0-40 %, 0-50 %, ...: the top quarter stays free for the legend
        self.ax.set_ylim(0, _round_up(max(shares + line + [1]) * 1.3, 10))
        self.ax.set_title(plain(title), y=1.0)


def _dated_axes(fig: Figure) -> Axes:
    """One Axes over dates with fixed margins and at most 6 unrotated whole-day ticks."""
    fig.subplots_adjust(left=0.13, right=0.95, bottom=0.14, top=0.91)
    ax = fig.subplots()
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    locator.intervald[mdates.DAILY] = [1, 2, 3, 7, 14]  # whole days only, never hours
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    return ax


def day_bars(days: list[dt.date], bottoms: list[float], heights: list[float], width: float = 0.8) -> list:
    """The corners of bars centred on ``days`` (what ``Axes.bar`` draws), as polygons for a collection."""
    centres = mdates.date2num(days)
    return [
        np.array([(x - width / 2, b), (x - width / 2, b + h), (x + width / 2, b + h), (x + width / 2, b)])
        for x, b, h in zip(centres, bottoms, heights)
    ]


class CashCalendar:
    """One customer's cash deposits per UTC day (stacked), the threshold and the band's lower edge."""

    def __init__(self, fig: Figure, cash: pd.DataFrame, threshold_cents: int) -> None:
        self.cash = cash[cash["type"] == "cash_deposit"].sort_values("ts")
        self.threshold = threshold_cents / 100
        self.ax = ax = _dated_axes(fig)
        self.bars = ax.add_collection(PolyCollection([], facecolors=BLUE, edgecolors="white"), autolim=False)
        ax.axhline(self.threshold, color=RED, label=plain(f"threshold {dollars(threshold_cents)}"))
        self.band_line = ax.axhline(
            self.threshold, color=ORANGE, linestyle="--", label="lower edge of the band (slider)"
        )
        ax.legend(loc="upper right", fontsize=8)
        _money_axis(ax.yaxis)
        ax.set_xlabel("business day (UTC date)")
        ax.set_ylabel(plain("cash deposited (US$)"))
        self.branches: list[Text] = []  # the branch of each deposit tall enough to hold its name
        self.customer: str | None = None

    def _show_customer(self, customer_id: str) -> None:
        deposits = self.cash[self.cash["customer_id"] == customer_id]
        stacked: dict[dt.date, float] = {}
        days, bottoms, heights, branches = [], [], [], []
        for day, cents, branch in zip(
            deposits["ts"].dt.date, deposits["amount_cents"], deposits["branch_id"]
        ):
            bottom = stacked.get(day, 0.0)
            days.append(day)
            bottoms.append(bottom)
            heights.append(cents / 100)
            if cents / 100 >= self.threshold / 5:  # only bars tall enough to hold a label
                branches.append((mdates.date2num(day), bottom + cents / 200, branch))
            stacked[day] = bottom + cents / 100
        self.bars.set_verts(day_bars(days, bottoms, heights))
        if stacked:  # only the days with deposits, a day either side (at least a week shown)
            first, last = (dt.datetime.combine(day, dt.time()) for day in (min(stacked), max(stacked)))
            pad = dt.timedelta(days=max(1, (7 - (last - first).days) // 2), hours=12)
            self.ax.set_xlim(first - pad, last + pad)
        self.ax.set_ylim(0, max([self.threshold, *stacked.values()]) * 1.3)  # the top for the legend
        # upright where level labels on deposits two days apart would touch
        two_days = np.diff(self.ax.transData.transform([(0, 0), (2, 0)])[:, 0])[0]  # in pixels
        box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
        style = {
            "ha": "center",
            "va": "center",
            "fontsize": 9,
            "bbox": box,
            "rotation": 90 if two_days < 30 else 0,
        }
        for text in self.branches:
            text.remove()
        self.branches = [self.ax.text(x, y, branch, **style) for x, y, branch in branches]
        self.ax.set_title(f"Cash deposits of {customer_id} per day (white box: branch of the deposit)", y=1.0)
        self.customer = customer_id

    def show(self, customer_id: str, band: float) -> None:
        if customer_id != self.customer:
            self._show_customer(customer_id)
        self.band_line.set_ydata([band * self.threshold] * 2)


class AccountTimeline:
    """Money in (up, green) and out (down, red) of one account over time."""

    def __init__(self, fig: Figure, tx: pd.DataFrame) -> None:
        self.tx = tx.sort_values("ts")
        self.ax = ax = _dated_axes(fig)
        # one collection per direction (a bar patch per transaction is slow to draw)
        self.incoming = ax.add_collection(LineCollection([], colors=GREEN, linewidths=2), autolim=False)
        self.outgoing = ax.add_collection(LineCollection([], colors=RED, linewidths=2), autolim=False)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.legend(
            handles=[Patch(color=GREEN, label="money in"), Patch(color=RED, label="money out")],
            fontsize=8,
            loc="upper right",
            ncol=2,
        )
        _money_axis(ax.yaxis)
        ax.set_xlabel("time (UTC)")
        ax.set_ylabel(plain("amount (US$; out is negative)"))

    def show(self, account_id: str) -> None:
        rows = self.tx[self.tx["account_id"] == account_id]
        incoming = rows["type"].isin(["wire_in", "cash_deposit"]).to_numpy()
        times = mdates.date2num(rows["ts"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        amounts = rows["amount_cents"].to_numpy() / 100
        self.incoming.set_segments([[(t, 0), (t, a)] for t, a in zip(times[incoming], amounts[incoming])])
        self.outgoing.set_segments([[(t, -a), (t, 0)] for t, a in zip(times[~incoming], amounts[~incoming])])
        if len(times):  # collections are not autoscaled: limits from the data, with a margin
            span = max(times.max() - times.min(), 1.0)
            self.ax.set_xlim(times.min() - 0.05 * span, times.max() + 0.05 * span)
            top = max(amounts.max(), 1.0) * 1.3  # the top for the legend
            self.ax.set_ylim(-top, top)
        self.ax.set_title(f"Transactions of {account_id}", y=1.0)


def layers_layout(
    nodes: list[str], edges: set[tuple[str, str]], source: str, target: str, stagger: float = 0.0
) -> dict[str, tuple]:
    """Accounts left to right by hops from the source (the target always on the far right), each column centred
    (what ``networkx.multipartite_layout`` does with the hop counts as layers), one unit apart. ``stagger``:
    the accounts of a column alternately that far left and right of it (room for round accounts in a tall
    column)."""
    following: dict[str, list[str]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    hops, frontier = {source: 0}, [source]
    while frontier:
        reached = []
        for node in frontier:
            for other in following.get(node, ()):
                if other not in hops:
                    hops[other] = hops[node] + 1
                    reached.append(other)
        frontier = reached
    layer = {node: hops.get(node, 0) for node in nodes}
    layer[target] = max(hops.values()) + 1
    columns: dict[int, list[str]] = {}
    for node in nodes:
        columns.setdefault(layer[node], []).append(node)
    spots = {}
    for x, key in enumerate(sorted(columns)):
        column = columns[key]
        for y, node in enumerate(column):
            shift = stagger * (-1) ** y if len(column) > 1 else 0.0
            spots[node] = (x + shift, y - (len(column) - 1) / 2)
    return spots


NODE_SIZE = 700  # scatter marker area (points squared) of an account
NODE_RADIUS = NODE_SIZE**0.5 / 2  # its radius in points


@functools.cache
def name_path(name: str) -> Path:
    """The outline of an account's name in an 8-point font, centred on (0, 0), in points. Forty names drawn
    as one collection of outlines take 3 ms; as forty texts, 35 ms (each glyph rendered on every draw)."""
    path = TextPath((0, 0), name, size=8)
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return path.transformed(Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2))


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.hypot(*vector)


def curves(starts: np.ndarray, ends: np.ndarray, bends: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Points at the fractions ``samples`` along quadratic curves from ``starts`` to ``ends`` whose control point
    lies ``bends`` times the start-to-end distance right of their midpoint (the curve's middle half as far):
    shape (curves, samples, 2)."""
    along = ends - starts
    control = starts + along / 2 + bends[:, None] * np.stack([along[:, 1], -along[:, 0]], axis=1)
    t = samples[None, :, None]
    return (1 - t) ** 2 * starts[:, None] + 2 * (1 - t) * t * control[:, None] + t**2 * ends[:, None]


def arrow_shapes(
    starts: np.ndarray, ends: np.ndarray, bends: np.ndarray, radius: float, head: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Shafts (polylines) and heads (triangles) of arrows from the edge of a round node at each of ``starts``
    to the edge of the one at ``ends`` (display pixels, so nodes stay round), along :func:`curves` (bend 0:
    straight). An arrow whose nodes overlap gets an empty shaft and head."""
    lines = curves(starts, ends, bends, np.linspace(0, 1, 41))
    outside = (np.hypot(*np.moveaxis(lines - starts[:, None], 2, 0)) > radius) & (
        np.hypot(*np.moveaxis(lines - ends[:, None], 2, 0)) > radius
    )
    shafts, heads = [], []
    for curve, keep, start, end in zip(lines, outside, starts, ends):
        points = curve[keep]
        if len(points) < 2:  # the two accounts overlap
            shafts.append(np.empty((0, 2)))
            heads.append(np.empty((0, 2)))
            continue
        first = start + radius * _unit(points[0] - start)  # on the edges of the two accounts
        tip = end + radius * _unit(points[-1] - end)
        along = _unit(tip - points[-2])  # the head points along the curve's last step
        base, side = tip - along * head, np.array([-along[1], along[0]]) * head * 0.4
        shafts.append(np.vstack([first, points[np.hypot(*(points - tip).T) > head], base]))
        heads.append(np.array([tip, base + side, base - side]))
    return shafts, heads


def _to_data(ax: Axes, shapes: list[np.ndarray]) -> list[np.ndarray]:
    """``shapes`` in pixels, in ``ax``'s data coordinates (transformed in one go)."""
    if not shapes:
        return []
    points = ax.transData.inverted().transform(np.concatenate(shapes))
    return np.split(points, np.cumsum([len(shape) for shape in shapes])[:-1])


BENDS = np.array([0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45])  # tried in this order: straight first


def clear_bends(points: np.ndarray, starts: np.ndarray, ends: np.ndarray, radius: float) -> np.ndarray:
    """For each wire from node ``starts[i]`` to node ``ends[i]`` (indices into ``points``, the nodes in pixels),
    the first of :data:`BENDS` (see :func:`curves`) whose curve passes every other node at least 1.3
    radii away, or else the one that passes them farthest away: a wire does not run hidden behind an account.
    Each bend is tried only on the wires no earlier one cleared."""
    bends, best, todo = np.zeros(len(starts)), np.full(len(starts), -1.0), np.arange(len(starts))
    samples = np.linspace(0.1, 0.9, 13)  # the ends lie inside the wire's own accounts
    for bend in BENDS:
        line = curves(points[starts[todo]], points[ends[todo]], np.full(len(todo), bend), samples)
        across, up = line[:, :, 0, None] - points[:, 0], line[:, :, 1, None] - points[:, 1]
        gaps = (across * across + up * up).min(axis=1)  # squared, (wires, nodes)
        rows = np.arange(len(todo))
        gaps[rows, starts[todo]] = gaps[rows, ends[todo]] = np.inf  # a wire's own two accounts
        clearance = np.sqrt(gaps.min(axis=1))
        better = clearance > best[todo]
        bends[todo[better]], best[todo[better]] = bend, clearance[better]
        todo = todo[clearance < 1.3 * radius]
        if not len(todo):
            break
    return bends


class MoneyTrailChart:
    """The accounts on the paths found: time-respecting hops solid red, other hops dashed grey."""

    def __init__(self, fig: Figure, holders: dict[str, str]) -> None:
        self.holders = holders
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.93)
        self.ax = ax = fig.subplots()
        ax.set_axis_off()
        # wires: grey under red, each shaft under its heads, all under the accounts and their names
        # (gid: what a test or a saved SVG finds them by)
        self.grey = ax.add_collection(
            LineCollection([], colors="grey", linestyles="--", linewidths=1.0, gid="other wires")
        )
        self.grey_heads = ax.add_collection(PolyCollection([], facecolors="grey", edgecolors="none"))
        self.red = ax.add_collection(
            LineCollection([], colors=RED, linewidths=2.2, gid="time-respecting wires")
        )
        self.red_heads = ax.add_collection(PolyCollection([], facecolors=RED, edgecolors="none"))
        self.nodes = ax.scatter([], [], s=NODE_SIZE, zorder=3, gid="accounts")
        # the names: outlines in points (``sizes=[1]``: one point squared, as in a scatter) at the accounts
        self.names = ax.add_collection(
            PathCollection(
                [],
                sizes=[1],
                offsets=np.empty((0, 2)),
                offset_transform=ax.transData,
                transform=IdentityTransform(),
                facecolors="black",
                edgecolors="none",
                zorder=4,
                gid="account names",
            )
        )
        for account in holders:  # every name's outline made now, not while the trainee waits for a picture
            name_path(account)
        self.wires: list[tuple[int, int, bool]] = []  # (start, end, time-respecting): indices of accounts
        node = {"marker": "o", "linestyle": "", "markersize": 10}
        ax.legend(
            handles=[
                Line2D([], [], color=RED, lw=2.2, label="wire on a path whose dates never go backwards"),
                Line2D([], [], color="grey", linestyle="--", label="wire only on paths that go back in time"),
                Line2D([], [], **node, color=RED, label="start and end account"),
                Line2D([], [], **node, color=LIGHT_BLUE, label="account in between"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=2,
            fontsize=8,
            frameon=False,
        )

    @property
    def radius(self) -> float:
        """An account's radius in pixels."""
        return NODE_RADIUS * self.ax.get_figure(root=True).dpi / 72

    def _shape_wires(self) -> None:
        """Shafts and heads of the wires, shaped in pixels for the figure's size (fixed: the explorers' figures
        are not resizable) and kept in data coordinates."""
        to_pixels = self.ax.transData
        points = to_pixels.transform(self.nodes.get_offsets())
        starts, ends, timed = (
            np.array(column, dtype=int).reshape(-1) for column in zip(*self.wires or [[]] * 3)
        )
        bends = clear_bends(points, starts, ends, self.radius)
        for kind, lines, heads, head in (
            (1, self.red, self.red_heads, 12),
            (0, self.grey, self.grey_heads, 10),
        ):
            mine = timed == kind
            shafts, tips = arrow_shapes(
                points[starts[mine]],
                points[ends[mine]],
                bends[mine],
                self.radius,
                head * self.radius / NODE_RADIUS,
            )
            lines.set_segments(_to_data(self.ax, [shaft for shaft in shafts if len(shaft)]))
            heads.set_verts(_to_data(self.ax, [tip for tip in tips if len(tip)]))

    def show(self, paths: list[list[str]], time_paths: list[list[str]], source: str, target: str) -> None:
        order = dict.fromkeys(itertools.chain([source, target], *paths))  # in order of first appearance
        timed = {(a, b) for path in time_paths for a, b in itertools.pairwise(path)}
        edges = {edge for path in paths for edge in itertools.pairwise(path)} | timed
        order.update(dict.fromkeys(n for e in timed for n in e))
        nodes = list(order)
        spots = layers_layout(nodes, edges, source, target)
        ys = [y for _, y in spots.values()]
        if self.ax.bbox.height / (max(ys) - min(ys) + 1.5) < 2.2 * self.radius:  # one unit apart, they touch
            spots = layers_layout(nodes, edges, source, target, stagger=0.2)
        self.nodes.set_offsets([spots[n] for n in nodes])
        self.nodes.set_facecolors([RED if n in (source, target) else LIGHT_BLUE for n in nodes])
        self.names.set_paths([name_path(n) for n in nodes])
        self.names.set_offsets([spots[n] for n in nodes])
        xs, ys = zip(*spots.values())
        self.ax.set_xlim(min(xs) - 0.4, max(xs) + 0.4)
        self.ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
        index = {node: i for i, node in enumerate(nodes)}
        self.wires = [(index[a], index[b], (a, b) in timed) for a, b in sorted(edges)]
        self._shape_wires()
        names = self.holders
        self.ax.set_title(
            plain(f"Money from {names.get(source, source)} to {names.get(target, target)}"),
            fontsize=10,
            y=1.0,
        )


class ComminglingChart:
    """Balance and traceable tainted money after each ledger row, under both rules, up to a step."""

    def __init__(self, fig: Figure, labels: list[str], balance: list[int]) -> None:
        self.labels, self.balance = labels, [b / 100 for b in balance]
        # room for tick labels up to "$9,000,000" (a trainee's wrong taint can be far above the balance)
        fig.subplots_adjust(left=0.115, right=0.99, bottom=0.22, top=0.91, wspace=0.4)
        left, right = self.left, self.right = fig.subplots(1, 2, width_ratios=[2.7, 1])
        (self.balance_line,) = left.plot([], [], "k-o", markersize=3, label="balance")
        (self.libr_line,) = left.plot(
            [], [], "-s", color=RED, markersize=3, label="tainted (lowest intermediate balance)"
        )
        (self.first_out_line,) = left.plot(
            [], [], "--^", color=ORANGE, markersize=3, label="tainted (tainted money leaves first)"
        )
        left.set_xlim(-0.5, len(labels) - 0.5)
        left.xaxis.set_major_locator(MaxNLocator(integer=True))  # rows are whole numbers: no 2.5 or 7.5
        left.set_xlabel("ledger row")
        left.set_ylabel(plain("US$"))
        _money_axis(left.yaxis)
        left.legend(fontsize=8, loc="upper left")
        rules = ["lowest\nintermediate\nbalance", "tainted\nleaves first"]
        self.tainted_bars = right.bar(rules, [0, 0], color=RED, label="tainted")
        self.clean_bars = right.bar(rules, [0, 0], bottom=[0, 0], color=LIGHT_BLUE, label="clean")
        right.set_ylabel(plain("US$ in the account"))
        _money_axis(right.yaxis)
        right.yaxis.set_major_locator(
            MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
        )  # few labels: narrow axes
        # above the bars, in headroom kept free for it, instead of covering one of them
        right.legend(fontsize=8, loc="upper center", ncol=2, handlelength=1.0, columnspacing=0.8)

    def show(self, libr_taint: list[int], first_out_taint: list[int], step: int) -> None:
        rows = range(step + 1)
        libr = [t / 100 for t in libr_taint[: step + 1]]
        first_out = [t / 100 for t in first_out_taint[: step + 1]]
        self.balance_line.set_data(rows, self.balance[: step + 1])
        self.libr_line.set_data(rows, libr)
        self.first_out_line.set_data(rows, first_out)
        # the whole ledger's range, so the axes stay still while the rows play; headroom for the legend
        values = self.balance + libr + first_out
        low, high = min(values + [0]), max(values + [1])
        self.left.set_ylim(low * 1.05, high * 1.4)
        for tainted, clean, taint in zip(self.tainted_bars, self.clean_bars, (libr[-1], first_out[-1])):
            tainted.set_height(taint)
            clean.set_y(taint)
            clean.set_height(max(self.balance[step] - taint, 0))  # taint above the balance: all red
        self.right.set_ylim(min(libr + first_out + [0]) * 1.35, max(values + [1.0]) * 1.35)
        self.left.set_title(plain(f"Row {step}: {self.labels[step]}"), fontsize=10, y=1.0)
        self.right.set_title(f"Now (after row {step})", fontsize=10, y=1.0)


class NetWorthChart:
    """The inputs of the net-worth method and the unexplained remainder, as horizontal bars (US$)."""

    def __init__(self, fig: Figure, part_names: list[str]) -> None:
        fig.subplots_adjust(left=0.2, right=0.93, bottom=0.15, top=0.91)  # room for "$1,000,000"
        self.ax = ax = fig.subplots()
        names = [*part_names, "unexplained wealth"]
        self.bars = ax.barh(names, [0] * len(names), color=[LIGHT_BLUE] * len(part_names) + [RED])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.invert_yaxis()
        _money_axis(ax.xaxis)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))  # room for "-$100,000"
        ax.set_xlabel(plain("US$"))
        # each bar's value 3 points beyond its end
        self.values = [
            ax.annotate("", (0, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
            for i in range(len(names))
        ]

    def show(self, parts: dict[str, int], unexplained_cents: int, year: int) -> None:
        values = [v / 100 for v in parts.values()] + [unexplained_cents / 100]
        for bar, label, value in zip(self.bars, self.values, values):
            bar.set_width(value)
            label.xy = (value, label.xy[1])
            label.set_text(whole_dollars(value))
            label.set_position((3 if value >= 0 else -3, 0))  # right of a positive bar, left of a negative
            label.set_horizontalalignment("left" if value >= 0 else "right")
        low, high = min(values + [0]), max(values + [0])
        room = 0.25 * ((high - low) or 1)  # space beyond the longest bars for their value labels
        # ends on round numbers (a tenth of the range), so the axis changes in steps, not with every move of
        # the slider
        ends = MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]).tick_values(
            low - room if low < 0 else 0, high + room
        )
        self.ax.set_xlim(ends[0], ends[-1])
        self.ax.set_title(
            plain(f"Net-worth method, {year}: unexplained = {dollars(unexplained_cents)}"), y=1.0
        )
