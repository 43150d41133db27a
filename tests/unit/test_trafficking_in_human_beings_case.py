"""The trafficking case files hold the planted cases and controls the exercises rely on, stay synthetic, and the
loaders refuse tampering."""

import re
import shutil
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import phonenumbers
import pytest

from courses import data
from courses.trafficking_in_human_beings import case

MODULE = "trafficking_in_human_beings"


def _mod97(iban: str) -> int:
    text = iban.replace(" ", "").upper()
    return int("".join(str(int(c, 36)) for c in text[4:] + text[:4])) % 97


def test_case_data_stays_small_and_uses_only_example_domains():
    files = [p for p in data.data_dir(MODULE).rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 300_000
    text = "\n".join(p.read_text(encoding="utf-8") for p in files if p.suffix == ".csv")
    domains = {m.lower() for m in re.findall(r"[\w.-]+\.(?:com|org|net|uk|eu)\b", text)}
    assert domains and all(d.rsplit(".", 2)[-2] == "example" for d in domains), domains
    assert "@" in text and all(
        m.lower().endswith(("example.com", "example.org", "example.net"))
        for m in re.findall(r"@([\w.]+)", text)
    )


def test_interviews_hold_the_planted_definition_cases():
    interviews = case.load_interviews().set_index("interview_id")
    assert len(interviews) == 40 and interviews["age_years"].dtype == "int64"
    child = interviews.loc["INT-002"]
    assert child["age_years"] == 17 and child["act"] and child["purpose"] and not child["means"]
    assert interviews.loc["INT-003", "consented"] and interviews.loc["INT-003", "means"]
    assert interviews.loc["INT-004", "age_years"] == 18 and not interviews.loc["INT-004", "means"]
    assert not interviews.loc["INT-005", "purpose"]
    codes = {c for cell in interviews["indicators"] for c in cell.split(";") if c}
    assert codes <= set(case.load_indicator_list()["code"]), (
        "every code on the forms is in the indicator list"
    )


# (dimension, indicator) -> strength in the ILO/EC (2009) list for adults, labour exploitation, as read from a
# secondary transcription of that list (search-library id 60543658991, column "A·L"); the notebook says so.
DELPHI_ADULT_LABOUR = {
    ("DR", "Deceived about the nature of the job, location or employer"): "strong",
    ("DR", "Deceived about conditions of work"): "medium",
    ("DR", "Deceived about wages/earnings"): "medium",
    ("CR", "Confiscation of documents"): "medium",
    ("CR", "Debt bondage"): "medium",
    ("VR", "Abuse of lack of education (language)"): "medium",
    ("VR", "Economic reasons"): "medium",
    ("EX", "Excessive working days or hours"): "strong",
    ("EX", "No social protection (contract, social insurance, etc.)"): "medium",
    ("EX", "Low or no salary"): "medium",
    ("EX", "Bad living conditions"): "medium",
    ("CD", "Confiscation of documents"): "strong",
    ("CD", "Debt bondage"): "strong",
    ("CD", "Isolation, confinement or surveillance"): "strong",
    ("CD", "Threats of violence against victim"): "medium",
    ("CD", "Withholding of wages"): "medium",
    ("VD", "Dependency on exploiters"): "medium",
    ("VD", "Difficulty to live in an unknown area"): "medium",
    ("VD", "Relationship with authorities/legal status"): "medium",
    ("VD", "Personal characteristics"): "weak",
}


def test_indicator_codes_carry_the_strength_of_the_ilo_ec_adult_labour_list():
    indicators = case.load_indicator_list()
    for row in indicators.itertuples():
        heading, letter, _ = row.code.split("-", 2)
        assert heading == row.dimension and letter == row.strength[0].upper(), (
            f"{row.code} disagrees with its row"
        )
        expected = DELPHI_ADULT_LABOUR.get((row.dimension, row.indicator))
        assert expected == row.strength, (
            f"{row.code}: {row.strength}, the ILO/EC adult labour list says {expected}"
        )


def test_ad_phones_are_fictional_numbers_the_library_accepts_except_the_planted_invalid_ones():
    ads = case.load_ads().set_index("ad_id")
    with_phone = ads.dropna(subset=["phone"])
    assert len(with_phone) > 40 and ads["email"].isna().sum() > 20 and ads["image_sha256"].isna().sum() > 20
    valid = {}
    for ad_id, row in with_phone.iterrows():
        number = phonenumbers.parse(row["phone"], row["region"])
        valid[ad_id] = phonenumbers.is_valid_number(number)
        digits = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        fictional = ("+442079460", "+120255501", "+447700900", "+1555019")  # Ofcom drama ranges, US 555-01xx
        assert digits.startswith(fictional), f"{ad_id}: {digits} is not in a fictional range"
    assert {ad for ad, ok in valid.items() if not ok} == {"AD-112", "AD-147", "AD-125", "AD-163"}
    assert ads.loc["AD-140", "email"] != ads.loc["AD-140", "email"].strip(), "an e-mail with stray spaces"
    assert ads.loc["AD-152", "image_sha256"].isupper() and ads.loc["AD-166", "image_sha256"].islower()


def test_crossings_hold_the_exact_window_control_pair():
    crossings = case.load_crossings()
    assert str(crossings["crossed_at"].dt.tz) == "UTC" and crossings["crossed_at"].is_monotonic_increasing
    assert set(crossings["direction"]) == {"IN", "OUT"} and crossings["border_point"].nunique() == 3
    at = crossings.set_index("person_id")["crossed_at"]
    assert (at["P-222C"] - at["P-0902"].max()).total_seconds() == 600
    assert (at["P-223C"] - at["P-0903"].max()).total_seconds() == 601
    family = crossings[crossings["person_id"].isin(["P-0311", "P-0312", "P-0313", "P-0314"])]
    assert family["crossed_at"].dt.date.nunique() == 8, "the family crosses together on 8 dates"


def test_debt_ledgers_follow_the_stated_rule_from_the_terms():
    terms = case.load_debt_terms().set_index("worker_id")
    ledgers = case.load_debt_ledgers()
    for worker, rows in ledgers.groupby("worker_id"):
        rate = Decimal(str(terms.loc[worker, "monthly_rate"]))
        balance = int(terms.loc[worker, "initial_debt_cents"])
        for row in rows.itertuples():
            assert row.opening_cents == balance
            interest = (
                int((Decimal(balance) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if balance else 0
            )
            deductions = row.housing_cents + row.transport_cents + row.fees_cents
            assert row.interest_cents == interest and (
                deductions == terms.loc[worker, "deductions_cents"] or balance == 0
            )
            balance = max(0, balance + interest + deductions - row.wage_cents) if balance else 0
            assert row.closing_cents == balance, f"{worker} {row.month}"
    closing = ledgers.groupby("worker_id")["closing_cents"].last()
    initial = terms["initial_debt_cents"]
    assert closing["W-044"] == initial["W-044"] and 0 < initial["W-045"] - closing["W-045"] < 100
    assert (
        closing["W-050"] == 0
        and closing[["W-014", "W-008", "W-040"]].gt(initial[["W-014", "W-008", "W-040"]]).all()
    )
    first = ledgers[ledgers["worker_id"] == "W-051"].iloc[0]
    assert first["opening_cents"] * 15 % 1000 == 500, "W-051's first interest is exactly half a cent over"


def test_every_account_has_valid_iban_check_digits_and_shared_accounts_are_written_messily():
    payroll = case.load_payroll()
    statements = case.load_statements()
    for account in [*payroll["account"], *statements["account"], *statements["counterparty"]]:
        if account[:2].isalpha() and account[2:4].isdigit():
            assert _mod97(account) == 1, account
    forms = payroll.groupby(payroll["account"].str.replace(" ", "").str.upper())["account"].nunique()
    assert forms.max() >= 3, "one shared account is typed in several ways"
    assert payroll["amount_cents"].dtype == "int64" and (payroll["amount_cents"] > 0).all()
    assert str(statements["booked_at"].dt.tz) == "UTC"


def test_regenerating_writes_the_committed_files(tmp_path):
    from spmu.case_generators.trafficking_in_human_beings import generate

    generate(tmp_path)
    assert data.read_manifest(tmp_path) == data.read_manifest(data.data_dir(MODULE))


def test_a_corrupted_case_file_is_refused_by_name(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(MODULE), copy)
    monkeypatch.setattr(data, "data_dir", lambda module: copy)
    frame = pd.read_csv(copy / "payroll.csv")
    frame.loc[0, "amount_cents"] += 1
    frame.to_csv(copy / "payroll.csv", index=False)
    with pytest.raises(data.CaseFileError, match="payroll.csv"):
        case.load_payroll()
