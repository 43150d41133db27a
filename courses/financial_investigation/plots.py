"""Matplotlib charts of the financial investigation explorers.

Each chart is built once per explorer (figure, axes, labels, legend, fixed margins) and then only updated: a
callback changes the data of its bars, lines and texts and gets PNG bytes back (``courses.blitting``: a
``BlittedFigure`` redraws only the artists marked ``changing`` over a cached background). Building and drawing
a new figure per change took 150-1500 ms; an update takes a few ms to a few tens of ms.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections import OrderedDict

import courses.fast_matplotlib  # noqa: F401  (before any other matplotlib import: see there)

# isort: split
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullLocator
from matplotlib.transforms import (
    Bbox,
    BboxTransformFrom,
    BboxTransformTo,
    IdentityTransform,
    ScaledTranslation,
    TransformedBbox,
    offset_copy,
)

from courses.blitting import BlittedFigure, PngCache, changing, png_bytes
from courses.sprites import LegendTexts, PastedText, Placed, Sprite, paste, text_sprites, tick_marks

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


class PastedTexts:
    """Texts in one style rendered once per wording (:func:`courses.sprites.text_sprites`; the last ``kept``
    wordings kept) and pasted onto a frame: a tenth of drawing them, and nothing for a wording seen before."""

    def __init__(self, kept: int = 64, va: str = "baseline", **style) -> None:
        self.sprites: OrderedDict[str, Sprite] = OrderedDict()
        self.kept, self.va, self.style = kept, va, style

    def render(self, texts: list[str]) -> None:
        """Render those of ``texts`` not rendered yet, in one go (cheaper than one by one)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.sprites))
        if missing:
            self.sprites.update(zip(missing, text_sprites(missing, va=self.va, **self.style)))
            while len(self.sprites) > self.kept:
                self.sprites.popitem(last=False)

    def sprite(self, text: str) -> Sprite:
        """The sprite of ``text`` (rendered now if it is new)."""
        self.render([text])
        self.sprites.move_to_end(text)
        return self.sprites[text]

    def at(self, text: str, x: float, y: float, ha: str = "left") -> Placed:
        """``text`` placed like ``Figure.text(x, y, text, ha=ha, va=va)`` in display pixels."""
        return self.sprite(text).at(x, y, ha)


class PastedTicks:
    """One axis' tick marks, tick labels and (for a y axis) axis label redrawn on every frame at little cost,
    so that new limits need no new background (``BlittedFigure(limits_in_key=False)``): each text is rendered
    once and pasted (``courses.sprites``), the marks are one line of tick markers. Matplotlib's own ticks are
    hidden; an x axis label is pasted (:class:`PastedText`) where one line of tick labels puts it."""

    def __init__(self, axis: Axis) -> None:
        self.axis = axis
        self.locator = axis.get_major_locator()
        axis.set_major_locator(NullLocator())  # no ticks for matplotlib to make (a millisecond each) and hide
        tick = axis.get_major_ticks(1)[0]
        self.label = tick.label1  # the model: font, colour, alignment, and a transform that includes the pad
        self.marks = changing(tick_marks(axis, like=tick.tick1line))
        self.texts = PastedTexts(
            kept=256, va=self.label.get_va(), fontsize=self.label.get_fontsize(), color=self.label.get_color()
        )
        self.name_sprite: Sprite | None = None
        self.x_name: PastedText | None = None
        pad_points = tick.get_pad() + tick.get_tick_padding()
        axis.set_tick_params(which="major", tick1On=False, label1On=False)
        if axis.axis_name == "x":
            self._fix_x_label(pad_points)
            self.x_name = PastedText(axis.label) if axis.label.get_text() else None
        else:
            axis.label.set_visible(False)  # pasted beyond the widest tick label, as matplotlib places it

    def _fix_x_label(self, pad_points: float) -> None:
        """Fix the axis label where matplotlib puts it below one line of tick labels."""
        ax, figure = self.axis.axes, self.axis.get_figure(root=True)
        probe = Text(0, 0, "0", fontproperties=self.label.get_fontproperties(), figure=figure)
        height = probe.get_window_extent(figure.canvas.get_renderer()).height * 72 / figure.dpi
        below = pad_points + height + self.axis.labelpad
        self.axis.set_label_coords(0.5, 0, offset_copy(ax.transAxes, figure, y=-below, units="points"))

    def _y_label(self, labels: list[Placed]) -> Placed:
        """The y axis label, turned upright, ``labelpad`` left of the tick labels and centred on the axis."""
        axis = self.axis
        if self.name_sprite is None:
            label = axis.label
            (flat,) = text_sprites([label.get_text()], va="bottom", fontsize=label.get_fontsize(),
                                color=label.get_color())
            self.name_sprite = flat.reading_upwards()
        box = axis.axes.bbox
        left = min([box.x0, *(x for _, x, _ in labels)])  # placed left-aligned: x is where a label starts
        pad = axis.labelpad * axis.get_figure(root=True).dpi / 72
        return self.name_sprite, left - pad, (box.y0 + box.y1 - self.name_sprite.text_width) / 2

    def use(self, locator: Locator) -> None:
        """Place the ticks with ``locator`` from now on (instead of ``Axis.set_major_locator``)."""
        locator.set_axis(self.axis)
        self.locator = locator

    def place(self) -> list[Placed]:
        """Set the tick marks for the axis' limits now and return where its texts go."""
        axis = self.axis
        locations = list(self.locator())
        texts = axis.get_major_formatter().format_ticks(locations)
        low, high = sorted(axis.get_view_interval())
        slack = (high - low) * 1e-9
        shown = [(at, text) for at, text in zip(locations, texts) if low - slack <= at <= high + slack]
        points = [(at, 0.0) if axis.axis_name == "x" else (0.0, at) for at, _ in shown]
        self.marks.set_data([p[0] for p in points], [p[1] for p in points])
        self.texts.render([text for _, text in shown if text])
        where = self.label.get_transform().transform(points) if points else []
        ha = self.label.get_ha()
        labels = [self.texts.at(text, x, y, ha) for (_, text), (x, y) in zip(shown, where) if text]
        if axis.axis_name == "y" and axis.label.get_text():
            labels.append(self._y_label(labels))
        elif self.x_name is not None:
            labels += self.x_name.placed()
        return labels


class PastedTitle:
    """An Axes title pasted from :class:`PastedTexts` (a tenth of drawing it; nothing when it recurs)."""

    def __init__(self, where: Axes | Text, **style) -> None:
        """``where``: the Axes whose title it is (in ``style``), or a text where and how to draw it."""
        # where and how matplotlib would draw it; hidden
        self.model = where.set_title(" ", y=1.0, **style) if isinstance(where, Axes) else where
        self.model.set_visible(False)
        self.texts = PastedTexts(
            va=self.model.get_va(), fontsize=self.model.get_fontsize(), color=self.model.get_color()
        )

    def at(self, *parts: str) -> list[Placed]:
        """The title ``" ".join(parts)`` in its place, each part rendered once (a part that recurs with other
        parts costs nothing; matplotlib escapes: ``plain`` a ``$``)."""
        self.texts.render(list(parts))
        sprites = [self.texts.sprite(part) for part in parts]
        space = self._space
        width = sum(sprite.text_width for sprite in sprites) + space * (len(parts) - 1)
        x, y = self.model.get_transform().transform(self.model.get_position())
        x -= {"left": 0.0, "center": width / 2, "right": width}[self.model.get_ha()]
        placed = []
        for sprite in sprites:
            placed.append(sprite.at(x, y))
            x += sprite.text_width + space
        return placed

    @property
    def _space(self) -> float:
        """How far a space moves the next word, in pixels."""
        return _space_width(self.model.get_fontproperties(), self.model.get_figure(root=True).dpi)


@functools.cache
def _space_width(font: FontProperties, dpi: float) -> float:
    """How far a space moves the next word in ``font`` at ``dpi``, in pixels (measured once per font: every
    title of a size shares it)."""
    renderer = RendererAgg(1, 1, dpi)
    return (renderer.get_text_width_height_descent("a a", font, False)[0]
            - renderer.get_text_width_height_descent("aa", font, False)[0])


def _pasted_tick_labels(axis: Axis) -> list[PastedText]:
    """The tick labels of an axis whose ticks never change (categories) as :class:`PastedText`; matplotlib's
    own are hidden (its tick marks stay in the background)."""
    locations = axis.get_majorticklocs()
    ticks = axis.get_major_ticks(len(locations))
    for tick, location, text in zip(ticks, locations, axis.get_major_formatter().format_ticks(locations)):
        tick.update_position(location)
        tick.label1.set_text(text)
    pasted = [PastedText(tick.label1) for tick in ticks]
    axis.set_tick_params(which="major", label1On=False)
    return pasted


def _placed(ticks: list[PastedTicks]) -> list[Placed]:
    """Where the texts of every axis in ``ticks`` go now (their tick marks set)."""
    return [label for axis in ticks for label in axis.place()]


def _png(frames: BlittedFigure, placed: list[Placed], legends: list[LegendTexts] = ()) -> bytes:
    """A frame of ``frames`` with the ``placed`` sprites and the labels of ``legends`` (laid out by the frame's
    drawing) pasted on top, as PNG bytes."""
    frame = frames.frame()
    return png_bytes(paste(frame, [*placed, *(label for legend in legends for label in legend.placed())]))


class BenfordChart:
    """Observed first-digit shares (bars) against Benford's expected shares (line), in percent."""

    def __init__(self) -> None:
        self.frames = BlittedFigure(Figure(figsize=(7, 3.8)), limits_in_key=False)
        fig = self.frames.figure
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.91)
        self.ax = ax = fig.subplots()
        self.bars = ax.bar(DIGITS, [0] * 9, color="#4c72b0", label="observed")
        (self.expected_line,) = ax.plot(DIGITS, [0] * 9, "o-", color="#c44e52", label="Benford expected")
        ax.set_xticks(DIGITS)
        ax.set_xlim(0.4, 9.6)
        ax.set_xlabel("first digit of the amount")
        ax.set_ylabel("share of amounts (%)")
        self.title = PastedTitle(ax)
        self.legends = [LegendTexts(ax.legend(loc="upper right"))]  # in headroom kept free of bars (see png)
        self.ticks = [PastedTicks(ax.xaxis), PastedTicks(ax.yaxis)]  # (the y range changes with the data)
        for artist in (*self.bars, self.expected_line):  # by zorder: the line on top of the bars
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
        placed = [*_placed(self.ticks), *self.title.at(plain(title))]
        return _png(self.frames, placed, self.legends)  # one background for every y range


def _dated_chart() -> tuple[BlittedFigure, PngCache, Axes]:
    """An 8 x 3.8 inch chart over dates with fixed margins: its redrawer (one background, whatever the limits:
    everything that depends on them must be marked changing or pasted), its PNG cache and its axes."""
    frames = BlittedFigure(Figure(figsize=(8, 3.8)), limits_in_key=False)
    frames.figure.subplots_adjust(left=0.12, right=0.95, bottom=0.17, top=0.91)
    ax = frames.figure.subplots()
    ax.xaxis_date()
    return frames, PngCache(), ax


def _day_bars(days: list[dt.date], bottoms: list[float], heights: list[float], width: float
              ) -> list[np.ndarray]:
    """The corners of bars centred on ``days`` (what ``Axes.bar`` draws, as one collection's polygons)."""
    centres = mdates.date2num(days)
    return [
        np.array([(x - width / 2, b), (x - width / 2, b + h), (x + width / 2, b + h), (x + width / 2, b)])
        for x, b, h in zip(centres, bottoms, heights)
    ]


class CashCalendar:
    """One customer's cash deposits per UTC day (stacked), the threshold and the band's lower edge."""

    def __init__(self, cash: pd.DataFrame, threshold_cents: int) -> None:
        self.cash = cash[cash["type"] == "cash_deposit"].sort_values("ts")
        self.threshold_cents = threshold_cents
        self.frames, self.cache, self.ax = _dated_chart()
        ax = self.ax
        self.bars = ax.add_collection(changing(PolyCollection([], facecolors="#4c72b0", edgecolors="white")),
                                      autolim=False)
        threshold_line = ax.axhline(threshold_cents / 100, color="#c44e52")
        self.band_line = ax.axhline(threshold_cents / 100, color="#dd8452", linestyle="--")
        self.legends = [LegendTexts(ax.legend(
            handles=[
                Line2D([], [], color="#c44e52", label=plain(f"threshold {dollars(threshold_cents)}")),
                Line2D([], [], color="#dd8452", linestyle="--", label="lower edge of the band (slider)"),
            ],
            loc="upper right",
            fontsize=8,
        ))]
        _money_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_xlabel("business day (UTC date)")
        ax.set_ylabel(plain("cash deposited (US$)"))
        self.title = PastedTitle(ax)
        self.ticks = [PastedTicks(ax.xaxis), PastedTicks(ax.yaxis)]
        for artist in (threshold_line, self.band_line):  # the legend and axis labels are background
            changing(artist)
        self.customer = None
        self.branch_labels: list[tuple[str, float, float]] = []  # (branch, day, height) of the shown customer
        box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
        self.branches = PastedTexts(va="center", fontsize=9, color="black", bbox=box)

    def _show_customer(self, customer_id: str) -> None:
        ax, threshold = self.ax, self.threshold_cents
        deposits = self.cash[self.cash["customer_id"] == customer_id]
        stacked: dict[dt.date, float] = {}
        days, heights, bottoms = [], [], []
        self.branch_labels = []
        for day, cents, branch in zip(deposits["ts"].dt.date, deposits["amount_cents"], deposits["branch_id"]):
            bottom = stacked.get(day, 0.0)
            days.append(day)
            heights.append(cents / 100)
            bottoms.append(bottom)
            if cents >= threshold / 5:  # label the bars tall enough to hold a label
                self.branch_labels.append((branch, mdates.date2num(day), bottom + cents / 200))
            stacked[day] = bottom + cents / 100
        self.bars.set_verts(_day_bars(days, bottoms, heights, 0.8))
        if stacked:  # only the days with deposits, a day either side (at least a week shown)
            first, last = (dt.datetime.combine(day, dt.time()) for day in (min(stacked), max(stacked)))
            pad = dt.timedelta(days=max(1, (7 - (last - first).days) // 2), hours=12)
            ax.set_xlim(first - pad, last + pad)
            # At most 6 unrotated date ticks, whole days only (never hours)
            locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
            locator.intervald[mdates.DAILY] = [1, 2, 3, 7, 14]
            self.ticks[0].use(locator)
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.set_ylim(0, max([threshold / 100, *stacked.values()]) * 1.15)
        self.customer = customer_id

    def _branch_names(self) -> list[Placed]:
        """The branch of each labelled deposit, in a white box in the middle of its bar."""
        self.branches.render([branch for branch, _, _ in self.branch_labels])
        where = self.ax.transData.transform([(x, y) for _, x, y in self.branch_labels]).reshape(-1, 2)
        return [self.branches.at(b, x, y, "center") for (b, _, _), (x, y) in zip(self.branch_labels, where)]

    def png(self, customer_id: str, band: float) -> bytes:
        key = (customer_id, band)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if customer_id != self.customer:
            self._show_customer(customer_id)
        self.band_line.set_ydata([band * self.threshold_cents / 100] * 2)
        title = self.title.at(f"Cash deposits of {customer_id} per day (white box: branch of the deposit)")
        placed = [*_placed(self.ticks), *self._branch_names(), *title]
        return self.cache.put(key, _png(self.frames, placed, self.legends))


class AccountTimeline:
    """Money in (up, green) and out (down, red) of one account over time."""

    def __init__(self, tx: pd.DataFrame) -> None:
        self.tx = tx.sort_values("ts")
        self.frames, self.cache, self.ax = _dated_chart()
        ax = self.ax
        # One line collection per direction (a bar per transaction made a patch each: 60 ms per account).
        self.incoming, self.outgoing = (
            ax.add_collection(changing(LineCollection([], colors=colour, linewidths=2)), autolim=False)
            for colour in ("#55a868", "#c44e52")
        )
        zero = ax.axhline(0, color="black", linewidth=0.8)
        self.legends = [LegendTexts(ax.legend(
            handles=[
                Patch(color="#55a868", label="money in"),
                Patch(color="#c44e52", label="money out"),
            ],
            fontsize=8,
            loc="upper right",
        ))]
        _money_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        # At most 6 unrotated date ticks
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.set_xlabel("time (UTC)")
        ax.set_ylabel(plain("amount (US$; out is negative)"))
        self.title = PastedTitle(ax)
        self.ticks = [PastedTicks(ax.xaxis), PastedTicks(ax.yaxis)]
        changing(zero)  # the legend and axis labels are background

    def png(self, account_id: str) -> bytes:
        cached = self.cache.get(account_id)
        if cached is not None:
            return cached
        ax = self.ax
        rows = self.tx[self.tx["account_id"] == account_id]
        incoming = rows["type"].isin(["wire_in", "cash_deposit"]).to_numpy()
        times = mdates.date2num(rows["ts"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        amounts = rows["amount_cents"].to_numpy() / 100
        self.incoming.set_segments([[(t, 0), (t, a)] for t, a in zip(times[incoming], amounts[incoming])])
        self.outgoing.set_segments([[(t, -a), (t, 0)] for t, a in zip(times[~incoming], amounts[~incoming])])
        if len(times):  # collections are not in relim(): limits from the data, with a margin
            span = max(times.max() - times.min(), 1.0)
            ax.set_xlim(times.min() - 0.05 * span, times.max() + 0.05 * span)
            top = max(amounts[incoming].max(initial=0), amounts[~incoming].max(initial=0), 1.0) * 1.1
            ax.set_ylim(-top, top)
        title = self.title.at(f"Transactions of {account_id}")
        placed = [*_placed(self.ticks), *title]
        return self.cache.put(account_id, _png(self.frames, placed, self.legends))


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


def _straight_arrow(start, end, radius: float, head_px: float) -> tuple[list, list] | None:
    """A straight shaft and head from the edge of the node at ``start`` to the edge of the one at ``end``
    (pixels); ``None`` when the nodes are too close for an arrow."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length <= 2 * radius + head_px:
        return None
    ux, uy = dx / length, dy / length
    tip = (end[0] - ux * radius, end[1] - uy * radius)
    base = (tip[0] - ux * head_px, tip[1] - uy * head_px)
    side = (-uy * head_px * 0.45, ux * head_px * 0.45)
    shaft = [(start[0] + ux * radius, start[1] + uy * radius), (base[0] + ux, base[1] + uy)]
    return shaft, [tip, (base[0] + side[0], base[1] + side[1]), (base[0] - side[0], base[1] - side[1])]


def _curved_arrows(starts: np.ndarray, ends: np.ndarray, radius: float, head_px: float) -> list:
    """Like :func:`_straight_arrow` for each pair of ``starts`` and ``ends`` (pixels), along a quadratic curve
    bending to the left of the direction of payment (all curves computed at once)."""
    along = ends - starts
    length = np.hypot(along[:, 0], along[:, 1])[:, None]
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1) / length
    bend = starts + along / 2 + normal * 0.18 * length
    t = np.linspace(0, 1, 40)[None, :, None]
    lines = (1 - t) ** 2 * starts[:, None] + 2 * (1 - t) * t * bend[:, None] + t**2 * ends[:, None]
    outside = ((np.hypot(*np.moveaxis(lines - starts[:, None], 2, 0)) >= radius)
               & (np.hypot(*np.moveaxis(lines - ends[:, None], 2, 0)) >= radius))
    # the tip: the last point outside both accounts; the head points back along the curve's last step
    last = lines.shape[1] - 1 - np.argmax(outside[:, ::-1], axis=1)
    rows = np.arange(len(lines))
    tip, before = lines[rows, last], lines[rows, np.maximum(last - 1, 0)]
    with np.errstate(invalid="ignore", divide="ignore"):  # a curve with no step outside: not drawn (below)
        unit = (tip - before) / np.hypot(*(tip - before).T)[:, None]
    side = np.stack([-unit[:, 1], unit[:, 0]], axis=1) * head_px * 0.45
    base = tip - unit * head_px
    heads = np.stack([tip, base + side, base - side], axis=1)
    shaft_ends = base + unit
    far = np.hypot(*np.moveaxis(lines - tip[:, None], 2, 0)) > head_px  # points the head does not cover
    drawn = (length[:, 0] > 2 * radius + head_px) & (outside.sum(axis=1) >= 2)
    return [(np.vstack([line[keep & beyond], shaft_end]), head) if ok else None
            for line, keep, beyond, shaft_end, head, ok in zip(lines, outside, far, shaft_ends, heads, drawn)]


class MoneyTrailChart:
    """The accounts on the paths found: time-respecting hops solid red, other hops dashed grey."""

    def __init__(self, holders: dict[str, str]) -> None:
        self.holders = holders
        # Every account and wire changing: the background (the legend) is the same whatever the accounts.
        self.frames = BlittedFigure(Figure(figsize=(9, 5.5)), limits_in_key=False)
        self.cache = PngCache()
        fig = self.frames.figure
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.93)
        # No Axes (making one was a fifth of the first frame, and it drew nothing): the legend, accounts and
        # wires are the figure's, in pixels, in the area an Axes would take; ``png`` maps the layout onto it
        self.area = TransformedBbox(fig.add_gridspec(1, 1)[0].get_position(fig), fig.transSubfigure)
        to_area = BboxTransformTo(self.area)
        # Who paid whom, rendered once per pair (the counts of paths are in the explorer's status line); where
        # an Axes puts its title
        self.title = PastedTitle(Text(
            0.5, 1.0, " ", fontsize=10, ha="center", va="baseline", figure=fig,
            transform=to_area + ScaledTranslation(0, rcParams["axes.titlepad"] / 72, fig.dpi_scale_trans),
        ))
        node = {"marker": "o", "linestyle": "", "markersize": 10}
        self.legends = [LegendTexts(fig.legend(
            handles=[
                Line2D([], [], color="#c44e52", lw=2.2, label="wire on a path whose dates never go backwards"),
                Line2D([], [], color="grey", linestyle="--", label="wire only on paths that go back in time"),
                Line2D([], [], **node, color="#c44e52", label="start and end account"),
                Line2D([], [], **node, color="#8fb3d9", label="account in between"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=to_area,
            ncol=2,
            fontsize=8,
            frameon=False,
        ))]
        # Drawn by zorder, then in the order added: grey wires, red wires (each shaft, then its heads), the
        # accounts; the account names and the title are pasted on top of the frame.
        pixels = {"transform": IdentityTransform(), "zorder": 2}
        self.grey = LineCollection([], colors="grey", linestyles="dashed", linewidths=1.0, **pixels)
        self.grey_heads = PolyCollection([], facecolors="grey", edgecolors="none", **pixels)
        self.red = LineCollection([], colors="#c44e52", linewidths=2.2, **pixels)
        self.red_heads = PolyCollection([], facecolors="#c44e52", edgecolors="none", **pixels)
        circle = MarkerStyle("o")  # as Axes.scatter(s=700) draws accounts, at offsets in pixels
        self.nodes = PathCollection([circle.get_path().transformed(circle.get_transform())], [700],
                                    edgecolors="face", offsets=np.empty((0, 2)),
                                    offset_transform=IdentityTransform(), zorder=3)
        self.nodes.set_transform(IdentityTransform())
        for artist in (self.nodes, self.grey, self.grey_heads, self.red, self.red_heads):
            artist.set_clip_box(self.area)  # as an Axes clips what it holds
            fig.add_artist(changing(artist))
        # Account names rendered once each, when a frame first shows them (rendering all 40 up front was a
        # sixth of the first frame), and pasted onto every frame (drawing 20-40 labels was half of a frame)
        self.names = PastedTexts(kept=len(holders) + 64, va="center", fontsize=8)

    def _arrows(self, spots, pixels, edges, head_px) -> tuple[list, list]:
        """Shafts and arrow heads (in pixels: round nodes stay round) from node edge to node edge. A wire
        between neighbouring columns is straight; a longer or same-column one bends, so it never runs hidden
        behind an account it does not touch."""
        radius = NODE_RADIUS_PT * self.frames.figure.dpi / 72
        curved = [(a, b) for a, b in edges if abs(spots[a][0] - spots[b][0]) != 1]
        arrows = dict(zip(curved, _curved_arrows(np.array([pixels[a] for a, _ in curved]).reshape(-1, 2),
                                                 np.array([pixels[b] for _, b in curved]).reshape(-1, 2),
                                                 radius, head_px)))
        shafts, heads = [], []
        for a, b in edges:
            if (a, b) in arrows:
                arrow = arrows[a, b]
            else:
                arrow = _straight_arrow(pixels[a], pixels[b], radius, head_px)
            if arrow is not None:
                shafts.append(arrow[0])
                heads.append(arrow[1])
        return shafts, heads

    def png(self, paths: list[list[str]], time_paths: list[list[str]], source: str, target: str) -> bytes:
        key = (source, target, tuple(map(tuple, paths)), tuple(map(tuple, time_paths)))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        holders = self.holders
        order = dict.fromkeys(itertools.chain([source, target], *paths))  # in order of first appearance
        edges = {edge for path in paths for edge in itertools.pairwise(path)}
        timed = {(a, b) for path in time_paths for a, b in itertools.pairwise(path)}
        edges |= timed
        order.update(dict.fromkeys(n for e in timed for n in e))
        nodes = list(order)
        spots = _layers_layout(nodes, edges, source, target)
        xs, ys = zip(*spots.values())
        limits = Bbox.from_extents(min(xs) - 0.35, min(ys) - 0.75, max(xs) + 0.35, max(ys) + 0.75)
        to_pixels = BboxTransformFrom(limits) + BboxTransformTo(self.area)  # an Axes' transData, those limits
        pixels = dict(zip(spots, map(tuple, to_pixels.transform(list(spots.values())))))
        red, red_heads = self._arrows(spots, pixels, sorted(timed), 12)
        grey, grey_heads = self._arrows(spots, pixels, sorted(edges - timed), 10)
        self.red.set_segments(red)
        self.red_heads.set_verts(red_heads, closed=False)  # filled all the same, made faster
        self.grey.set_segments(grey)
        self.grey_heads.set_verts(grey_heads, closed=False)
        self.nodes.set_offsets([pixels[n] for n in nodes])
        self.nodes.set_facecolors(["#c44e52" if n in (source, target) else "#8fb3d9" for n in nodes])
        self.names.render(nodes)
        names = [self.names.at(n, *pixels[n], "center") for n in nodes]
        title = self.title.at(plain(f"Money from {holders.get(source, source)}"),
                              plain(f"to {holders.get(target, target)}"))
        return self.cache.put(key, _png(self.frames, [*names, *title], self.legends))


class ComminglingChart:
    """Balance and traceable tainted money after each ledger row, under both rules, up to a step."""

    def __init__(self, labels: list[str], balance: list[int]) -> None:
        self.labels, self.balance = labels, balance
        self.frames = BlittedFigure(Figure(figsize=(10, 4)), limits_in_key=False)
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
        self.left_title = PastedTitle(left, fontsize=10)
        # the whole ledger's range from the start, so the axes stay still while the rows play, and headroom
        # above the lines for the legend
        self.legends = [LegendTexts(left.legend(fontsize=8, loc="upper left"))]
        rules = ["lowest\nintermediate\nbalance", "tainted\nleaves first"]
        self.tainted_bars = right.bar(rules, [0, 0], color="#c44e52", label="tainted")
        self.clean_bars = right.bar(rules, [0, 0], bottom=[0, 0], color="#8fb3d9", label="clean")
        right.set_ylabel(plain("US$ in the account"))
        _money_axis(right.yaxis)
        self.right_title = PastedTitle(right, fontsize=10)
        # the legend sits above the bars, in headroom kept free for it, instead of covering one of them
        self.legends.append(LegendTexts(right.legend(fontsize=8, loc="upper center", ncol=2, handlelength=1.0,
                                                     columnspacing=0.8)))
        self.ticks = [PastedTicks(left.xaxis), PastedTicks(left.yaxis), PastedTicks(right.yaxis)]
        # the rules under the bars (in several lines) pasted too: a fifth of the first frame
        self.fixed_texts = _pasted_tick_labels(right.xaxis)
        for artist in (self.balance_line, self.libr_line, self.first_out_line, *self.tainted_bars,
                       *self.clean_bars):
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
        tainted = [libr_taint[step] / 100, first_out_taint[step] / 100]
        clean = [self.balance[step] / 100 - t for t in tainted]
        for bar, t, c in zip(zip(self.tainted_bars, self.clean_bars), tainted, clean):
            bar[0].set_height(t)
            bar[1].set_y(t)
            bar[1].set_height(c)
        top = max(dollars_of + tainted + [1.0])
        self.right.set_ylim(0, top * 1.35)
        titles = [*self.left_title.at(plain(f"Row {step}: {self.labels[step]}")),
                  *self.right_title.at(f"Now (after row {step})")]
        fixed = [line for text in self.fixed_texts for line in text.placed()]
        return _png(self.frames, [*_placed(self.ticks), *titles, *fixed], self.legends)


class NetWorthChart:
    """The inputs of the net-worth method and the unexplained remainder, as horizontal bars (US$)."""

    def __init__(self, part_names: list[str]) -> None:
        self.frames = BlittedFigure(Figure(figsize=(8, 3.8)), limits_in_key=False)
        self.cache = PngCache()
        fig = self.frames.figure
        fig.subplots_adjust(left=0.2, right=0.94, bottom=0.15, top=0.91)
        self.ax = ax = fig.subplots()
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # room for "-$100,000"-wide tick labels
        labels = list(part_names) + ["unexplained wealth"]
        colours = ["#8fb3d9"] * len(part_names) + ["#c44e52"]
        self.bars = ax.barh(labels, [0] * len(labels), color=colours)
        zero = ax.axvline(0, color="black", linewidth=0.8)
        ax.invert_yaxis()
        _money_axis(ax.xaxis)
        ax.set_xlabel(plain("US$"))
        self.title = PastedTitle(ax)
        self.ticks = [PastedTicks(ax.xaxis), PastedTicks(ax.yaxis)]
        self.value_labels = PastedTexts(va="center", fontsize=8)
        self.gap = 3 * fig.dpi / 72  # between a bar's end and its value label: 3 points
        for artist in (*self.bars, zero):
            changing(artist)

    def _value_labels(self, values: list[float]) -> list[Placed]:
        """Each bar's value just beyond its end (right of a positive bar, left of a negative one)."""
        ends = self.ax.transData.transform([(v, i) for i, v in enumerate(values)])
        self.value_labels.render([_whole_dollars(v) for v in values])
        return [
            self.value_labels.at(_whole_dollars(v), x + self.gap, y) if v >= 0
            else self.value_labels.at(_whole_dollars(v), x - self.gap, y, "right")
            for v, (x, y) in zip(values, ends)
        ]

    def png(self, parts: dict[str, int], unexplained_cents: int, year: int) -> bytes:
        values = [v / 100 for v in parts.values()] + [unexplained_cents / 100]
        key = (tuple(values), year)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        for bar, value in zip(self.bars, values):
            bar.set_width(value)
        low, high = min(values + [0]), max(values + [0])
        room = 0.2 * ((high - low) or 1)  # space beyond the longest bars for their value labels
        step = _nice_step(high - low + 2 * room)
        limits = (-_round_up(room - low, step) if low < 0 else 0, _round_up(high + room, step))
        self.ax.set_xlim(*limits)
        title = self.title.at(plain(f"Net-worth method, {year}: unexplained = {dollars(unexplained_cents)}"))
        placed = [*_placed(self.ticks), *self._value_labels(values), *title]
        return self.cache.put(key, _png(self.frames, placed))
