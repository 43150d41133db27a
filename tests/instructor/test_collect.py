"""spmu collect: folder and zip input, one rejection per bad file (path traversal, symbolic links, invalid
ids, corrupt members, zip bombs), bounded memory, the collection time as submission time, re-collecting
replaces one trainee only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from instructor_toy_course import make_toy_course, toy_notebook

import spmu.collect
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


def test_collection_time_is_recorded_and_the_trainees_own_timestamp_is_ignored(course: Path, tmp_path: Path):
    folder = tmp_path / "in" / "trainee01"
    folder.mkdir(parents=True)
    (folder / "01_toy.ipynb").write_bytes(notebook_bytes())
    (folder / "timestamp.txt").write_text("2026-03-05T10:00:00+02:00")  # before the due date: a forged time
    outcome = collect(course, "toy", tmp_path / "in", now=datetime(2026, 3, 9, 12, 30, tzinfo=UTC))
    assert (submitted(course, "trainee01") / "timestamp.txt").read_text() == "2026-03-09 12:30:00.000000 UTC"
    assert [(i.entry, "not trusted" in i.reason) for i in outcome.ignored] == [
        ("trainee01/timestamp.txt", True)
    ]
    assert outcome.rejected == [] and outcome.collected == {"trainee01": ["01_toy.ipynb"]}


def test_trainee_ids_are_checked_whole(course: Path, tmp_path: Path):
    for trainee in ("trainee01\n", "trainee02 ", "trainee03"):
        (tmp_path / "in" / trainee).mkdir(parents=True)
        (tmp_path / "in" / trainee / "01_toy.ipynb").write_bytes(notebook_bytes())
    outcome = collect(course, "toy", tmp_path / "in")
    assert sorted(outcome.collected) == ["trainee03"]
    assert {r.entry for r in outcome.rejected if "invalid trainee id" in r.reason} == {
        "trainee01\n/01_toy.ipynb",
        "trainee02 /01_toy.ipynb",
    }
    assert sorted(p.name for p in (course / "grading" / "submitted").iterdir()) == ["trainee03"]


def test_symbolic_links_are_rejected_in_folders_and_zips(course: Path, tmp_path: Path):
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(notebook_bytes("instructor's own file"))
    (tmp_path / "in" / "trainee01").mkdir(parents=True)
    (tmp_path / "in" / "trainee01" / "01_toy.ipynb").symlink_to(secret)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "01_toy.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "in" / "trainee02").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "in" / "trainee03").mkdir()
    (tmp_path / "in" / "trainee03" / "01_toy.ipynb").write_bytes(notebook_bytes())
    outcome = collect(course, "toy", tmp_path / "in")
    assert sorted(outcome.collected) == ["trainee03"]
    assert {r.entry: r.reason for r in outcome.rejected} == {
        "trainee01/01_toy.ipynb": "a symbolic link",
        "trainee02": "a symbolic link",
    }

    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        link = zipfile.ZipInfo("trainee04/01_toy.ipynb")
        link.external_attr = 0o120777 << 16  # a symbolic link member, as `zip --symlinks` stores it
        bundle.writestr(link, "../../secret.ipynb")
        bundle.writestr("trainee05/01_toy.ipynb", notebook_bytes())
    outcome = collect(course, "toy", archive)
    assert sorted(outcome.collected) == ["trainee05"]
    assert [(r.entry, r.reason) for r in outcome.rejected] == [("trainee04/01_toy.ipynb", "a symbolic link")]
    assert not submitted(course, "trainee04").exists()


def corrupt_member(archive: Path, name: str) -> None:
    """Overwrite the middle of one member's compressed bytes (its CRC or inflate then fails)."""
    with zipfile.ZipFile(archive) as bundle:
        info = bundle.getinfo(name)
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + info.compress_size - 10):
        data[offset] ^= 0x5A
    archive.write_bytes(bytes(data))


def test_a_corrupt_member_is_rejected_alone(course: Path, tmp_path: Path):
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("trainee01/01_toy.ipynb", notebook_bytes("first"))
        bundle.writestr("trainee02/01_toy.ipynb", notebook_bytes("second " * 2000))
        bundle.writestr("trainee03/01_toy.ipynb", notebook_bytes("third"))
    corrupt_member(archive, "trainee02/01_toy.ipynb")
    outcome = collect(course, "toy", archive)
    assert sorted(outcome.collected) == ["trainee01", "trainee03"]
    [rejection] = outcome.rejected
    assert rejection.entry == "trainee02/01_toy.ipynb" and rejection.reason.startswith("cannot be read (")
    assert not submitted(course, "trainee02").exists()
    assert b"third" in (submitted(course, "trainee03") / "01_toy.ipynb").read_bytes()


def test_a_member_holding_more_than_its_declared_size_is_rejected_alone(course: Path, tmp_path: Path):
    archive = tmp_path / "lying.zip"
    with zipfile.ZipFile(archive, "w") as bundle:  # stored: the data follows its header unchanged
        bundle.writestr("trainee01/01_toy.ipynb", notebook_bytes("the real notebook"))
        bundle.writestr("trainee02/01_toy.ipynb", notebook_bytes())
    with zipfile.ZipFile(archive) as bundle:
        info = bundle.getinfo("trainee01/01_toy.ipynb")
    data = bytearray(archive.read_bytes())
    declared = (info.file_size).to_bytes(4, "little")
    small = (100).to_bytes(4, "little")
    local = info.header_offset
    assert data[local + 22 : local + 26] == declared
    data[local + 22 : local + 26] = small  # the local header, then the central directory entry
    central = data.index(b"PK\x01\x02")
    assert data[central + 24 : central + 28] == declared
    data[central + 24 : central + 28] = small
    archive.write_bytes(bytes(data))
    outcome = collect(course, "toy", archive)
    assert sorted(outcome.collected) == ["trainee02"]
    assert [r.entry for r in outcome.rejected] == ["trainee01/01_toy.ipynb"]
    assert outcome.rejected[0].reason.startswith("cannot be read (")


def test_a_file_that_grows_beyond_its_size_while_read_is_not_kept(tmp_path: Path):
    target = tmp_path / "out.ipynb"
    with pytest.raises(spmu.collect.TooLarge):
        spmu.collect._copy_capped(io.BytesIO(b"x" * 5000), target, cap=4096)
    assert not target.exists()
    assert spmu.collect._copy_capped(io.BytesIO(b"x" * 4096), target, cap=4096) == 4096


def write_zeros(bundle: zipfile.ZipFile, name: str, megabytes: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with bundle.open(info, "w", force_zip64=True) as member:
        for _ in range(megabytes):
            member.write(bytes(1 << 20))


def make_bomb(path: Path, members: int, megabytes: int) -> Path:
    """A small zip of ``members`` valid-looking notebooks of zeros, each ``megabytes`` MB uncompressed."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for n in range(members):
            write_zeros(bundle, f"bomb{n:02d}/01_toy.ipynb", megabytes)
        bundle.writestr("trainee01/01_toy.ipynb", notebook_bytes())
    return path


def test_zip_bomb_members_are_refused_without_reading_them(course: Path, tmp_path: Path):
    archive = make_bomb(tmp_path / "bomb.zip", members=2, megabytes=40)
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as bundle:
        write_zeros(bundle, "huge01/01_toy.ipynb", 60)  # over the 50 MB cap for one file
    assert archive.stat().st_size < 1_000_000
    outcome = collect(course, "toy", archive)
    assert sorted(outcome.collected) == ["trainee01"]
    reasons = {r.entry: r.reason for r in outcome.rejected}
    assert "zip bomb" in reasons["bomb00/01_toy.ipynb"] and "zip bomb" in reasons["bomb01/01_toy.ipynb"]
    assert "larger than 50 MB" in reasons["huge01/01_toy.ipynb"]
    assert not any(p.name.startswith(".collecting") for p in (course / "grading").iterdir())


def test_the_whole_input_has_a_size_cap(course: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(spmu.collect, "MAX_TOTAL_BYTES", len(notebook_bytes()) + 10)
    for trainee in ("trainee01", "trainee02"):
        (tmp_path / "in" / trainee).mkdir(parents=True)
        (tmp_path / "in" / trainee / "01_toy.ipynb").write_bytes(notebook_bytes())
    outcome = collect(course, "toy", tmp_path / "in")
    assert sorted(outcome.collected) == ["trainee01"]
    assert [r.entry for r in outcome.rejected] == ["trainee02/01_toy.ipynb"]
    assert "not collected" in outcome.rejected[0].reason


PEAK_MEMORY_SCRIPT = """
import json, resource, sys
from pathlib import Path
from spmu.collect import collect
outcome = collect(Path(sys.argv[1]), "toy", Path(sys.argv[2]))
print(json.dumps({"collected": sorted(outcome.collected), "rejected": len(outcome.rejected),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak_collect(course: Path, archive: Path) -> dict:
    """Collect ``archive`` in a fresh process; what it collected and its peak resident memory."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_SCRIPT, str(course), str(archive)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(spmu.collect.__file__).parents[1])},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_collecting_a_zip_bomb_stays_in_bounded_memory(course: Path, tmp_path: Path):
    """A safety bound, not a timing: 12 members of 40 MB of zeros (a 0.5 MB zip) once peaked near 500 MB more
    than collecting the one honest notebook alone. The bound is on that difference, so it does not depend on
    what importing the instructor tools costs on a given machine."""
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("trainee01/01_toy.ipynb", notebook_bytes())
    baseline = peak_collect(course, honest)
    report = peak_collect(course, make_bomb(tmp_path / "bomb.zip", members=12, megabytes=40))
    assert report["peak_mb"] - baseline["peak_mb"] < 100, (baseline, report)
    assert report["collected"] == ["trainee01"] and report["rejected"] == 12


def test_unknown_assignment_and_missing_input_are_clear_errors(course: Path, tmp_path: Path):
    with pytest.raises(CourseError, match="unknown assignment 'nope'.*known assignments: toy"):
        collect(course, "nope", tmp_path)
    with pytest.raises(CourseError, match="does not exist"):
        collect(course, "toy", tmp_path / "missing.zip")
    (tmp_path / "fake.zip").write_text("not a zip")
    with pytest.raises(CourseError, match="neither a folder nor a .zip"):
        collect(course, "toy", tmp_path / "fake.zip")
