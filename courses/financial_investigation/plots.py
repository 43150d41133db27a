"""Matplotlib charts of the financial investigation explorers.

Each chart is built once per explorer (figure, axes, labels, legend, fixed margins) and then only updated: a
callback changes the data of its bars, lines and texts and gets PNG bytes back (``courses.blitting``: a
``BlittedFigure`` redraws only the artists marked ``changing`` over a cached background). Building and drawing
a new figure per change took 150-1500 ms; an update takes a few ms to a few tens of ms.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy

from courses.blitting import BlittedFigure, PngCache, changing, png_bytes
from courses.sprites import Sprite, paste, text_sprites

DIGITS = list(range(1, 10))


def dollars(cents: float) -> str:
    """``123456`` -> ``'$1,234.56'``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def plain(text: str) -> str:
    """Escape each ``$`` so matplotlib prints it instead of reading ``$4,000 and $4,999`` as maths."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def _whole_dollars(value: float, _position=None) -> str:
    """Axis tick label: ``100000`` -> ``'$100,000'`` (escaped for matplotlib)."""
    sign = "-" if value < 0 else ""
    return plain(f"{sign}${abs(value):,.0f}")


def _money_axis(axis) -> None:
    """Show an axis in whole dollars with thousands separators."""
    axis.set_major_formatter(FuncFormatter(_whole_dollars))


def _round_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (axis limits that change in steps, not continuously)."""
    return math.ceil(value / step - 1e-9) * step


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about five parts."""
    raw = max(span, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class BenfordChart:
    """Observed first-digit shares (bars) against Benford's expected shares (line), in percent."""

    def __init__(self) -> None:
        self.frames = BlittedFigure(Figure(figsize=(7, 3.8)), backgrounds_kept=16)
        fig = self.frames.figure
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.91)
        self.ax = ax = fig.subplots()
        self.bars = ax.bar(DIGITS, [0] * 9, color="#4c72b0", label="observed")
        (self.expected_line,) = ax.plot(DIGITS, [0] * 9, "o-", color="#c44e52", label="Benford expected")
        ax.set_xticks(DIGITS)
        ax.set_xlim(0.4, 9.6)
        ax.set_xlabel("first digit of the amount")
        ax.set_ylabel("share of amounts (%)")
        self.title = ax.set_title(" ", y=1.0)
        ax.legend(loc="upper right")  # in headroom kept free of bars (see png)
        for artist in (*self.bars, self.expected_line, self.title):  # by zorder: the line on top of the bars
            changing(artist)

    def png(self, expected: list[float], counts: list[int], title: str) -> bytes:
        total = sum(counts)
        shares = [100 * c / total if total else 0 for c in counts]
        line = [100 * e for e in expected]
        for bar, share in zip(self.bars, shares):
            bar.set_height(share)
        # 0-40 %, 0-50 %, ... (few backgrounds); the top quarter stays free for the legend
        top = _round_up(max(shares + line + [1]) * 1.3, 10)
        self.ax.set_ylim(0, top)
        self.expected_line.set_ydata(line)
        self.title.set_text(plain(title))
        return self.frames.png()  # a background per y range


def _dated_chart() -> tuple[BlittedFigure, PngCache, Axes]:
    """An 8 x 3.8 inch chart over dates with fixed margins: its redrawer, its PNG cache and its axes."""
    frames = BlittedFigure(Figure(figsize=(8, 3.8)), backgrounds_kept=16)
    frames.figure.subplots_adjust(left=0.12, right=0.95, bottom=0.17, top=0.91)
    ax = frames.figure.subplots()
    ax.xaxis_date()
    return frames, PngCache(), ax


class CashCalendar:
    """One customer's cash deposits per UTC day (stacked), the threshold and the band's lower edge."""

    def __init__(self, cash: pd.DataFrame, threshold_cents: int) -> None:
        self.cash = cash[cash["type"] == "cash_deposit"].sort_values("ts")
        self.threshold_cents = threshold_cents
        self.frames, self.cache, self.ax = _dated_chart()
        ax = self.ax
        ax.axhline(threshold_cents / 100, color="#c44e52")
        self.band_line = ax.axhline(threshold_cents / 100, color="#dd8452", linestyle="--")
        ax.legend(
            handles=[
                Line2D([], [], color="#c44e52", label=plain(f"threshold {dollars(threshold_cents)}")),
                Line2D([], [], color="#dd8452", linestyle="--", label="lower edge of the band (slider)"),
            ],
            loc="upper right",
            fontsize=8,
        )
        _money_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_xlabel("business day (UTC date)")
        ax.set_ylabel(plain("cash deposited (US$)"))
        self.title = ax.set_title(" ", y=1.0)
        changing(self.band_line)  # the customer's bars and labels, the legend and the title are background
        self.customer = None
        self.drawn: list = []  # the shown customer's bars and branch labels

    def _show_customer(self, customer_id: str) -> None:
        ax, threshold = self.ax, self.threshold_cents
        for artist in self.drawn:
            artist.remove()
        self.drawn = []
        deposits = self.cash[self.cash["customer_id"] == customer_id]
        stacked: dict[dt.date, float] = {}
        days, heights, bottoms = [], [], []
        for day, cents, branch in zip(deposits["ts"].dt.date, deposits["amount_cents"], deposits["branch_id"]):
            bottom = stacked.get(day, 0.0)
            days.append(day)
            heights.append(cents / 100)
            bottoms.append(bottom)
            if cents >= threshold / 5:  # label the bars tall enough to hold a label
                self.drawn.append(
                    ax.annotate(
                        branch,
                        (day, bottom + cents / 200),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="black",
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                    )
                )
            stacked[day] = bottom + cents / 100
        if days:
            bars = ax.bar(days, heights, bottom=bottoms, width=0.8, color="#4c72b0", edgecolor="white")
            self.drawn.append(bars)
        if stacked:  # only the days with deposits, a day either side (at least a week shown)
            first, last = (dt.datetime.combine(day, dt.time()) for day in (min(stacked), max(stacked)))
            pad = dt.timedelta(days=max(1, (7 - (last - first).days) // 2), hours=12)
            ax.set_xlim(first - pad, last + pad)
            # At most 6 unrotated date ticks: a new customer draws its axes again, and tick labels are most of that.
            locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
            locator.intervald[mdates.DAILY] = [1, 2, 3, 7, 14]  # whole days only, never hours
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.set_ylim(0, max([threshold / 100, *stacked.values()]) * 1.15)
        self.title.set_text(f"Cash deposits of {customer_id} per day (white box: branch of the deposit)")
        self.customer = customer_id

    def png(self, customer_id: str, band: float) -> bytes:
        key = (customer_id, band)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if customer_id != self.customer:
            self._show_customer(customer_id)
        self.band_line.set_ydata([band * self.threshold_cents / 100] * 2)
        return self.cache.put(key, self.frames.png(customer_id))  # a background per customer


class AccountTimeline:
    """Money in (up, green) and out (down, red) of one account over time."""

    def __init__(self, tx: pd.DataFrame) -> None:
        self.tx = tx.sort_values("ts")
        self.frames, self.cache, self.ax = _dated_chart()
        ax = self.ax
        ax.axhline(0, color="black", linewidth=0.8)
        ax.legend(
            handles=[
                Patch(color="#55a868", label="money in"),
                Patch(color="#c44e52", label="money out"),
            ],
            fontsize=8,
            loc="upper right",
        )
        _money_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        # At most 6 unrotated date ticks: a new account draws its axes again, and tick labels are most of that.
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.set_xlabel("time (UTC)")
        ax.set_ylabel(plain("amount (US$; out is negative)"))
        self.title = ax.set_title(" ", y=1.0)
        self.drawn: list = []

    def png(self, account_id: str) -> bytes:
        cached = self.cache.get(account_id)
        if cached is not None:
            return cached
        ax = self.ax
        for artist in self.drawn:
            artist.remove()
        rows = self.tx[self.tx["account_id"] == account_id]
        incoming = rows["type"].isin(["wire_in", "cash_deposit"]).to_numpy()
        times = mdates.date2num(rows["ts"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        amounts = rows["amount_cents"].to_numpy() / 100
        # One line collection per direction (a bar per transaction made a patch each: 60 ms per account).
        self.drawn = [
            ax.vlines(times[incoming], 0, amounts[incoming], color="#55a868", linewidth=2),
            ax.vlines(times[~incoming], -amounts[~incoming], 0, color="#c44e52", linewidth=2),
        ]
        if len(times):  # collections are not in relim(): limits from the data, with a margin
            span = max(times.max() - times.min(), 1.0)
            ax.set_xlim(times.min() - 0.05 * span, times.max() + 0.05 * span)
            top = max(amounts[incoming].max(initial=0), amounts[~incoming].max(initial=0), 1.0) * 1.1
            ax.set_ylim(-top, top)
        self.title.set_text(f"Transactions of {account_id}")
        return self.cache.put(account_id, self.frames.png(account_id))  # nothing changing: all background


NODE_RADIUS_PT = 13.2  # node markers of 700 pt^2, as networkx drew them


def _layers_layout(nodes: list[str], edges: set[tuple[str, str]], source: str, target: str) -> dict[str, tuple]:
    """Accounts left to right by hops from the source (the target always on the far right), each column centred
    (what ``networkx.multipartite_layout`` did, without networkx)."""
    following: dict[str, list[str]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    hops, frontier = {source: 0}, [source]
    while frontier:
        nxt = []
        for node in frontier:
            for other in following.get(node, ()):
                if other not in hops:
                    hops[other] = hops[node] + 1
                    nxt.append(other)
        frontier = nxt
    layer = {node: hops.get(node, 0) for node in nodes}
    layer[target] = max(hops.values()) + 1
    columns: dict[int, list[str]] = {}
    for node in nodes:
        columns.setdefault(layer[node], []).append(node)
    spots = {}
    for x, key in enumerate(sorted(columns)):
        column = columns[key]
        for y, node in enumerate(column):
            spots[node] = (float(x), y - (len(column) - 1) / 2)
    return spots


class MoneyTrailChart:
    """The accounts on the paths found: time-respecting hops solid red, other hops dashed grey."""

    def __init__(self, holders: dict[str, str]) -> None:
        self.holders = holders
        # Axes off, every account and wire changing: the background is the same whatever the limits.
        self.frames = BlittedFigure(Figure(figsize=(9, 5.5)), backgrounds_kept=16, limits_in_key=False)
        self.cache = PngCache()
        fig = self.frames.figure
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.93)
        self.ax = ax = fig.subplots()
        ax.axis("off")
        ax.set_autoscale_on(False)
        self.title = ax.set_title(" ", fontsize=10, y=1.0)
        node = {"marker": "o", "linestyle": "", "markersize": 10}
        ax.legend(
            handles=[
                Line2D([], [], color="#c44e52", lw=2.2, label="wire on a path whose dates never go backwards"),
                Line2D([], [], color="grey", linestyle="--", label="wire only on paths that go back in time"),
                Line2D([], [], **node, color="#c44e52", label="start and end account"),
                Line2D([], [], **node, color="#8fb3d9", label="account in between"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=2,
            fontsize=8,
            frameon=False,
        )
        # Drawn by zorder, then in the order added: grey wires, red wires (each shaft, then its heads), the
        # accounts, the title; the account names are pasted on top of the frame.
        self.grey = LineCollection([], colors="grey", linestyles="dashed", linewidths=1.0, zorder=2)
        self.grey_heads = PolyCollection([], facecolors="grey", edgecolors="none", zorder=2)
        self.red = LineCollection([], colors="#c44e52", linewidths=2.2, zorder=2)
        self.red_heads = PolyCollection([], facecolors="#c44e52", edgecolors="none", zorder=2)
        self.nodes = changing(ax.scatter([], [], s=700, zorder=3))
        for artist in (self.grey, self.grey_heads, self.red, self.red_heads):
            ax.add_collection(changing(artist))
        changing(self.title)
        # Account names rendered once and pasted onto every frame (drawing 20-40 labels was half of a frame).
        self.names: dict[str, Sprite] = dict(zip(holders, text_sprites(list(holders), va="center", fontsize=8)))

    def _name_sprites(self, nodes: list[str]) -> list[Sprite]:
        missing = [n for n in nodes if n not in self.names]  # an account the holders table does not name
        if missing:
            self.names.update(zip(missing, text_sprites(missing, va="center", fontsize=8)))
        return [self.names[n] for n in nodes]

    def _arrows(self, spots, edges, head_px) -> tuple[list, list]:
        """Shafts and arrow heads from node edge to node edge, computed in pixels (round nodes stay round). A wire
        between neighbouring columns is straight; a longer or same-column one bends, so it never runs hidden
        behind an account it does not touch."""
        to_px = self.ax.transData
        from_px = to_px.inverted()
        radius = NODE_RADIUS_PT * self.frames.figure.dpi / 72
        shafts, heads = [], []
        for a, b in edges:
            start, end = to_px.transform(spots[a]), to_px.transform(spots[b])
            length = float(np.hypot(*(end - start)))
            if length <= 2 * radius + head_px:
                continue
            if abs(spots[a][0] - spots[b][0]) == 1:  # straight, cut at the node edges
                unit = (end - start) / length
                line = np.array([start + unit * radius, end - unit * radius])
            else:  # a quadratic curve bending to the left of the direction of payment
                normal = np.array([-(end - start)[1], (end - start)[0]]) / length
                bend = start + (end - start) / 2 + normal * 0.18 * length
                t = np.linspace(0, 1, 40)[:, None]
                line = (1 - t) ** 2 * start + 2 * (1 - t) * t * bend + t**2 * end
                line = line[(np.hypot(*(line - start).T) >= radius) & (np.hypot(*(line - end).T) >= radius)]
                if len(line) < 2:
                    continue
            tip = line[-1]
            unit = tip - line[-2]
            unit = unit / float(np.hypot(*unit))
            normal = np.array([-unit[1], unit[0]])
            base = tip - unit * head_px
            keep = np.hypot(*(line - tip).T) > head_px
            shafts.append(from_px.transform(np.vstack([line[keep], base + unit])))
            heads.append(from_px.transform([tip, base + normal * head_px * 0.45, base - normal * head_px * 0.45]))
        return shafts, heads

    def png(self, paths: list[list[str]], time_paths: list[list[str]], source: str, target: str) -> bytes:
        key = (source, target, tuple(map(tuple, paths)), tuple(map(tuple, time_paths)))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        ax, holders = self.ax, self.holders
        nodes, edges = [source, target], set()
        for path in paths:
            for node in path:
                if node not in nodes:
                    nodes.append(node)
            edges.update(itertools.pairwise(path))
        timed = {(a, b) for path in time_paths for a, b in itertools.pairwise(path)}
        edges |= timed
        for node in {n for e in timed for n in e}:
            if node not in nodes:
                nodes.append(node)
        spots = _layers_layout(nodes, edges, source, target)
        xs, ys = zip(*spots.values())
        ax.set_xlim(min(xs) - 0.35, max(xs) + 0.35)
        ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
        red, red_heads = self._arrows(spots, sorted(timed), 12)
        grey, grey_heads = self._arrows(spots, sorted(edges - timed), 10)
        self.red.set_segments(red)
        self.red_heads.set_verts(red_heads)
        self.grey.set_segments(grey)
        self.grey_heads.set_verts(grey_heads)
        self.nodes.set_offsets([spots[n] for n in nodes])
        self.nodes.set_facecolors(["#c44e52" if n in (source, target) else "#8fb3d9" for n in nodes])
        self.title.set_text(
            plain(
                f"{holders.get(source, source)} -> {holders.get(target, target)}: {len(paths)} path(s), "
                f"{len(time_paths)} with dates in order (solid red; key below)"
            )
        )
        frame = self.frames.frame()
        centres = ax.transData.transform([spots[n] for n in nodes])
        names = [sprite.at(x, y, ha="center") for sprite, (x, y) in zip(self._name_sprites(nodes), centres)]
        return self.cache.put(key, png_bytes(paste(frame, names)))


class ComminglingChart:
    """Balance and traceable tainted money after each ledger row, under both rules, up to a step."""

    def __init__(self, labels: list[str], balance: list[int]) -> None:
        self.labels, self.balance = labels, balance
        self.frames = BlittedFigure(Figure(figsize=(10, 4)), backgrounds_kept=16)
        fig = self.frames.figure
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.22, top=0.91, wspace=0.33)
        left, right = self.left, self.right = fig.subplots(1, 2, width_ratios=[3, 1])
        (self.balance_line,) = left.plot([], [], "k-o", markersize=3, label="balance")
        (self.libr_line,) = left.plot(
            [], [], "-s", color="#c44e52", markersize=3, label="tainted (lowest intermediate balance)"
        )
        (self.first_out_line,) = left.plot(
            [], [], "--^", color="#dd8452", markersize=3, label="tainted (tainted money leaves first)"
        )
        left.set_xlim(-0.5, len(labels) - 0.5)
        left.xaxis.set_major_locator(MaxNLocator(integer=True))  # rows are whole numbers: no 2.5 or 7.5
        left.set_xlabel("ledger row")
        left.set_ylabel(plain("US$"))
        _money_axis(left.yaxis)
        self.left_title = left.set_title(" ", fontsize=10, y=1.0)
        # the whole ledger's range from the start, so the axes stay still while the rows play, and headroom
        # above the lines for the legend
        left.legend(fontsize=8, loc="upper left")
        rules = ["lowest\nintermediate\nbalance", "tainted\nleaves first"]
        self.tainted_bars = right.bar(rules, [0, 0], color="#c44e52", label="tainted")
        self.clean_bars = right.bar(rules, [0, 0], bottom=[0, 0], color="#8fb3d9", label="clean")
        right.set_ylabel(plain("US$ in the account"))
        _money_axis(right.yaxis)
        self.right_title = right.set_title(" ", fontsize=10, y=1.0)
        # the legend sits above the bars, in headroom kept free for it, instead of covering one of them
        right.legend(fontsize=8, loc="upper center", ncol=2, handlelength=1.0, columnspacing=0.8)
        for artist in (self.balance_line, self.libr_line, self.first_out_line, self.left_title,
                       *self.tainted_bars, *self.clean_bars, self.right_title):
            changing(artist)

    def png(self, libr_taint: list[int], first_out_taint: list[int], step: int) -> bytes:
        rows = list(range(step + 1))
        dollars_of = [b / 100 for b in self.balance]
        self.balance_line.set_data(rows, dollars_of[: step + 1])
        self.libr_line.set_data(rows, [t / 100 for t in libr_taint[: step + 1]])
        self.first_out_line.set_data(rows, [t / 100 for t in first_out_taint[: step + 1]])
        values = dollars_of + [t / 100 for t in libr_taint + first_out_taint]
        low, high = min(values + [0]), max(values + [1])
        step_y = _nice_step(high - low)
        left_limits = (_round_up(-low * 1.05, step_y) * -1 if low < 0 else 0, _round_up(high * 1.4, step_y))
        self.left.set_ylim(*left_limits)
        self.left_title.set_text(plain(f"Row {step}: {self.labels[step]}"))
        tainted = [libr_taint[step] / 100, first_out_taint[step] / 100]
        clean = [self.balance[step] / 100 - t for t in tainted]
        for bar, t, c in zip(zip(self.tainted_bars, self.clean_bars), tainted, clean):
            bar[0].set_height(t)
            bar[1].set_y(t)
            bar[1].set_height(c)
        top = max(dollars_of + tainted + [1.0])
        self.right.set_ylim(0, top * 1.35)
        self.right_title.set_text(f"Now (after row {step})")
        return self.frames.png()  # a background per pair of y ranges


class NetWorthChart:
    """The inputs of the net-worth method and the unexplained remainder, as horizontal bars (US$)."""

    def __init__(self, part_names: list[str]) -> None:
        self.frames = BlittedFigure(Figure(figsize=(8, 3.8)), backgrounds_kept=16)
        self.cache = PngCache()
        fig = self.frames.figure
        fig.subplots_adjust(left=0.2, right=0.94, bottom=0.15, top=0.91)
        self.ax = ax = fig.subplots()
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # room for "-$100,000"-wide tick labels
        labels = list(part_names) + ["unexplained wealth"]
        colours = ["#8fb3d9"] * len(part_names) + ["#c44e52"]
        self.bars = ax.barh(labels, [0] * len(labels), color=colours)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.invert_yaxis()
        _money_axis(ax.xaxis)
        ax.set_xlabel(plain("US$"))
        self.title = ax.set_title(" ", y=1.0)
        right = offset_copy(ax.transData, fig=fig, x=3, units="points")
        left = offset_copy(ax.transData, fig=fig, x=-3, units="points")
        self.value_labels = [
            (ax.text(0, i, "", va="center", ha="left", fontsize=8, transform=right),
             ax.text(0, i, "", va="center", ha="right", fontsize=8, transform=left))
            for i in range(len(labels))
        ]
        for artist in (*self.bars, *(t for pair in self.value_labels for t in pair), self.title):
            changing(artist)

    def png(self, parts: dict[str, int], unexplained_cents: int, year: int) -> bytes:
        values = [v / 100 for v in parts.values()] + [unexplained_cents / 100]
        key = (tuple(values), year)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        for bar, (after, before), value in zip(self.bars, self.value_labels, values):
            bar.set_width(value)
            shown, hidden = (after, before) if value >= 0 else (before, after)
            shown.set_position((value, shown.get_position()[1]))
            shown.set_text(_whole_dollars(value))
            shown.set_visible(True)
            hidden.set_visible(False)
        low, high = min(values + [0]), max(values + [0])
        room = 0.2 * ((high - low) or 1)  # space beyond the longest bars for their value labels
        step = _nice_step(high - low + 2 * room)
        limits = (-_round_up(room - low, step) if low < 0 else 0, _round_up(high + room, step))
        self.ax.set_xlim(*limits)
        self.title.set_text(plain(f"Net-worth method, {year}: unexplained = {dollars(unexplained_cents)}"))
        return self.cache.put(key, self.frames.png())  # a background per x range
