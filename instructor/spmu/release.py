"""``spmu release``: generate ``release/<assignment>/`` from ``source/`` with nbgrader, after checking
metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import CourseError, assignments, nbgrader_api, require_assignment
from .gradebook import check_gradebook


@dataclass(frozen=True)
class ReleaseOutcome:
    """What releasing one assignment produced."""

    assignment: str
    notebooks: list[str]


def metadata_problems(root: Path, assignment: str) -> list[str]:
    """Plain-language problems in the nbgrader metadata of an assignment's source notebooks (empty if
    valid)."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    problems = []
    for path in sorted((root / "source" / assignment).glob("*.ipynb")):
        name = f"source/{assignment}/{path.name}"
        try:
            notebook = nbformat.read(path, as_version=4)
            MetadataValidator().validate_nb(notebook)
        except ValidationError as error:
            problems.append(f"{name}: invalid nbgrader metadata: {str(error).splitlines()[0]}")
        except Exception as error:  # noqa: BLE001 - unreadable JSON, wrong nbformat, schema too old or new
            problems.append(f"{name}: not a readable notebook: {str(error).splitlines()[0]}")
    return problems


def release(root: Path, names: list[str] | None = None) -> list[ReleaseOutcome]:
    """Generate ``release/`` for the named assignments (all of ``source/`` when none); safe to run again.

    Refuses (raises :class:`CourseError`) before touching ``release/`` when any source metadata is invalid.
    """
    names = list(names) if names else assignments(root)
    if not names:
        raise CourseError(f"{root / 'source'} holds no assignment to release")
    for name in names:
        require_assignment(root, name)
    problems = [problem for name in names for problem in metadata_problems(root, name)]
    if problems:
        raise CourseError("release refused, fix the source notebooks first: " + "; ".join(problems))
    check_gradebook(root)
    api = nbgrader_api(root)
    outcomes = []
    for name in names:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise CourseError(f"nbgrader could not generate {name!r}: {last_error_line(result)}")
        released = sorted(p.name for p in (root / "release" / name).glob("*.ipynb"))
        outcomes.append(ReleaseOutcome(name, released))
    return outcomes


def last_error_line(result: dict) -> str:
    """The most telling line of a failed nbgrader API call (its error, else its log)."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line
    return lines[-1] if lines else "no details"
