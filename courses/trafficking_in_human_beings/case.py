"""Loaders for the case files of the Brightfield Staffing investigation, each checked against the SHA-256 manifest.

A changed or corrupted file raises :class:`courses.data.CaseFileError` naming it. Every loader returns a new
pandas ``DataFrame``; times are timezone-aware UTC, money is integer cents. Empty cells stay missing (``NaN``):
a missing phone number, e-mail or image is not the empty string, and it must never link two records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from courses.data import load_csv

if TYPE_CHECKING:  # pandas is imported when a loader runs
    import pandas as pd

MODULE = "trafficking_in_human_beings"


def load_interviews() -> pd.DataFrame:
    """Coded screening interviews: one row per interview with ``interview_id, worker_id, interviewed_on, site,
    age_years`` (int), the interviewer's coding of the three elements ``act, means, purpose`` and of
    ``consented`` (bool), ``indicators`` (codes of the ILO/EC operational indicators, separated by ``;``, empty
    when none) and a short ``note``. Look a code up in :func:`load_indicator_list`."""
    interviews = load_csv(MODULE, "screening_interviews.csv", dtype={"indicators": str, "note": str})
    interviews["indicators"] = interviews["indicators"].fillna("")
    return interviews


def load_indicator_list() -> pd.DataFrame:
    """The indicator codes used on the screening form: ``code, dimension`` (DR, CR, VR, EX, CD, VD),
    ``strength`` (strong, medium, weak: the strength the ILO/EC (2009) list for adults in labour exploitation gives
    the indicator under that heading) and the ``indicator`` as worded in that list."""
    return load_csv(MODULE, "ilo_ec_indicators.csv")


def load_ads() -> pd.DataFrame:
    """Job ads collected from an online jobs board: ``ad_id, posted_on, site, text``, the contact ``phone`` as
    written in the ad, the ``region`` (ISO country code the number was advertised in, e.g. ``"GB"``), ``email``
    and ``image_sha256`` (SHA-256 of the ad's picture). Any of the last four may be missing (``NaN``)."""
    return load_csv(MODULE, "recruitment_ads.csv", dtype=str)


def load_crossings() -> pd.DataFrame:
    """Border-crossing records: ``crossing_id, person_id, crossed_at`` (timezone-aware UTC), ``border_point``
    and ``direction`` (``"IN"`` or ``"OUT"``), sorted by time."""
    import pandas as pd

    crossings = load_csv(MODULE, "border_crossings.csv")
    crossings["crossed_at"] = pd.to_datetime(crossings["crossed_at"], utc=True)
    return crossings


def load_debt_terms() -> pd.DataFrame:
    """The 'advance' agreements the agency made workers sign: ``worker_id, initial_debt_cents, monthly_rate``
    (a fraction, e.g. 0.05 for 5 % a month), ``wage_cents`` and ``deductions_cents`` (per month),
    ``first_month`` and ``months`` (how many months the ledger covers)."""
    return load_csv(MODULE, "debt_terms.csv", dtype={"monthly_rate": float})


def load_debt_ledgers() -> pd.DataFrame:
    """The agency's monthly debt ledger per worker: ``worker_id, month``, ``opening_cents``,
    ``interest_cents``, the deductions ``housing_cents, transport_cents, fees_cents``, ``wage_cents`` and
    ``closing_cents`` (the balance after that month)."""
    return load_csv(MODULE, "debt_ledgers.csv")


def load_payroll() -> pd.DataFrame:
    """The agency's payroll: ``payslip_id, worker_id, pay_date, employer``, the ``account`` (IBAN as typed by
    the payroll clerk: spaces and lower case happen) the wage was paid into, and ``amount_cents``."""
    return load_csv(MODULE, "payroll.csv")


def load_statements() -> pd.DataFrame:
    """Statements of workers' own bank accounts: ``account`` (IBAN), ``booked_at`` (timezone-aware UTC),
    ``counterparty``, ``kind`` (``WAGE``, ``TRANSFER``, ``RENT``, ``REMITTANCE``, ``CARD PAYMENT``) and
    ``amount_cents`` (money in is positive, money out negative)."""
    import pandas as pd

    statements = load_csv(MODULE, "bank_statements.csv")
    statements["booked_at"] = pd.to_datetime(statements["booked_at"], utc=True)
    return statements
