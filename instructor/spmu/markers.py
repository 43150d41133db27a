"""nbgrader's begin/end markers: find and remove solution, hidden-test and mark-scheme regions in cell
sources."""

from __future__ import annotations

from dataclasses import dataclass

import nbformat


@dataclass(frozen=True)
class Marker:
    """One kind of instructor-only region, delimited by lines containing ``begin`` and ``end``."""

    kind: str
    begin: str
    end: str


SOLUTION = Marker("solution", "BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = Marker("hidden test", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = Marker("mark scheme", "BEGIN MARK SCHEME", "END MARK SCHEME")
ALL_MARKERS = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME)


def region_line_numbers(source: str, marker: Marker) -> set[int]:
    """1-based numbers of the lines of ``source`` inside ``marker`` regions, the delimiter lines included."""
    inside: set[int] = set()
    in_region = False
    for number, line in enumerate(source.split("\n"), start=1):
        if marker.begin in line:
            in_region = True
        if in_region:
            inside.add(number)
        if marker.end in line:
            in_region = False
    return inside


def region_lines(source: str, marker: Marker) -> list[str]:
    """The lines inside ``marker`` regions of ``source``, delimiter lines excluded."""
    lines = source.split("\n")
    numbers = region_line_numbers(source, marker)
    return [
        lines[n - 1]
        for n in sorted(numbers)
        if marker.begin not in lines[n - 1] and marker.end not in lines[n - 1]
    ]


def remove_regions(source: str, marker: Marker) -> str:
    """``source`` without its ``marker`` regions (delimiters and contents)."""
    numbers = region_line_numbers(source, marker)
    return "\n".join(line for n, line in enumerate(source.split("\n"), start=1) if n not in numbers)


def remove_delimiters(source: str, marker: Marker) -> str:
    """``source`` with the ``marker`` delimiter lines dropped and the region contents kept (a model
    answer)."""
    return "\n".join(
        line for line in source.split("\n") if marker.begin not in line and marker.end not in line
    )


def nbgrader_flags(cell: nbformat.NotebookNode) -> dict:
    """The cell's ``nbgrader`` metadata (empty dict for an ordinary cell)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def is_autograded_test(cell: nbformat.NotebookNode) -> bool:
    """A cell whose points the autograder awards: a graded code cell that is not an answer."""
    flags = nbgrader_flags(cell)
    return cell.cell_type == "code" and bool(flags.get("grade")) and not flags.get("solution")


def is_answer(cell: nbformat.NotebookNode) -> bool:
    """A cell the trainee writes in (autograded answer or manually graded answer)."""
    return bool(nbgrader_flags(cell).get("solution"))
