"""Reading a submitted notebook defensively and restoring its graded structure from the released version.

Every problem becomes a plain sentence, never an exception: a file that cannot be read at all raises
:class:`UnreadableNotebook` with the reason; anything else is repaired and reported.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


class UnreadableNotebook(ValueError):
    """The file is not a notebook the grader can use (the message says why, in plain words)."""


@dataclass
class Repaired:
    """A notebook with the release's graded cells restored, and what was repaired."""

    notebook: nbformat.NotebookNode
    repairs: list[str] = field(default_factory=list)


def read_submitted(path: Path, max_bytes: int) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook at ``path`` as nbformat 4 and any conversion notes; :class:`UnreadableNotebook` if unusable."""
    if not path.is_file():
        raise UnreadableNotebook(f"{path.name} is missing from the submission")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableNotebook(f"{path.name} is an empty file (0 bytes)")
    if size > max_bytes:
        raise UnreadableNotebook(
            f"{path.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "for a submitted notebook"
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableNotebook(f"{path.name} is not valid notebook JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise UnreadableNotebook(f"{path.name} is JSON but not a Jupyter notebook (no 'nbformat' number)")
    notes = []
    version = data["nbformat"]
    if version != 4:
        try:
            data = nbformat.convert(nbformat.from_dict(data), 4)
        except Exception as error:  # noqa: BLE001 - any conversion failure means unusable
            raise UnreadableNotebook(
                f"{path.name} uses notebook format {version}, which could not be converted "
                f"({type(error).__name__})"
            ) from None
        notes.append(f"{path.name} was converted from notebook format {version} to 4")
    try:
        nb = nbformat.from_dict(data)
        cells = nb["cells"]
        for cell in cells:
            cell["cell_type"], cell.setdefault("source", ""), cell.setdefault("metadata", {})
            if isinstance(cell["source"], list):
                cell["source"] = "".join(cell["source"])
    except (KeyError, TypeError, AttributeError) as error:
        raise UnreadableNotebook(
            f"{path.name} has a broken cell list ({type(error).__name__}: {error})"
        ) from None
    return nb, notes


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _is_answer(cell) -> bool:
    return bool(cell["metadata"]["nbgrader"].get("solution"))


def _free_cell(cell) -> nbformat.NotebookNode:
    """The trainee's own cell, stripped of any nbgrader metadata, as a clean nbformat 4 cell."""
    source = cell.get("source", "")
    if cell.get("cell_type") == "code":
        return nbformat.v4.new_code_cell(source)
    if cell.get("cell_type") == "raw":
        return nbformat.v4.new_raw_cell(source)
    return nbformat.v4.new_markdown_cell(source)


def repair(submitted: nbformat.NotebookNode, released: nbformat.NotebookNode, name: str) -> Repaired:
    """Rebuild ``submitted`` on the structure of ``released``: every graded or read-only cell comes from the
    release (answers keep the trainee's text), the trainee's own extra cells stay where they were, and
    duplicated, deleted, retyped or edited graded cells are restored and reported."""
    template = [c for c in released.cells if _grade_id(c)]
    known = {_grade_id(c): c for c in template}
    matched: dict[str, dict] = {}
    anchored: dict[str | None, list] = {None: []}
    anchor = None
    result = Repaired(notebook=copy.deepcopy(released))
    for cell in submitted.cells:
        grade_id = _grade_id(cell)
        if grade_id in known and grade_id not in matched:
            matched[grade_id] = cell
            anchor = grade_id
        elif grade_id in known:
            if _is_answer(known[grade_id]):
                anchored.setdefault(anchor, []).append(_free_cell(cell))
                result.repairs.append(
                    f"{name}: answer cell '{grade_id}' was duplicated; the copy is kept as an ordinary cell"
                )
            else:
                result.repairs.append(
                    f"{name}: read-only cell '{grade_id}' was duplicated; the copy was removed"
                )
        else:
            if grade_id is not None:
                result.repairs.append(
                    f"{name}: cell with unknown grade id '{grade_id}' kept as an ordinary cell"
                )
            anchored.setdefault(anchor, []).append(_free_cell(cell))
    cells = list(anchored[None])
    for original in template:
        grade_id = _grade_id(original)
        restored = copy.deepcopy(original)
        theirs = matched.get(grade_id)
        if theirs is None:
            result.repairs.append(f"{name}: graded cell '{grade_id}' was deleted; restored from the release")
        else:
            if theirs.get("cell_type") != original.cell_type:
                result.repairs.append(
                    f"{name}: cell '{grade_id}' was changed from {original.cell_type} to "
                    f"{theirs.get('cell_type')}; changed back"
                )
            if _is_answer(original):
                restored.source = theirs.get("source", "")
            elif theirs.get("source", "") != original.source:
                result.repairs.append(
                    f"{name}: read-only cell '{grade_id}' was edited; restored from the release"
                )
        cells.append(restored)
        cells.extend(anchored.get(grade_id, []))
    result.notebook.cells = cells
    return result


def with_hidden_tests(notebook: nbformat.NotebookNode, source: nbformat.NotebookNode) -> None:
    """Give every autograder test cell its source version, hidden tests included (the release lacks them),
    as nbgrader's OverwriteCells does from the gradebook before executing."""
    tests = {
        _grade_id(cell): cell.source
        for cell in source.cells
        if cell.cell_type == "code"
        and _grade_id(cell)
        and cell.metadata["nbgrader"].get("grade")
        and not _is_answer(cell)
    }
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if cell.cell_type == "code" and grade_id in tests and not _is_answer(cell):
            cell.source = tests[grade_id]
