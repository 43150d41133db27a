"""Simulated trainees built from the course's own notebooks, for the demo, the pipeline tests and benchmarks.

A perfect trainee is the RELEASED notebook with every answer cell filled from the SOURCE notebook's solution
(markers removed); a blank trainee hands the release back untouched; a mistake trainee is perfect except for
one text edit listed in ``source/<assignment>/simulated_mistakes.toml``. Solutions are read from ``source/``
at run time: nothing here holds one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import CourseError
from .markers import SOLUTION, is_answer, is_autograded_test, nbgrader_flags, remove_delimiters

MISTAKES_FILE = "simulated_mistakes.toml"
WRITTEN_ANSWER = "Simulated written answer of {trainee}: I would check the records again before concluding."


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: one text edit of one answer cell, and the test cells that then score 0."""

    id: str
    notebook: str
    cell: str
    find: str
    replace: str
    fails: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SimulatedTrainee:
    """One simulated trainee: a profile and, per profile, the mistakes made or the answers left blank."""

    trainee_id: str
    profile: str  # perfect | blank | partial | mistake | typical | late
    mistakes: tuple[str, ...] = ()
    blank_cells: tuple[str, ...] = field(default=())

    @property
    def late(self) -> bool:
        return self.profile == "late"


def _notebooks(root: Path, step: str, assignment: str) -> dict[str, nbformat.NotebookNode]:
    folder = root / step / assignment
    notebooks = {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}
    if not notebooks:
        raise CourseError(f"{step}/{assignment}/ holds no notebook (run `spmu release {assignment}` first)")
    return notebooks


def _cells_by_id(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {nbgrader_flags(c)["grade_id"]: c for c in notebook.cells if nbgrader_flags(c).get("grade_id")}


def load_mistakes(root: Path, assignment: str) -> list[Mistake]:
    """The assignment's simulated mistakes, checked against its source notebooks (empty list if no file)."""
    path = root / "source" / assignment / MISTAKES_FILE
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("mistake", [])
        mistakes = [
            Mistake(
                e["id"],
                e["notebook"],
                e["cell"],
                e["find"],
                e["replace"],
                tuple(e["fails"]),
                e["description"],
            )
            for e in entries
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise CourseError(f"{path} is not a valid mistakes file: {type(error).__name__}: {error}") from None
    sources = _notebooks(root, "source", assignment)
    problems = []
    for mistake in mistakes:
        where = f"{path.name} mistake {mistake.id!r}"
        if mistake.notebook not in sources:
            problems.append(f"{where}: no notebook {mistake.notebook!r}")
            continue
        cells = _cells_by_id(sources[mistake.notebook])
        cell = cells.get(mistake.cell)
        if cell is None or not is_answer(cell):
            problems.append(f"{where}: {mistake.cell!r} is not an answer cell")
        elif cell.source.count(mistake.find) != 1:
            problems.append(
                f"{where}: 'find' occurs {cell.source.count(mistake.find)} times in {mistake.cell!r}"
            )
        for grade_id in mistake.fails:
            if grade_id not in cells or not is_autograded_test(cells[grade_id]):
                problems.append(f"{where}: {grade_id!r} is not an autograded test cell of {mistake.notebook}")
    if len({m.id for m in mistakes}) != len(mistakes):
        problems.append(f"{path.name}: mistake ids are not unique")
    if problems:
        raise CourseError("; ".join(problems))
    return mistakes


def pipeline_cohort(root: Path, assignment: str) -> list[SimulatedTrainee]:
    """Perfect, blank and trainees who each make several of the simulated mistakes.

    Mistakes share a trainee only when they edit different answer cells and fail disjoint test cells, so
    every test cell's expected points stay exact while the cohort (and the grading time) stays small.
    """
    groups: list[list[Mistake]] = []
    for mistake in load_mistakes(root, assignment):
        for group in groups:
            cells = {(m.notebook, m.cell) for m in group}
            failing = {(m.notebook, g) for m in group for g in m.fails}
            if (mistake.notebook, mistake.cell) not in cells and not failing & {
                (mistake.notebook, g) for g in mistake.fails
            }:
                group.append(mistake)
                break
        else:
            groups.append([mistake])
    trainees = [SimulatedTrainee("perfect", "perfect"), SimulatedTrainee("blank", "blank")]
    trainees += [
        SimulatedTrainee(f"mistakes{n:02d}", "mistake", tuple(m.id for m in group))
        for n, group in enumerate(groups, start=1)
    ]
    return trainees


def demo_profiles(count: int) -> list[tuple[str, int]]:
    """(profile, mistake index) for ``count`` demo trainees: perfect, blank, partial, late, then mistakes."""
    fixed = ["perfect", "blank", "partial", "late"]
    profiles = []
    for index in range(count):
        if index < len(fixed):
            profiles.append((fixed[index], 0))
        else:
            number = index - len(fixed)
            profiles.append(("typical" if number % 3 == 2 else "mistake", number))
    return profiles


def demo_trainee(root: Path, assignment: str, trainee_id: str, profile: str, number: int) -> SimulatedTrainee:
    """A demo trainee's work on one assignment (mistakes chosen from that assignment's list)."""
    mistakes = [m.id for m in load_mistakes(root, assignment)]
    if profile == "partial":
        answers = [
            nbgrader_flags(c)["grade_id"]
            for nb in _notebooks(root, "release", assignment).values()
            for c in nb.cells
            if is_answer(c) and c.cell_type == "code"
        ]
        return SimulatedTrainee(trainee_id, profile, blank_cells=tuple(answers[len(answers) // 2 :]))
    if profile in ("mistake", "typical") and mistakes:
        chosen = {mistakes[number % len(mistakes)]}
        if profile == "typical":
            chosen.add(mistakes[(number + 1) % len(mistakes)])
        return SimulatedTrainee(trainee_id, profile, tuple(sorted(chosen)))
    return SimulatedTrainee(trainee_id, "perfect" if profile in ("mistake", "typical") else profile)


def build_submission(
    root: Path, assignment: str, trainee: SimulatedTrainee
) -> dict[str, nbformat.NotebookNode]:
    """The trainee's notebooks (file name -> notebook), built from release/ and source/."""
    released = _notebooks(root, "release", assignment)
    if trainee.profile == "blank":
        return released
    sources = _notebooks(root, "source", assignment)
    edits = {m.id: m for m in load_mistakes(root, assignment)}
    unknown = set(trainee.mistakes) - set(edits)
    if unknown:
        raise CourseError(f"unknown simulated mistake(s) for {assignment}: {', '.join(sorted(unknown))}")
    for name, notebook in released.items():
        source_cells = _cells_by_id(sources[name])
        for cell in notebook.cells:
            grade_id = nbgrader_flags(cell).get("grade_id")
            if not is_answer(cell) or grade_id in trainee.blank_cells or grade_id not in source_cells:
                continue
            if cell.cell_type == "markdown":
                cell.source = WRITTEN_ANSWER.format(trainee=trainee.trainee_id)
                continue
            text = remove_delimiters(source_cells[grade_id].source, SOLUTION)
            for mistake_id in trainee.mistakes:
                mistake = edits[mistake_id]
                if mistake.notebook == name and mistake.cell == grade_id and mistake.find in text:
                    text = text.replace(mistake.find, mistake.replace, 1)
            cell.source = text
    return released


def write_cohort(root: Path, assignment: str, trainees: list[SimulatedTrainee], out: Path) -> Path:
    """Write ``out/<trainee_id>/<notebook>.ipynb`` for every trainee (the layout ``spmu collect`` reads).

    No ``timestamp.txt``: the submission time is the collection time (see :func:`spmu.collect.collect`).
    """
    for trainee in trainees:
        folder = out / trainee.trainee_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, notebook in build_submission(root, assignment, trainee).items():
            nbformat.write(notebook, folder / name)
    return out


def expected_points(root: Path, assignment: str, trainee: SimulatedTrainee) -> dict[tuple[str, str], float]:
    """Exact autograded points per (notebook, test grade_id) for a perfect, blank or mistake trainee."""
    if trainee.profile not in ("perfect", "blank", "mistake"):
        raise ValueError(
            f"exact points are only known for perfect, blank and mistake trainees, not {trainee.profile}"
        )
    edits = {m.id: m for m in load_mistakes(root, assignment)}
    failing = {(edits[i].notebook, g) for i in trainee.mistakes for g in edits[i].fails}
    points = {}
    for name, notebook in _notebooks(root, "source", assignment).items():
        for cell in notebook.cells:
            if is_autograded_test(cell):
                key = (name, nbgrader_flags(cell)["grade_id"])
                full = float(nbgrader_flags(cell)["points"])
                points[key] = 0.0 if trainee.profile == "blank" or key in failing else full
    return points
