"""``spmu collect``: copy trainees' notebooks from a folder or a zip into nbgrader's submitted folder.

The input holds ``<trainee_id>/<notebook>.ipynb`` (as downloaded from an LMS or a shared drive). Every
entry is checked on its own: a bad one (path leaving the folder, symbolic link, unknown name, invalid id,
too large, corrupt or encrypted zip member, zip bomb) is rejected with a one-line reason and the rest is
collected. Files are streamed in bounded memory with a size cap per file and for the whole input, so a zip
bomb fills neither memory nor disk.

The submission time recorded (``timestamp.txt``, which nbgrader reads for late penalties) is the
collection time: a ``timestamp.txt`` in the input was written by the trainee, so it is ignored (listed, not
used). nbgrader's own ``nbgrader collect`` writes the exchange's timestamp instead; nothing here changes that.
Re-collecting a trainee replaces that trainee's submission only.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .course import CourseError, load_config, require_assignment

TRAINEE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # always used with fullmatch
TIMESTAMP_FILE = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's exchange writes this format
MAX_NOTEBOOK_BYTES = 50_000_000  # one file
MAX_TOTAL_BYTES = 1_000_000_000  # everything collected from one input
MAX_RATIO = 100  # a zip member expanding more than this, beyond RATIO_FLOOR_BYTES, is treated as a bomb
RATIO_FLOOR_BYTES = 5_000_000
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Rejection:
    """One input file that was not collected (or was ignored), and why (one plain line)."""

    entry: str
    reason: str


@dataclass
class CollectOutcome:
    """Which trainees were collected (with their notebook names), which entries were rejected, and which
    were ignored on purpose (a trainee's own ``timestamp.txt``)."""

    assignment: str
    collected: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    ignored: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One file of the input: its relative name, declared size, and how to open it (None: refused already,
    with ``problem`` saying why)."""

    name: str
    size: int
    open: Callable[[], AbstractContextManager[BinaryIO]] | None
    problem: str | None = None


class TooLarge(Exception):
    """A file turned out larger than the cap while it was read."""


def format_timestamp(moment: datetime) -> str:
    """A timestamp in nbgrader's ``timestamp.txt`` format (UTC)."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def expected_notebooks(root: Path, assignment: str) -> set[str]:
    """Notebook file names the assignment is made of (from ``release/``, else ``source/``)."""
    for folder in (root / "release" / assignment, root / "source" / assignment):
        names = {p.name for p in folder.glob("*.ipynb")}
        if names:
            return names
    return set()


def valid_trainee_id(trainee: str) -> bool:
    """True for a whole trainee id of letters, digits, '.', '_' or '-' (no trailing newline or space)."""
    return TRAINEE_ID.fullmatch(trainee) is not None


def _entries_from_folder(folder: Path) -> Iterator[Entry]:
    """Every file under ``folder`` (symbolic links are listed, refused, and never followed; an unreadable
    subfolder is listed as refused)."""
    unreadable: list[OSError] = []
    for directory, subfolders, files in os.walk(folder, followlinks=False, onerror=unreadable.append):
        here = Path(directory)
        for name in sorted(subfolders):
            if (here / name).is_symlink():
                yield Entry((here / name).relative_to(folder).as_posix(), 0, None, "a symbolic link")
        subfolders.sort()
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield Entry(relative, 0, None, "a symbolic link")
            elif not stat.S_ISREG(info.st_mode):
                yield Entry(relative, 0, None, "not a regular file")
            else:
                yield Entry(relative, info.st_size, lambda p=path: open(p, "rb"))  # noqa: SIM115 (caller uses with)
    for error in unreadable:
        name = Path(error.filename or folder).relative_to(folder).as_posix()
        yield Entry(name, 0, None, f"cannot be read ({error.strerror})")


def _zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is refused before it is read (symbolic link, encrypted, too large, a bomb)."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.flag_bits & 0x1:
        return "encrypted (password-protected) zip member"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB uncompressed"
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"expands more than {MAX_RATIO} times (a zip bomb?)"
    return None


def _entries_from_zip(bundle: zipfile.ZipFile) -> Iterator[Entry]:
    """Every file member of an open zip, with the members refused before reading marked as such."""
    for info in bundle.infolist():
        if info.is_dir():
            continue
        problem = _zip_member_problem(info)
        opener = None if problem else (lambda i=info: bundle.open(i))
        yield Entry(info.filename, info.file_size, opener, problem)


def _unsafe_path(name: str) -> bool:
    """True for a member name that would escape the destination (absolute, ``..``, drive or backslash)."""
    path = PurePosixPath(name)
    return (
        path.is_absolute() or ".." in path.parts or "\\" in name or re.match(r"^[A-Za-z]:", name) is not None
    )


def _why_rejected(entry: Entry, notebooks: set[str]) -> str | None:
    """The reason an input entry is not collected, or None if it is a notebook of the assignment (or a
    timestamp file, which the caller ignores)."""
    if _unsafe_path(entry.name):
        return "path traversal: the path leaves the collection folder (absolute or '..'), file ignored"
    if entry.problem:
        return entry.problem
    parts = PurePosixPath(entry.name).parts
    if len(parts) != 2:
        return "not in the form <trainee_id>/<notebook>.ipynb"
    trainee, filename = parts
    if not valid_trainee_id(trainee):
        return (
            f"invalid trainee id {trainee!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 64 characters"
        )
    if filename == TIMESTAMP_FILE:
        return None
    if not filename.endswith(".ipynb"):
        return "not a notebook (.ipynb) file"
    if filename not in notebooks:
        return f"unknown notebook name {filename!r} (this assignment has: {', '.join(sorted(notebooks))})"
    return None


def _copy_capped(source: BinaryIO, target: Path, cap: int) -> int:
    """Stream ``source`` into ``target`` in chunks; :class:`TooLarge` (target removed) beyond ``cap`` bytes."""
    written = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK_BYTES):
            written += len(chunk)
            if written > cap:
                break
            out.write(chunk)
    if written > cap:
        target.unlink()
        raise TooLarge
    return written


def _open_input(path: Path) -> tuple[zipfile.ZipFile | None, Iterator[Entry]]:
    if path.is_dir():
        return None, _entries_from_folder(path)
    if zipfile.is_zipfile(path):
        try:
            bundle = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise CourseError(f"{path} is not a readable zip file ({error})") from None
        return bundle, _entries_from_zip(bundle)
    raise CourseError(f"{path} is neither a folder nor a .zip file")


def collect(root: Path, assignment: str, path: Path, now: datetime | None = None) -> CollectOutcome:
    """Collect ``path`` (folder or ``.zip``) into ``<submitted>/<trainee_id>/<assignment>/`` with the
    collection time ``now`` (default: the current time) as every trainee's submission time."""
    require_assignment(root, assignment)
    path = Path(path)
    if not path.exists():
        raise CourseError(f"nothing to collect: {path} does not exist")
    notebooks = expected_notebooks(root, assignment)
    submitted = root / load_config(root).CourseDirectory.submitted_directory
    submitted.mkdir(parents=True, exist_ok=True)
    outcome = CollectOutcome(assignment)
    collected_at = format_timestamp(now or datetime.now(UTC))
    bundle, entries = _open_input(path)
    staging = Path(tempfile.mkdtemp(prefix=".collecting-", dir=submitted.parent))
    try:
        accepted = _stage(entries, notebooks, staging, outcome)
        for trainee, files in sorted(accepted.items()):
            destination = submitted / trainee / assignment
            if destination.exists():
                shutil.rmtree(destination)
            destination.parent.mkdir(parents=True, exist_ok=True)
            (staging / trainee / TIMESTAMP_FILE).write_text(collected_at, encoding="utf-8")
            os.replace(staging / trainee, destination)
            outcome.collected[trainee] = sorted(files)
    finally:
        if bundle is not None:
            bundle.close()
        shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _stage(entries: Iterator[Entry], notebooks: set[str], staging: Path, outcome: CollectOutcome):
    """Copy every acceptable entry into ``staging/<trainee>/``; record the others in ``outcome``."""
    accepted: dict[str, set[str]] = {}
    total = 0
    for entry in entries:
        reason = _why_rejected(entry, notebooks)
        if reason:
            outcome.rejected.append(Rejection(entry.name, reason))
            continue
        trainee, filename = PurePosixPath(entry.name).parts
        if filename == TIMESTAMP_FILE:
            outcome.ignored.append(
                Rejection(entry.name, "written by the trainee, not trusted: the collection time is recorded")
            )
            continue
        if filename in accepted.get(trainee, set()):
            outcome.rejected.append(Rejection(entry.name, "a second copy of the same file in the input"))
            continue
        if total + entry.size > MAX_TOTAL_BYTES:
            outcome.rejected.append(
                Rejection(
                    entry.name, f"the input holds over {MAX_TOTAL_BYTES // 1_000_000} MB: not collected"
                )
            )
            continue
        (staging / trainee).mkdir(exist_ok=True)
        try:
            with entry.open() as stream:
                cap = min(entry.size, MAX_NOTEBOOK_BYTES)
                total += _copy_capped(stream, staging / trainee / filename, cap)
        except TooLarge:
            outcome.rejected.append(Rejection(entry.name, "more bytes than its declared size: not collected"))
            continue
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            RuntimeError,
            OSError,
        ) as error:
            (staging / trainee / filename).unlink(missing_ok=True)
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            outcome.rejected.append(Rejection(entry.name, f"cannot be read ({first}): not collected"))
            continue
        accepted.setdefault(trainee, set()).add(filename)
    for trainee in {p.name for p in staging.iterdir()} - set(accepted):
        shutil.rmtree(staging / trainee)
    return accepted
