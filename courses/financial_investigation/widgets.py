"""Interactive explorers, one per exercise. Each takes the TRAINEE's own functions, so a wrong answer shows.

Every explorer is a :class:`courses.explorers.Explorer`: its controls, a message line (what was found, or the
error the trainee's function raised) and one live chart from :mod:`courses.financial_investigation.plots`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import pandas as pd

from courses import explorers
from courses.explorers import WIDE_LABEL
from courses.financial_investigation import plots
from courses.financial_investigation.case import net_worth_inputs

LAYOUT = widgets.Layout(width="520px")
NONE = "(none)"


def _slider(description: str, value: float, low: float, high: float, step: float) -> widgets.ValueWidget:
    """A slider 520 pixels wide that reports its value when let go (each value re-runs the trainee's code)."""
    return explorers.slider(description, value, low, high, step, layout=LAYOUT, continuous_update=False)


def _choice(description: str, options: Sequence, value: object = NONE, **layout: object) -> widgets.Dropdown:
    """A dropdown with its whole description shown; ``options``: values or (label, value) pairs."""
    return widgets.Dropdown(options=options, value=value, description=description, style=WIDE_LABEL, **layout)


def _simulated_invoices(count: int, fabricated_share: float, seed: int = 7) -> list[int]:
    """``count`` amounts in cents: genuine ones log-uniform ($10-$100,000), the rest $4,000-$4,999."""
    rng = random.Random(seed)
    fabricated = round(count * fabricated_share)
    genuine = [round(10 ** rng.uniform(3, 7)) for _ in range(count - fabricated)]
    return genuine + [rng.randint(4_000, 4_999) * 100 for _ in range(fabricated)]


def explore_benford(
    benford_expected: Callable, first_digit_counts: Callable, benford_mad: Callable, mad_conformity: Callable
) -> explorers.Explorer:
    """Sliders for the number of invoices and the share fabricated; your functions judge the result."""
    share = _slider("fabricated invoices (%)", 10, 0, 60, 5)
    count = _slider("number of invoices", 500, 50, 5000, 50)
    fig = explorers.figure(7, 3.8)
    chart = plots.BenfordChart(fig)

    def update() -> str:
        counts = first_digit_counts(_simulated_invoices(count.value, share.value / 100))
        expected = benford_expected()
        for name, answer in (("first_digit_counts", counts), ("benford_expected", expected)):
            explorers.expect(
                name, answer, isinstance(answer, list) and len(answer) == 9, "a list of 9 numbers"
            )
        mad = benford_mad(counts)
        chart.show(
            expected, counts, f"{count.value} invoices, {share.value}% fabricated between $4,000 and $4,999"
        )
        return f"MAD = {mad:.4f}: {mad_conformity(mad)}"

    return explorers.Explorer([share, count], fig, chart.animated).wire(update)


REGIMES = [
    ("US: more than $10,000 (31 CFR 1010.311)", False),
    ("EU cash declaration: EUR 10,000 or more (Regulation (EU) 2018/1672 art. 3(1))", True),
]


def explore_structuring(
    cash: pd.DataFrame, ctr_required: Callable, structuring_suspects: Callable
) -> explorers.Explorer:
    """Regime, band and window controls re-run your functions; pick a customer to see their deposits."""
    regime = _choice("reporting rule", REGIMES, False, layout=LAYOUT)
    band = _slider("band starts at (share of threshold)", 0.8, 0.5, 0.99, 0.01)
    window = _slider("window (days)", 7, 1, 30, 1)
    customer = _choice("customer to show", [NONE])
    fig = explorers.figure(8, 3.8)
    chart = plots.CashCalendar(fig, cash, 1_000_000)
    reports_for = functools.cache(lambda inclusive: ctr_required(cash, 1_000_000, inclusive=inclusive))
    suspects_for = functools.cache(
        lambda band, window: sorted(structuring_suspects(cash, 1_000_000, band=band, window_days=window))
    )

    app = explorers.Explorer([regime, band, window, customer], fig, chart.animated)

    def update() -> str:
        reports = reports_for(regime.value)
        suspects = suspects_for(band.value, window.value)
        shown = explorers.offer(customer, suspects or [NONE])
        app.show_figure(shown != NONE)
        if shown != NONE:
            chart.show(shown, band.value)
        return (
            f"{len(reports)} currency transaction report(s) needed; band from "
            f"{plots.dollars(band.value * 1_000_000)} ({band.value:.0%} of the threshold); {len(suspects)} "
            f"structuring suspect(s): {', '.join(suspects) or 'none'}"
        )

    return app.wire(update)


UNITS = [("$100", 10_000), ("$500", 50_000), ("$1,000", 100_000), ("$10,000", 1_000_000)]


def explore_red_flags(
    tx: pd.DataFrame, round_amount_transfers: Callable, pass_through_accounts: Callable
) -> explorers.Explorer:
    """Round unit, minimum credit, hours and ratio controls; pick a flagged account to see its timeline."""
    unit = _choice("round to a multiple of", UNITS, 100_000)
    minimum = _choice("credits of at least", UNITS[1:], 1_000_000)
    hours = _slider("money out within (hours)", 48, 1, 168, 1)
    ratio = _slider("share of the credit sent out", 0.9, 0.5, 1.0, 0.01)
    account = _choice("account to show", [NONE])
    fig = explorers.figure(8, 3.8)
    chart = plots.AccountTimeline(fig, tx)
    rounds_for = functools.cache(lambda unit_cents: round_amount_transfers(tx, unit_cents))
    flagged_for = functools.cache(
        lambda low, hours, ratio: sorted(pass_through_accounts(tx, low, hours=hours, ratio=ratio))
    )

    app = explorers.Explorer([unit, minimum, hours, ratio, account], fig, chart.animated)

    def update() -> str:
        rounds = rounds_for(unit.value)
        flagged = flagged_for(minimum.value, hours.value, ratio.value)
        shown = explorers.offer(account, flagged or [NONE])
        app.show_figure(shown != NONE)
        if shown != NONE:
            chart.show(shown)
        return (
            f"{len(rounds)} round-amount transfer(s); {len(flagged)} pass-through account(s): "
            f"{', '.join(flagged) or 'none'}"
        )

    return app.wire(update)


def explore_money_trail(
    wires: pd.DataFrame,
    holders: dict[str, str],
    money_paths: Callable,
    time_respecting_paths: Callable,
    max_traceable_cents: Callable,
) -> explorers.Explorer:
    """Source/target selectors and a hop limit; redraws the paths your functions find and the max flow."""
    names = [(f"{a} {holders[a]}", a) for a in sorted(holders)]
    source = _choice("money from", names, "AC01", layout=LAYOUT)
    target = _choice("money to", names, "AC40", layout=LAYOUT)
    cutoff = _slider("at most this many hops", 6, 1, 8, 1)
    fig = explorers.figure(9, 5)
    pairs = len(wires[["from_account", "to_account"]].drop_duplicates())
    chart = plots.MoneyTrailChart(fig, list(holders), most_wires=2 * pairs)  # a wrong path may go back
    paths_for = functools.cache(lambda a, b, hops: money_paths(wires, a, b, cutoff=hops))
    timed_for = functools.cache(lambda a, b, hops: time_respecting_paths(wires, a, b, cutoff=hops))
    flow_for = functools.cache(lambda a, b: max_traceable_cents(wires, a, b))

    app = explorers.Explorer([source, target, cutoff], fig, chart.animated)

    def update() -> str:
        if source.value == target.value:  # no trail to follow (the max flow is not even defined)
            app.show_figure(False)
            return f"Money from and money to are both {source.value}: choose two different accounts."
        paths = paths_for(source.value, target.value, cutoff.value)
        timed = timed_for(source.value, target.value, cutoff.value)
        flow = flow_for(source.value, target.value)
        chart.show(paths, timed, source.value, target.value)
        return (
            f"{len(paths)} path(s), {len(timed)} with dates that never go backwards; at most "
            f"{plots.dollars(flow)} can have travelled from {source.value} to {target.value} (max flow)"
        )

    return app.wire(update)


def explore_commingling(
    ledger: pd.DataFrame, libr_traceable_cents: Callable, first_out_tainted_cents: Callable
) -> explorers.Explorer:
    """A Play control steps through the ledger; lines show the balance and its tainted part under both rules."""
    last = len(ledger) - 1
    step = explorers.slider("ledger row", 0, 0, last, 1, layout=LAYOUT)
    tooltip = "Step through the ledger: play, pause, back to row 0"
    play = widgets.Play(max=last, interval=700, description="Step through the ledger", tooltip=tooltip)
    play.show_repeat = False
    widgets.link((play, "value"), (step, "value"))
    # JupyterLab draws a Play control as bare icons (its description is not shown), so label it in words
    player = explorers.row(widgets.Label("Step through the ledger (play / pause / back to row 0):"), play)
    labels = [
        f"{k} {plots.dollars(a)} ({d})"
        for k, a, d in zip(ledger["kind"], ledger["amount_cents"], ledger.get("description", ledger["kind"]))
    ]
    signed = ledger["amount_cents"].where(ledger["kind"] != "out", -ledger["amount_cents"])
    balance = [int(b) for b in signed.cumsum()]
    tainted_in = [int(t) for t in ledger["amount_cents"].where(ledger["kind"] == "tainted_in", 0).cumsum()]
    fig = explorers.figure(10, 4)
    chart = plots.ComminglingChart(fig, labels, balance)

    @functools.cache
    def after_row(row: int) -> tuple[int, int]:
        """Your two rules' tainted cents after ``row`` (each row computed once, however often it is shown)."""
        prefix = ledger.iloc[: row + 1]
        return libr_traceable_cents(prefix), tainted_in[row] - sum(first_out_tainted_cents(prefix))

    def update() -> str:
        libr, first_out = zip(*(after_row(row) for row in range(step.value + 1)))
        chart.show(libr, first_out, step.value)
        return (
            f"after row {step.value}: balance {plots.dollars(balance[step.value])}; tainted "
            f"{plots.dollars(libr[-1])} (lowest intermediate balance) or {plots.dollars(first_out[-1])} "
            "(tainted money leaves first)"
        )

    return explorers.Explorer([player, step], fig, chart.animated).wire(update)  # Play moves the slider


def explore_net_worth(
    balance_sheets: pd.DataFrame, income: pd.DataFrame, unexplained_wealth_cents: Callable
) -> explorers.Explorer:
    """Year selector and a "cash hoard" slider (the classic defence): your function recomputes the result."""
    years = sorted(int(y) for y in income["year"].unique())
    year = _choice("year", years, years[-1])
    hoard = _slider("cash on hand claimed at the start (US$)", 0, 0, 300_000, 5_000)
    inputs_of = functools.cache(lambda year: net_worth_inputs(balance_sheets, income, year))  # case totals
    parts = [name.replace("_", " ") for name in inputs_of(year.value)]
    fig = explorers.figure(8, 3.8)
    chart = plots.NetWorthChart(fig, parts)

    def update() -> str:
        inputs = dict(inputs_of(year.value))
        inputs["start_assets"] += hoard.value * 100
        result = unexplained_wealth_cents(**inputs)
        chart.show(dict(zip(parts, inputs.values())), result, year.value)
        return f"{year.value}: unexplained wealth {plots.dollars(result)}"

    return explorers.Explorer([year, hoard], fig, chart.animated).wire(update)
