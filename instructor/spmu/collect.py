"""``spmu collect``: copy trainees' notebooks from a folder or a zip into nbgrader's submitted folder.

The input holds ``<trainee_id>/<notebook>.ipynb`` (as downloaded from an LMS or a shared drive), optionally
with ``<trainee_id>/timestamp.txt`` (nbgrader's own submission timestamp file). Bad entries are rejected one
by one with a reason; the rest is collected. Re-collecting a trainee replaces that trainee's submission only.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .course import CourseError, load_config, require_assignment

TRAINEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TIMESTAMP_FILE = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's exchange writes this format
MAX_NOTEBOOK_BYTES = 50_000_000


@dataclass(frozen=True)
class Rejection:
    """One input file that was not collected, and why (one plain line)."""

    entry: str
    reason: str


@dataclass
class CollectOutcome:
    """Which trainees were collected (with their notebook names) and which entries were rejected."""

    assignment: str
    collected: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)


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


def _entries_from_folder(folder: Path) -> list[tuple[str, bytes | None]]:
    """(relative posix path, content) for every file under ``folder``; content None when it is a symlink."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            entries.append((path.relative_to(folder).as_posix(), None))
        elif path.is_file():
            entries.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return entries


def _entries_from_zip(archive: Path) -> list[tuple[str, bytes | None]]:
    """(name, content) for every file member of ``archive``; content None for unsafe or oversized members."""
    entries = []
    try:
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                if info.is_dir():
                    continue
                unsafe = _unsafe_path(info.filename) or info.file_size > MAX_NOTEBOOK_BYTES
                entries.append((info.filename, None if unsafe else bundle.read(info)))
    except zipfile.BadZipFile:
        raise CourseError(f"{archive} is not a readable zip file") from None
    return entries


def _unsafe_path(name: str) -> bool:
    """True for a zip member name that would escape the destination (absolute, ``..``, drive or backslash)."""
    path = PurePosixPath(name)
    return (
        path.is_absolute() or ".." in path.parts or "\\" in name or re.match(r"^[A-Za-z]:", name) is not None
    )


def _why_rejected(name: str, content: bytes | None, notebooks: set[str]) -> str | None:
    """The reason an input entry is not collected, or None if it is a good notebook or timestamp file."""
    if _unsafe_path(name):
        return "path traversal: the path leaves the collection folder (absolute or '..'), file ignored"
    parts = PurePosixPath(name).parts
    if content is None:
        return "not a regular file (symbolic link or larger than 50 MB)"
    if len(parts) != 2:
        return "not in the form <trainee_id>/<notebook>.ipynb"
    trainee, filename = parts
    if not TRAINEE_ID.match(trainee):
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


def collect(root: Path, assignment: str, path: Path, now: datetime | None = None) -> CollectOutcome:
    """Collect ``path`` (folder or ``.zip``) into ``<submitted>/<trainee_id>/<assignment>/`` with a timestamp.

    A trainee's timestamp is their ``timestamp.txt`` when given and readable, else ``now`` (the collection
    time).
    """
    require_assignment(root, assignment)
    path = Path(path)
    if not path.exists():
        raise CourseError(f"nothing to collect: {path} does not exist")
    if path.is_dir():
        entries = _entries_from_folder(path)
    elif zipfile.is_zipfile(path):
        entries = _entries_from_zip(path)
    else:
        raise CourseError(f"{path} is neither a folder nor a .zip file")
    notebooks = expected_notebooks(root, assignment)
    outcome = CollectOutcome(assignment)
    accepted: dict[str, dict[str, bytes]] = {}
    for name, content in entries:
        reason = _why_rejected(name, content, notebooks)
        if reason:
            outcome.rejected.append(Rejection(name, reason))
            continue
        trainee, filename = PurePosixPath(name).parts
        accepted.setdefault(trainee, {})[filename] = content
    submitted = root / load_config(root).CourseDirectory.submitted_directory
    collected_at = format_timestamp(now or datetime.now(UTC))
    for trainee, files in sorted(accepted.items()):
        timestamp = _timestamp_of(files.pop(TIMESTAMP_FILE, None), collected_at)
        if not files:
            outcome.rejected.append(
                Rejection(f"{trainee}/{TIMESTAMP_FILE}", "a timestamp without any notebook")
            )
            continue
        destination = submitted / trainee / assignment
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        for filename, content in files.items():
            (destination / filename).write_bytes(content)
        (destination / TIMESTAMP_FILE).write_text(timestamp, encoding="utf-8")
        outcome.collected[trainee] = sorted(files)
    return outcome


def _timestamp_of(content: bytes | None, default: str) -> str:
    """The trainee's own timestamp if it parses as one, else ``default``."""
    if content is None:
        return default
    from nbgrader.utils import parse_utc

    text = content.decode("utf-8", errors="replace").strip()
    try:
        moment = parse_utc(text)
    except (ValueError, OverflowError):
        return default
    return format_timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
