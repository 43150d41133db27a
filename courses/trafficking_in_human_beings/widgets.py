"""Interactive explorers for the trafficking notebooks, on the course's explorer pattern (:mod:`courses.explorers`).

Each ``explore_*`` function takes the trainee's OWN graded functions, wires controls to them and returns the app.
If a trainee's function raises, is not written yet or answers with the wrong kind of value, the app says so in
plain words instead of crashing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd

from courses import explorers
from courses.explorers import Explorer
from courses.trafficking_in_human_beings import plots

MONTHS_SHOWN = 24
DAY_SECONDS = 86_400


def money(cents: float) -> str:
    """``123456`` -> ``'£1,234.56'`` (the case's payroll is in pounds sterling)."""
    return f"{'-' if cents < 0 else ''}£{abs(cents) / 100:,.2f}"


def explore_presumed_victim(presumed_victim: Callable) -> Explorer:
    """Tick the elements the interview established and set the age: YOUR ``presumed_victim`` answers."""
    boxes = [widgets.Checkbox(value=True, description=name) for name in ("act", "means", "purpose")]
    age = explorers.slider("age (years)", 30, 10, 70)
    fig = explorers.figure(7, 2.6)
    chart = plots.ElementsChart(fig)
    app = Explorer([explorers.row(*boxes), age], fig, animated=[*chart.boxes, *chart.labels, chart.title])

    def update() -> str:
        present = [box.value for box in boxes]
        result = presumed_victim(*present, age.value)
        explorers.expect("presumed_victim", result, isinstance(result, bool), "True or False")
        chart.show(present, age.value < 18, result)
        return (
            f"presumed_victim(act={present[0]}, means={present[1]}, purpose={present[2]}, "
            f"age_years={age.value}) returned {result}."
        )

    return app.wire(update)


def explore_ad_networks(ads: pd.DataFrame, normalise_phone: Callable, ad_networks: Callable) -> Explorer:
    """The groups YOUR ``ad_networks`` found, drawn as stars; pick one to see its ads' phone (as YOUR
    ``normalise_phone`` writes it), e-mail and picture fingerprint side by side: what links them?"""
    choice = widgets.Dropdown(description="group")
    details = widgets.HTML()
    fig = explorers.figure(6, 6)
    chart = plots.NetworkChart(fig, list(ads["ad_id"]))
    app = Explorer([choice, details], fig, animated=[chart.dots, chart.title])
    rows = ads.set_index("ad_id")
    found = functools.cache(lambda: ad_networks(ads))  # one answer for the data: asked once it is given

    def update() -> str:
        details.value = ""
        groups = found()
        ok = isinstance(groups, list) and all(isinstance(g, (set, frozenset)) for g in groups)
        explorers.expect("ad_networks", groups, ok, "a list of sets of ad ids")
        explorers.offer(choice, [(f"group {k + 1} ({len(g)} ads)", k) for k, g in enumerate(groups)])
        chart.show(groups, choice.value)
        if choice.value is None:
            return "Your ad_networks found no group of 2 or more ads."
        table = rows.loc[sorted(groups[choice.value])].reset_index()
        table["your normalise_phone"] = [
            normalise_phone(p, r) if isinstance(p, str) else None for p, r in zip(table.phone, table.region)
        ]
        table["image_sha256"] = table.image_sha256.str[:12] + "..."
        columns = ["ad_id", "phone", "your normalise_phone", "email", "image_sha256"]
        details.value = table[columns].to_html(index=False, na_rep="missing")
        return f"Group {choice.value + 1}: {', '.join(sorted(groups[choice.value]))}."

    return app.wire(update)


def explore_border_timeline(crossings: pd.DataFrame, repeat_escorts: Callable) -> Explorer:
    """Sliders for YOUR ``repeat_escorts``; pick a person it flags (at a wide setting) to see with whom they
    crossed: same border point, same direction, within the window."""
    window = explorers.slider("window_minutes", 10, 1, 60, continuous_update=False)
    trips = explorers.slider("min_trips (dates)", 3, 1, 6, continuous_update=False)
    person = widgets.Dropdown(description="person")
    people = crossings["person_id"].to_numpy()
    route = crossings.groupby(["border_point", "direction"]).ngroup().to_numpy()  # same point, same direction
    start = crossings["crossed_at"].min().normalize()
    seconds = ((crossings["crossed_at"] - start) // pd.Timedelta(seconds=1)).to_numpy()  # whole: exact window

    def crossed_with(who: str | None, minutes: int) -> tuple[np.ndarray, dict[str, list[float]]]:
        """The days ``who`` crossed, and the days each other person crossed with them."""
        own = people == who
        near = (route[own, None] == route) & (np.abs(seconds[own, None] - seconds) <= minutes * 60)
        together = near.any(axis=0) & ~own  # their crossings with this person, each once
        companions: dict[str, list[float]] = {}
        for other, second in zip(people[together], seconds[together], strict=True):
            companions.setdefault(other, []).append(second / DAY_SECONDS)
        return seconds[own] / DAY_SECONDS, companions

    rows = 1 + max((len(crossed_with(who, window.max)[1]) for who in set(people)), default=0)
    fig = explorers.figure(8, 3.6)
    chart = plots.TimelineChart(fig, seconds.max(initial=0) / DAY_SECONDS, rows)
    changing = [chart.own, chart.others, *chart.names, chart.title]
    app = Explorer([explorers.row(window, trips), person], fig, animated=changing)
    wide = functools.cache(lambda: repeat_escorts(crossings, 30, 2))  # the people to pick from

    def update() -> str:
        explorers.offer(person, sorted(explorers.strings("repeat_escorts", wide(), "a set of person ids")))
        result = repeat_escorts(crossings, window.value, trips.value)
        flagged = explorers.strings("repeat_escorts", result, "a set of person ids")
        who = person.value
        chart.show(who or "nobody", *crossed_with(who, window.value))
        status = "" if who is None else f" {who} is {'' if who in flagged else 'NOT '}flagged."
        return f"Your repeat_escorts flags {len(flagged)}: {', '.join(sorted(flagged)) or 'nobody'}.{status}"

    return app.wire(update)


def explore_debt(debt_schedule: Callable, is_debt_bondage: Callable) -> Explorer:
    """Sliders for the debt, wage, deductions and interest: YOUR ``debt_schedule`` draws the balance over two
    years and YOUR ``is_debt_bondage`` gives the verdict."""
    debt = explorers.slider("initial debt (£)", 3500, 0, 8000, 100, continuous_update=False)
    wage = explorers.slider("wage (£ a month)", 1200, 0, 2500, 50, continuous_update=False)
    deductions = explorers.slider("deductions (£ a month)", 1100, 0, 2500, 50, continuous_update=False)
    rate = explorers.slider("interest (% a month)", 5.0, 0.0, 10.0, 0.5, continuous_update=False)
    fig = explorers.figure(8, 3.6)
    chart = plots.DebtChart(fig)
    rows = [explorers.row(debt, wage), explorers.row(deductions, rate)]
    app = Explorer(rows, fig, animated=[chart.balance, chart.initial, chart.title])

    def update() -> str:
        initial, left = debt.value * 100, (wage.value - deductions.value) * 100
        schedule = debt_schedule(
            initial, rate.value / 100, wage.value * 100, deductions.value * 100, MONTHS_SHOWN
        )
        ok = isinstance(schedule, list) and all(isinstance(c, int) for c in schedule)
        explorers.expect("debt_schedule", schedule, ok, "a list of whole cents")
        bondage = is_debt_bondage(schedule, initial)
        explorers.expect("is_debt_bondage", bondage, isinstance(bondage, bool), "True or False")
        if bondage:
            verdict = f"Your is_debt_bondage: True - after {len(schedule)} months the debt is not smaller"
        elif 0 in schedule:
            verdict = f"Repaid in month {schedule.index(0) + 1}"
        else:
            verdict = f"Falling, but not repaid after {len(schedule)} months"
        chart.show(schedule, initial, verdict)
        interest = initial * rate.value / 100
        said = f"Each month {money(left)} of the wage is left after deductions; first month's interest: "
        said += f"{money(interest)}."
        if initial and left <= interest:
            said += " What is left does not even cover the interest: this debt can never be repaid."
        return said

    return app.wire(update)


def explore_wage_flows(payroll: pd.DataFrame, shared_wage_accounts: Callable) -> Explorer:
    """Accounts that receive the wages of several workers, counted with YOUR ``shared_wage_accounts``; the
    slider sets ``min_workers`` and the flagged accounts turn red."""
    minimum = explorers.slider("min_workers", 3, 2, 6, continuous_update=False)
    counts: dict[str, int] = {}  # each account's bar: the highest min_workers at which YOUR function flags it
    with contextlib.suppress(Exception):  # what YOUR function raises here, update says (it asks again)
        for m in range(2, 11):
            counts.update(dict.fromkeys(shared_wage_accounts(payroll, m), m))
    fig = explorers.figure(8, 3.4, layout="constrained")
    chart = plots.AccountsChart(fig, counts)
    app = Explorer([minimum], fig, animated=[*chart.bars, chart.title])

    def update() -> str:
        result = shared_wage_accounts(payroll, minimum.value)
        flagged = explorers.strings("shared_wage_accounts", result, "a set of accounts")
        chart.show(flagged, minimum.value)
        listed = ", ".join(f"{a} ({counts.get(a, '?')} workers)" for a in sorted(flagged)) or "none"
        return f"Flagged at min_workers = {minimum.value}: {listed}."

    return app.wire(update)
