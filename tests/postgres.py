"""A throwaway PostgreSQL cluster for tests: Debian's initdb and pg_ctl, a Unix socket in a private temporary
folder, no TCP listener, stopped and deleted afterwards.

initdb refuses to run as root, so under root (CI containers) the cluster belongs to the ``postgres`` system user
(installed with Debian's ``postgresql`` package), else to ``nobody``; root still reaches the socket.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SUPERUSER = "spmu_test"


def pg_bin(name: str) -> Path | None:
    """The newest installed PostgreSQL server program ``name`` (``None`` if PostgreSQL is not installed)."""
    for folder in BIN_DIRS:
        if (folder / name).is_file():
            return folder / name
    found = shutil.which(name)
    return Path(found) if found else None


@dataclass
class Cluster:
    """A running cluster: ``url(database)`` gives SQLAlchemy URLs for it."""

    base: Path
    owner: str | None

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        """A new empty database ``name``; returns its URL."""
        import psycopg2

        connection = psycopg2.connect(dbname="postgres", user=SUPERUSER, host=str(self.socket_dir))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def _run(self, *argv: str | Path) -> subprocess.CompletedProcess:
        user = {"user": self.owner} if self.owner else {}
        return subprocess.run(
            [str(a) for a in argv], check=True, capture_output=True, text=True, cwd=self.base, **user
        )

    def stop(self) -> None:
        try:
            self._run(pg_bin("pg_ctl"), "-D", self.data_dir, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start, listening only on a Unix socket in a new temporary folder."""
    owner = None
    if os.geteuid() == 0:
        owner = "postgres" if _user_exists("postgres") else "nobody"
    base = Path(tempfile.mkdtemp(prefix="spmu-pg-"))
    cluster = Cluster(base, owner)
    cluster.socket_dir.mkdir()
    if owner:
        entry = pwd.getpwnam(owner)
        for path in (base, cluster.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    try:
        cluster._run(
            pg_bin("initdb"), "-D", cluster.data_dir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "-N"
        )
        cluster._run(
            pg_bin("pg_ctl"), "-D", cluster.data_dir, "-l", base / "server.log", "-w", "-t", "60",
            "-o", f"-c listen_addresses='' -k {cluster.socket_dir} -c fsync=off -c max_connections=40",
            "start",
        )  # fmt: skip
    except Exception:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return cluster


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
