"""Loaders for the case files of the Northgate Logistics intrusion, each checked against the SHA-256 manifest.

A changed or corrupted file raises :class:`courses.data.CaseFileError` naming it. Text files are decoded as
UTF-8 with ``errors="replace"``: a byte that is not UTF-8 (attackers send odd bytes) becomes U+FFFD instead
of stopping the notebook.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from courses.data import case_path, data_dir, load_csv, read_bytes, read_manifest

if TYPE_CHECKING:  # pandas is imported by the one loader that returns a DataFrame
    import pandas as pd

MODULE = "cybercrime"
USB_FOLDER = "seized_usb"
MAIL_FOLDER = "mail"


def _lines(name: str) -> list[str]:
    return read_bytes(MODULE, name).decode("utf-8", errors="replace").splitlines()


def load_auth_log() -> list[str]:
    """Lines of the SSH server's ``/var/log/auth.log`` (syslog, local time of Europe/Amsterdam, no year)."""
    return _lines("auth.log")


def load_access_log() -> list[str]:
    """Lines of the staff portal's Apache access log (combined log format)."""
    return _lines("access.log")


def load_windows_logons() -> pd.DataFrame:
    """Windows logon events (4624 success, 4625 failure, 4634 logoff); ``TimeCreated`` is UTC."""
    import pandas as pd

    logons = load_csv(MODULE, "windows_logons.csv", dtype={"IpAddress": str})
    logons["TimeCreated"] = pd.to_datetime(logons["TimeCreated"], utc=True)
    return logons


def message_names() -> list[str]:
    """File names of the exported e-mails, e.g. ``"01_invoice_overdue.eml"``."""
    prefix = f"{MAIL_FOLDER}/"
    return sorted(n.removeprefix(prefix) for n in read_manifest(data_dir(MODULE)) if n.startswith(prefix))


def load_message(name: str) -> str:
    """One exported e-mail (headers and body) as text, e.g. ``load_message("01_invoice_overdue.eml")``."""
    return read_bytes(MODULE, f"{MAIL_FOLDER}/{name}").decode("utf-8", errors="replace")


def usb_folder() -> Path:
    """Folder of the files copied from the seized USB stick, after checking every file against the manifest."""
    prefix = f"{USB_FOLDER}/"
    for name in read_manifest(data_dir(MODULE)):
        if name.startswith(prefix):
            case_path(MODULE, name)
    return data_dir(MODULE) / USB_FOLDER


def load_known_hashes() -> list[str]:
    """Lines of the reference hash set as received (messy on purpose: cases, prefixes, labels, ``\\r``)."""
    return read_bytes(MODULE, "known_hashes.txt").decode("utf-8", errors="replace").split("\n")


def load_acquisition_hashes() -> dict[str, str]:
    """File name -> SHA-256 written by the imaging tool when the USB stick was seized."""
    rows = csv.DictReader(io.StringIO(read_bytes(MODULE, "acquisition_hashes.csv").decode("utf-8")))
    return {row["file_name"]: row["sha256"] for row in rows}


def load_encoded_commands() -> dict[str, str]:
    """Label -> encoded command text recovered from the server and the portal log."""
    rows = csv.DictReader(
        io.StringIO(read_bytes(MODULE, "encoded_commands.tsv").decode("utf-8")), delimiter="\t"
    )
    return {row["label"]: row["text"] for row in rows}


def load_key_events() -> list[dict[str, str]]:
    """Key events of the incident: ``event_id``, ``source`` (mail, windows, apache, syslog), ``raw_time``, ``what``."""
    return json.loads(read_bytes(MODULE, "key_events.json"))
