"""The spmu command line: useful help, one-line errors and non-zero exits (run as a real subprocess)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from spmu.cli import spmu

SPMU = [sys.executable, "-c", "from spmu.cli import main; main()"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SPMU, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("spmu: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("command", [None, *sorted(spmu.commands)])
def test_every_help_explains_the_command(command: str | None):
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0 and "Usage: " in result.stdout
    assert len(result.stdout.split()) > 25, result.stdout  # a real explanation, not just the usage line


def test_missing_course_directory(tmp_path: Path):
    assert_one_line_error(run("--course", str(tmp_path / "nowhere"), "export"), "does not exist")
    assert_one_line_error(run("export", cwd=tmp_path), "is not a course directory", "nbgrader_config.py")


def test_unknown_assignment(released_toy: Path):
    assert_one_line_error(
        run("--course", str(released_toy), "autograde", "nope"),
        "unknown assignment 'nope'",
        "known assignments: toy",
    )
    assert_one_line_error(run("--course", str(released_toy), "release", "nope"), "unknown assignment 'nope'")


def test_zip_with_parent_paths_is_rejected_and_exits_non_zero(toy_copy: Path, tmp_path: Path):
    archive = tmp_path / "upload.zip"
    notebook = (toy_copy / "release" / "toy" / "01_toy.ipynb").read_bytes()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../evil/01_toy.ipynb", notebook)
        bundle.writestr("trainee01/01_toy.ipynb", notebook)
    result = run("--course", str(toy_copy), "collect", "toy", str(archive))
    assert "rejected ../../evil/01_toy.ipynb: path traversal" in result.stderr
    assert_one_line_error(result, "1 file(s) rejected")
    assert (toy_copy / "grading" / "submitted" / "trainee01" / "toy" / "01_toy.ipynb").is_file()
    assert not (tmp_path.parent / "evil").exists()


def test_corrupt_gradebook(toy_copy: Path):
    (toy_copy / "grading" / "gradebook.db").write_bytes(b"this is not SQLite" * 100)
    assert_one_line_error(
        run("--course", str(toy_copy), "export", "-o", str(toy_copy / "g.csv")), "gradebook", "corrupt"
    )


def test_locked_gradebook(toy_copy: Path):
    holder = sqlite3.connect(toy_copy / "grading" / "gradebook.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_one_line_error(
            run("--course", str(toy_copy), "report", "-o", str(toy_copy / "r.html")), "gradebook", "locked"
        )
    finally:
        holder.rollback()
        holder.close()


def test_check_passes_on_a_good_course_and_fails_on_a_stale_release(toy_copy: Path):
    assert run("--course", str(toy_copy), "check").returncode == 0
    released = toy_copy / "release" / "toy" / "01_toy.ipynb"
    text = released.read_text().replace("Toy exercise", "Edited by hand")
    released.write_text(
        text.replace("triple(2) == 6", 'triple(-7) == -21, \\"toy hidden check on a negative number\\"')
    )
    result = run("--course", str(toy_copy), "check", "--no-execute")
    assert result.returncode == 1 and "out of date with source/" in result.stdout
    assert "leaks hidden test line 'assert triple(-7) == -21" in result.stdout
