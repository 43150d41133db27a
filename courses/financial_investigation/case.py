"""Loaders of the case files, checked against the module's SHA-256 manifest (a changed file: CaseFileError).

Amounts are integer cents (``amount_cents``); timestamps are timezone-aware UTC (``ts``); wire value dates are
``datetime.date`` values.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from courses.data import load_csv

MODULE = "financial_investigation"
# The city's (invented) internal rule: invoices of $5,000 or more need a second signature.
APPROVAL_LIMIT_CENTS = 500_000


def _with_utc(table: pd.DataFrame, column: str = "ts") -> pd.DataFrame:
    table[column] = pd.to_datetime(table[column], utc=True, format="ISO8601")
    return table


def load_invoices() -> pd.DataFrame:
    """City of Eastbrook 2023 invoices: ``invoice_id, vendor_id, vendor_name, invoice_date, amount_cents``."""
    table = load_csv(MODULE, "invoices.csv", dtype={"amount_cents": "int64"})
    table["invoice_date"] = pd.to_datetime(table["invoice_date"]).dt.date
    return table


def load_cash_transactions() -> pd.DataFrame:
    """Cash extract, Mar-Apr 2024: ``txn_id, customer_id, branch_id, ts, type, amount_cents, currency``."""
    return _with_utc(load_csv(MODULE, "cash_transactions.csv", dtype={"amount_cents": "int64"}))


def load_account_transactions() -> pd.DataFrame:
    """40 accounts, May 2024: ``txn_id, account_id, ts, type, amount_cents, currency, counterparty``."""
    table = load_csv(
        MODULE, "account_transactions.csv", dtype={"amount_cents": "int64"}, keep_default_na=False
    )
    return _with_utc(table)


def load_wires() -> pd.DataFrame:
    """Wires of 40 accounts: ``wire_id, from_account, to_account, value_date, amount_cents, currency``."""
    table = load_csv(MODULE, "wires.csv", dtype={"amount_cents": "int64"})
    table["value_date"] = pd.to_datetime(table["value_date"]).dt.date
    return table


def load_account_holders() -> dict[str, str]:
    """Account id -> holder name, for labelling the money-trail graph."""
    table = load_csv(MODULE, "accounts.csv")
    return dict(zip(table["account_id"], table["holder"]))


def load_suspect_ledger() -> pd.DataFrame:
    """The suspect's personal account in 2024, in time order: ``ts, kind, amount_cents, description``."""
    return _with_utc(load_csv(MODULE, "suspect_ledger.csv", dtype={"amount_cents": "int64"}))


def load_balance_sheets() -> pd.DataFrame:
    """The suspect's assets and liabilities at each year end: ``as_of, category, item, amount_cents``."""
    return load_csv(MODULE, "balance_sheets.csv", dtype={"amount_cents": "int64"})


def load_income_and_expenses() -> pd.DataFrame:
    """The suspect's documented income and living expenses per year: ``year, kind, item, amount_cents``."""
    return load_csv(MODULE, "income_and_expenses.csv", dtype={"amount_cents": "int64"})


def net_worth_inputs(balance_sheets: pd.DataFrame, income: pd.DataFrame, year: int) -> dict[str, int]:
    """The six totals the net-worth method needs for one year, from the two tables (in cents). The tables are
    a few dozen rows: summed row by row (0.1 ms; filtering them with pandas masks took 2.4 ms)."""
    start, end = f"{year - 1}-12-31", f"{year}-12-31"
    sheets = dict.fromkeys(((d, c) for d in (start, end) for c in ("asset", "liability")), 0)
    for as_of, category, cents in zip(
        balance_sheets["as_of"], balance_sheets["category"], balance_sheets["amount_cents"]
    ):
        if (as_of, category) in sheets:
            sheets[as_of, category] += int(cents)
    kinds = {"living_expense": 0, "legitimate_income": 0}
    for in_year, kind, cents in zip(income["year"], income["kind"], income["amount_cents"]):
        if in_year == year and kind in kinds:
            kinds[kind] += int(cents)
    return {
        "start_assets": sheets[(start, "asset")],
        "start_liabilities": sheets[(start, "liability")],
        "end_assets": sheets[(end, "asset")],
        "end_liabilities": sheets[(end, "liability")],
        "living_expenses": kinds["living_expense"],
        "legitimate_income": kinds["legitimate_income"],
    }


def cash_table(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """A small cash table for examples: rows of (customer_id, UTC time text, type, amount_cents)."""
    table = pd.DataFrame(rows, columns=["customer_id", "ts", "type", "amount_cents"])
    table.insert(0, "txn_id", [f"X{n:03d}" for n in range(1, len(rows) + 1)])
    table.insert(2, "branch_id", "B01")
    table["currency"] = "USD"
    table["amount_cents"] = table["amount_cents"].astype("int64")
    return _with_utc(table)


def account_table(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """A small account table for examples: rows of (account_id, UTC time text, type, amount_cents)."""
    table = pd.DataFrame(rows, columns=["account_id", "ts", "type", "amount_cents"])
    table.insert(0, "txn_id", [f"Y{n:03d}" for n in range(1, len(rows) + 1)])
    table["currency"] = "USD"
    table["amount_cents"] = table["amount_cents"].astype("int64")
    return _with_utc(table)


def wire_table(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """A small wire table for examples: rows of (from_account, to_account, 'YYYY-MM-DD', amount_cents)."""
    table = pd.DataFrame(rows, columns=["from_account", "to_account", "value_date", "amount_cents"])
    table.insert(0, "wire_id", [f"Z{n:03d}" for n in range(1, len(rows) + 1)])
    days = [dt.date.fromisoformat(day) for day in table["value_date"]]  # half the time of pandas' date parser
    table["value_date"] = pd.Series(days, index=table.index, dtype=object)
    table["amount_cents"] = table["amount_cents"].astype("int64")
    table["currency"] = "USD"
    return table


def ledger_table(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """A small ledger for examples, already in time order: rows of (kind, amount_cents)."""
    table = pd.DataFrame(rows, columns=["kind", "amount_cents"])
    table["amount_cents"] = table["amount_cents"].astype("int64")
    return table
