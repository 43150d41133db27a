"""Fixtures of the hub tier: a throwaway PostgreSQL cluster and the toy course of the instructor tests."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# the toy course and its simulated cohort are shared with tests/instructor (a folder of plain modules)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "instructor"))

from postgres import Cluster, pg_bin, start_cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the session (Unix socket only), stopped and deleted at the end."""
    if pg_bin("initdb") is None:
        pytest.fail(
            "PostgreSQL server programs not found: install Debian's 'postgresql' package (.ci/run does)"
        )
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebook_url(request, tmp_path: Path, monkeypatch) -> str:
    """``$SPMU_DB_URL`` for the test: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gradebook-elsewhere.db'}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database(f"spmu_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("SPMU_DB_URL", url)
    return url
