"""Input checks the exercise functions call first, so bad data stops with a plain message, not a wrong answer.

Each ``require_*`` raises ``ValueError`` naming the problem (negative or non-integer amounts, a currency
other than the case currency, missing columns, unknown transaction kinds, a ledger out of time order or
overdrawn).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CASE_CURRENCY = "USD"
TRANSACTION_TYPES = {"cash_deposit", "cash_withdrawal", "wire_in", "wire_out"}
LEDGER_KINDS = {"clean_in", "tainted_in", "out"}


def _require_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, not {type(table).__name__}")  # noqa: TRY004 - the tasks promise ValueError for bad input
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} is missing the column(s) {missing}; it has {list(table.columns)}")


def _require_positive_cents(table: pd.DataFrame, what: str, id_column: str | None) -> None:
    amounts = table["amount_cents"]
    if not pd.api.types.is_integer_dtype(amounts):
        raise ValueError(f"{what}: amount_cents must be whole cents (integers), not {amounts.dtype}")
    not_positive = amounts.to_numpy() <= 0  # numpy: a tenth of the time of the pandas comparison
    if not_positive.any():
        bad = table[not_positive]
        where = f" (e.g. {id_column} {bad[id_column].iloc[0]!r})" if id_column else f" (row {bad.index[0]})"
        raise ValueError(f"{what}: amounts must be positive, found {len(bad)} zero or negative{where}")


def _require_currency(table: pd.DataFrame, what: str, currency: str) -> None:
    if "currency" not in table.columns:
        return
    other = sorted(set(table["currency"].unique()) - {currency})
    if other:
        raise ValueError(f"{what}: every amount must be in {currency}; found {other}. Convert them first.")


def require_transactions(
    table: pd.DataFrame, id_column: str = "txn_id", currency: str = CASE_CURRENCY
) -> None:
    """Check a cash or account transaction table (columns ``txn_id, ts, type, amount_cents, currency``)."""
    what = "the transaction table"
    _require_columns(table, [id_column, "ts", "type", "amount_cents", "currency"], what)
    unknown = sorted(set(table["type"].unique()) - TRANSACTION_TYPES)
    if unknown:
        raise ValueError(f"{what}: unknown type(s) {unknown}; expected one of {sorted(TRANSACTION_TYPES)}")
    if len(table) and not isinstance(table["ts"].dtype, pd.DatetimeTZDtype):
        raise ValueError(
            f"{what}: ts must be timezone-aware timestamps (use the case loader or pd.to_datetime(utc=True))"
        )
    _require_positive_cents(table, what, id_column)
    _require_currency(table, what, currency)


def require_wires(wires: pd.DataFrame, currency: str = CASE_CURRENCY) -> None:
    """Check a wire table (columns ``from_account, to_account, value_date, amount_cents``)."""
    what = "the wire table"
    _require_columns(wires, ["from_account", "to_account", "value_date", "amount_cents"], what)
    _require_positive_cents(wires, what, "wire_id" if "wire_id" in wires.columns else None)
    _require_currency(wires, what, currency)


def require_ledger(ledger: pd.DataFrame) -> None:
    """Check a ledger: known kinds, positive whole cents, time order (if it has ``ts``) and no overdraft."""
    what = "the ledger"
    _require_columns(ledger, ["kind", "amount_cents"], what)
    unknown = sorted(set(ledger["kind"].unique()) - LEDGER_KINDS)
    if unknown:
        raise ValueError(f"{what}: unknown kind(s) {unknown}; expected one of {sorted(LEDGER_KINDS)}")
    _require_positive_cents(ledger, what, None)
    if "ts" in ledger.columns and not ledger["ts"].is_monotonic_increasing:
        raise ValueError(f"{what} is not in time order: sort it by ts first (ledger.sort_values('ts'))")
    # in numpy: the explorer checks every prefix of the ledger, and pandas' where() alone took 0.25 ms a call
    amounts = ledger["amount_cents"].to_numpy()
    running = np.cumsum(np.where(ledger["kind"].to_numpy() == "out", -amounts, amounts))
    if len(running) and running.min() < 0:
        raise ValueError(
            f"{what}: the balance goes below zero at row {int((running < 0).argmax())}; "
            "a withdrawal is larger than the money in the account"
        )


def require_cents(**amounts: int) -> None:
    """Check named amounts are whole, non-negative cents, e.g. ``require_cents(end_assets=...)``."""
    for name, value in amounts.items():
        if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
            raise ValueError(f"{name} must be whole cents (an integer), not {value!r}")
        if value < 0:
            raise ValueError(f"{name} must not be negative (got {value}); enter amounts as positive cents")
