"""spmu collect: folder and zip input, one rejection per bad file, re-collecting replaces one trainee only."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest
from instructor_toy_course import make_toy_course, toy_notebook

from spmu.collect import collect
from spmu.course import CourseError


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return make_toy_course(tmp_path / "course")


def notebook_bytes(marker: str = "") -> bytes:
    notebook = toy_notebook()
    notebook.cells[0].source += marker
    return nbformat.writes(notebook).encode()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    return path


def submitted(course: Path, trainee: str) -> Path:
    return course / "grading" / "submitted" / trainee / "toy"


def test_zip_rejects_each_bad_entry_with_a_reason_and_collects_the_rest(course: Path, tmp_path: Path):
    good = notebook_bytes("trainee01's work")
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            "trainee01/01_toy.ipynb": good,
            "../escape/01_toy.ipynb": notebook_bytes(),
            "trainee02/../../etc/01_toy.ipynb": notebook_bytes(),
            "/abs/01_toy.ipynb": notebook_bytes(),
            "trainee03/02_other.ipynb": notebook_bytes(),
            "trainee04/notes.txt": b"hello",
            "bad id!/01_toy.ipynb": notebook_bytes(),
            "loose.ipynb": notebook_bytes(),
        },
    )
    outcome = collect(course, "toy", archive)
    assert sorted(outcome.collected) == ["trainee01"]
    reasons = {r.entry: r.reason for r in outcome.rejected}
    assert "path traversal" in reasons["../escape/01_toy.ipynb"]
    assert "path traversal" in reasons["trainee02/../../etc/01_toy.ipynb"]
    assert "path traversal" in reasons["/abs/01_toy.ipynb"]
    assert "unknown notebook name" in reasons["trainee03/02_other.ipynb"]
    assert "not a notebook" in reasons["trainee04/notes.txt"]
    assert "invalid trainee id" in reasons["bad id!/01_toy.ipynb"]
    assert "<trainee_id>/<notebook>.ipynb" in reasons["loose.ipynb"]
    assert all("\n" not in reason for reason in reasons.values())
    assert not (tmp_path / "escape").exists() and not (course / "grading" / "escape").exists()
    assert (submitted(course, "trainee01") / "01_toy.ipynb").read_bytes() == good
    assert (submitted(course, "trainee01") / "timestamp.txt").read_text().endswith("UTC")


def test_recollecting_replaces_only_that_trainee(course: Path, tmp_path: Path):
    first = tmp_path / "first"
    for trainee in ("trainee01", "trainee02"):
        (first / trainee).mkdir(parents=True)
        (first / trainee / "01_toy.ipynb").write_bytes(notebook_bytes("version 1"))
    collect(course, "toy", first)
    second = tmp_path / "second"
    (second / "trainee01").mkdir(parents=True)
    (second / "trainee01" / "01_toy.ipynb").write_bytes(notebook_bytes("version 2"))
    collect(course, "toy", second)
    assert b"version 2" in (submitted(course, "trainee01") / "01_toy.ipynb").read_bytes()
    assert b"version 1" in (submitted(course, "trainee02") / "01_toy.ipynb").read_bytes()


def test_trainee_timestamp_file_is_kept_in_nbgrader_format(course: Path, tmp_path: Path):
    folder = tmp_path / "in" / "trainee01"
    folder.mkdir(parents=True)
    (folder / "01_toy.ipynb").write_bytes(notebook_bytes())
    (folder / "timestamp.txt").write_text("2026-03-05T10:00:00+02:00")
    collect(course, "toy", tmp_path / "in")
    assert (submitted(course, "trainee01") / "timestamp.txt").read_text() == "2026-03-05 08:00:00.000000 UTC"


def test_unknown_assignment_and_missing_input_are_clear_errors(course: Path, tmp_path: Path):
    with pytest.raises(CourseError, match="unknown assignment 'nope'.*known assignments: toy"):
        collect(course, "nope", tmp_path)
    with pytest.raises(CourseError, match="does not exist"):
        collect(course, "toy", tmp_path / "missing.zip")
    (tmp_path / "fake.zip").write_text("not a zip")
    with pytest.raises(CourseError, match="neither a folder nor a .zip"):
        collect(course, "toy", tmp_path / "fake.zip")
