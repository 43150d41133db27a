"""The cybercrime case files hold the planted cases and bad inputs the exercises rely on; loaders refuse tampering."""

import email
import hashlib
import re
import shutil

import pytest

from courses import data
from courses.cybercrime import case

DOCUMENTATION_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:")


def test_case_data_stays_small():
    total = sum(p.stat().st_size for p in data.data_dir("cybercrime").rglob("*") if p.is_file())
    assert total < 1_000_000, f"case data is {total} bytes"


def test_auth_log_has_thousands_of_lines_non_utf8_bytes_and_only_documentation_addresses():
    raw = data.read_bytes("cybercrime", "auth.log")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    lines = case.load_auth_log()
    assert len(lines) > 3000
    assert sum("\ufffd" in line for line in lines) == 1, "the non-UTF-8 user name decodes with U+FFFD"
    addresses = {ip for line in lines for ip in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", line)}
    addresses |= {token.removeprefix("rhost=") for line in lines for token in line.split() if "::" in token}
    assert len(addresses) > 20
    assert {ip for ip in addresses if not ip.startswith(DOCUMENTATION_PREFIXES)} == set()
    assert any(
        line.startswith("Jan  1 00:02:41") and "Accepted password for deploy from 203.0.113.99" in line
        for line in lines
    ), "the planted intrusion just after midnight (year rollover)"


def test_messages_include_truncated_empty_and_non_utf8_exports():
    names = case.message_names()
    assert len(names) == 12
    assert case.load_message("12_empty_export.eml") == ""
    truncated = email.message_from_string(case.load_message("08_truncated_export.eml"))
    assert "Date" not in truncated and truncated.get_all("Received")[-1].rstrip().endswith("198.51.10")
    with pytest.raises(UnicodeDecodeError):
        data.read_bytes("cybercrime", "mail/10_latin1_booking.eml").decode("utf-8")
    assert "\ufffd" in case.load_message("10_latin1_booking.eml")
    for name in names:
        text = case.load_message(name)
        assert "@" not in text or all(
            domain.endswith(("example.com", "example.org", "example.net")) for domain in _domains(text)
        ), name


def _domains(text: str) -> set[str]:
    return {
        word.split("@")[1].strip(">,;\"'").lower() for word in text.split() if "@" in word and "." in word
    }


def test_usb_folder_has_about_thirty_placeholder_files_verified_against_the_manifest():
    folder = case.usb_folder()
    files = sorted(p.name for p in folder.iterdir())
    assert 28 <= len(files) <= 32
    assert (folder / "empty.pdf").read_bytes() == b"" and (folder / "letter.txt").read_bytes().startswith(
        b"PK "
    )
    for name in ["tool.exe", "invoice_INV-2291.pdf", "readme.txt"]:
        assert b"PLACEHOLDER for police training - not a program" in (folder / name).read_bytes()


def test_hash_lists_carry_the_planted_formats():
    lines = case.load_known_hashes()
    assert any(line.endswith("\r") for line in lines), "a Windows line ending"
    assert any(line.startswith("0x") for line in lines) and any(line.count(":") == 31 for line in lines)
    acquisition = case.load_acquisition_hashes()
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in case.usb_folder().iterdir()}
    assert set(acquisition) - set(now) == {"deleted_draft.docx"}
    changed = {name for name in now if acquisition[name].lower() != now[name]}
    assert changed == {"budget_2025.xlsx"}
    assert all(value == value.upper() for value in acquisition.values())


def test_other_loaders_shapes():
    logons = case.load_windows_logons()
    assert str(logons["TimeCreated"].dt.tz) == "UTC" and set(logons["EventID"]) == {4624, 4625, 4634}
    assert set(case.load_encoded_commands()) == {"ps_encoded", "bash_history", "cron_job", "portal_query"}
    events = case.load_key_events()
    assert [e["source"] for e in events].count("syslog") == 2 and len({e["event_id"] for e in events}) == len(
        events
    )
    assert any("deploy-notes.txt" in line for line in case.load_access_log())


def test_a_corrupted_case_file_is_refused_by_name(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir("cybercrime"), copy)
    monkeypatch.setattr(data, "data_dir", lambda module: copy)
    monkeypatch.setattr(case, "data_dir", lambda module: copy)
    with open(copy / "auth.log", "ab") as handle:
        handle.write(b"Jan  2 09:00:00 web1 sshd[1]: Accepted password for root from 192.0.2.1 port 1 ssh2\n")
    with pytest.raises(data.CaseFileError, match="auth.log"):
        case.load_auth_log()
    (copy / "seized_usb" / "tool.exe").write_bytes(b"swapped")
    with pytest.raises(data.CaseFileError, match="seized_usb/tool.exe"):
        case.usb_folder()
