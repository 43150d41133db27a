"""Fixtures of the hub tier: a gradebook URL on SQLite or on the session's PostgreSQL cluster (tests/conftest.py),
and the toy course of the instructor tests."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

# the toy course and its simulated cohort are shared with tests/instructor (a folder of plain modules)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "instructor"))


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
