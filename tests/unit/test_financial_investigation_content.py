"""The numbers the financial-investigation notebooks teach, recomputed independently of the notebooks."""

import datetime as dt
import math
import random

import pandas as pd

from courses.financial_investigation import case

BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]


def _expected_mad(n: int) -> float:
    return sum(math.sqrt(2 * p * (1 - p) / (math.pi * n)) for p in BENFORD) / 9


def _counts(amounts) -> list[int]:
    counts = [0] * 9
    for amount in amounts:
        if amount > 0:
            counts[int(str(int(amount))[0]) - 1] += 1
    return counts


def _mad(counts: list[int]) -> float:
    total = sum(counts)
    return sum(abs(c / total - p) for c, p in zip(counts, BENFORD)) / 9


def _simulated_mads(n: int, runs: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    mads = []
    for _ in range(runs):
        counts = [0] * 9
        for digit in rng.choices(range(9), weights=BENFORD, k=n):
            counts[digit] += 1
        mads.append(_mad(counts))
    return sorted(mads)


def test_expected_mad_worked_example_and_the_figures_quoted():
    terms = [round(math.sqrt(2 * p * (1 - p) / (math.pi * 80)), 5) for p in BENFORD]
    assert terms == [0.04092, 0.03398, 0.0295, 0.02639, 0.02409, 0.0223, 0.02085, 0.01965, 0.01864]
    assert round(sum(math.sqrt(2 * p * (1 - p) / (math.pi * 80)) for p in BENFORD), 5) == 0.23631
    assert round(_expected_mad(80), 5) == 0.02626 and round(_expected_mad(80), 3) == 0.026
    assert round(_expected_mad(200), 3) == 0.017 and round(_expected_mad(200), 5) == 0.01661
    assert round(_expected_mad(1000), 4) == 0.0074 and round(_expected_mad(3300), 4) == 0.0041
    assert round(_expected_mad(50), 3) == 0.033
    assert round(_expected_mad(60), 3) == 0.030 and round(_expected_mad(95), 3) == 0.024
    assert math.isclose(_expected_mad(320), _expected_mad(80) / 2)


def test_expected_mad_matches_a_simulation_of_genuine_files():
    for n, seed in ((60, 1), (80, 2), (200, 3)):
        mads = _simulated_mads(n, 6000, seed)
        mean = sum(mads) / len(mads)
        assert abs(mean / _expected_mad(n) - 1) < 0.01, (n, mean, _expected_mad(n))
        ratio_99 = mads[int(0.99 * len(mads))] / _expected_mad(n)
        assert 1.6 < ratio_99 < 1.75, (n, ratio_99)  # "99 in 100 below 1.75 times"
        if n <= 80:
            assert sum(m > 0.015 for m in mads) / len(mads) > 0.9  # a genuine small file is "nonconforming"


def test_vendor_table_reads_as_the_notebook_says():
    invoices = case.load_invoices()
    rows = {}
    for vendor, group in invoices.groupby("vendor_id"):
        mad = _mad(_counts(group["amount_cents"]))
        rows[vendor] = (len(group), mad, mad / _expected_mad(len(group)))
    assert len(rows) == 39
    assert sum(mad > 0.015 for _, mad, _ in rows.values()) == 37  # "37 of the 39 vendors"
    assert min(n for n, _, _ in rows.values()) >= 60 and max(n for n, _, _ in rows.values()) == 200
    others = [n for v, (n, _, _) in rows.items() if v != "V017"]
    assert min(others) >= 60 and max(others) <= 95  # "files of 60 to 95 invoices"
    assert round(_expected_mad(200), 3) == 0.017 and round(_expected_mad(60), 3) == 0.030  # "0.017 to 0.030"
    n17, mad17, ratio17 = rows["V017"]
    assert n17 == 200 and round(mad17, 2) == 0.18 and round(ratio17) == 11  # "about 11 times"
    assert (
        max(ratio for v, (_, _, ratio) in rows.items() if v != "V017") < 1.5
    )  # "all but one below 1.5 times"
    assert round(_expected_mad(len(invoices)), 7) == 0.0041100  # hidden test value
    assert round(_expected_mad(1), 7) == 0.2348471 and round(_expected_mad(1000), 7) == 0.0074265


def test_first_significant_digit_of_dollars_is_not_the_first_character():
    assert str(0.45)[0] == "0" and _counts([45]) == [0, 0, 0, 1, 0, 0, 0, 0, 0]


def test_utc_dates_split_one_new_york_evening_only_for_c0244():
    cash = case.load_cash_transactions()
    deposits = cash[cash["type"] == "cash_deposit"]
    c244 = deposits[(deposits["customer_id"] == "C-0244") & (deposits["amount_cents"] >= 400_000)]
    local = c244["ts"].dt.tz_convert("America/New_York")
    assert [t.strftime("%d %H:%M") for t in c244["ts"]] == ["26 23:30", "27 00:30"]
    assert [t.strftime("%d %H:%M %z") for t in local] == ["26 19:30 -0400", "26 20:30 -0400"]
    assert c244["amount_cents"].sum() == 1_050_000 and c244["branch_id"].nunique() == 2
    assert (c244["amount_cents"] < 800_000).all()  # outside the 80 % band: the structuring rule misses it

    def reported(day):
        daily = deposits.groupby([deposits["customer_id"], day])["amount_cents"].sum()
        return set(daily[daily > 1_000_000].index)

    new_york_day = deposits["ts"].dt.tz_convert("America/New_York").dt.date
    changed = reported(new_york_day) ^ reported(deposits["ts"].dt.date)
    assert changed == {("C-0244", dt.date(2024, 3, 26))}  # the only customer-day that changes
    example = case.cash_table(
        [
            ("C3", "2024-03-04 23:30", "cash_deposit", 600_000),
            ("C3", "2024-03-05 00:30", "cash_deposit", 450_000),
        ]
    )
    assert set(example["ts"].dt.tz_convert("America/New_York").dt.strftime("%d %H:%M")) == {
        "04 18:30",
        "04 19:30",
    }


def _unexplained(year: int) -> int:
    inputs = case.net_worth_inputs(case.load_balance_sheets(), case.load_income_and_expenses(), year)
    start = inputs["start_assets"] - inputs["start_liabilities"]
    end = inputs["end_assets"] - inputs["end_liabilities"]
    return end - start + inputs["living_expenses"] - inputs["legitimate_income"]


def test_net_worth_case_is_in_the_year_of_the_wires_and_consistent():
    ledger = case.load_suspect_ledger()
    wires = case.load_wires()
    assert set(ledger["ts"].dt.year) == {2024}  # the same year as the May 2024 wires
    assert {d.year for d in wires["value_date"]} == {2024}
    assert _unexplained(2024) == 22_155_000 and _unexplained(2023) == 40_000  # USD 221,550 and USD 400
    assert not ledger["description"].str.contains("rent").any()  # the suspect owns a mortgaged house
    sheets = case.load_balance_sheets().pivot_table(
        index=["category", "item"], columns="as_of", values="amount_cents", fill_value=0
    )
    assert set(sheets.columns) == {"2022-12-31", "2023-12-31", "2024-12-31"}
    assert sheets.loc[("asset", "house")].nunique() == 1  # at cost: no revaluation
    assert sheets.loc[("asset", "car"), "2022-12-31"] == sheets.loc[("asset", "car"), "2023-12-31"]  # at cost
    income = case.load_income_and_expenses()
    salary = income[(income["year"] == 2024) & (income["item"] == "salary (net)")]["amount_cents"].sum()
    monthly = ledger[ledger["description"] == "salary"]["amount_cents"]
    assert monthly.nunique() == 1 and salary == 12 * monthly.iloc[0]
    payments = ledger[ledger["description"] == "mortgage payment"]["amount_cents"]
    assert payments.nunique() == 1
    interest = income[income["item"] == "mortgage interest"].set_index("year")["amount_cents"]
    mortgage = sheets.loc[("liability", "mortgage")]
    regular_2023 = 12 * payments.iloc[0] - interest[2023]
    assert mortgage["2022-12-31"] - mortgage["2023-12-31"] == regular_2023  # 2023: the monthly payments only
    prepaid_2024 = mortgage["2023-12-31"] - mortgage["2024-12-31"] - (12 * payments.iloc[0] - interest[2024])
    assert prepaid_2024 == 2_740_000  # an unexplained prepayment in 2024


def test_ledger_answers_unchanged_by_the_year_shift():
    ledger = case.load_suspect_ledger()
    balance = taint = 0
    for kind, cents in zip(ledger["kind"], ledger["amount_cents"]):
        balance += -cents if kind == "out" else cents
        taint = min(taint + (cents if kind == "tainted_in" else 0), balance)
    assert taint == 1_410_000  # USD 14,100 under LIBR, as the written question says


def test_structuring_window_worked_example():
    deposits = [
        (dt.date(2024, 3, 1), 950_000),
        (dt.date(2024, 3, 9), 900_000),
        (dt.date(2024, 3, 12), 850_000),
    ]
    windows = [[a for d, a in deposits if 0 <= (d - first).days < 7] for first, _ in deposits]
    assert windows == [[950_000], [900_000, 850_000], [850_000]]
    assert sum(windows[1]) == 1_750_000  # USD 17,500: a suspect


def test_the_skeletons_completed_give_the_planted_answers():
    """The step lists of 2b and 3b, completed as a trainee would, find the planted cases (not the reference)."""
    cash = case.load_cash_transactions()
    amounts = cash["amount_cents"]
    in_band = cash[(cash["type"] == "cash_deposit") & (amounts >= 800_000) & (amounts < 1_000_000)]
    suspects = set()
    for customer, rows in in_band.groupby("customer_id"):
        deposits = list(zip(rows["ts"].dt.date, rows["amount_cents"]))
        for first_day, _ in deposits:
            inside = [a for d, a in deposits if 0 <= (d - first_day).days < 7]
            if len(inside) >= 2 and sum(inside) > 1_000_000:
                suspects.add(customer)
    assert suspects == {"C-0129", "C-0417", "C-0472", "C-0555", "C-0588"}

    tx = case.load_account_transactions()
    credits = tx[tx["type"].isin(["wire_in", "cash_deposit"]) & (tx["amount_cents"] >= 1_000_000)]
    debits = tx[tx["type"].isin(["wire_out", "cash_withdrawal"])]
    flagged = set()
    for account, credit_ts, credit_cents in zip(
        credits["account_id"], credits["ts"], credits["amount_cents"]
    ):
        end = credit_ts + pd.Timedelta(hours=48)
        window = debits[
            (debits["account_id"] == account) & (debits["ts"] > credit_ts) & (debits["ts"] <= end)
        ]
        if window["amount_cents"].sum() >= 0.9 * credit_cents:
            flagged.add(account)
    assert flagged == {"ACC-1017", "ACC-1021", "ACC-1023"}
