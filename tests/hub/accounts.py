"""Real OS accounts for the hub tier (root only): made with ``spmu hub`` code, removed afterwards, and a way
to run a command as one of them (``setpriv`` with that user's own groups, nothing of root's)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from spmu.hub import add_accounts, prepare_exchange

REPO = Path(__file__).resolve().parents[2]
# the venv the hub's accounts run (`make hub-env` builds it from a Python every user can run)
VENV_BIN = Path(os.environ.get("SPMU_HUB_VENV", REPO / ".venv-hub")) / "bin"


@dataclass
class Site:
    """Accounts, passwords and folders of one test hub site."""

    base: Path
    trainees: list[str]
    instructor: str
    groups: tuple[str, str]
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def course(self) -> Path:
        return self.base / "course"

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def env(self, user: str, **extra: str) -> dict[str, str]:
        """The environment the hub gives ``user``'s server (see hub/jupyterhub_config.py)."""
        role = "instructor" if user == self.instructor else "trainee"
        env = {
            "HOME": str(self.home(user)),
            "USER": user,
            "PATH": f"{VENV_BIN}:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": str(REPO / "hub" / role),
            "SPMU_EXCHANGE": str(self.exchange),
            "MPLBACKEND": "Agg",
            "LANG": "C.UTF-8",
        }
        env.update(extra)
        return env

    def run(self, user: str, *argv: str | Path, cwd: Path | None = None, check: bool = True, **env: str):
        """Run ``argv`` as ``user`` (their uid, gid and groups) with the environment of their hub server."""
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *map(str, argv)]
        done = subprocess.run(
            command,
            cwd=cwd or self.home(user),
            env=self.env(user, **env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{argv} as {user} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        return done


def make_site(trainees: int = 2) -> Site:
    """New OS accounts (trainees and one instructor, in groups of their own), an exchange and a site folder."""
    if not (VENV_BIN / "python").exists():
        raise AssertionError(f"{VENV_BIN.parent} is missing: run `make hub-env` first (.ci/run does)")
    tag = "spt" + secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="spmu-hub-"))
    base.chmod(0o711)
    site = Site(
        base,
        [f"{tag}{chr(ord('a') + n)}" for n in range(trainees)],
        f"{tag}i",
        (f"{tag}-trainees", f"{tag}-instructors"),
    )
    import csv

    for accounts, group, name in (
        (site.trainees, site.groups[0], "t"),
        ([site.instructor], site.groups[1], "i"),
    ):
        passwords = base / f"passwords-{name}.csv"
        add_accounts(accounts, group, passwords)
        with open(passwords, newline="") as handle:
            site.passwords.update({row["account"]: row["password"] for row in csv.DictReader(handle)})
    prepare_exchange(site.exchange)
    return site


def remove_site(site: Site) -> None:
    """Remove the accounts (with their homes and processes), their groups and the site folder."""
    for user in [*site.trainees, site.instructor]:
        subprocess.run(["pkill", "-KILL", "-u", user], check=False, capture_output=True)
        subprocess.run(["userdel", "--remove", user], check=False, capture_output=True)
    for group in site.groups:
        subprocess.run(["groupdel", group], check=False, capture_output=True)
    if os.environ.get("SPMU_KEEP_HUB_LOGS"):
        for log in site.base.glob("hub-*.log"):
            shutil.copy(log, Path(os.environ["SPMU_KEEP_HUB_LOGS"]) / log.name)
    shutil.rmtree(site.base, ignore_errors=True)


def autograde(site: Site, assignment: str, workers: int = 2):
    """``spmu autograde`` as the instructor's OS user (as on the hub: no root). Without control groups for that
    user (no cgroup delegation: see tests/hostile/README.md) it grades with every other defence and says so in
    exactly one warning line, checked here; with them, in none."""
    spmu = [VENV_BIN / "spmu", "--course", site.course]
    problem = site.run(site.instructor, VENV_BIN / "python", "-c",
                       "from spmu.grading.sandbox_cgroup import cgroup_problem; print(cgroup_problem() or '')",
                       ).stdout.strip()  # fmt: skip
    done = site.run(site.instructor, *spmu, "autograde", assignment, "--workers", str(workers))
    warnings = [line for line in done.stderr.splitlines() if "GRADING WITHOUT CONTROL GROUPS" in line]
    assert len(warnings) == (1 if problem else 0), (problem, done.stderr)
    return done
