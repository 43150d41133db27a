"""Case files of the financial investigation: loaders, planted cases and controls, and the input checks."""

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest

from courses import data
from courses.financial_investigation import case, checks

MODULE = "financial_investigation"


def test_loaders_give_cents_as_integers_and_times_in_utc():
    cash = case.load_cash_transactions()
    assert cash["amount_cents"].dtype == "int64" and str(cash["ts"].dt.tz) == "UTC"
    assert list(cash.columns) == [
        "txn_id",
        "customer_id",
        "branch_id",
        "ts",
        "type",
        "amount_cents",
        "currency",
    ]
    assert cash["customer_id"].nunique() >= 500 and len(cash) > 4000
    wires = case.load_wires()
    assert isinstance(wires["value_date"].iloc[0], dt.date) and wires["from_account"].nunique() <= 40
    assert (
        case.load_account_transactions()["counterparty"].isna().sum() == 0
    )  # empty counterparty is "", not NaN
    assert case.load_suspect_ledger()["ts"].is_monotonic_increasing
    assert len(case.load_account_holders()) == 40


def test_fabricating_vendor_stays_under_the_approval_limit():
    invoices = case.load_invoices()
    fraud = invoices[invoices["vendor_id"] == "V017"]["amount_cents"]
    just_under = fraud.between(400_000, case.APPROVAL_LIMIT_CENTS - 1)
    assert just_under.sum() >= 180 and (fraud < case.APPROVAL_LIMIT_CENTS).mean() > 0.9
    others = invoices[invoices["vendor_id"] != "V017"]["amount_cents"]
    assert others.between(400_000, case.APPROVAL_LIMIT_CENTS - 1).mean() < 0.05


def test_cash_controls_sit_exactly_at_the_edges():
    cash = case.load_cash_transactions()
    deposits = cash[cash["type"] == "cash_deposit"]

    def days(customer):
        rows = deposits[(deposits["customer_id"] == customer) & (deposits["amount_cents"] >= 700_000)]
        return sorted(rows["ts"].dt.date), sorted(rows["amount_cents"])

    assert days("C-0233")[0][1] - days("C-0233")[0][0] == dt.timedelta(days=7)  # just outside a 7-day window
    assert days("C-0588")[0][1] - days("C-0588")[0][0] == dt.timedelta(days=6)  # just inside
    assert (
        1_000_000 in days("C-0301")[1] and 799_999 in days("C-0356")[1] and days("C-0472")[1] == [800_000] * 2
    )
    c244 = deposits[deposits["customer_id"] == "C-0244"].sort_values("ts")
    assert (
        c244["ts"].dt.date.nunique() == c244["ts"].dt.date.size
    )  # 23:30 and 00:30 UTC: two UTC dates (the course simplification)
    same_day = (
        deposits[deposits["customer_id"] == "C-0246"].groupby(deposits["ts"].dt.date)["amount_cents"].sum()
    )
    assert same_day.max() == 1_000_000  # exactly at the threshold


def test_net_worth_inputs_add_up_the_balance_sheets():
    inputs = case.net_worth_inputs(case.load_balance_sheets(), case.load_income_and_expenses(), 2024)
    assert inputs["end_assets"] == 55_080_000 and inputs["start_liabilities"] == 19_940_000
    assert inputs["legitimate_income"] == 6_115_000 and inputs["living_expenses"] == 5_310_000


def test_a_changed_case_file_is_refused_by_name(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(MODULE), copy)
    monkeypatch.setattr(data, "data_dir", lambda name: copy)
    with open(copy / "wires.csv", "a", encoding="utf-8") as handle:
        handle.write("W9999,AC01,AC40,2024-05-01,100,USD\n")
    with pytest.raises(data.CaseFileError, match="wires.csv"):
        case.load_wires()


def test_transaction_check_names_each_problem():
    good = case.cash_table([("C1", "2024-03-01 14:00", "cash_deposit", 500)])
    checks.require_transactions(good)
    with pytest.raises(ValueError, match="positive"):
        checks.require_transactions(case.cash_table([("C1", "2024-03-01 14:00", "cash_deposit", -500)]))
    other = good.assign(currency="EUR")
    with pytest.raises(ValueError, match=r"in USD; found \['EUR'\]"):
        checks.require_transactions(other)
    with pytest.raises(ValueError, match="unknown type"):
        checks.require_transactions(good.assign(type="cheque"))
    with pytest.raises(ValueError, match="missing the column"):
        checks.require_transactions(good.drop(columns="currency"))
    with pytest.raises(ValueError, match="timezone-aware"):
        checks.require_transactions(good.assign(ts=good["ts"].dt.tz_localize(None)))
    with pytest.raises(ValueError, match="whole cents"):
        checks.require_transactions(good.assign(amount_cents=5.0))
    with pytest.raises(ValueError, match="DataFrame"):
        checks.require_transactions([("C1", 5)])


def test_ledger_check_refuses_unsorted_overdrawn_and_unknown_rows():
    ledger = case.load_suspect_ledger()
    checks.require_ledger(ledger)
    with pytest.raises(ValueError, match="not in time order"):
        checks.require_ledger(ledger.iloc[::-1])
    with pytest.raises(ValueError, match="below zero at row 1"):
        checks.require_ledger(case.ledger_table([("clean_in", 100), ("out", 150)]))
    with pytest.raises(ValueError, match="unknown kind"):
        checks.require_ledger(case.ledger_table([("gift", 100)]))
    checks.require_ledger(case.ledger_table([]))


def test_wire_check_and_cents_check():
    checks.require_wires(case.load_wires())
    with pytest.raises(ValueError, match="positive"):
        checks.require_wires(case.wire_table([("A", "B", "2024-05-01", 0)]))
    checks.require_cents(a=0, b=np.int64(5))
    for bad in (-1, 1.5, True, "100"):
        with pytest.raises(ValueError, match="x must"):
            checks.require_cents(x=bad)


def test_example_tables_match_the_case_file_columns():
    assert list(case.cash_table([]).columns) == list(case.load_cash_transactions().columns)
    assert set(case.account_table([]).columns) <= set(case.load_account_transactions().columns)
    assert set(case.wire_table([]).columns) == set(case.load_wires().columns)
    assert isinstance(case.wire_table([("A", "B", "2024-05-01", 1)])["value_date"].iloc[0], dt.date)
    assert pd.api.types.is_integer_dtype(case.ledger_table([("out", 1)])["amount_cents"])
