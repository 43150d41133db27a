"""``spmu hub ...``: accounts and folders for the course hub (hub/jupyterhub_config.py).

Every trainee is an OS user in the trainees group, with a private home folder (mode 0700) and a random
password that PAM checks when they log in to JupyterHub; instructors are OS users in the instructors group.
Rosters are checked whole before any account is made, so a bad roster changes nothing; accounts that exist
already are left as they are (password included).
"""

from __future__ import annotations

import csv
import grp
import os
import pwd
import re
import secrets
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click

from .course import CourseError

TRAINEES_GROUP = os.environ.get("SPMU_TRAINEES_GROUP", "spmu-trainees")
INSTRUCTORS_GROUP = os.environ.get("SPMU_INSTRUCTORS_GROUP", "spmu-instructors")
# an OS user name that is also a valid nbgrader student id (no '+', which the exchange uses as a separator)
ACCOUNT_ID = re.compile(r"[a-z][a-z0-9_-]{0,31}")
ID_RULE = "lower-case letters, digits, '-' and '_', starting with a letter, at most 32 characters"


@dataclass
class AccountsOutcome:
    """Accounts created (their passwords are in the passwords file) and accounts that existed already."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def read_roster(path: Path) -> list[str]:
    """Trainee ids from a CSV roster with a ``trainee_id`` column (other columns are ignored), checked whole:
    a :class:`CourseError` names the first invalid or duplicate id and its line."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CourseError(f"roster {path} cannot be read: {error}") from None
    if "trainee_id" not in header:
        raise CourseError(f"roster {path} has no 'trainee_id' column (first line: the column names)")
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        trainee = (row.get("trainee_id") or "").strip()
        if not ACCOUNT_ID.fullmatch(trainee):
            raise CourseError(f"roster {path} line {line}: {trainee!r} is not a valid trainee id ({ID_RULE})")
        if trainee in seen:
            raise CourseError(
                f"roster {path} line {line}: trainee id {trainee!r} is already on line {seen[trainee]}"
            )
        seen[trainee] = line
    if not seen:
        raise CourseError(f"roster {path} lists no trainee")
    return list(seen)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise CourseError("creating OS accounts needs root: run this command with sudo")


def _run(*argv: str, stdin: str | None = None) -> None:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise CourseError(f"{argv[0]} failed: {detail[-1] if detail else f'exit status {done.returncode}'}")


def ensure_group(name: str) -> None:
    """Create the OS group ``name`` if it does not exist."""
    try:
        grp.getgrnam(name)
    except KeyError:
        _run("groupadd", name)


def _member(user: str, group: str) -> bool:
    entry = grp.getgrnam(group)
    return user in entry.gr_mem or pwd.getpwnam(user).pw_gid == entry.gr_gid


def add_accounts(ids: list[str], group: str, passwords: Path) -> AccountsOutcome:
    """Create one OS user per id in ``group`` (home 0700, random password written to ``passwords``, a new file
    readable by root only). Refuses, before creating anything, an id that belongs to an OS user outside
    ``group`` (such as ``root``) and an existing ``passwords`` file."""
    _require_root()
    outcome = AccountsOutcome()
    ensure_group(group)
    for account in ids:
        try:
            pwd.getpwnam(account)
        except KeyError:
            continue
        if not _member(account, group):
            raise CourseError(f"{account!r} is an existing OS user outside group {group}: choose another id")
        outcome.existing.append(account)
    new = [account for account in ids if account not in outcome.existing]
    if not new:
        return outcome
    try:
        handle = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CourseError(f"{passwords} exists already: choose a new file for the passwords") from None
    except OSError as error:
        raise CourseError(f"{passwords} cannot be written: {error.strerror}") from None
    with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["account", "password"])
        for account in new:
            _run(
                "useradd",
                "--create-home",
                "--user-group",
                "--groups",
                group,
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                f"spmu {group}",
                account,
            )
            home = Path(pwd.getpwnam(account).pw_dir)
            home.chmod(0o700)
            password = secrets.token_urlsafe(12)
            _run("chpasswd", stdin=f"{account}:{password}\n")
            writer.writerow([account, password])
            out.flush()  # an account made is never without its password on disk, even if a later one fails
            outcome.created.append(account)
    return outcome


def prepare_exchange(exchange: Path) -> Path:
    """The exchange root as nbgrader's docs ask (everyone may create folders in it) with the sticky bit, so no
    trainee can rename or delete the course's folder or another trainee's."""
    _require_root()
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o777 | stat.S_ISVTX)
    return exchange


# ----------------------------------------------------------------------------------------- command line
@click.group("hub")
def hub_group() -> None:
    """Accounts and folders for the course's JupyterHub (see README.md, "Run it for a cohort"). Run as root."""


@hub_group.command("add-trainees")
@click.argument("roster", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--passwords",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="New CSV file (mode 0600) for the initial passwords of the accounts created.",
)
def add_trainees_command(roster: Path, passwords: Path) -> None:
    """Create an OS account for every trainee in ROSTER (a CSV with a trainee_id column)."""
    _report(add_accounts(read_roster(roster), TRAINEES_GROUP, passwords), TRAINEES_GROUP, passwords)


@hub_group.command("add-instructors")
@click.argument("accounts", nargs=-1, required=True)
@click.option("--passwords", type=click.Path(path_type=Path, dir_okay=False), required=True)
def add_instructors_command(accounts: tuple[str, ...], passwords: Path) -> None:
    """Create OS accounts for instructors (they get the course folder and the formgrader on the hub)."""
    for account in accounts:
        if not ACCOUNT_ID.fullmatch(account):
            raise CourseError(f"{account!r} is not a valid account name ({ID_RULE})")
    _report(
        add_accounts(list(dict.fromkeys(accounts)), INSTRUCTORS_GROUP, passwords),
        INSTRUCTORS_GROUP,
        passwords,
    )


@hub_group.command("prepare")
@click.option(
    "--exchange",
    type=click.Path(path_type=Path, file_okay=False),
    default=lambda: os.environ.get("SPMU_EXCHANGE", "/srv/spmu/exchange"),
    show_default="$SPMU_EXCHANGE or /srv/spmu/exchange",
)
def prepare_command(exchange: Path) -> None:
    """Create the trainees' and instructors' groups and nbgrader's exchange folder."""
    _require_root()
    for group in (TRAINEES_GROUP, INSTRUCTORS_GROUP):
        ensure_group(group)
    click.echo(f"groups {TRAINEES_GROUP}, {INSTRUCTORS_GROUP}; exchange {prepare_exchange(exchange)}")


def _report(outcome: AccountsOutcome, group: str, passwords: Path) -> None:
    click.echo(f"created {len(outcome.created)} account(s) in {group}, passwords in {passwords}")
    if outcome.existing:
        click.echo(f"already there, unchanged: {', '.join(outcome.existing)}")
