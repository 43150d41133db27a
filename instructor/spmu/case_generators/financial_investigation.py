"""Write the synthetic case files of the financial investigation (procurement fraud and laundering).

The case: Brightline Office Supplies LLC (vendor V017) billed the City of Eastbrook for goods never delivered,
keeping every invoice under the city's internal $5,000 second-signature limit; the proceeds were deposited in
cash in structured amounts, passed through accounts and layered by wire to Harbor Lane Holdings Ltd.
Every name, account and number is invented. Amounts are integer US cents; timestamps are UTC.

``python -m spmu.case_generators.financial_investigation`` rewrites ``courses/financial_investigation/data/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import random
from pathlib import Path

from courses.data import data_dir, write_manifest

MODULE = "financial_investigation"
SEED = 20240301
UTC = dt.UTC
FRAUD_VENDOR = "V017"
CASH_START = dt.date(2024, 3, 1)
CASH_DAYS = 61


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _log_uniform_cents(rng: random.Random, low_cents: int, high_cents: int) -> int:
    """An amount spread evenly on a log scale (what Benford's law describes)."""
    return round(10 ** rng.uniform(math.log10(low_cents), math.log10(high_cents)))


VENDOR_NAMES = [
    "Alder Paving Co",
    "Birchfield Janitorial",
    "Cobalt IT Services",
    "Dunmore Fuel Supply",
    "Eastgate Printing",
    "Fernhill Landscaping",
    "Granite Road Signs",
    "Hollow Oak Catering",
    "Ironbridge Electrical",
    "Juniper Uniforms",
    "Kestrel Fleet Repair",
    "Larkspur Legal Forms",
    "Maple Street Plumbing",
    "Northwind HVAC",
    "Orchard Water Testing",
    "Pinecrest Furniture",
    "Brightline Office Supplies",
    "Quarry Lane Gravel",
    "Riverside Tyres",
    "Saltmarsh Pest Control",
    "Thornbury Security",
    "Upland Salt & Grit",
    "Valemont Medical Supply",
    "Willowbank Books",
    "Yarrow Lighting",
    "Zephyr Cleaning Agents",
    "Ashcombe Glass",
    "Bramble Telecom",
    "Cedar Hill Paints",
    "Driftwood Marine",
    "Elmstead Audio Visual",
    "Foxglove Florists",
    "Greystone Concrete",
    "Heathfield Tools",
    "Ivywood Couriers",
    "Jasper Safety Gear",
    "Kingfisher Vending",
    "Lindenwood Archives",
    "Meadowlark Software",
]
APPROVERS = ["D. Whitfield", "M. Osei", "L. Navarro", "K. Brandt"]


def _invoices(rng: random.Random) -> list[list]:
    rows = []
    for number, name in enumerate(VENDOR_NAMES, start=1):
        vendor_id = f"V{number:03d}"
        fraud = vendor_id == FRAUD_VENDOR
        count = 200 if fraud else rng.randint(60, 95)
        for index in range(count):
            day = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randrange(362))
            if fraud and index >= 20:
                # fabricated: whole dollars from $4,000 to $4,999, just under the second-signature limit
                amount = rng.randint(4_000, 4_999) * 100
                approver = "D. Whitfield"
            else:
                amount = _log_uniform_cents(rng, 1_000, 10_000_000)  # $10 to $100,000 (four whole decades)
                approver = rng.choice(APPROVERS)
            rows.append([vendor_id, name, day.isoformat(), amount, "USD", approver])
    rows.sort(key=lambda row: (row[2], row[0], row[3]))
    return [[f"INV-2023-{n:05d}", *row] for n, row in enumerate(rows, start=1)]


# Planted cash deposits: (customer, day offset from 2024-03-01, hour, minute, branch, type, cents).
PLANTED_CASH = [
    # structurers
    ("C-0417", 10, 14, 5, "B03", "cash_deposit", 950_000),
    ("C-0417", 12, 15, 40, "B07", "cash_deposit", 980_000),
    ("C-0417", 14, 16, 10, "B11", "cash_deposit", 920_000),
    ("C-0588", 17, 14, 0, "B02", "cash_deposit", 850_000),  # six days apart: inside a 7-day window
    ("C-0588", 23, 19, 30, "B05", "cash_deposit", 990_000),
    ("C-0129", 32, 14, 5, "B04", "cash_deposit", 900_000),  # two branches on one day: also a CTR
    ("C-0129", 32, 18, 40, "B09", "cash_deposit", 900_000),
    ("C-0472", 38, 15, 0, "B06", "cash_deposit", 800_000),  # exactly at the lower edge of the band
    ("C-0472", 40, 16, 30, "B08", "cash_deposit", 800_000),
    ("C-0555", 45, 14, 20, "B01", "cash_deposit", 999_999),
    ("C-0555", 47, 14, 25, "B10", "cash_deposit", 999_999),
    ("C-0555", 49, 14, 30, "B12", "cash_deposit", 999_999),
    # controls that must NOT be flagged as structuring
    ("C-0233", 3, 15, 0, "B02", "cash_deposit", 900_000),  # seven days apart: outside a 7-day window
    ("C-0233", 10, 15, 0, "B03", "cash_deposit", 950_000),
    (
        "C-0301",
        19,
        16,
        0,
        "B04",
        "cash_deposit",
        1_000_000,
    ),  # exactly $10,000: not in the band; CTR only if "or more"
    ("C-0301", 21, 16, 0, "B04", "cash_deposit", 900_000),
    ("C-0356", 31, 14, 0, "B05", "cash_deposit", 799_999),  # one cent below the band
    ("C-0356", 33, 14, 0, "B06", "cash_deposit", 950_000),
    ("C-0390", 4, 15, 0, "B07", "wire_in", 950_000),  # not cash
    ("C-0390", 5, 15, 0, "B07", "wire_in", 960_000),
    ("C-0391", 6, 15, 0, "B08", "cash_withdrawal", 900_000),  # cash out, not cash in
    ("C-0391", 7, 15, 0, "B08", "cash_withdrawal", 900_000),
    # CTR edge cases (same UTC day aggregation)
    ("C-0244", 25, 23, 30, "B09", "cash_deposit", 600_000),  # 23:30 and 00:30 UTC: two business days
    ("C-0244", 26, 0, 30, "B10", "cash_deposit", 450_000),
    ("C-0245", 26, 14, 0, "B01", "cash_deposit", 600_000),  # $10,000.01 in one day: CTR
    ("C-0245", 26, 17, 0, "B06", "cash_deposit", 400_001),
    (
        "C-0246",
        27,
        14,
        0,
        "B02",
        "cash_deposit",
        600_000,
    ),  # exactly $10,000.00 in one day: CTR only if "or more"
    ("C-0246", 27, 18, 0, "B11", "cash_deposit", 400_000),
]
BUSINESS_CUSTOMERS = ["C-0010", "C-0020", "C-0030", "C-0040", "C-0050"]  # large takings: legitimate CTRs
ONE_OFF_BAND_CUSTOMERS = [f"C-{n:04d}" for n in range(60, 160, 10)]  # a single $8k-$10k deposit (a car sale)


def _background_day(rng: random.Random, start: dt.date, days: int, planted_offsets: set[int]) -> dt.date:
    """A random day 8+ days away from planted activity, so background never changes a planted case."""
    while True:
        offset = rng.randrange(days)
        if all(abs(offset - planted) > 8 for planted in planted_offsets):
            return start + dt.timedelta(days=offset)


def _cash(rng: random.Random) -> list[list]:
    rows = []
    types = ["cash_deposit"] * 12 + ["cash_withdrawal"] * 5 + ["wire_in"] * 2 + ["wire_out"]
    for number in range(1, 601):
        customer = f"C-{number:04d}"
        planted = {row[1] for row in PLANTED_CASH if row[0] == customer}
        for _ in range(rng.randint(5, 12)):
            day = _background_day(rng, CASH_START, CASH_DAYS, planted)
            moment = _at(day, rng.randint(13, 21), rng.randrange(60))
            kind = rng.choice(types)
            rows.append(
                [
                    customer,
                    f"B{rng.randint(1, 12):02d}",
                    moment,
                    kind,
                    _log_uniform_cents(rng, 2_000, 150_000),
                ]
            )
        if customer in BUSINESS_CUSTOMERS:
            for _ in range(rng.randint(3, 6)):
                day = CASH_START + dt.timedelta(days=rng.randrange(CASH_DAYS))
                rows.append(
                    [customer, "B01", _at(day, 21, 30), "cash_deposit", rng.randint(1_100_000, 2_500_000)]
                )
        if customer in ONE_OFF_BAND_CUSTOMERS:
            day = CASH_START + dt.timedelta(days=rng.randrange(CASH_DAYS))
            rows.append(
                [
                    customer,
                    f"B{rng.randint(1, 12):02d}",
                    _at(day, 15),
                    "cash_deposit",
                    rng.randint(800_000, 999_999),
                ]
            )
    for customer, offset, hour, minute, branch, kind, cents in PLANTED_CASH:
        rows.append(
            [customer, branch, _at(CASH_START + dt.timedelta(days=offset), hour, minute), kind, cents]
        )
    rows.sort(key=lambda row: (row[2], row[0]))
    return [
        [f"T{n:06d}", c, b, _iso(ts), kind, cents, "USD"] for n, (c, b, ts, kind, cents) in enumerate(rows, 1)
    ]


# Planted account activity: (account, day offset from 2024-05-01, hour, minute, type, cents, counterparty).
PLANTED_ACCOUNT = [
    ("ACC-1017", 5, 15, 0, "wire_in", 4_825_000, "AC01"),  # pass-through: 97 % out within 20 h
    ("ACC-1017", 6, 11, 0, "wire_out", 4_700_000, "AC05"),
    ("ACC-1021", 7, 14, 0, "wire_in", 3_000_000, "AC07"),  # exactly 90 % out within 30 h
    ("ACC-1021", 8, 10, 0, "wire_out", 1_300_000, "AC19"),
    ("ACC-1021", 8, 20, 0, "cash_withdrawal", 1_400_000, ""),
    ("ACC-1023", 9, 9, 0, "wire_in", 2_000_000, "AC01"),  # last debit exactly 48 h after the credit
    ("ACC-1023", 10, 9, 0, "wire_out", 1_000_000, "AC30"),
    ("ACC-1023", 11, 9, 0, "wire_out", 950_000, "AC30"),
    ("ACC-1025", 12, 13, 0, "wire_in", 5_000_000, "AC09"),  # control: only 88 % goes out
    ("ACC-1025", 13, 12, 0, "wire_out", 4_400_000, "AC40"),
    ("ACC-1026", 14, 9, 0, "wire_in", 4_000_000, "AC09"),  # control: debit 48 h 1 min later
    ("ACC-1026", 16, 9, 1, "wire_out", 3_900_000, "AC40"),
    ("ACC-1027", 15, 10, 0, "wire_out", 2_000_000, "AC23"),  # control: money out BEFORE money in
    ("ACC-1027", 16, 10, 0, "wire_in", 2_050_000, "AC16"),
    ("ACC-1028", 17, 10, 0, "wire_in", 999_999, "AC12"),  # control: credit below the $10,000 minimum
    ("ACC-1028", 17, 15, 0, "wire_out", 990_000, "AC40"),
    ("ACC-1029", 18, 10, 0, "wire_out", 10_000_000, "AC40"),  # round: $100,000.00
    ("ACC-1029", 19, 10, 0, "wire_out", 2_500_000, "AC31"),  # round: $25,000.00
    ("ACC-1029", 20, 10, 0, "cash_deposit", 500_000, ""),  # control: round but cash, not a transfer
    ("ACC-1029", 21, 10, 0, "wire_out", 100_001, "AC32"),  # control: $1,000.01
    ("ACC-1029", 22, 10, 0, "wire_out", 50_000, "AC33"),  # control: $500.00 is not a multiple of $1,000
]
ACCOUNT_COUNTERPARTIES = [
    "Eastbrook Power",
    "Metro Water",
    "Northline Telecom",
    "Cityview Grocers",
    "Payroll Inc",
]


def _account_transactions(rng: random.Random) -> list[list]:
    rows = []
    start = dt.date(2024, 5, 1)
    for number in range(1001, 1041):
        account = f"ACC-{number}"
        planted = {row[1] for row in PLANTED_ACCOUNT if row[0] == account}
        for _ in range(rng.randint(40, 80)):
            day = _background_day(rng, start, 31, planted)
            moment = _at(day, rng.randint(8, 22), rng.randrange(60))
            kind = rng.choice(["wire_in", "wire_out", "wire_out", "cash_withdrawal", "cash_deposit"])
            amount = _log_uniform_cents(rng, 1_500, 800_000)  # $15 to $8,000
            rows.append(
                [account, moment, kind, amount, rng.choice(ACCOUNT_COUNTERPARTIES) if "wire" in kind else ""]
            )
        if number % 10 == 3:  # monthly rent paid in round dollars: a red flag with an innocent explanation
            rows.append([account, _at(start, 9), "wire_out", 200_000, "Eastbrook Lettings"])
    for account, offset, hour, minute, kind, cents, counterparty in PLANTED_ACCOUNT:
        rows.append(
            [account, _at(start + dt.timedelta(days=offset), hour, minute), kind, cents, counterparty]
        )
    rows.sort(key=lambda row: (row[1], row[0]))
    return [
        [f"A{n:06d}", a, _iso(ts), kind, cents, "USD", cp]
        for n, (a, ts, kind, cents, cp) in enumerate(rows, 1)
    ]


ACCOUNT_HOLDERS = {
    "AC01": "Brightline Office Supplies LLC",
    "AC02": "City of Eastbrook Treasury",
    "AC05": "Kestrel Trading Co",
    "AC07": "Oakmoor Consulting",
    "AC09": "Lantern Import Export",
    "AC12": "Seabright Logistics",
    "AC15": "Marlow Freight",
    "AC16": "Pebble Cove Rentals",
    "AC19": "Tidewater Advisory",
    "AC23": "Corvid Ventures",
    "AC30": "Northgate Shell 1",
    "AC31": "Northgate Shell 2",
    "AC32": "Northgate Shell 3",
    "AC33": "Northgate Shell 4",
    "AC34": "Northgate Shell 5",
    "AC35": "Northgate Shell 6",
    "AC40": "Harbor Lane Holdings Ltd",
}
# Planted wires: (from, to, value date in May 2024, cents).
PLANTED_WIRES = [
    ("AC02", "AC01", 1, 18_000_000),  # the source credit
    ("AC01", "AC05", 3, 6_000_000),
    ("AC05", "AC12", 3, 5_800_000),
    ("AC12", "AC40", 6, 5_700_000),  # same-day hop
    ("AC01", "AC07", 4, 4_500_000),
    ("AC07", "AC19", 2, 100_000),
    ("AC07", "AC19", 7, 4_400_000),
    ("AC19", "AC23", 9, 4_350_000),
    ("AC23", "AC40", 12, 4_300_000),
    ("AC12", "AC15", 7, 2_000_000),
    ("AC15", "AC16", 8, 1_950_000),
    ("AC16", "AC12", 10, 1_900_000),  # a cycle
    ("AC16", "AC23", 11, 500_000),
    ("AC01", "AC09", 10, 3_000_000),
    ("AC09", "AC40", 2, 2_900_000),  # decoy: out before money came in
    ("AC01", "AC30", 13, 1_000_000),
    ("AC30", "AC31", 14, 990_000),
    ("AC31", "AC32", 15, 980_000),
    ("AC32", "AC33", 16, 970_000),
    ("AC33", "AC34", 17, 960_000),
    ("AC34", "AC35", 18, 950_000),
    ("AC35", "AC40", 19, 940_000),  # seven hops
    ("AC01", "AC05", 20, 1_500_000),  # a second, later wire
]

# Ordinary payments around the planted wires. Shares: background accounts paying the vendor AC01, the target AC40
# paying background accounts, layering accounts paying background accounts; the rest (30 %) are background
# accounts paying each other. That rest was 75 % until round 4 of the benchmarks: the 23 background accounts then
# had about five payees each, and the money-trail explorer at its 8-hop limit searched up to 3,800 routes
# (0.3-0.5 s a change). Now the slowest search of all 1,560 account pairs takes about 14 ms at 8 hops (up to 480
# routes, still far more than a trainee can read), and the planted routes are the same.
ORDINARY_PAYMENTS = 160
ORDINARY_SHARES = (0.5, 0.1, 0.1)


def _wires(rng: random.Random) -> tuple[list[list], list[list]]:
    accounts = [f"AC{n:02d}" for n in range(1, 41)]
    layering = set(ACCOUNT_HOLDERS) - {"AC02"}
    background = [a for a in accounts if a not in layering]
    holders = dict(ACCOUNT_HOLDERS)
    for index, account in enumerate(background):
        holders.setdefault(account, f"{VENDOR_NAMES[(index * 7) % len(VENDOR_NAMES)]} account {index + 1}")
    wires = [(a, b, dt.date(2024, 5, day), cents) for a, b, day, cents in PLANTED_WIRES]
    into_vendor, out_of_target, out_of_layering = itertools.accumulate(ORDINARY_SHARES)
    for _ in range(ORDINARY_PAYMENTS):
        day = dt.date(2024, 4, 1) + dt.timedelta(days=rng.randrange(61))
        roll = rng.random()
        if roll < into_vendor:
            pair = (rng.choice(background), "AC01")
        elif roll < out_of_target:
            pair = ("AC40", rng.choice(background))
        elif roll < out_of_layering:
            pair = (rng.choice(sorted(layering - {"AC40"})), rng.choice(background))
        else:
            pair = tuple(rng.sample(background, 2))
        wires.append((*pair, day, _log_uniform_cents(rng, 50_000, 5_000_000)))
    wires.sort(key=lambda w: (w[2], w[0], w[1], w[3]))
    wire_rows = [
        [f"W{n:04d}", a, b, d.isoformat(), cents, "USD"] for n, (a, b, d, cents) in enumerate(wires, 1)
    ]
    account_rows = [[a, holders[a]] for a in accounts]
    return wire_rows, account_rows


# The suspect's personal account in 2024, the year of the May 2024 wires, in time order: (day, kind, cents,
# description). The suspect owns a mortgaged house: the monthly payment goes to the mortgage, not to rent.
LEDGER = [
    ((1, 3), "clean_in", 250_000, "opening balance"),
    ((1, 15), "clean_in", 420_000, "salary"),
    ((1, 20), "out", 180_000, "mortgage payment"),
    ((2, 2), "tainted_in", 1_500_000, "cash deposit (source unknown)"),
    ((2, 15), "clean_in", 420_000, "salary"),
    ((2, 20), "out", 180_000, "mortgage payment"),
    ((3, 1), "out", 1_900_000, "car purchase"),
    ((3, 15), "clean_in", 420_000, "salary"),
    ((3, 20), "out", 180_000, "mortgage payment"),
    ((4, 4), "tainted_in", 2_200_000, "cash deposit (source unknown)"),
    ((4, 15), "clean_in", 420_000, "salary"),
    ((4, 20), "out", 180_000, "mortgage payment"),
    ((5, 2), "out", 2_500_000, "transfer to own brokerage account"),
    ((5, 15), "clean_in", 420_000, "salary"),
    ((5, 20), "out", 180_000, "mortgage payment"),
    ((6, 1), "clean_in", 1_000_000, "gift from relative (documented)"),
    ((6, 15), "clean_in", 420_000, "salary"),
    ((6, 20), "out", 180_000, "mortgage payment"),
    ((7, 3), "tainted_in", 900_000, "cash deposit (source unknown)"),
    ((7, 15), "clean_in", 420_000, "salary"),
    ((7, 20), "out", 180_000, "mortgage payment"),
    ((8, 1), "out", 600_000, "holiday"),
]


def _ledger() -> list[list]:
    return [
        [_iso(_at(dt.date(2024, month, day), 12)), kind, cents, text]
        for (month, day), kind, cents, text in LEDGER
    ]


# The suspect's statement of assets and liabilities at each year end (cents). Assets are at cost, as the net-worth
# method requires (IRS IRM 9.5.9.5): the house keeps its purchase price and the old car its cost until it is traded
# in (March 2024). Mortgage: USD 1,800 a month (USD 21,600 a year, interest in the living expenses, the rest
# repays principal), plus an unexplained prepayment in 2024.
BALANCE_SHEETS = {
    "2022-12-31": {
        "asset": {"cash and bank": 1_250_000, "house": 32_000_000, "car": 900_000, "brokerage": 2_000_000},
        "liability": {"mortgage": 21_000_000, "car loan": 400_000},
    },
    "2023-12-31": {
        "asset": {"cash and bank": 1_410_000, "house": 32_000_000, "car": 900_000, "brokerage": 2_150_000},
        "liability": {"mortgage": 19_740_000, "car loan": 200_000},
    },
    "2024-12-31": {
        "asset": {
            "cash and bank": 2_380_000,
            "house": 32_000_000,
            "car": 6_400_000,
            "brokerage": 9_800_000,
            "boat": 4_500_000,
        },
        "liability": {"mortgage": 15_600_000, "car loan": 0},
    },
}
# 2023 is the control year (unexplained USD 400, noise); 2024 is the year of the fraud and the wires.
INCOME_AND_EXPENSES = {
    2023: {
        "legitimate_income": {"salary (net)": 12 * 408_000, "dividends": 60_000},
        "living_expense": {"household": 2_026_000, "mortgage interest": 900_000, "holidays": 300_000},
    },
    2024: {  # the net salary is the ledger's monthly 4,200 dollars
        "legitimate_income": {
            "salary (net)": 12 * 420_000,
            "dividends": 75_000,
            "gift (documented)": 1_000_000,
        },
        "living_expense": {"household": 3_300_000, "mortgage interest": 760_000, "holidays": 1_250_000},
    },
}


def _balance_sheets() -> list[list]:
    return [
        [date, category, item, cents]
        for date, sheet in BALANCE_SHEETS.items()
        for category, items in sheet.items()
        for item, cents in items.items()
    ]


def _income_and_expenses() -> list[list]:
    return [
        [year, kind, item, cents]
        for year, kinds in INCOME_AND_EXPENSES.items()
        for kind, items in kinds.items()
        for item, cents in items.items()
    ]


def generate(out_dir: Path) -> None:
    """Write every case file of the module into ``out_dir`` (deterministic), then its manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    _write_csv(
        out_dir / "invoices.csv",
        ["invoice_id", "vendor_id", "vendor_name", "invoice_date", "amount_cents", "currency", "approved_by"],
        _invoices(rng),
    )
    _write_csv(
        out_dir / "cash_transactions.csv",
        ["txn_id", "customer_id", "branch_id", "ts", "type", "amount_cents", "currency"],
        _cash(rng),
    )
    _write_csv(
        out_dir / "account_transactions.csv",
        ["txn_id", "account_id", "ts", "type", "amount_cents", "currency", "counterparty"],
        _account_transactions(rng),
    )
    wire_rows, account_rows = _wires(rng)
    _write_csv(
        out_dir / "wires.csv",
        ["wire_id", "from_account", "to_account", "value_date", "amount_cents", "currency"],
        wire_rows,
    )
    _write_csv(out_dir / "accounts.csv", ["account_id", "holder"], account_rows)
    _write_csv(out_dir / "suspect_ledger.csv", ["ts", "kind", "amount_cents", "description"], _ledger())
    _write_csv(
        out_dir / "balance_sheets.csv", ["as_of", "category", "item", "amount_cents"], _balance_sheets()
    )
    _write_csv(
        out_dir / "income_and_expenses.csv", ["year", "kind", "item", "amount_cents"], _income_and_expenses()
    )
    write_manifest(out_dir)


if __name__ == "__main__":
    generate(data_dir(MODULE))
    print(f"wrote the case files into {data_dir(MODULE)}")
