"""Interactive explorers for the trafficking notebooks, on the course's explorer pattern (:mod:`courses.explorers`).

Each ``explore_*`` function takes the trainee's OWN graded functions, wires controls to them and returns the app.
If a trainee's function raises, is not written yet or answers with the wrong kind of value, the app says so in
plain words instead of crashing.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd

from courses import explorers
from courses.explorers import Explorer, call
from courses.trafficking_in_human_beings import plots

MONTHS_SHOWN = 24
DAY_SECONDS = 86_400


def money(cents: float) -> str:
    """``123456`` -> ``'£1,234.56'`` (the case's payroll is in pounds sterling)."""
    return f"{'-' if cents < 0 else ''}£{abs(cents) / 100:,.2f}"


def _wrong_kind(name: str, result: object, wanted: str) -> str:
    return f"Your function {name} returned {type(result).__name__}, not {wanted}."


def explore_presumed_victim(presumed_victim: Callable) -> Explorer:
    """Tick the elements the interview established and set the age: YOUR ``presumed_victim`` answers."""
    boxes = [widgets.Checkbox(value=True, description=name) for name in ("act", "means", "purpose")]
    age = explorers.slider("age (years)", 30, 10, 70)
    fig = explorers.figure(7, 2.6)
    chart = plots.ElementsChart(fig)
    app = Explorer([explorers.row(*boxes), age], fig, animated=[*chart.boxes, *chart.labels, chart.title])

    def update() -> None:
        present = [box.value for box in boxes]
        result, error = call(presumed_victim, *present, age.value)
        if error is None and not isinstance(result, bool):
            error = _wrong_kind("presumed_victim", result, "True or False")
        chart.show(present, age.value < 18, None if error else result)
        if error:
            return app.say(error, error=True)
        app.say(
            f"presumed_victim(act={present[0]}, means={present[1]}, purpose={present[2]}, "
            f"age_years={age.value}) returned {result}."
        )

    return app.wire(update)


def explore_ad_networks(ads: pd.DataFrame, normalise_phone: Callable, ad_networks: Callable) -> Explorer:
    """The groups YOUR ``ad_networks`` found, drawn as stars; pick one to see its ads' phone (as YOUR
    ``normalise_phone`` writes it), e-mail and picture fingerprint side by side: what links them?"""
    result, wrong = call(ad_networks, ads)
    groups = []
    if wrong is None and isinstance(result, list) and all(isinstance(g, (set, frozenset)) for g in result):
        groups = [set(g) for g in result]
    elif wrong is None:
        wrong = _wrong_kind("ad_networks", result, "a list of sets of ad ids")
    choice = widgets.Dropdown(
        options=[(f"group {k + 1} ({len(g)} ads)", k) for k, g in enumerate(groups)], description="group"
    )
    details = widgets.HTML()
    fig = explorers.figure(6, 6)
    chart = plots.NetworkChart(fig, list(ads["ad_id"]), groups)
    app = Explorer([choice, details], fig, animated=[chart.dots, chart.chosen_spokes, chart.title])
    rows = ads.set_index("ad_id")

    def cell(value: object) -> str:
        return html.escape(value) if isinstance(value, str) else "<i>missing</i>"

    def update() -> None:
        chart.show(choice.value)
        details.value = ""
        if wrong:
            return app.say(wrong, error=True)
        if choice.value is None:
            return app.say("Your ad_networks found no group of 2 or more ads.")
        lines, problems = [], []
        for ad in sorted(groups[choice.value]):
            row = rows.loc[ad]
            phone, error = (
                call(normalise_phone, row["phone"], row["region"])
                if isinstance(row["phone"], str)
                else (None, None)
            )
            if error:
                problems.append(error)
            image = row["image_sha256"][:12] + "..." if isinstance(row["image_sha256"], str) else None
            lines.append(
                f"<tr><td>{ad}</td><td>{cell(row['phone'])}</td><td>{cell(phone)}</td>"
                f"<td>{cell(row['email'])}</td><td>{cell(image)}</td></tr>"
            )
        details.value = (
            "<table><tr><th>ad</th><th>phone as written</th><th>your normalise_phone</th>"
            "<th>e-mail</th><th>picture SHA-256</th></tr>" + "".join(lines) + "</table>"
        )
        if problems:
            return app.say(problems[0], error=True)
        app.say(f"Group {choice.value + 1}: {', '.join(sorted(groups[choice.value]))}.")

    return app.wire(update)


def _people(result: object) -> tuple[set[str], str | None]:
    if isinstance(result, (set, frozenset, list, tuple)) and all(isinstance(p, str) for p in result):
        return set(result), None
    return set(), _wrong_kind("repeat_escorts", result, "a set of person ids")


def explore_border_timeline(crossings: pd.DataFrame, repeat_escorts: Callable) -> Explorer:
    """Sliders for YOUR ``repeat_escorts``; pick a person it flags (at a wide setting) to see with whom they
    crossed: same border point, same direction, within the window."""
    window = explorers.slider("window_minutes", 10, 1, 60, continuous_update=False)
    trips = explorers.slider("min_trips (dates)", 3, 1, 6, continuous_update=False)
    wide, error = call(repeat_escorts, crossings, 30, 2)
    candidates, wrong = (set(), error) if error else _people(wide)
    person = widgets.Dropdown(options=sorted(candidates), description="person")
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

    rows = 1 + max((len(crossed_with(who, window.max)[1]) for who in person.options), default=0)
    fig = explorers.figure(8, 3.6)
    chart = plots.TimelineChart(fig, seconds.max(initial=0) / DAY_SECONDS, rows)
    changing = [chart.own, chart.others, *chart.names, chart.title]
    app = Explorer([explorers.row(window, trips), person], fig, animated=changing)

    def update() -> None:
        result, error = (None, wrong) if wrong else call(repeat_escorts, crossings, window.value, trips.value)
        flagged, error = (set(), error) if error else _people(result)
        who = person.value
        chart.show(who or "nobody", *crossed_with(who, window.value))
        if error:
            return app.say(error, error=True)
        status = "" if who is None else f" {who} is {'' if who in flagged else 'NOT '}flagged."
        app.say(
            f"Your repeat_escorts flags {len(flagged)}: {', '.join(sorted(flagged)) or 'nobody'}.{status}"
        )

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

    def update() -> None:
        initial = debt.value * 100
        schedule, error = call(
            debt_schedule, initial, rate.value / 100, wage.value * 100, deductions.value * 100, MONTHS_SHOWN
        )
        if error is None and not (isinstance(schedule, list) and all(isinstance(c, int) for c in schedule)):
            error = _wrong_kind("debt_schedule", schedule, "a list of whole cents")
        if error:
            chart.show([], initial, "Your debt_schedule did not answer: see the message above")
            return app.say(error, error=True)
        bondage, error = call(is_debt_bondage, schedule, initial)
        if error is None and not isinstance(bondage, bool):
            error = _wrong_kind("is_debt_bondage", bondage, "True or False")
        if error:
            verdict = "Your is_debt_bondage did not answer: see the message above"
        elif bondage:
            verdict = f"Your is_debt_bondage: True - after {len(schedule)} months the debt is not smaller"
        elif 0 in schedule:
            verdict = f"Repaid in month {schedule.index(0) + 1}"
        else:
            verdict = f"Falling, but not repaid after {len(schedule)} months"
        chart.show(schedule, initial, verdict)
        if error:
            return app.say(error, error=True)
        left = (wage.value - deductions.value) * 100
        interest = initial * rate.value / 100
        note = (
            " The wage does not even cover the deductions and the first month's interest: this debt can "
            "never be repaid."
            if initial and left <= interest
            else ""
        )
        app.say(
            f"Each month {money(left)} of the wage is left after deductions; the first month's "
            f"interest is {money(interest)}.{note}"
        )

    return app.wire(update)


def explore_wage_flows(payroll: pd.DataFrame, shared_wage_accounts: Callable) -> Explorer:
    """Accounts that receive the wages of several workers, counted with YOUR ``shared_wage_accounts``; the
    slider sets ``min_workers`` and the flagged accounts turn red."""
    minimum = explorers.slider("min_workers", 3, 2, 6, continuous_update=False)
    counts: dict[str, int] = {}
    for m in range(2, 11):  # how many workers each account has, read from YOUR function at each threshold
        result, error = call(shared_wage_accounts, payroll, m)
        if error or not isinstance(result, (set, frozenset)):
            break
        counts.update(dict.fromkeys(result, m))
    fig = explorers.figure(8, 3.4, layout="constrained")
    chart = plots.AccountsChart(fig, counts)
    app = Explorer([minimum], fig, animated=[*chart.bars, chart.title])

    def update() -> None:
        result, error = call(shared_wage_accounts, payroll, minimum.value)
        if error is None and not isinstance(result, (set, frozenset)):
            error = _wrong_kind("shared_wage_accounts", result, "a set of accounts")
        flagged = set() if error else set(result)
        chart.show(flagged, minimum.value)
        if error:
            return app.say(error, error=True)
        listed = ", ".join(f"{a} ({counts.get(a, '?')} workers)" for a in sorted(flagged)) or "none"
        app.say(f"Flagged at min_workers = {minimum.value}: {listed}.")

    return app.wire(update)
