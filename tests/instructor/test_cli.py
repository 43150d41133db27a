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
    return subprocess.run([*SPMU, *args], check=False, capture_output=True, text=True, cwd=cwd, timeout=120)


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
    assert "rejected '../../evil/01_toy.ipynb': path traversal" in result.stderr
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


def test_collect_lists_a_trainees_timestamp_as_ignored_and_succeeds(toy_copy: Path, tmp_path: Path):
    folder = tmp_path / "in" / "trainee01"
    folder.mkdir(parents=True)
    (folder / "01_toy.ipynb").write_bytes((toy_copy / "release" / "toy" / "01_toy.ipynb").read_bytes())
    (folder / "timestamp.txt").write_text("2020-01-01 00:00:00.000000 UTC")
    result = run("--course", str(toy_copy), "collect", "toy", str(tmp_path / "in"))
    assert result.returncode == 0, result.stderr
    assert "ignored 'trainee01/timestamp.txt': written by the trainee, not trusted" in result.stderr
    recorded = (toy_copy / "grading" / "submitted" / "trainee01" / "toy" / "timestamp.txt").read_text()
    assert not recorded.startswith("2020")


def test_collect_of_something_that_is_not_a_zip_is_a_one_line_error(toy_copy: Path, tmp_path: Path):
    (tmp_path / "upload.zip").write_bytes(b"PK\x03\x04 truncated")
    assert_one_line_error(
        run("--course", str(toy_copy), "collect", "toy", str(tmp_path / "upload.zip")),
        "neither a folder nor a .zip",
    )


def test_results_table_prints_ids_and_notes_with_rich_markup_as_plain_text():
    """A grade id or note holding Rich markup ([red], [/]) once crashed `spmu autograde` after grading."""
    from rich.console import Console

    from spmu.cli import _results_table
    from spmu.grading import GradeResult

    result = GradeResult("t[/]1", "toy", "grader_error", "cell [red]x[/] changed; [/] [bold", 1.0, 7.0, 2.0)
    console = Console(record=True, width=300)
    console.print(_results_table([result]))
    text = console.export_text()
    assert "t[/]1" in text and "cell [red]x[/] changed; [/] [bold" in text


def test_usage_mistakes_and_unwritable_outputs_are_one_line_errors(toy_copy: Path):
    result = run("--course", str(toy_copy), "collect", "toy")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["spmu: error: Missing argument 'PATH'. (see `spmu collect --help`)"]
    (toy_copy / "a_file").write_text("not a folder")
    assert_one_line_error(
        run("--course", str(toy_copy), "export", "-o", str(toy_copy / "a_file" / "grades.csv")), "a_file"
    )
