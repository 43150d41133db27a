"""`spmu hub add-trainees`: a roster is checked whole, bad ones change nothing, existing accounts are kept."""

from __future__ import annotations

import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from spmu.course import CourseError
from spmu.hub import add_accounts, read_roster

root_only = pytest.mark.skipif(
    os.geteuid() != 0 and not os.environ.get("CI"), reason="makes OS accounts: root only (CI runs as root)"
)
COURSE = Path(__file__).resolve().parents[2]


def spmu(*argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from spmu.cli import main; main()", "--course", str(COURSE), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def shadow_entry(user: str) -> str:
    return next(line for line in Path("/etc/shadow").read_text().splitlines() if line.startswith(f"{user}:"))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["ok1", "Bob Smith"], "line 3: 'Bob Smith' is not a valid trainee id"),
        (["ok1", "ok2", "ok1"], "line 4: trainee id 'ok1' is already on line 2"),
        (["ok1", "a+b"], "line 3: 'a+b' is not a valid trainee id"),
        (["ok1", "../etc"], "line 3: '../etc' is not a valid trainee id"),
        (["ok1", ""], "line 3: '' is not a valid trainee id"),
    ],
)
def test_bad_roster_is_one_line_naming_the_line(tmp_path: Path, rows: list[str], message: str):
    roster = tmp_path / "roster.csv"
    roster.write_text("trainee_id,name\n" + "".join(f"{row},Someone\n" for row in rows))
    with pytest.raises(CourseError, match=message.replace("+", r"\+").replace(".", r"\.")):
        read_roster(roster)


def test_roster_without_the_column(tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nab1,A\n")
    with pytest.raises(CourseError, match="no 'trainee_id' column"):
        read_roster(roster)


@root_only
def test_add_trainees_keeps_what_exists_and_refuses_bad_input(tmp_path: Path):
    tag = "spr" + secrets.token_hex(3)
    group = f"{tag}-trainees"
    first, second, late = f"{tag}a", f"{tag}b", f"{tag}c"
    try:
        roster = tmp_path / "roster.csv"
        roster.write_text(f"trainee_id\n{first}\n{second}\n")
        done = spmu("hub", "add-trainees", str(roster), "--passwords", str(tmp_path / "p1.csv"),
                    SPMU_TRAINEES_GROUP=group)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert exists(first) and exists(second)
        assert (tmp_path / "p1.csv").stat().st_mode & 0o777 == 0o600
        assert (Path(pwd.getpwnam(first).pw_dir).stat().st_mode & 0o777) == 0o700
        kept = shadow_entry(first)

        # a duplicate in a later roster: one line, nothing created, nothing changed
        roster.write_text(f"trainee_id\n{first}\n{late}\n{late}\n")
        done = spmu("hub", "add-trainees", str(roster), "--passwords", str(tmp_path / "p2.csv"),
                    SPMU_TRAINEES_GROUP=group)  # fmt: skip
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("spmu: error: roster"), (
            done.stderr
        )
        assert not exists(late) and not (tmp_path / "p2.csv").exists()

        # an id that is a system account: refused before anything is made
        with pytest.raises(CourseError, match="'root' is an existing OS user outside group"):
            add_accounts([late, "root"], group, tmp_path / "p3.csv")
        assert not exists(late) and not (tmp_path / "p3.csv").exists()

        # the fixed roster: the new trainee is added, the existing ones keep their password
        roster.write_text(f"trainee_id\n{first}\n{second}\n{late}\n")
        done = spmu("hub", "add-trainees", str(roster), "--passwords", str(tmp_path / "p4.csv"),
                    SPMU_TRAINEES_GROUP=group)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "created 1 account(s)" in done.stdout and f"unchanged: {first}, {second}" in done.stdout
        assert shadow_entry(first) == kept
        assert [line.split(",")[0] for line in (tmp_path / "p4.csv").read_text().splitlines()] == [
            "account",
            late,
        ]
    finally:
        for user in (first, second, late):
            subprocess.run(["userdel", "--remove", user], check=False, capture_output=True)
        subprocess.run(["groupdel", group], check=False, capture_output=True)
