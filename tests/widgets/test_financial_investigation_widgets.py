"""Headless tests of the financial-investigation explorers: stand-in functions drive redraws and errors."""

import math

import ipywidgets as widgets
from widget_tree import one_widget as _one

from courses.financial_investigation.case import (
    load_account_holders,
    load_account_transactions,
    load_balance_sheets,
    load_cash_transactions,
    load_income_and_expenses,
    load_suspect_ledger,
    load_wires,
)
from courses.financial_investigation.widgets import (
    explore_benford,
    explore_commingling,
    explore_money_trail,
    explore_net_worth,
    explore_red_flags,
    explore_structuring,
)


def _png(app) -> bytes | None:
    outputs = _one(app, widgets.Output).outputs
    assert len(outputs) <= 1, "the app should show at most one figure"
    return outputs[0]["data"]["image/png"] if outputs else None


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


def test_benford_app_redraws_when_the_sliders_move():
    calls = []
    app = explore_benford(*_benford_functions(calls))
    status, before = _one(app, widgets.HTML), _png(app)
    assert calls == [500] and before is not None and "MAD" in status.value
    _one(app, widgets.IntSlider, "number of invoices").value = 2000
    assert calls[-1] == 2000 and _png(app) != before
    after_count = _png(app)
    _one(app, widgets.IntSlider, "fabricated invoices (%)").value = 60
    assert "Nonconformity" in status.value and _png(app) != after_count


def test_benford_app_shows_the_trainees_error():
    expected, counts, _, conformity = _benford_functions([])

    def broken_mad(c):
        raise ZeroDivisionError("division by zero")

    app = explore_benford(expected, counts, broken_mad, conformity)
    assert "ZeroDivisionError: division by zero" in _one(app, widgets.HTML).value
    assert _png(app) is None


def test_structuring_app_passes_the_regime_band_and_window_and_lists_suspects():
    seen = []

    def ctr(cash, threshold_cents, inclusive=False):
        seen.append(("ctr", inclusive))
        return {("C-0301", None)} if inclusive else set()

    def suspects(cash, threshold_cents, band=0.8, window_days=7):
        seen.append(("suspects", band, window_days))
        return {"C-0417"} if window_days < 8 else {"C-0417", "C-0233"}

    app = explore_structuring(load_cash_transactions(), ctr, suspects)
    status = _one(app, widgets.HTML)
    assert "0 currency transaction report(s)" in status.value and "C-0417" in status.value
    assert _png(app) is not None, "the first suspect's calendar is drawn"
    _one(app, widgets.Dropdown, "reporting rule").value = True
    assert ("ctr", True) in seen and "1 currency transaction report(s)" in status.value
    _one(app, widgets.IntSlider, "window (days)").value = 8
    assert seen[-1] == ("suspects", 0.8, 8)
    customer = _one(app, widgets.Dropdown, "customer to show")
    assert list(customer.options) == ["C-0233", "C-0417"]
    before = _png(app)
    customer.value = "C-0417"
    assert _png(app) != before


def test_structuring_app_survives_an_unwritten_function():
    app = explore_structuring(load_cash_transactions(), _not_written, _not_written)
    assert "not written yet" in _one(app, widgets.HTML).value


def test_red_flags_app_follows_its_controls():
    seen = []

    def rounds(tx, unit_cents):
        seen.append(unit_cents)
        return {"A000001"}

    def passes(tx, min_credit_cents, hours=48, ratio=0.9):
        seen.append((min_credit_cents, hours, ratio))
        return {"ACC-1017"} if hours >= 24 else set()

    app = explore_red_flags(load_account_transactions(), rounds, passes)
    status = _one(app, widgets.HTML)
    assert "1 round-amount transfer(s)" in status.value and "ACC-1017" in status.value
    assert _png(app) is not None
    _one(app, widgets.Dropdown, "round to a multiple of").value = 10_000
    assert 10_000 in seen
    _one(app, widgets.IntSlider, "money out within (hours)").value = 12
    assert seen[-1] == (1_000_000, 12, 0.9)
    assert "0 pass-through account(s)" in status.value and _png(app) is None


def test_money_trail_app_redraws_for_a_new_cutoff_and_target():
    seen = []

    def paths(wires, source, target, cutoff=6):
        seen.append((source, target, cutoff))
        return [[source, "AC05", target]]

    app = explore_money_trail(
        load_wires(), load_account_holders(), paths, lambda *a, **k: [], lambda *a: 12_345
    )
    status, before = _one(app, widgets.HTML), _png(app)
    assert seen == [("AC01", "AC40", 6)] and "$123.45" in status.value and before is not None
    _one(app, widgets.IntSlider, "at most this many hops").value = 7
    assert seen[-1] == ("AC01", "AC40", 7)
    _one(app, widgets.Dropdown, "money to").value = "AC23"
    assert seen[-1] == ("AC01", "AC23", 7) and _png(app) != before


money_paths_calls = []


def money_paths(wires, source, target, cutoff=6):
    """A stand-in trainee function, a global as in a notebook, called by the next one."""
    money_paths_calls.append((source, target, cutoff))
    return [[source, "AC05", target], [source, target]]


MONEY_PATHS = money_paths


def time_respecting_paths(wires, source, target, cutoff=6):
    found = money_paths(wires, source, target, cutoff)  # positional cutoff, unlike the explorer's own call
    found.pop()  # changing the list it got changes nothing the explorer shows
    return found


def test_money_trail_app_runs_money_paths_once_when_time_respecting_paths_calls_it():
    money_paths_calls.clear()
    app = explore_money_trail(
        load_wires(), load_account_holders(), money_paths, time_respecting_paths, lambda *a: 1
    )
    assert money_paths_calls == [("AC01", "AC40", 6)], "the same arguments: money_paths runs once"
    assert "2 path(s), 1 with dates" in _one(app, widgets.HTML).value
    assert globals()["money_paths"] is MONEY_PATHS, "the notebook's global is put back"
    _one(app, widgets.IntSlider, "at most this many hops").value = 3
    assert money_paths_calls == [("AC01", "AC40", 6), ("AC01", "AC40", 3)], "new arguments: it runs again"


def test_money_trail_app_names_the_function_that_failed():
    def money_paths(wires, source, target, cutoff=6):
        raise ValueError("no such account")

    def time_respecting_paths(wires, source, target, cutoff=6):
        return money_paths(wires, source, target, cutoff)

    status = _one(
        explore_money_trail(
            load_wires(), load_account_holders(), money_paths, time_respecting_paths, lambda *a: 1
        ),
        widgets.HTML,
    )
    assert "Your function money_paths raised ValueError: no such account" in status.value
    status = _one(
        explore_money_trail(
            load_wires(), load_account_holders(), lambda *a, **k: [], _not_written, lambda *a: 1
        ),
        widgets.HTML,
    )
    assert "Your function _not_written is not written yet (it raises NotImplementedError)" in status.value


def test_commingling_app_steps_through_the_ledger():
    ledger = load_suspect_ledger()
    app = explore_commingling(ledger, lambda prefix: len(prefix), lambda prefix: [])
    status, before = _one(app, widgets.HTML), _png(app)
    assert "after row 0" in status.value
    _one(app, widgets.Play).value = 5  # the Play button drives the slider
    assert _one(app, widgets.IntSlider).value == 5 and "after row 5" in status.value
    row_5 = _png(app)
    assert row_5 != before
    _one(app, widgets.Play).value = 0  # back to the start: the same picture as at the start
    assert "after row 0" in status.value and _png(app) == before
    _one(app, widgets.Play).value = 5
    assert _png(app) == row_5


def test_net_worth_app_adds_the_claimed_cash_hoard_to_the_start_assets():
    seen = []

    def unexplained(**inputs):
        seen.append(inputs["start_assets"])
        return 100

    app = explore_net_worth(load_balance_sheets(), load_income_and_expenses(), unexplained)
    before = _png(app)
    _one(app, widgets.IntSlider).value = 50_000
    assert seen[-1] - seen[0] == 5_000_000, (
        "US$50,000 claimed cash on hand is 5,000,000 cents more at the start"
    )
    assert before is not None and _png(app) != before, "the start-assets bar grows on the figure"
    bad = explore_net_worth(load_balance_sheets(), load_income_and_expenses(), lambda **k: 1 / 0)
    assert "ZeroDivisionError" in _one(bad, widgets.HTML).value
