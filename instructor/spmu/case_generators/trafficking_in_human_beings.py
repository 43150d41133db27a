"""Generate the case files of the Brightfield Staffing investigation (Module 4), deterministically.

Run ``python -m spmu.case_generators.trafficking_in_human_beings`` to rewrite
``courses/trafficking_in_human_beings/data/``. The story: labour inspectors and police visit farms and building
sites supplied by *Brightfield Staffing* (an invented recruitment agency) with workers recruited abroad. The
investigator receives coded screening interviews, the agency's online job ads, border-crossing records, the
workers' debt ledgers kept by the agency, its payroll and the statements of the accounts the wages went to.

Everything is synthetic: invented people and companies; example.com/.org/.net domains (RFC 2606); phone numbers
from Ofcom's drama range (020 7946 0xxx) and the US 555-01xx range, which the ``phonenumbers`` library accepts
as valid but no real subscriber holds; IBANs with correct ISO 13616 check digits for INVENTED banks (bank codes
ZQBF, ZQHR, ZQLM, ZQTW do not exist); no sexual content. ``random.Random(SEED)`` drives the background records.

Planted cases (what the exercises must find) and controls (what they must NOT flag) are listed in the comments
next to the code that writes them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from courses.data import data_dir, write_manifest

SEED = 20260314
FIRST_NAMES = [
    "Ana",
    "Bogdan",
    "Chen",
    "Dara",
    "Emil",
    "Farah",
    "Goran",
    "Hana",
    "Ilie",
    "Jana",
    "Kemal",
    "Lina",
    "Marek",
    "Nadia",
    "Oskar",
    "Petra",
    "Radu",
    "Sami",
    "Tomas",
    "Vera",
    "Yusuf",
    "Zora",
]
FAMILY_NAMES = [
    "Albu",
    "Brenko",
    "Cazan",
    "Dovlat",
    "Ermen",
    "Fenic",
    "Grozav",
    "Havel",
    "Istrat",
    "Jurca",
    "Kovar",
    "Lupan",
    "Mirca",
    "Novak",
    "Oprea",
    "Petcu",
    "Rusnak",
    "Sandu",
    "Tarnu",
    "Vlasin",
]


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --- 1. coded screening interviews ----------------------------------------------------------------------------
# Codes of the ILO/EC (2009) operational indicators for adults, labour exploitation, as written on the form:
# dimension (DR deceptive recruitment, CR coercive recruitment, VR recruitment by abuse of vulnerability,
# EX exploitative conditions of work, CD coercion at destination, VD abuse of vulnerability at destination), the
# strength the ILO/EC list gives the indicator for adults in labour exploitation (S strong, M medium, W weak) and
# its wording in that list. Strengths and wording were compared with one secondary transcription of the list (the
# notebook says so and tells trainees to check them against ILO/EC 2009 itself).
INDICATORS = {
    "DR-S-nature": "Deceived about the nature of the job, location or employer",
    "DR-M-conditions": "Deceived about conditions of work",
    "DR-M-wages": "Deceived about wages/earnings",
    "CR-M-confiscation": "Confiscation of documents",
    "CR-M-debt": "Debt bondage",
    "VR-M-lack-education": "Abuse of lack of education (language)",
    "VR-M-economic": "Economic reasons",
    "EX-S-hours": "Excessive working days or hours",
    "EX-M-no-social-protection": "No social protection (contract, social insurance, etc.)",
    "EX-M-wages": "Low or no salary",
    "EX-M-housing": "Bad living conditions",
    "CD-S-confiscation": "Confiscation of documents",
    "CD-S-debt": "Debt bondage",
    "CD-S-isolation": "Isolation, confinement or surveillance",
    "CD-M-threats": "Threats of violence against victim",
    "CD-M-wages-withheld": "Withholding of wages",
    "VD-M-dependency": "Dependency on exploiters",
    "VD-M-unknown-area": "Difficulty to live in an unknown area",
    "VD-M-legal-status": "Relationship with authorities/legal status",
    "VD-W-personal": "Personal characteristics",
}

# (interview_id, worker_id, age_years, act, means, purpose, consented, indicator codes, note)
# act: recruited, transported, transferred, harboured or received; means: threat, force, coercion, abduction,
# fraud, deception, abuse of power or of a position of vulnerability, payments to a person in control;
# purpose: exploitation (here forced labour or services). Coded by the interviewer from the answers.
PLANTED_INTERVIEWS = [
    # presumed victims
    (
        "INT-001",
        "W-014",
        34,
        True,
        True,
        True,
        True,
        "DR-S-nature;CD-S-confiscation;CD-S-debt;EX-S-hours;VD-M-unknown-area",
        "recruited for fruit packing, put on a building site; passport kept by the supervisor",
    ),
    (
        "INT-002",
        "W-021",
        17,
        True,
        False,
        True,
        True,  # a child: means not required (art. 3(c)-(d))
        "EX-S-hours;EX-M-housing;VD-M-dependency",
        "travelled with a cousin's employer; works nights on the farm",
    ),
    (
        "INT-003",
        "W-008",
        41,
        True,
        True,
        True,
        True,  # 'consented' but deceived: consent irrelevant (art. 3(b))
        "DR-M-wages;CR-M-debt;CD-S-debt;CD-M-wages-withheld",
        "signed a contract abroad; wage a third of what was promised",
    ),
    # controls: not presumed victims under art. 3
    (
        "INT-004",
        "W-030",
        18,
        True,
        False,
        True,
        True,  # 18 is not a child: means needed, none reported
        "EX-M-wages;VR-M-economic",
        "eighteenth birthday last month; long shifts at low pay, free to leave, keeps own papers",
    ),
    (
        "INT-005",
        "W-031",
        29,
        True,
        True,
        False,
        True,  # misled about the farm's location, but paid and free
        "DR-S-nature",
        "told the job was near the coast; paid the agreed wage, contract and own documents",
    ),
    (
        "INT-006",
        "W-032",
        52,
        False,
        False,
        False,
        True,
        "",
        "employed directly by the farm for six seasons; contract and payslips shown",
    ),
]


def _interviews(rng: random.Random) -> str:
    rows: list[list[object]] = []
    start = date(2026, 3, 2)
    planted_days = [0, 0, 1, 1, 2, 2]
    for (interview, worker, age, act, means, purpose, consented, codes, note), day in zip(
        PLANTED_INTERVIEWS, planted_days, strict=True
    ):
        rows.append(
            [
                interview,
                worker,
                (start + timedelta(days=day)).isoformat(),
                "Oakmere Farm" if day < 2 else "Riverside Build",
                age,
                act,
                means,
                purpose,
                consented,
                codes,
                note,
            ]
        )
    plain_codes = ["VR-M-economic", "EX-M-no-social-protection", "VD-M-unknown-area", "EX-M-housing"]
    for n in range(7, 41):
        age = rng.randint(19, 58)
        act = rng.random() < 0.9
        codes = sorted(rng.sample(plain_codes, rng.randint(0, 2)))
        note = rng.choice(
            [
                "seasonal picker, own documents, paid weekly",
                "returning worker, contract shown",
                "hired through a licensed agency, free to leave",
                "works with a sibling, own bank card",
                "long hours at harvest, paid overtime per payslip",
            ]
        )
        rows.append(
            [
                f"INT-{n:03d}",
                f"W-{n + 100:03d}",
                (start + timedelta(days=rng.randint(0, 4))).isoformat(),
                rng.choice(["Oakmere Farm", "Riverside Build", "Hollin Packhouse"]),
                age,
                act,
                False,
                False,
                True,
                ";".join(codes),
                note,
            ]
        )
    header = [
        "interview_id",
        "worker_id",
        "interviewed_on",
        "site",
        "age_years",
        "act",
        "means",
        "purpose",
        "consented",
        "indicators",
        "note",
    ]
    return _csv(header, rows)


def _indicator_list() -> str:
    rows = [
        [code, code[:2], {"S": "strong", "M": "medium", "W": "weak"}[code[3]], text]
        for code, text in INDICATORS.items()
    ]
    return _csv(["code", "dimension", "strength", "indicator"], rows)


# --- 2. recruitment ads -------------------------------------------------------------------------------------------
def _sha(label: str) -> str:
    return hashlib.sha256(f"placeholder image {label} (police training)".encode()).hexdigest()


IMAGE_FIELDS = _sha("strawberry field")
IMAGE_CRANE = _sha("crane at dusk")
JOB_TEXTS = [
    "Seasonal fruit pickers wanted, accommodation and travel arranged, start next week",
    "Construction helpers, no experience needed, good money, we arrange visa and transport",
    "Packhouse staff, night shifts, free housing, pay in advance possible",
    "Warehouse operatives, immediate start, contact us on WhatsApp",
    "Farm work abroad, high wages, no language needed, all costs paid by employer",
]

# Planted networks (ad ids) - normalised phone, trimmed case-insensitive e-mail, case-insensitive image hash:
#  A: AD-103, AD-117, AD-140 share +442079460123 written three ways; AD-140 shares the e-mail
#     " Jobs.Brightfield@Example.NET" with AD-152; AD-152 shares IMAGE_FIELDS (upper case) with AD-166 -> 5 ads
#  B: AD-121, AD-158 share +12025550142 (US) written two ways; AD-171 shares the e-mail with AD-158 -> 3 ads
#  C: AD-109, AD-133 share IMAGE_CRANE (one upper-case) -> 2 ads
# Controls (must NOT link): AD-112 and AD-147 share 07700 900123 (Ofcom drama MOBILE range, not valid: links
# nothing); AD-125 and AD-163 share "555-0199" without an area code (not valid in US); many ads have no e-mail or
# no image (a missing value links nothing); AD-129 uses 020 7946 0124 (one digit from network A).
PLANTED_ADS = {
    "AD-103": ("020 7946 0123", "GB", "", IMAGE_FIELDS),
    "AD-117": ("+44 20 7946 0123", "GB", "", ""),
    "AD-140": ("(020) 7946-0123", "GB", " Jobs.Brightfield@Example.NET", ""),
    "AD-152": ("", "", "jobs.brightfield@example.net", IMAGE_FIELDS.upper()),
    "AD-166": ("", "", "", IMAGE_FIELDS),
    "AD-121": ("(202) 555-0142", "US", "", ""),
    "AD-158": ("+1 202 555 0142", "US", "hire.now@example.org", ""),
    "AD-171": ("", "", "HIRE.NOW@example.org ", ""),
    "AD-109": ("", "", "", IMAGE_CRANE),
    "AD-133": ("020 7946 0871", "GB", "", IMAGE_CRANE.upper()),
    "AD-112": ("07700 900123", "GB", "", ""),
    "AD-147": ("07700 900123", "GB", "", ""),
    "AD-125": ("555-0199", "US", "", ""),
    "AD-163": ("555-0199", "US", "", ""),
    "AD-129": ("020 7946 0124", "GB", "", ""),
}


def _ads(rng: random.Random) -> str:
    rows: list[list[object]] = []
    used_numbers = {"0123", "0124", "0871"}
    for n in range(100, 180):
        ad_id = f"AD-{n:03d}"
        posted = date(2026, 1, 5) + timedelta(days=rng.randint(0, 55))
        text = rng.choice(JOB_TEXTS)
        if ad_id in PLANTED_ADS:
            phone, region, mail, image = PLANTED_ADS[ad_id]
        else:  # background: each its own number, e-mail and picture (or none)
            number = f"{rng.randint(0, 999):04d}"
            while number in used_numbers:
                number = f"{rng.randint(0, 999):04d}"
            used_numbers.add(number)
            phone, region = (f"020 7946 {number}", "GB") if rng.random() < 0.75 else ("", "")
            mail = f"{rng.choice(FIRST_NAMES).lower()}.{n}@example.com" if rng.random() < 0.4 else ""
            image = _sha(f"background {n}") if rng.random() < 0.5 else ""
        rows.append([ad_id, posted.isoformat(), "jobs-board.example.org", text, phone, region, mail, image])
    return _csv(["ad_id", "posted_on", "site", "text", "phone", "region", "email", "image_sha256"], rows)


# --- 3. border crossings ------------------------------------------------------------------------------------------
POINTS = ["Eastgate road", "Eastgate rail", "North ferry"]
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def _trip(rows: list, person: str, when: datetime, point: str, direction: str = "IN") -> None:
    rows.append([person, when.isoformat(), point, direction])


def _crossings(rng: random.Random) -> str:
    rows: list[list[object]] = []
    # Planted repeat escorts (window 10 min inclusive, 3 dates with NEW companions):
    #  P-0901 crosses in with new workers on 3 dates (2, 1 and 2 workers, 1-6 minutes apart).
    #  P-0902: new companions on 3 dates, on the third exactly 600 s apart (inclusive -> counts).
    #  P-0903 (control): the same, but the third companion is 601 s apart (just outside -> only 2 dates).
    #  P-0904 (control): new companions on 2 dates only.
    for day, workers, gaps in [
        (3, ["P-2101", "P-2102"], [2, 5]),
        (17, ["P-2103"], [1]),
        (31, ["P-2104", "P-2105"], [3, 6]),
    ]:
        start = T0 + timedelta(days=day, hours=6, minutes=12)
        _trip(rows, "P-0901", start, "Eastgate road")
        for worker, gap in zip(workers, gaps, strict=True):
            _trip(rows, worker, start + timedelta(minutes=gap), "Eastgate road")
        _trip(rows, "P-0901", start + timedelta(days=1, hours=3), "Eastgate road", "OUT")  # goes back alone
    for escort, third_gap in [("P-0902", 600), ("P-0903", 601)]:
        base = 0 if escort == "P-0902" else 2
        for k, (day, worker) in enumerate([(8 + base, "A"), (22 + base, "B"), (40 + base, "C")]):
            start = T0 + timedelta(days=day, hours=14, minutes=40)
            _trip(rows, escort, start, "North ferry")
            gap = third_gap if k == 2 else 240
            _trip(rows, f"P-22{escort[-1]}{worker}", start + timedelta(seconds=gap), "North ferry")
    for day, worker in [(12, "P-2401"), (26, "P-2402")]:
        start = T0 + timedelta(days=day, hours=9)
        _trip(rows, "P-0904", start, "Eastgate rail")
        _trip(rows, worker, start + timedelta(minutes=4), "Eastgate rail")
    # Control: a family of four crossing together (seconds apart) in and out on 4 dates: the same people each
    # time, so after the first date nobody is new.
    family = ["P-0311", "P-0312", "P-0313", "P-0314"]
    for day in [2, 16, 30, 44]:
        for direction, hours in [("IN", 8), ("OUT", 56)]:
            start = T0 + timedelta(days=day, hours=hours)
            for k, person in enumerate(family):
                _trip(rows, person, start + timedelta(seconds=20 * k), "Eastgate road", direction)
    # Control: three cross-border commuters who cross together every weekday.
    commuters = ["P-0501", "P-0502", "P-0503"]
    for day in range(56):
        when = T0 + timedelta(days=day)
        if when.weekday() >= 5:
            continue
        for k, person in enumerate(commuters):
            _trip(rows, person, when + timedelta(hours=6, minutes=50 + k), "Eastgate rail", "IN")
            _trip(rows, person, when + timedelta(hours=16, minutes=5 + k), "Eastgate rail", "OUT")
    # Controls: same minute but a different border point, and same point but the other direction.
    _trip(rows, "P-0601", T0 + timedelta(days=5, hours=11), "Eastgate road", "IN")
    _trip(rows, "P-0602", T0 + timedelta(days=5, hours=11, minutes=1), "Eastgate rail", "IN")
    _trip(rows, "P-0603", T0 + timedelta(days=5, hours=11, minutes=2), "Eastgate road", "OUT")
    # Control: a coach arrives: 12 passengers within 9 minutes, one date only.
    coach = T0 + timedelta(days=20, hours=21, minutes=30)
    for k in range(12):
        _trip(rows, f"P-07{k:02d}", coach + timedelta(seconds=45 * k), "North ferry")
    # Background: 220 travellers crossing in and, some, out again at random times (sparse: chance meetings).
    for n in range(220):
        person = f"P-{1000 + n}"
        point = rng.choice(POINTS)
        when = T0 + timedelta(
            days=rng.randint(0, 55),
            hours=rng.randint(5, 22),
            minutes=rng.randint(0, 59),
            seconds=rng.randint(0, 59),
        )
        _trip(rows, person, when, point)
        if rng.random() < 0.6:
            back = when + timedelta(
                days=rng.randint(1, 12), hours=rng.randint(0, 8), minutes=rng.randint(0, 59)
            )
            _trip(rows, person, back, rng.choice(POINTS), "OUT")
    rows.sort(key=lambda row: (row[1], row[0]))
    numbered = [[f"X{k + 1:05d}", *row] for k, row in enumerate(rows)]
    return _csv(["crossing_id", "person_id", "crossed_at", "border_point", "direction"], numbered)


# --- 4. debt ledgers ------------------------------------------------------------------------------------------------
# Terms the agency wrote in each worker's "advance" agreement. The ledger applies, month by month: interest on the
# balance at the monthly rate, rounded to the nearest cent with halves up, plus deductions, minus the wage; never
# below 0, and a repaid debt stays 0.
#  W-014, W-008, W-040: the debt grows (deductions and interest exceed the wage): last >= initial.
#  W-044 (control): exactly back at the initial debt after 12 months (>= : bondage by the rule).
#  W-045 (control): one cent below the initial debt after 12 months: not bondage by the rule.
#  W-050 (control): a fair, falling debt (travel advance, no interest, paid off in month 6).
#  W-051 (control): a slowly falling debt where halves matter: 12,300 cents at 1.5 % is 184.5 -> 185 cents (round()
#  in Python gives 184, and Decimal(0.015) from the float is 0.01499..., also 184).
DEBT_TERMS = [
    # worker, initial_cents, monthly_rate, wage_cents, deductions_cents
    ("W-014", 350_000, "0.05", 120_000, 110_000),
    ("W-008", 420_000, "0.04", 95_000, 105_000),
    ("W-040", 280_000, "0.03", 140_000, 145_000),
    ("W-050", 90_000, "0", 160_000, 145_000),
    ("W-051", 12_300, "0.015", 150_000, 149_800),  # month 1 interest 184.5 cents: halves up -> 185
    ("W-044", 250_000, "0.02", 65_000, 60_000),  # interest 5,000 + deductions 60,000 = wage: stays at 250,000
    ("W-045", 250_000, "0.02", 65_001, 60_000),  # one cent more wage: ends 12 cents below the initial debt
]


def debt_balances(
    initial_cents: int, rate: str, wage_cents: int, deductions_cents: int, months: int
) -> list[tuple[int, int, int]]:
    """(opening, interest, closing) per month under the ledger's rule (instructor side: writes the ledger)."""
    balance, out = initial_cents, []
    for _ in range(months):
        opening = balance
        if balance == 0:
            out.append((0, 0, 0))
            continue
        interest = int((Decimal(balance) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        balance = max(0, balance + interest + deductions_cents - wage_cents)
        out.append((opening, interest, balance))
    return out


def _ledgers() -> tuple[str, str]:
    months = 12
    rows, ledger = [], []
    for worker, initial, rate, wage, deductions in DEBT_TERMS:
        rows.append([worker, initial, rate, wage, deductions, "2025-04", months])
        balances = debt_balances(initial, rate, wage, deductions, months)
        for k, (opening, interest, closing) in enumerate(balances):
            year, month = 2025 + (3 + k) // 12, (3 + k) % 12 + 1
            housing, transport = deductions * 6 // 10, deductions * 3 // 10
            fees = deductions - housing - transport
            ledger.append(
                [
                    worker,
                    f"{year}-{month:02d}",
                    opening,
                    interest,
                    housing if opening else 0,
                    transport if opening else 0,
                    fees if opening else 0,
                    wage,
                    closing,
                ]
            )
    terms_csv = _csv(
        [
            "worker_id",
            "initial_debt_cents",
            "monthly_rate",
            "wage_cents",
            "deductions_cents",
            "first_month",
            "months",
        ],
        rows,
    )
    ledger_csv = _csv(
        [
            "worker_id",
            "month",
            "opening_cents",
            "interest_cents",
            "housing_cents",
            "transport_cents",
            "fees_cents",
            "wage_cents",
            "closing_cents",
        ],
        ledger,
    )
    return terms_csv, ledger_csv


# --- 5. payroll and bank statements ----------------------------------------------------------------------------------
def iban(country: str, bban: str) -> str:
    """An IBAN with ISO 13616 check digits for ``bban`` (instructor side: builds the case's invented accounts)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _gb(bank: str, sort_code: int, account: int) -> str:
    return iban("GB", f"{bank}{sort_code:06d}{account:08d}")


# Shared accounts: SHARED_5 receives the wages of 5 workers (written with spaces and lower case in places),
# SHARED_3 of exactly 3 (flagged at min_workers = 3); controls: JOINT_2 (a couple's joint account, 2 workers),
# REPEAT_2 (3 payslips but only 2 distinct workers). BAD_CHECK is SHARED_5 with a typo: fails mod-97.
SHARED_5 = _gb("ZQHR", 404_711, 31_990_214)
SHARED_3 = _gb("ZQLM", 602_118, 70_021_455)
JOINT_2 = _gb("ZQBF", 200_415, 11_400_082)
REPEAT_2 = _gb("ZQTW", 309_960, 55_120_007)
BAD_CHECK = SHARED_5[:-1] + str((int(SHARED_5[-1]) + 1) % 10)


def _spaced(account: str, lower: bool = False) -> str:
    text = " ".join(account[k : k + 4] for k in range(0, len(account), 4))
    return text.lower() if lower else text


def _payroll(rng: random.Random) -> tuple[str, str]:
    pay_dates = [date(2026, 1, 30), date(2026, 2, 27)]
    rows: list[list[object]] = []
    own_accounts: dict[str, str] = {}
    workers = [f"W-{n:03d}" for n in range(1, 61)]
    routed = {w: SHARED_5 for w in ["W-008", "W-014", "W-021", "W-033", "W-037"]}
    routed |= {w: SHARED_3 for w in ["W-040", "W-041", "W-042"]}
    routed |= {w: JOINT_2 for w in ["W-052", "W-053"]}
    routed |= {w: REPEAT_2 for w in ["W-055", "W-056"]}
    for worker in workers:
        own_accounts[worker] = _gb("ZQBF", 200_000 + int(worker[2:]), 40_000_000 + 17 * int(worker[2:]))
    payslip = 0
    for pay_date in pay_dates:
        for worker in workers:
            account = routed.get(worker, own_accounts[worker])
            written = account
            if account == SHARED_5:
                written = [_spaced(account), account.lower(), account, _spaced(account, lower=True), account][
                    ["W-008", "W-014", "W-021", "W-033", "W-037"].index(worker)
                ]
            amount = rng.randint(140_000, 210_000)
            payslip += 1
            rows.append(
                [
                    f"PS-{payslip:04d}",
                    worker,
                    pay_date.isoformat(),
                    "Brightfield Staffing Ltd",
                    written,
                    amount,
                ]
            )
        payslip += 1  # W-055 paid a second time (holiday pay) into the same account
        rows.append(
            [f"PS-{payslip:04d}", "W-055", pay_date.isoformat(), "Brightfield Staffing Ltd", REPEAT_2, 35_000]
        )
    payroll = _csv(["payslip_id", "worker_id", "pay_date", "employer", "account", "amount_cents"], rows)
    return payroll, _statements(rng, own_accounts, rows)


CONTROLLER = _gb("ZQTW", 309_961, 88_004_417)  # the account the sweeps go to


def _statements(rng: random.Random, own: dict[str, str], payroll_rows: list[list[object]]) -> str:
    """Statements of six workers' own accounts: wage credits and what left the account afterwards.

    Planted sweeps (at least 80 % of a wage out within 48 h, both inclusive): W-060 (92 % after 2 h),
    W-059 (80 % exactly, 48 h exactly). Controls: W-058 (rent 30 % next day), W-057 (85 % sent to family abroad
    72 h after payday), W-054 (79 % within 1 h), W-051 (small card payments).
    """
    family = iban(
        "DE", "39040000" + "0532013000"
    )  # invented German-format account (bank code 39040000 invented)
    wages = {(row[1], row[2]): row[5] for row in payroll_rows}
    plans = {
        "W-060": [(timedelta(hours=2), 92, CONTROLLER, "TRANSFER")],
        "W-059": [(timedelta(hours=48), 80, CONTROLLER, "TRANSFER")],
        "W-058": [(timedelta(days=1), 30, _gb("ZQLM", 602_119, 10_000_001), "RENT")],
        "W-057": [(timedelta(hours=72), 85, family, "REMITTANCE")],
        "W-054": [(timedelta(hours=1), 79, CONTROLLER, "TRANSFER")],
        "W-051": [(timedelta(hours=5 + k * 20), 3, "CARD", "CARD PAYMENT") for k in range(5)],
    }
    rows: list[list[object]] = []
    for worker, plan in plans.items():
        for pay_date in [date(2026, 1, 30), date(2026, 2, 27)]:
            paid = datetime(pay_date.year, pay_date.month, pay_date.day, 9, 0, tzinfo=UTC)
            wage = wages[(worker, pay_date.isoformat())]
            rows.append([own[worker], paid.isoformat(), "Brightfield Staffing Ltd", "WAGE", wage])
            for delay, percent, counterparty, kind in plan:
                amount = -(-percent * wage // 100)  # rounded up: W-059 sends exactly 80 % (the threshold)
                rows.append([own[worker], (paid + delay).isoformat(), counterparty, kind, -amount])
            for k in range(rng.randint(2, 4)):
                when = paid + timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 12))
                rows.append([own[worker], when.isoformat(), "CARD", "CARD PAYMENT", -rng.randint(500, 4_000)])
    rows.sort(key=lambda row: (row[0], row[1]))
    return _csv(["account", "booked_at", "counterparty", "kind", "amount_cents"], rows)


def generate(out_dir: Path) -> None:
    """Write every case file of the module into ``out_dir`` and its SHA-256 manifest."""
    rng = random.Random(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "screening_interviews.csv").write_text(_interviews(rng), encoding="utf-8")
    (out_dir / "ilo_ec_indicators.csv").write_text(_indicator_list(), encoding="utf-8")
    (out_dir / "recruitment_ads.csv").write_text(_ads(rng), encoding="utf-8")
    (out_dir / "border_crossings.csv").write_text(_crossings(rng), encoding="utf-8")
    terms, ledger = _ledgers()
    (out_dir / "debt_terms.csv").write_text(terms, encoding="utf-8")
    (out_dir / "debt_ledgers.csv").write_text(ledger, encoding="utf-8")
    payroll, statements = _payroll(rng)
    (out_dir / "payroll.csv").write_text(payroll, encoding="utf-8")
    (out_dir / "bank_statements.csv").write_text(statements, encoding="utf-8")
    write_manifest(out_dir)


if __name__ == "__main__":
    generate(data_dir("trafficking_in_human_beings"))
