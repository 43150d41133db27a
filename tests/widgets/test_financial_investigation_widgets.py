"""Headless tests of the financial-investigation explorers: stand-in trainee functions drive them, and each test
reads what the figure now shows (bar heights, line data, offsets, titles, texts) and the message line."""

import functools
import html
import math

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.colors import to_hex
from widget_tree import blank, blits_matching_full_draws, figure_texts
from widget_tree import one_widget as _one

from courses.financial_investigation import plots
from courses.financial_investigation.case import (
    load_account_holders,
    load_account_transactions,
    load_balance_sheets,
    load_cash_transactions,
    load_income_and_expenses,
    load_suspect_ledger,
    load_wires,
)
from courses.financial_investigation.plots import NODE_SIZE, name_path
from courses.financial_investigation.widgets import (
    explore_benford,
    explore_commingling,
    explore_money_trail,
    explore_net_worth,
    explore_red_flags,
    explore_structuring,
)


def _message(app) -> str:
    """The message line as the trainee reads it."""
    return html.unescape(app.message.value)


def _shown(app) -> bool:
    """Whether the figure shows an answer (it is blank when the trainee's function failed or nothing is picked)."""
    return not blank(app)


def _heights(container) -> list[float]:
    return [bar.get_height() for bar in container]


def _accounts(ax) -> np.ndarray:
    """Where the money-trail chart draws its accounts (round markers)."""
    (accounts,) = [c for c in ax.collections if c.get_gid() == "accounts"]
    return accounts.get_offsets()


def _names(ax) -> dict[str, tuple[float, float, bool]]:
    """The account names the money-trail chart shows (outlines in one collection), each at its account, with
    whether that account is red (start or end)."""
    (names,) = [c for c in ax.collections if c.get_gid() == "account names"]
    (accounts,) = [c for c in ax.collections if c.get_gid() == "accounts"]
    assert np.array_equal(names.get_offsets(), accounts.get_offsets())
    known = {f"AC{n:02d}": name_path(f"AC{n:02d}") for n in range(1, 41)}
    found = {}
    for outline, spot, colour in zip(names.get_paths(), accounts.get_offsets(), accounts.get_facecolors()):
        (name,) = [name for name, path in known.items() if outline is path]
        found[name] = (*spot, to_hex(colour) == plots.RED)
    return found


def _wires(ax, gid: str) -> list[np.ndarray]:
    """The wires (arrows) of one kind, each as the points of its outline in pixels."""
    return [
        np.concatenate(arrow.get_path().to_polygons(ax.transData, closed_only=False))
        for arrow in ax.patches
        if arrow.get_visible() and arrow.get_gid() == gid
    ]


def _not_written(*_args, **_kwargs):
    raise NotImplementedError()


def _benford_functions(calls):
    def expected():
        return [math.log10(1 + 1 / d) for d in range(1, 10)]

    def counts(amounts):
        amounts = list(amounts)
        calls.append(len(amounts))
        return [sum(1 for a in amounts if str(a)[0] == str(d)) for d in range(1, 10)]

    def mad(c):
        return sum(abs(x / sum(c) - e) for x, e in zip(c, expected())) / 9

    return expected, counts, mad, lambda m: "Nonconformity" if m > 0.015 else "Close conformity"


def test_benford_app_draws_the_trainees_counts_and_follows_the_sliders():
    calls = []
    app = explore_benford(*_benford_functions(calls))
    ax = app.figure.axes[0]
    (bars,) = ax.containers
    assert calls == [500] and "MAD" in _message(app) and _shown(app)
    assert math.isclose(sum(_heights(bars)), 100), "the bars are the shares of the counts, in percent"
    assert np.allclose(ax.lines[0].get_ydata(), [100 * math.log10(1 + 1 / d) for d in range(1, 10)])
    assert ax.get_title() == r"500 invoices, 10% fabricated between \$4,000 and \$4,999"
    texts = figure_texts(app.figure)
    assert {"observed", "Benford expected", "first digit of the amount", *"123456789"} <= set(texts)
    _one(app, widgets.IntSlider, "number of invoices").value = 2000
    assert calls[-1] == 2000 and ax.get_title().startswith("2000 invoices")
    _one(app, widgets.IntSlider, "fabricated invoices (%)").value = 60
    heights = _heights(bars)
    assert "Nonconformity" in _message(app) and heights[3] == max(heights), "fabricated $4,xxx: digit 4 leads"
    assert ax.get_ylim()[1] >= 1.25 * max(heights), "headroom above the bars for the legend"


def test_benford_app_shows_a_wrong_expected_share_as_the_trainee_wrote_it():
    _, counts, mad, conformity = _benford_functions([])
    app = explore_benford(lambda: [1 / 9] * 9, counts, mad, conformity)
    assert np.allclose(app.figure.axes[0].lines[0].get_ydata(), [100 / 9] * 9), "the flat line is visible"


def test_benford_app_says_when_the_expected_shares_are_not_nine():
    _, counts, mad, conformity = _benford_functions([])
    app = explore_benford(lambda: [0.1] * 10, counts, mad, conformity)
    assert "Your function benford_expected returned list [0.1, 0.1" in _message(app)
    assert app.panel.text.endswith("not a list of 9 numbers.")
    assert not _shown(app)


def test_benford_app_shows_the_trainees_error_and_hides_the_figure():
    expected, counts, _, conformity = _benford_functions([])

    def broken_mad(c):
        raise ZeroDivisionError("division by zero")

    app = explore_benford(expected, counts, broken_mad, conformity)
    assert "Your function broken_mad raised ZeroDivisionError: division by zero" in _message(app)
    assert not _shown(app)


def test_structuring_app_passes_the_regime_band_and_window_and_draws_the_customer():
    seen = []

    def ctr(cash, threshold_cents, inclusive=False):
        seen.append(("ctr", inclusive))
        return {("C-0301", None)} if inclusive else set()

    def suspects(cash, threshold_cents, band=0.8, window_days=7):
        seen.append(("suspects", band, window_days))
        return {"C-0417"} if window_days < 8 else {"C-0417", "C-0233"}

    cash = load_cash_transactions()
    app = explore_structuring(cash, ctr, suspects)
    ax = app.figure.axes[0]
    assert "0 currency transaction report(s)" in _message(app) and "C-0417" in _message(app)
    assert _shown(app) and ax.get_title().startswith("Cash deposits of C-0417")
    deposits = cash[(cash["customer_id"] == "C-0417") & (cash["type"] == "cash_deposit")]
    (bars,) = [c for c in ax.collections]
    assert len(bars.get_paths()) == len(deposits), "one bar per deposit"
    band_line = ax.lines[1]
    assert np.allclose(band_line.get_ydata(), 8_000)
    _one(app, widgets.FloatSlider, "band starts at (share of threshold)").value = 0.9
    assert np.allclose(band_line.get_ydata(), 9_000), "the band's lower edge follows the slider"
    _one(app, widgets.Dropdown, "reporting rule").value = True
    assert ("ctr", True) in seen and "1 currency transaction report(s)" in _message(app)
    _one(app, widgets.IntSlider, "window (days)").value = 8
    assert seen[-1] == ("suspects", 0.9, 8)
    customer = _one(app, widgets.Dropdown, "customer to show")
    assert list(customer.options) == ["C-0233", "C-0417"] and ax.get_title().startswith(
        "Cash deposits of C-0233"
    )
    branches = [t.get_text() for t in ax.texts if t.get_visible()]
    assert branches and all(b.startswith("B") for b in branches), "branch names in the tall bars"
    app.figure.canvas.draw()
    customer.value = "C-0417"
    assert ax.get_title().startswith("Cash deposits of C-0417") and len(bars.get_paths()) == len(deposits)
    assert not app.figure.stale, "the axes stay still for another customer: the change is blitted"


def test_structuring_branch_labels_never_overlap():
    """C-0417's three deposits just under the threshold, two days apart, are all labelled; no customer's labels
    touch (a wrong function may show any customer: some have large deposits on consecutive days)."""
    cash = load_cash_transactions()
    deposits = cash[cash["type"] == "cash_deposit"]
    labelled = sorted(set(deposits[deposits["amount_cents"] >= 200_000]["customer_id"]))
    app = explore_structuring(cash, lambda *a, **k: set(), lambda *a, **k: set(labelled))
    customer = _one(app, widgets.Dropdown, "customer to show")
    for name in labelled:
        customer.value = name
        app.figure.draw_without_rendering()  # places each label's white box
        labels = [t for t in app.figure.axes[0].texts if t.get_visible()]
        boxes = [t.get_bbox_patch().get_window_extent() for t in labels]
        assert labels and not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), name
        if name == "C-0417":
            assert len(labels) == 3


def test_structuring_app_survives_an_unwritten_function():
    app = explore_structuring(load_cash_transactions(), _not_written, _not_written)
    assert "is not written yet" in _message(app) and not _shown(app)


def test_red_flags_app_follows_its_controls():
    seen = []

    def rounds(tx, unit_cents):
        seen.append(unit_cents)
        return {"A000001"}

    def passes(tx, min_credit_cents, hours=48, ratio=0.9):
        seen.append((min_credit_cents, hours, ratio))
        return {"ACC-1017"} if hours >= 24 else set()

    tx = load_account_transactions()
    app = explore_red_flags(tx, rounds, passes)
    ax = app.figure.axes[0]
    assert "1 round-amount transfer(s)" in _message(app) and "ACC-1017" in _message(app)
    (lines,) = ax.collections
    rows = tx[tx["account_id"] == "ACC-1017"]
    assert len(lines.get_segments()) == len(rows), "a line per transaction"
    ups = [segment[1, 1] > 0 for segment in lines.get_segments()]
    assert 0 < sum(ups) < len(ups), "money in and money out"
    colours = [to_hex(colour) for colour in lines.get_colors()]
    assert colours == [plots.GREEN if up else plots.RED for up in ups], (
        "money in green and up, out red and down"
    )
    assert ax.get_title() == "Transactions of ACC-1017" and _shown(app)
    _one(app, widgets.Dropdown, "round to a multiple of").value = 10_000
    assert 10_000 in seen
    _one(app, widgets.IntSlider, "money out within (hours)").value = 12
    assert seen[-1] == (1_000_000, 12, 0.9)
    assert "0 pass-through account(s)" in _message(app) and not _shown(app), "nothing flagged: nothing drawn"


def test_red_flags_app_survives_an_unwritten_function():
    app = explore_red_flags(load_account_transactions(), lambda tx, unit: set(), _not_written)
    assert "Your function _not_written is not written yet" in _message(app) and not _shown(app)


def test_money_trail_app_draws_the_paths_the_trainee_found():
    seen = []

    def paths(wires, source, target, cutoff=6):
        seen.append((source, target, cutoff))
        return [[source, "AC05", target], [source, target]]

    def timed(wires, source, target, cutoff=6):
        return [[source, target]]

    app = explore_money_trail(load_wires(), load_account_holders(), paths, timed, lambda *a: 12_345)
    ax = app.figure.axes[0]
    assert seen == [("AC01", "AC40", 6)] and "$123.45" in _message(app)
    names = _names(ax)
    assert sorted(names) == ["AC01", "AC05", "AC40"], "the accounts on the paths, each named"
    assert names["AC01"][0] < names["AC05"][0] < names["AC40"][0], "left to right by hops from the source"
    assert [names[n][2] for n in ("AC01", "AC05", "AC40")] == [True, False, True], "start and end in red"
    assert len(_wires(ax, "time-respecting wire")) == 1, "AC01 -> AC40 in red"
    assert len(_wires(ax, "other wire")) == 2, "AC01 -> AC05 -> AC40 in grey"
    (red,) = [
        arrow for arrow in ax.patches if arrow.get_visible() and arrow.get_gid() == "time-respecting wire"
    ]
    assert red.get_edgecolor()[:3] != (0.5, 0.5, 0.5) and red.get_linestyle() == "-"
    _one(app, widgets.IntSlider, "at most this many hops").value = 7
    assert seen[-1] == ("AC01", "AC40", 7)
    _one(app, widgets.Dropdown, "money to").value = "AC23"
    assert seen[-1] == ("AC01", "AC23", 7)
    assert sorted(_names(ax)) == ["AC01", "AC05", "AC23"] and _names(ax)["AC23"][2], "AC23 is the end now"


def test_money_trail_puts_each_account_in_the_column_of_its_hops_from_the_source():
    app = explore_money_trail(
        load_wires(),
        load_account_holders(),
        lambda w, s, t, cutoff=6: [[s, "AC05", "AC07", t], [s, "AC09", t]],
        lambda *a, **k: [],
        lambda *a: 1,
    )
    names = _names(app.figure.axes[0])
    columns = sorted({x for x, _, _ in names.values()})
    hops = {name: columns.index(x) for name, (x, _, _) in names.items()}
    assert hops == {"AC01": 0, "AC05": 1, "AC09": 1, "AC07": 2, "AC40": 3}, "the end in the last column"
    assert [name for name, (_, _, red) in names.items() if red] == ["AC01", "AC40"]


def test_money_trail_app_draws_the_two_accounts_when_no_path_is_found():
    app = explore_money_trail(
        load_wires(), load_account_holders(), lambda *a, **k: [], lambda *a, **k: [], lambda *a: 0
    )
    ax = app.figure.axes[0]
    assert "0 path(s), 0 with dates" in _message(app) and _shown(app)
    assert sorted(_names(ax)) == ["AC01", "AC40"] and not any(arrow.get_visible() for arrow in ax.patches)


def test_money_trail_app_asks_for_two_different_accounts():
    calls = []
    app = explore_money_trail(
        load_wires(),
        load_account_holders(),
        lambda *a, **k: calls.append(a) or [],
        lambda *a, **k: [],
        lambda *a: 0,
    )
    _one(app, widgets.Dropdown, "money to").value = "AC01"
    assert "choose two different accounts" in _message(app) and not _shown(app) and len(calls) == 1


def test_money_trail_wires_run_from_edge_to_edge_and_around_other_accounts():
    """AC01, AC05 and AC40 stand in a row: the direct wire AC01 -> AC40 bends around AC05."""
    app = explore_money_trail(
        load_wires(),
        load_account_holders(),
        lambda w, s, t, cutoff=6: [[s, "AC05", t], [s, t]],
        lambda *a, **k: [],
        lambda *a: 1,
    )
    ax = app.figure.axes[0]
    accounts = ax.transData.transform(_accounts(ax))
    assert np.ptp(accounts[:, 1]) == 0, "the three accounts in a row"
    radius = math.sqrt(NODE_SIZE) / 2 * app.figure.dpi / 72
    wires = _wires(ax, "other wire")
    assert len(wires) == 3
    for outline in wires:
        gaps = np.hypot(*(outline[:, None] - accounts[None]).transpose(2, 0, 1)).min(axis=0)
        assert (gaps >= radius - 1.5).all(), "no part of a wire lies on an account"
        assert sorted(gaps)[:2] == pytest.approx([radius] * 2, abs=1.5), "it starts and ends at two edges"


money_paths_calls = []


def money_paths(wires, source, target, cutoff=6):
    """A stand-in trainee function, a global as in a notebook, called by the next one."""
    money_paths_calls.append((source, target, cutoff))
    return [[source, "AC05", target], [source, target]]


def time_respecting_paths(wires, source, target, cutoff=6):
    found = money_paths(wires, source, target, cutoff)  # positional cutoff, unlike the explorer's own call
    found.pop()  # changing the list it got changes nothing the explorer shows
    return found


def test_money_trail_app_shows_both_functions_results_for_the_hop_limit():
    money_paths_calls.clear()
    app = explore_money_trail(
        load_wires(), load_account_holders(), money_paths, time_respecting_paths, lambda *a: 1
    )
    assert ("AC01", "AC40", 6) in money_paths_calls, "the explorer asks for the default hop limit"
    assert "2 path(s), 1 with dates" in _message(app)
    assert len(_accounts(app.figure.axes[0])) == 3, "both paths drawn"
    _one(app, widgets.IntSlider, "at most this many hops").value = 3
    assert ("AC01", "AC40", 3) in money_paths_calls, "a new hop limit reaches the trainee's function"


def test_money_trail_app_names_the_function_that_failed():
    def money_paths(wires, source, target, cutoff=6):
        raise ValueError("no such account")

    def time_respecting_paths(wires, source, target, cutoff=6):
        return money_paths(wires, source, target, cutoff)

    wires, holders = load_wires(), load_account_holders()
    app = explore_money_trail(wires, holders, money_paths, time_respecting_paths, lambda *a: 1)
    assert "Your function money_paths raised ValueError: no such account" in _message(app)
    assert not _shown(app)
    app = explore_money_trail(wires, holders, lambda *a, **k: [], _not_written, lambda *a: 1)
    assert "Your function _not_written is not written yet (it raises NotImplementedError)" in _message(app)


def test_commingling_app_steps_through_the_ledger():
    ledger = load_suspect_ledger()
    app = explore_commingling(ledger, lambda prefix: 100 * len(prefix), lambda prefix: [])
    (left,) = app.figure.axes
    balance, libr, first_out = left.lines
    assert "after row 0" in _message(app) and left.get_title().startswith("Row 0: ")
    start = [line.get_xydata().copy() for line in left.lines]
    _one(app, widgets.Play).value = 5  # the Play button drives the slider
    assert _one(app, widgets.IntSlider).value == 5 and "after row 5" in _message(app)
    assert list(libr.get_xdata()) == [0, 1, 2, 3, 4, 5]
    assert list(libr.get_ydata()) == [1, 2, 3, 4, 5, 6], "the trainee's cents, in dollars, row by row"
    tainted_in = ledger["amount_cents"].where(ledger["kind"] == "tainted_in", 0).cumsum() / 100
    assert list(first_out.get_ydata()) == list(tainted_in[:6]), (
        "nothing tainted left first: all of it is there"
    )
    signed = ledger["amount_cents"].where(ledger["kind"] != "out", -ledger["amount_cents"])
    assert list(balance.get_ydata()) == list(signed.cumsum()[:6] / 100), "the balance after each row"
    assert left.get_title().startswith("Row 5: ")
    ylim = left.get_ylim()
    _one(app, widgets.Play).value = 0  # back to the start: the same picture as at the start
    assert "after row 0" in _message(app) and left.get_ylim() == ylim, "the axes stay still while rows play"
    assert all(np.array_equal(line.get_xydata(), was) for line, was in zip(left.lines, start))


def test_commingling_app_names_the_rule_that_failed_at_a_row():
    def first_out_tainted_cents(prefix):
        if len(prefix) > 3:
            raise KeyError("kind")
        return []

    app = explore_commingling(load_suspect_ledger(), lambda prefix: 0, first_out_tainted_cents)
    assert "after row 0" in _message(app) and _shown(app)
    _one(app, widgets.Play).value = 4
    assert "Your function first_out_tainted_cents raised KeyError: 'kind'" in _message(app) and not _shown(
        app
    )
    _one(app, widgets.Play).value = 2
    assert "after row 2" in _message(app) and _shown(app), "back to rows it can do: the figure returns"


def test_net_worth_app_adds_the_claimed_cash_hoard_to_the_start_assets():
    seen = []

    def unexplained(**inputs):
        seen.append(inputs["start_assets"])
        return 100

    app = explore_net_worth(load_balance_sheets(), load_income_and_expenses(), unexplained)
    ax = app.figure.axes[0]
    (bars,) = ax.containers
    start = bars[0].get_width()
    _one(app, widgets.IntSlider).value = 50_000
    assert seen[-1] - seen[0] == 5_000_000, (
        "US$50,000 claimed cash on hand is 5,000,000 cents more at the start"
    )
    assert bars[0].get_width() == pytest.approx(start + 50_000), "the start-assets bar grows on the figure"
    assert bars[-1].get_width() == 1 and ax.get_title().endswith(r"unexplained = \$1.00"), (
        "the trainee's result"
    )
    assert r"\$1" in [t.get_text() for t in ax.texts], "the unexplained bar's value label"


def test_net_worth_app_shows_the_trainees_error():
    bad = explore_net_worth(load_balance_sheets(), load_income_and_expenses(), lambda **k: 1 / 0)
    assert "ZeroDivisionError" in _message(bad) and not _shown(bad)


def _inside(fig) -> bool:
    """Whether everything ``fig`` draws (texts included) lies within its edges (to a hundredth of an inch)."""
    drawn, edges = fig.get_tightbbox(), fig.bbox_inches
    return (
        drawn.x0 >= -0.01
        and drawn.y0 >= -0.01
        and drawn.x1 <= edges.x1 + 0.01
        and drawn.y1 <= edges.y1 + 0.01
    )


def test_no_text_is_cut_off_at_the_extremes_of_the_controls():
    _, counts, mad, conformity = _benford_functions([])
    benford = explore_benford(lambda: [math.log10(1 + 1 / d) for d in range(1, 10)], counts, mad, conformity)
    _one(benford, widgets.IntSlider, "fabricated invoices (%)").value = 60
    net_worth = explore_net_worth(
        load_balance_sheets(), load_income_and_expenses(), lambda **k: k["end_assets"] - k["start_assets"]
    )
    year = _one(net_worth, widgets.Dropdown, "year")
    year.value = min(year.options)  # the earliest year of the case
    _one(net_worth, widgets.IntSlider).value = 300_000
    ledger = load_suspect_ledger()
    commingling = explore_commingling(  # a wrong taint far above the balance: wide tick labels
        ledger, lambda prefix: 30 * int(prefix["amount_cents"].sum()), lambda p: []
    )
    _one(commingling, widgets.Play).value = len(ledger) - 1
    assert commingling.figure.axes[0].lines[1].get_ydata()[-1] > 1_000_000, "far above the balance"
    red_flags = explore_red_flags(load_account_transactions(), lambda *a: set(), lambda *a, **k: {"ACC-1017"})
    structuring = explore_structuring(
        load_cash_transactions(), lambda *a, **k: set(), lambda *a, **k: {"C-0129"}
    )
    for app in (benford, net_worth, commingling, red_flags, structuring):
        assert _shown(app) and _inside(app.figure), app.figure.axes[0].get_title()


def _apps_and_changes():
    """Each explorer on stand-in functions, with changes a trainee makes (each a control and a new value)."""
    expected, counts, mad, conformity = _benford_functions([])
    benford = explore_benford(expected, counts, mad, conformity)
    yield benford, [(_one(benford, widgets.IntSlider, "number of invoices"), n) for n in (600, 700, 5000)]
    suspects = {"C-0129", "C-0417"}
    structuring = explore_structuring(
        load_cash_transactions(), lambda *a, **k: set(), lambda *a, **k: suspects
    )
    band = _one(structuring, widgets.FloatSlider, "band starts at (share of threshold)")
    customer = _one(structuring, widgets.Dropdown, "customer to show")
    yield structuring, [(band, 0.6), (band, 0.9), (customer, "C-0417"), (band, 0.7)]
    red_flags = explore_red_flags(load_account_transactions(), lambda *a: set(), lambda *a, **k: {"ACC-1017"})
    ratio = _one(red_flags, widgets.FloatSlider, "share of the credit sent out")
    yield red_flags, [(ratio, 0.8), (ratio, 0.7)]
    trail = explore_money_trail(
        load_wires(), load_account_holders(), money_paths, time_respecting_paths, lambda *a: 1
    )
    target = _one(trail, widgets.Dropdown, "money to")
    yield (
        trail,
        [(target, "AC23"), (_one(trail, widgets.IntSlider, "at most this many hops"), 8), (target, "AC40")],
    )
    commingling = explore_commingling(load_suspect_ledger(), lambda prefix: 100 * len(prefix), lambda p: [])
    yield commingling, [(_one(commingling, widgets.Play), row) for row in (1, 2, 9, 3)]
    net_worth = explore_net_worth(load_balance_sheets(), load_income_and_expenses(), lambda **k: 100)
    yield net_worth, [(_one(net_worth, widgets.IntSlider), cash) for cash in (5_000, 10_000, 300_000)]


def test_a_blitted_frame_is_the_frame_a_full_draw_gives():
    """In the browser a change that touches only a chart's ``animated`` artists is blitted over the background
    kept from the last full draw: the frame must be what drawing the whole figure gives."""
    for app, changes in _apps_and_changes():
        blitted = blits_matching_full_draws(
            app, (functools.partial(setattr, c, "value", v) for c, v in changes)
        )
        assert blitted > 0 or not app.animated, f"{app.panel.text}: no change was blitted"
