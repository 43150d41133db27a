"""Headless tests of the trafficking explorers: stand-in trainee functions drive them, and each test reads what the
figure now shows (colours, offsets, line data, tick labels, titles) and the message line."""

import functools

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from widget_tree import blank, blits_matching_full_draws, figure_texts, find_widgets
from widget_tree import one_widget as _one

from courses.explorers import ERROR_COLOUR, NOTHING_TO_DRAW
from courses.trafficking_in_human_beings import plots
from courses.trafficking_in_human_beings.plots import VERDICTS
from courses.trafficking_in_human_beings.widgets import (
    explore_ad_networks,
    explore_border_timeline,
    explore_debt,
    explore_presumed_victim,
    explore_wage_flows,
)

T0 = pd.Timestamp("2026-01-05", tz="UTC")


def _is_error(app) -> bool:
    return ERROR_COLOUR in app.message.value


def _failed(app, message: str) -> bool:
    """The one style of a trainee's error: ``message`` in red, and the figure shows only the note that there is
    nothing to draw (no stale chart, no half-drawn answer)."""
    return _is_error(app) and message in app.panel.text and blank(app)


def _victim(act, means, purpose, age_years):
    return bool(act and purpose) if age_years < 18 else bool(act and means and purpose)


def test_elements_explorer_colours_the_elements_and_shows_the_trainees_answer():
    calls = []

    def victim(*args):
        calls.append(args)
        return _victim(*args)

    app = explore_presumed_victim(victim)
    ax = app.figure.axes[0]
    assert calls == [(True, True, True, 30)]
    assert "PRESUMED VICTIM" in ax.get_title() and not _is_error(app)
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [plots.GREEN] * 3
    _one(app, widgets.Checkbox, "means").value = False
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [plots.GREEN, plots.GREY, plots.GREEN]
    assert "not a presumed victim" in ax.get_title() and "returned False" in app.panel.text
    _one(app, widgets.IntSlider, "age (years)").value = 17
    assert calls[-1] == (True, False, True, 17) and "PRESUMED VICTIM" in ax.get_title()
    assert "MEANS\n(not required:\nchild)" in figure_texts(app.figure)


def test_elements_explorer_reports_an_unfinished_or_wrong_function():
    def presumed_victim(act, means, purpose, age_years):
        if age_years < 18:
            raise NotImplementedError()
        return _victim(act, means, purpose, age_years)

    app = explore_presumed_victim(presumed_victim)
    age = _one(app, widgets.IntSlider, "age (years)")
    age.value = 17
    assert _failed(app, "Your function presumed_victim is not written yet")
    age.value = 30
    assert not _is_error(app) and VERDICTS[True] in figure_texts(app.figure), "drawn again once it answers"
    app = explore_presumed_victim(lambda *args: "yes")
    assert _failed(app, "Your function presumed_victim returned str 'yes', not True or False.")


def _ads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ad_id": ["A1", "A2", "A3", "A4", "A5"],
            "phone": ["020 7946 0555", "+44 20 7946 0555", None, None, "020 7946 0556"],
            "region": ["GB", "GB", None, None, "GB"],
            "email": [None, "jobs@example.com", " JOBS@example.com", None, None],
            "image_sha256": [None, None, None, "ab" * 32, None],
        }
    )


def test_ad_network_explorer_draws_the_trainees_groups_and_their_identifiers():
    phones = []

    def normalise(raw, region):
        phones.append(raw)
        return "+44" + raw.replace(" ", "").lstrip("+").removeprefix("44").removeprefix("0")

    asked = []

    def networks(ads):
        asked.append(len(ads))
        return [{"A1", "A2", "A3"}, {"A4", "A5"}]

    app = explore_ad_networks(_ads(), normalise, networks)
    ax = app.figure.axes[0]
    choice = _one(app, widgets.Dropdown, "group")
    assert choice.options == (("group 1 (3 ads)", 0), ("group 2 (2 ads)", 1)) and choice.value == 0
    spokes, dots = ax.collections
    colours = [to_hex(c) for c in dots.get_facecolors()]
    assert colours == [plots.RED] * 3 + [plots.BLUE] * 2, "group 1 (red) then group 2 (blue)"
    assert ax.get_title() == "2 linked groups, 5 ads - group 1: 3 ads"
    centres = {tuple(np.round(a, 6)) for a, _ in spokes.get_segments()}
    ends = {tuple(np.round(b, 6)) for _, b in spokes.get_segments()}
    assert len(centres) == 2 and ends == {tuple(np.round(p, 6)) for p in dots.get_offsets()}, (
        "a star per group"
    )
    (table,) = [w.value for w in find_widgets(app.panel, widgets.HTML) if w is not app.message]
    assert "+442079460555" in table and "jobs@example.com" in table and "<td>missing</td>" in table
    assert sorted(set(phones)) == ["+44 20 7946 0555", "020 7946 0555"], "phones of group 1 through YOURS"
    choice.value = 1
    colours = [to_hex(c) for c in dots.get_facecolors()]
    assert colours == [plots.BLUE] * 3 + [plots.RED] * 2 and ax.get_title().endswith("group 2: 2 ads")
    assert "Group 2: A4, A5." in app.panel.text and "A4" in _table(app) and "A1" not in _table(app)
    assert asked == [5], "YOUR ad_networks is asked once for the data, not at every pick"


def test_ad_network_explorer_reports_an_unfinished_or_wrong_function():
    def ad_networks(ads):
        raise NotImplementedError()

    def normalise_phone(raw, region):
        if raw.endswith("0556"):  # only A5's phone, in group 2
            raise NotImplementedError()
        return raw

    app = explore_ad_networks(_ads(), normalise_phone, ad_networks)
    assert _failed(app, "Your function ad_networks is not written yet") and _table(app) == ""
    app = explore_ad_networks(_ads(), normalise_phone, lambda ads: [{"A1", "A2", "A3"}, {"A4", "A5"}])
    assert "A1" in _table(app) and not _is_error(app)
    _one(app, widgets.Dropdown, "group").value = 1
    assert _failed(app, "Your function normalise_phone is not written yet") and _table(app) == "", (
        "no stale table"
    )
    app = explore_ad_networks(_ads(), normalise_phone, lambda ads: {"A1"})
    assert _failed(app, "Your function ad_networks returned set {'A1'}, not a list of sets of ad ids.")


def _table(app) -> str:
    """The HTML table of the chosen group's identifiers under the ad-network explorer's dropdown."""
    (table,) = [w.value for w in find_widgets(app.panel, widgets.HTML) if w is not app.message]
    return table


def _crossings() -> pd.DataFrame:
    rows = []
    for day, new in [(0, "N1"), (7, "N2"), (14, "N3")]:
        rows += [
            ("ESC", T0 + pd.Timedelta(days=day, hours=6)),
            (new, T0 + pd.Timedelta(days=day, hours=6, minutes=4)),
        ]
    rows += [("FAR", T0 + pd.Timedelta(days=7, hours=6, minutes=25))]
    return pd.DataFrame(
        {
            "person_id": [r[0] for r in rows],
            "crossed_at": [r[1] for r in rows],
            "border_point": "Eastgate road",
            "direction": "IN",
        }
    )


def _rows(ax) -> list[str]:
    """The names on the timeline's rows, top row first (empty rows left out)."""
    return [
        text.get_text()
        for text in sorted(ax.texts, key=lambda t: t.get_position()[1])
        if text.get_text() and text.get_visible()
    ]


def test_border_timeline_shows_who_crossed_with_the_chosen_person_within_the_window():
    calls = []

    def escorts(crossings, window_minutes=10, min_trips=3):
        calls.append((window_minutes, min_trips))
        return {"ESC"} if min_trips <= 3 else set()

    app = explore_border_timeline(_crossings(), escorts)
    ax = app.figure.axes[0]
    assert calls[:2] == [(30, 2), (10, 3)], "a wide setting fills the list, then the sliders' values"
    assert _one(app, widgets.Dropdown, "person").options == ("ESC",)
    assert np.allclose(ax.collections[0].get_offsets(), [[0.25, 0], [7.25, 0], [14.25, 0]])
    assert _rows(ax) == ["ESC", "N1", "N2", "N3"] and set(_rows(ax)) <= set(figure_texts(app.figure))
    assert np.allclose(
        ax.collections[1].get_offsets(),
        [[day + 0.25 + 4 / 1440, row] for row, day in ((1, 0), (2, 7), (3, 14))],
    )
    assert ax.get_title() == "ESC: 3 crossings, 3 people crossed with them"
    assert "flags 1: ESC. ESC is flagged." in app.panel.text
    _one(app, widgets.IntSlider, "window_minutes").value = 24
    assert "FAR" not in _rows(ax), "FAR crossed 25 minutes after ESC"
    _one(app, widgets.IntSlider, "window_minutes").value = 25
    assert "FAR" in _rows(ax), "the window is inclusive: 25 minutes apart is within 25 minutes"
    _one(app, widgets.IntSlider, "window_minutes").value = 30
    assert _rows(ax) == ["ESC", "N1", "N2", "FAR", "N3"]
    assert sum(text.get_text() != NOTHING_TO_DRAW for text in ax.texts) == 5, (
        "one row for each person seen at the widest window, fixed: changes are blitted"
    )
    _one(app, widgets.IntSlider, "min_trips (dates)").value = 4
    assert calls[-1] == (30, 4) and "ESC is NOT flagged" in app.panel.text


def test_border_timeline_reports_an_unfinished_or_wrong_function():
    def repeat_escorts(crossings, window_minutes=10, min_trips=3):
        if min_trips > 3:
            raise NotImplementedError()
        return {"ESC"}

    app = explore_border_timeline(_crossings(), repeat_escorts)
    trips = _one(app, widgets.IntSlider, "min_trips (dates)")
    trips.value = 4
    assert _failed(app, "Your function repeat_escorts is not written yet")
    trips.value = 3
    assert not _is_error(app) and _rows(app.figure.axes[0]) == ["ESC", "N1", "N2", "N3"]
    app = explore_border_timeline(_crossings(), lambda *args: 3)
    assert _failed(app, "Your function repeat_escorts returned int 3, not a set of person ids.")


def _schedule(debt, rate, wage, deductions, months):
    balance, out = debt, []
    for _ in range(months):
        if balance:
            balance = max(0, balance + round(balance * rate) + deductions - wage)
        out.append(balance)
    return out


def test_debt_explorer_draws_the_trainees_schedule_and_verdict():
    calls = []

    def bondage(schedule, initial):
        calls.append(initial)
        return bool(schedule) and initial > 0 and schedule[-1] >= initial

    app = explore_debt(_schedule, bondage)
    ax = app.figure.axes[0]
    months, pounds = ax.lines[0].get_data()
    assert list(months) == list(range(25)) and pounds[0] == 3500 and pounds[1] == 3575
    assert list(ax.lines[1].get_ydata()) == [3500, 3500]
    assert ax.get_title().startswith("Your is_debt_bondage: True") and calls == [350_000]
    assert "can never be repaid" in app.panel.text
    _one(app, widgets.IntSlider, "wage (£ a month)").value = 2500
    assert ax.get_title().startswith("Repaid in month") and "never" not in app.panel.text
    _one(app, widgets.FloatSlider, "interest (% a month)").value = 0.0
    _one(app, widgets.IntSlider, "wage (£ a month)").value = 1150
    assert ax.get_title() == "Falling, but not repaid after 24 months"
    assert ax.lines[0].get_ydata()[-1] == 3500 - 24 * 50


def test_debt_explorer_reports_an_unfinished_or_wrong_function():
    def debt_schedule(debt_cents, monthly_rate, wage_cents, deductions_cents, months):
        raise NotImplementedError()

    def is_debt_bondage(schedule, initial_cents):
        raise NotImplementedError()

    app = explore_debt(debt_schedule, is_debt_bondage)
    assert _failed(app, "Your function debt_schedule is not written yet")
    app = explore_debt(lambda *args: [1.5, 2.5], is_debt_bondage)
    assert _failed(app, "Your function debt_schedule returned list [1.5, 2.5], not a list of whole cents.")
    app = explore_debt(_schedule, is_debt_bondage)
    assert _failed(app, "Your function is_debt_bondage is not written yet")
    app = explore_debt(_schedule, lambda schedule, initial: None)
    assert _failed(app, "Your function is_debt_bondage returned NoneType None, not True or False.")


def test_wage_flow_explorer_counts_workers_with_the_trainees_function_and_follows_the_slider():
    payroll = pd.DataFrame(
        {
            "worker_id": ["W1", "W2", "W3", "W4", "W5", "W6", "W7"],
            "account": ["GB00AAAA1"] * 4 + ["GB00BBBB2"] * 2 + ["GB00CCCC3"],
            "amount_cents": 100_000,
        }
    )

    def shared(frame, min_workers=3):
        counts = frame.groupby("account")["worker_id"].nunique()
        return set(counts[counts >= min_workers].index)

    app = explore_wage_flows(payroll, shared)
    ax = app.figure.axes[0]
    assert [bar.get_height() for bar in ax.patches] == [4, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["...0AAAA1", "...0BBBB2"]
    assert [to_hex(bar.get_facecolor()) for bar in ax.patches] == [plots.RED, plots.GREY]
    assert ax.get_title() == "1 accounts flagged at min_workers = 3"
    assert "GB00AAAA1 (4 workers)" in app.panel.text
    _one(app, widgets.IntSlider, "min_workers").value = 2
    assert [to_hex(bar.get_facecolor()) for bar in ax.patches] == [plots.RED, plots.RED]


def test_wage_flow_explorer_reports_an_unfinished_or_wrong_function():
    def shared_wage_accounts(payroll, min_workers=3):
        raise NotImplementedError()

    payroll = pd.DataFrame({"worker_id": [], "account": [], "amount_cents": []})
    app = explore_wage_flows(payroll, shared_wage_accounts)
    assert _failed(app, "Your function shared_wage_accounts is not written yet")
    assert find_widgets(app.panel, widgets.IntSlider)[0].description == "min_workers"
    app = explore_wage_flows(payroll, lambda payroll, min_workers=3: "GB00AAAA1")
    assert _failed(app, "Your function shared_wage_accounts returned str 'GB00AAAA1', not a set of accounts.")


def test_a_balance_below_zero_stays_in_view():
    """A schedule that goes below zero (a wrong answer: the balance must stop at 0) is still drawn in full."""
    app = explore_debt(lambda debt, *args: [debt - 100_000 * (k + 1) for k in range(24)], lambda *args: False)
    low, high = app.figure.axes[0].get_ylim()
    assert low <= min(app.figure.axes[0].lines[0].get_ydata()) < 0 and high >= 3500


def _apps_and_changes():
    """Each explorer with stand-in functions, and the control changes the blitting test makes."""
    timeline = explore_border_timeline(_crossings(), lambda crossings, *args: {"ESC"})
    window = _one(timeline, widgets.IntSlider, "window_minutes")
    victim = explore_presumed_victim(_victim)
    networks = explore_ad_networks(
        _ads(), lambda *args: "+44", lambda ads: [{"A1", "A2", "A3"}, {"A4", "A5"}]
    )
    group = _one(networks, widgets.Dropdown, "group")
    debt = explore_debt(_schedule, lambda schedule, initial: bool(schedule) and schedule[-1] >= initial)
    wage = _one(debt, widgets.IntSlider, "wage (£ a month)")
    payroll = pd.DataFrame({"worker_id": ["W1", "W2", "W3"], "account": ["GB00AAAA1"] * 2 + ["GB00BBBB2"]})
    flows = explore_wage_flows(
        payroll, lambda frame, min_workers=3: {"GB00AAAA1"} if min_workers <= 2 else set()
    )
    minimum = _one(flows, widgets.IntSlider, "min_workers")
    return [
        (timeline, [(window, 30), (window, 1), (window, 60)]),
        (
            victim,
            [
                (_one(victim, widgets.Checkbox, "means"), False),
                (_one(victim, widgets.IntSlider, "age (years)"), 12),
            ],
        ),
        (networks, [(group, 1), (group, 0)]),
        (debt, [(wage, v) for v in (1300, 1250, 2500, 1150)]),
        (flows, [(minimum, v) for v in (2, 3, 6)]),
    ]


def test_a_blitted_frame_is_the_frame_a_full_draw_gives():
    """In the browser a change that touches only a chart's ``animated`` artists is blitted over the background
    kept from the last full draw: the frame must be what drawing the whole figure gives."""
    for app, changes in _apps_and_changes():
        blitted = blits_matching_full_draws(
            app, (functools.partial(setattr, c, "value", v) for c, v in changes)
        )
        assert blitted > 0, f"{app.panel.text}: no change was blitted"
