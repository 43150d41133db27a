"""Shared test settings: headless plotting and the venv's executables on PATH (nbgrader shells out to alembic);
one throwaway PostgreSQL cluster for the tiers that test the gradebook on PostgreSQL (pipeline, hub)."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import Cluster, pg_bin, start_cluster

os.environ.setdefault("MPLBACKEND", "Agg")
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

COURSE_ROOT = Path(__file__).resolve().parent.parent

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the session (Unix socket only), stopped and deleted at the end. Without
    PostgreSQL's server programs: skipped, but FAILED under CI (CI=true), where .ci/run installs them."""
    if pg_bin("initdb") is None:
        message = "PostgreSQL server programs not found: install Debian's 'postgresql' package (.ci/run does)"
        (pytest.fail if IN_CI else pytest.skip)(message)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
