"""Matplotlib figures for the financial investigation widgets; each function returns a new Figure."""

from __future__ import annotations

import datetime as dt
import re

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

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


def benford_figure(expected: list[float], counts: list[int], title: str) -> Figure:
    """Observed first-digit shares (bars) against Benford's expected shares (line), in percent."""
    total = sum(counts)
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(DIGITS, [100 * c / total if total else 0 for c in counts], color="#4c72b0", label="observed")
    ax.plot(DIGITS, [100 * e for e in expected], "o-", color="#c44e52", label="Benford expected")
    ax.set_xticks(DIGITS)
    ax.set_xlabel("first digit of the amount")
    ax.set_ylabel("share of amounts (%)")
    ax.set_title(plain(title))
    ax.legend()
    return fig


def cash_calendar_figure(cash: pd.DataFrame, customer_id: str, threshold_cents: int, band: float) -> Figure:
    """One customer's cash deposits per UTC day (stacked), the threshold and the band's lower edge."""
    deposits = cash[(cash["customer_id"] == customer_id) & (cash["type"] == "cash_deposit")].sort_values("ts")
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    stacked: dict[dt.date, float] = {}
    for row in deposits.itertuples():
        day = row.ts.date()
        bottom = stacked.get(day, 0.0)
        ax.bar(day, row.amount_cents / 100, bottom=bottom, width=0.8, color="#4c72b0", edgecolor="white")
        if row.amount_cents >= threshold_cents / 5:  # label the bars tall enough to hold a label
            ax.annotate(
                row.branch_id,
                (day, bottom + row.amount_cents / 200),
                ha="center",
                va="center",
                fontsize=9,
                color="black",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
            )
        stacked[day] = bottom + row.amount_cents / 100
    ax.axhline(threshold_cents / 100, color="#c44e52", label=plain(f"threshold {dollars(threshold_cents)}"))
    ax.axhline(
        band * threshold_cents / 100,
        color="#dd8452",
        linestyle="--",
        label=plain(f"band starts at {band:.0%} ({dollars(band * threshold_cents)})"),
    )
    if stacked:  # only the days with deposits, a day either side (at least a week shown)
        first, last = (dt.datetime.combine(day, dt.time()) for day in (min(stacked), max(stacked)))
        pad = dt.timedelta(days=max(1, (7 - (last - first).days) // 2), hours=12)
        ax.set_xlim(first - pad, last + pad)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
        locator.intervald[mdates.DAILY] = [1, 2, 3, 7, 14]  # whole days only, never hours
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    ax.set_ylim(0, max([threshold_cents / 100, *stacked.values()]) * 1.15)
    _money_axis(ax.yaxis)
    ax.set_xlabel("business day (UTC date)")
    ax.set_ylabel(plain("cash deposited (US$)"))
    ax.set_title(f"Cash deposits of {customer_id} (white boxes: branch of the deposit)")
    ax.legend(loc="upper right", fontsize=8)
    fig.autofmt_xdate()
    return fig


def account_timeline_figure(tx: pd.DataFrame, account_id: str) -> Figure:
    """Money in (up, green) and out (down, red) of one account over time."""
    rows = tx[tx["account_id"] == account_id].sort_values("ts")
    incoming = rows["type"].isin(["wire_in", "cash_deposit"])
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(
        rows.loc[incoming, "ts"],
        rows.loc[incoming, "amount_cents"] / 100,
        width=0.15,
        color="#55a868",
        label="money in",
    )
    ax.bar(
        rows.loc[~incoming, "ts"],
        -rows.loc[~incoming, "amount_cents"] / 100,
        width=0.15,
        color="#c44e52",
        label="money out",
    )
    ax.axhline(0, color="black", linewidth=0.8)
    _money_axis(ax.yaxis)
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel(plain("amount (US$; out is negative)"))
    ax.set_title(f"Transactions of {account_id}")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return fig


def money_trail_figure(
    paths: list[list[str]], time_paths: list[list[str]], source: str, target: str, holders: dict[str, str]
) -> Figure:
    """The accounts on the paths found: time-respecting hops solid red, other hops dashed grey."""
    import networkx as nx  # here, not at the top: only this figure needs it (0.3-0.7 s to import)

    graph = nx.DiGraph()
    graph.add_nodes_from([source, target])
    for path in paths:
        nx.add_path(graph, path)
    timed = {(a, b) for path in time_paths for a, b in zip(path, path[1:])}
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.subplots()
    hops = nx.single_source_shortest_path_length(graph, source)
    for node in graph.nodes:  # left to right by hops from the source; the target always on the far right
        graph.nodes[node]["layer"] = hops.get(node, 0)
    graph.nodes[target]["layer"] = max(hops.values()) + 1
    layout = nx.multipartite_layout(graph, subset_key="layer")
    colours = ["#c44e52" if n in (source, target) else "#8fb3d9" for n in graph.nodes]
    nx.draw_networkx_nodes(graph, layout, node_color=colours, node_size=700, ax=ax)
    nx.draw_networkx_labels(graph, layout, font_size=8, ax=ax)
    other = [e for e in graph.edges if e not in timed]
    nx.draw_networkx_edges(
        graph,
        layout,
        edgelist=sorted(timed),
        edge_color="#c44e52",
        width=2.2,
        ax=ax,
        arrowsize=16,
        node_size=700,
    )
    nx.draw_networkx_edges(
        graph, layout, edgelist=other, edge_color="grey", style="dashed", ax=ax, arrowsize=14, node_size=700
    )
    ax.set_title(
        plain(
            f"{holders.get(source, source)} -> {holders.get(target, target)}: {len(paths)} path(s), "
            f"{len(time_paths)} with dates in order (solid red; key below)"
        ),
        fontsize=10,
    )
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
    ax.axis("off")
    return fig


def commingling_figure(
    labels: list[str], balance: list[int], libr_taint: list[int], first_out_taint: list[int], step: int
) -> Figure:
    """Balance and traceable tainted money after each ledger row, under both rules, up to ``step``."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[3, 1])
    rows = range(step + 1)
    left.plot(rows, [b / 100 for b in balance[: step + 1]], "k-o", markersize=3, label="balance")
    left.plot(
        rows,
        [t / 100 for t in libr_taint[: step + 1]],
        "-s",
        color="#c44e52",
        markersize=3,
        label="tainted (lowest intermediate balance)",
    )
    left.plot(
        rows,
        [t / 100 for t in first_out_taint[: step + 1]],
        "--^",
        color="#dd8452",
        markersize=3,
        label="tainted (tainted money leaves first)",
    )
    left.set_xlim(-0.5, len(labels) - 0.5)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))  # rows are whole numbers: no 2.5 or 7.5
    left.set_xlabel("ledger row")
    left.set_ylabel(plain("US$"))
    _money_axis(left.yaxis)
    left.set_title(plain(f"Row {step}: {labels[step]}"), fontsize=10)
    left.legend(fontsize=8)
    rules = ["lowest\nintermediate\nbalance", "tainted\nleaves first"]
    tainted = [libr_taint[step] / 100, first_out_taint[step] / 100]
    clean = [balance[step] / 100 - t for t in tainted]
    right.bar(rules, tainted, color="#c44e52", label="tainted")
    right.bar(rules, clean, bottom=tainted, color="#8fb3d9", label="clean")
    right.set_ylabel(plain("US$ in the account"))
    _money_axis(right.yaxis)
    right.set_title(f"Now (after row {step})", fontsize=10)
    # the legend sits above the bars, in headroom kept free for it, instead of covering one of them
    top = max([b / 100 for b in balance] + tainted + [1.0])
    right.set_ylim(0, top * 1.35)
    right.legend(fontsize=8, loc="upper center", ncol=2, handlelength=1.0, columnspacing=0.8)
    return fig


def net_worth_figure(parts: dict[str, int], unexplained_cents: int, year: int) -> Figure:
    """The inputs of the net-worth method and the unexplained remainder, as horizontal bars (US$)."""
    labels = list(parts) + ["unexplained wealth"]
    values = [v / 100 for v in parts.values()] + [unexplained_cents / 100]
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    colours = ["#8fb3d9"] * len(parts) + ["#c44e52"]
    bars = ax.barh(labels, values, color=colours)
    ax.bar_label(bars, labels=[_whole_dollars(v) for v in values], padding=3, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    low, high = min(values + [0]), max(values + [0])
    room = 0.2 * ((high - low) or 1)  # space beyond the longest bars for their value labels
    ax.set_xlim(low - room if low < 0 else 0, high + room)
    _money_axis(ax.xaxis)
    ax.set_xlabel(plain("US$"))
    ax.set_title(plain(f"Net-worth method, {year}: unexplained = {dollars(unexplained_cents)}"))
    return fig
