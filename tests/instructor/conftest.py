"""Fixtures for the instructor tools: a toy course, released once per module (nbgrader
generate_assignment)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from instructor_toy_course import make_toy_course
from spmu.release import release


@pytest.fixture(scope="module")
def released_toy(tmp_path_factory) -> Path:
    """A toy course with release/ generated; tests that change it must copy it first (see ``toy_copy``)."""
    root = make_toy_course(tmp_path_factory.mktemp("toy") / "course")
    release(root)
    return root


@pytest.fixture
def toy_copy(released_toy: Path, tmp_path: Path) -> Path:
    """A private copy of the released toy course, gradebook included."""
    copy = tmp_path / "course"
    shutil.copytree(released_toy, copy)
    return copy
