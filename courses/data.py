"""Case files of each module, checked against the module's SHA-256 manifest before use.

Every module keeps its generated case files in ``courses/<module>/data/`` with a ``MANIFEST.sha256`` in
``sha256sum`` format (``<hex digest>  <relative path>``), so ``sha256sum -c MANIFEST.sha256`` also works.
A file whose digest does not match is never used: loading it raises :class:`CaseFileError` naming the file.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only when a CSV is loaded: the instructor tools start faster
    import pandas as pd

MANIFEST_NAME = "MANIFEST.sha256"


class CaseFileError(ValueError):
    """A case file is missing, unlisted or does not match its manifest digest."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def case_files(directory: Path) -> list[str]:
    """Every file under ``directory`` but the manifest and caches, as sorted relative POSIX paths."""
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME and "__pycache__" not in p.parts
    )


def data_dir(module: str) -> Path:
    """Folder holding a module's case files, e.g. ``data_dir("crime_scene")``."""
    try:
        root = files(f"courses.{module}")
    except ModuleNotFoundError:
        raise CaseFileError(f"unknown course module {module!r}") from None
    return Path(str(root)) / "data"


def read_manifest(directory: Path) -> dict[str, str]:
    """Map of relative path -> expected hex digest, read from ``directory/MANIFEST.sha256``."""
    manifest = directory / MANIFEST_NAME
    if not manifest.is_file():
        raise CaseFileError(f"no manifest {manifest}: regenerate the case files")
    entries: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise CaseFileError(f"{manifest} line {number} is not '<sha256>  <file>': {line!r}")
        entries[name] = digest
    return entries


def write_manifest(directory: Path) -> Path:
    """Write ``MANIFEST.sha256`` for every file under ``directory`` (generators call this last)."""
    names = case_files(directory)
    lines = [f"{sha256_of(directory / name)}  {name}\n" for name in names]
    manifest = directory / MANIFEST_NAME
    manifest.write_text("".join(lines), encoding="utf-8")
    return manifest


def verify_directory(directory: Path) -> list[str]:
    """Problems found in ``directory`` against its manifest, one plain sentence each (empty if all good)."""
    expected = read_manifest(directory)
    problems = []
    for name, digest in expected.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{name}: SHA-256 does not match the manifest (file changed or corrupted)")
    problems += [
        f"{name}: not listed in the manifest" for name in case_files(directory) if name not in expected
    ]
    return problems


def verify_manifest(module: str) -> None:
    """Raise :class:`CaseFileError` listing every bad file of a module's case files."""
    problems = verify_directory(data_dir(module))
    if problems:
        raise CaseFileError(f"case files of {module!r} failed the integrity check: " + "; ".join(problems))


def case_path(module: str, name: str) -> Path:
    """Path of one verified case file (``name`` relative to the module's data folder)."""
    directory = data_dir(module)
    expected = read_manifest(directory)
    if name not in expected:
        known = ", ".join(sorted(expected)[:20])
        raise CaseFileError(f"{module!r} has no case file {name!r}; known files include: {known}")
    path = directory / name
    if not path.is_file():
        raise CaseFileError(f"case file {name!r} of {module!r} is missing: regenerate the case files")
    if sha256_of(path) != expected[name]:
        raise CaseFileError(
            f"case file {name!r} of {module!r} does not match its SHA-256 in the manifest: "
            "it was changed or corrupted, so it is not used (reinstall the course or regenerate the files)"
        )
    return path


def read_bytes(module: str, name: str) -> bytes:
    """Bytes of one verified case file."""
    return case_path(module, name).read_bytes()


def read_text(module: str, name: str, encoding: str = "utf-8") -> str:
    """Text of one verified case file."""
    return case_path(module, name).read_text(encoding=encoding)


def load_csv(module: str, name: str, **read_csv_kwargs) -> pd.DataFrame:
    """A verified CSV case file as a DataFrame (keyword arguments go to ``pandas.read_csv``)."""
    import pandas as pd

    return pd.read_csv(case_path(module, name), **read_csv_kwargs)
