"""Course integrity checks behind ``spmu check``; each returns a list of plain-language problems (empty =
fine).

- :func:`metadata_problems`: nbgrader metadata of the source notebooks is valid (schema 3, ids, points).
- :func:`sync_problems`: ``release/`` is exactly what nbgrader generates from ``source/`` now.
- :func:`leak_problems`: no solution, hidden test, mark scheme or model answer line of ``source/`` is in
``release/``.
- :func:`feedback_leak_problems`: the same scan over trainees' HTML feedback (hidden tests, mark schemes,
model written answers; solutions are not scanned there because a trainee's correct answer may equal them),
and every hidden-test message shown there must be, word for word, a string-literal assert message of a hidden
test of that notebook in ``source/`` (never a formatted traceback with values).
- :func:`validation_problems`: every source notebook passes nbgrader's ``Validator``; every released notebook,
left unanswered, fails it (``invert=True``).
"""

from __future__ import annotations

import html
import json
import keyword
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from .course import assignments, load_config, nbgrader_api
from .markers import ALL_MARKERS, HIDDEN_TESTS, MARK_SCHEME, SOLUTION, is_answer, region_lines, remove_regions
from .release import last_error_line
from .release import metadata_problems as assignment_metadata_problems

MIN_SECRET_CHARS = 8  # shorter lines ("pass", "return x") are too common to prove a leak
SUBSTRING_SECRET_CHARS = 25  # longer secrets also count when embedded inside another line
TRAINEE_KINDS = ("hidden test", "mark scheme", "model answer")
TAG = re.compile(r"<[^>]+>")


def normalise(line: str) -> str:
    """A line with its whitespace collapsed (indentation and highlighting spacing do not hide a leak)."""
    return " ".join(line.split())


def secret_lines(notebook: nbformat.NotebookNode) -> dict[str, set[str]]:
    """Instructor-only lines of a source notebook, by kind, minus lines that prove nothing when found: lines
    of its public part, keyword-only lines, and (for the other kinds) lines of the solutions, which trainees
    may write."""
    secrets: dict[str, set[str]] = {
        "solution": set(),
        "hidden test": set(),
        "mark scheme": set(),
        "model answer": set(),
    }
    public: set[str] = set()
    for cell in notebook.cells:
        source = cell.source
        if is_answer(cell) and cell.cell_type == "markdown" and SOLUTION.begin not in source:
            secrets["model answer"].update(source.split("\n"))
            continue
        kind = "model answer" if is_answer(cell) and cell.cell_type == "markdown" else "solution"
        secrets[kind].update(region_lines(source, SOLUTION))
        secrets["hidden test"].update(region_lines(source, HIDDEN_TESTS))
        secrets["mark scheme"].update(region_lines(source, MARK_SCHEME))
        rest = source
        for marker in ALL_MARKERS:
            rest = remove_regions(rest, marker)
        public.update(normalise(line) for line in rest.split("\n"))
    solutions = {normalise(line) for line in secrets["solution"]}
    return {
        kind: {
            n
            for n in map(normalise, lines)
            if distinctive(n) and n not in public and (kind == "solution" or n not in solutions)
        }
        for kind, lines in secrets.items()
    }


def distinctive(line: str) -> bool:
    """True if finding ``line`` proves a leak: long enough and more than Python keywords and punctuation
    (``continue``, ``else:`` or ``return None`` also occur in trainees' own code)."""
    words = re.findall(r"\w+", line)
    return len(line) >= MIN_SECRET_CHARS and any(not keyword.iskeyword(w) for w in words)


def find_leaks(text: str, secrets: dict[str, set[str]], kinds: tuple[str, ...] | None = None) -> list[str]:
    """Descriptions of the secrets (of the given kinds) and nbgrader delimiters found in ``text``."""
    lines = {normalise(line) for line in text.split("\n")}
    flat = " ".join(lines)
    found = [f"{marker.begin!r} delimiter" for marker in ALL_MARKERS if marker.begin in text]
    for kind in kinds or tuple(secrets):
        for secret in sorted(secrets.get(kind, ())):
            if secret in lines or (len(secret) >= SUBSTRING_SECRET_CHARS and secret in flat):
                found.append(f"{kind} line {secret!r}")
    return found


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    """Every cell source and every text output of a notebook, as one string."""
    parts = []
    for cell in notebook.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(json.dumps(output.get("data", {}), ensure_ascii=False))
            parts.append(str(output.get("text", "")))
            parts.extend(output.get("traceback", []))
            parts.append(str(output.get("evalue", "")))
    return "\n".join(parts)


def html_text(page: str) -> str:
    """Visible text of an HTML page (tags dropped, entities decoded), keeping its line breaks."""
    return html.unescape(TAG.sub("", page))


def _sources(root: Path, assignment: str) -> dict[str, nbformat.NotebookNode]:
    return {
        p.name: nbformat.read(p, as_version=4) for p in sorted((root / "source" / assignment).glob("*.ipynb"))
    }


def metadata_problems(root: Path, names: list[str] | None = None) -> list[str]:
    """Invalid nbgrader metadata in the source notebooks."""
    return [p for name in names or assignments(root) for p in assignment_metadata_problems(root, name)]


def leak_problems(root: Path, names: list[str] | None = None) -> list[str]:
    """Instructor-only lines of ``source/`` found in ``release/``."""
    problems = []
    for name in names or assignments(root):
        for notebook_name, source in _sources(root, name).items():
            released = root / "release" / name / notebook_name
            if not released.is_file():
                continue  # reported by sync_problems
            text = notebook_text(nbformat.read(released, as_version=4))
            problems += [
                f"release/{name}/{notebook_name}: leaks {leak}"
                for leak in find_leaks(text, secret_lines(source))
            ]
    return problems


def hidden_messages(notebook: nbformat.NotebookNode) -> set[str]:
    """The assert messages feedback may show for a notebook's hidden tests (string literals in its source)."""
    from .feedback import hidden_assert_messages

    return {
        message.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for message in hidden_assert_messages(cell.source)
    }


def shown_hidden_messages(text: str) -> list[str]:
    """The hidden-test messages a feedback page's visible text shows (lines after the fixed prefix)."""
    from .feedback import HIDDEN_MESSAGE_PREFIX

    return [
        line.strip()[len(HIDDEN_MESSAGE_PREFIX) :]
        for line in text.split("\n")
        if line.strip().startswith(HIDDEN_MESSAGE_PREFIX)
    ]


def feedback_leak_problems(root: Path, assignment: str, kinds: tuple[str, ...] = TRAINEE_KINDS) -> list[str]:
    """Hidden tests, mark schemes and model written answers of ``source/`` found in trainees' feedback HTML,
    and hidden-test messages shown there that are not literally an assert message of a hidden test."""
    feedback = root / load_config(root).CourseDirectory.feedback_directory
    notebooks = {Path(name).stem: nb for name, nb in _sources(root, assignment).items()}
    sources = {stem: secret_lines(nb) for stem, nb in notebooks.items()}
    messages = {stem: hidden_messages(nb) for stem, nb in notebooks.items()}
    problems = []
    for page in sorted(feedback.glob(f"*/{assignment}/*.html")):
        secrets = sources.get(page.stem)
        if secrets is None:
            continue
        text = html_text(page.read_text(encoding="utf-8"))
        for leak in find_leaks(text, secrets, kinds):
            problems.append(f"{page.relative_to(root)}: leaks {leak}")
        for shown in shown_hidden_messages(text):
            if shown not in messages[page.stem]:
                problems.append(
                    f"{page.relative_to(root)}: shows a hidden-test message that is not an assert message "
                    f"written in source/: {shown!r}"
                )
    return problems


def _comparable(path: Path) -> dict:
    """A notebook as plain data for comparison (the JSON layout on disk does not matter)."""
    return json.loads(json.dumps(nbformat.read(path, as_version=4)))


def sync_problems(root: Path, names: list[str] | None = None) -> list[str]:
    """Differences between ``release/`` and a fresh generation from ``source/`` (made in a temporary copy)."""
    names = names or assignments(root)
    problems = []
    with tempfile.TemporaryDirectory(prefix="spmu-sync-") as scratch:
        copy = Path(scratch)
        shutil.copy(root / "nbgrader_config.py", copy / "nbgrader_config.py")
        (copy / "grading").mkdir()
        api = nbgrader_api(copy)
        for name in names:
            shutil.copytree(root / "source" / name, copy / "source" / name)
            result = api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                problems.append(f"source/{name}: nbgrader cannot generate it: {last_error_line(result)}")
                continue
            fresh, committed = copy / "release" / name, root / "release" / name
            fresh_files = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
            committed_files = (
                {p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file()}
                if committed.is_dir()
                else set()
            )
            for missing in sorted(fresh_files - committed_files):
                problems.append(f"release/{name}/{missing}: missing (run `spmu release {name}`)")
            for extra in sorted(committed_files - fresh_files):
                problems.append(f"release/{name}/{extra}: not generated from source/ (stale file)")
            for common in sorted(fresh_files & committed_files):
                a, b = fresh / common, committed / common
                same = (
                    _comparable(a) == _comparable(b)
                    if common.endswith(".ipynb")
                    else a.read_bytes() == b.read_bytes()
                )
                if not same:
                    problems.append(
                        f"release/{name}/{common}: out of date with source/ (run `spmu release {name}`)"
                    )
    return problems


def _only_comments(source: str) -> bool:
    return all(not line.strip() or line.strip().startswith("#") for line in source.splitlines())


def source_validation_problems(path: Path, config) -> list[str]:
    """A source notebook's cells that fail its own tests under nbgrader's ``Validator``."""
    from nbgrader.validator import Validator

    label = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
    return [
        f"{label}: {len(cells)} cell(s) {kind.replace('_', ' ')} under the Validator "
        f"(first: {cells[0].get('source', '')[:60]!r})"
        for kind, cells in Validator(config=config).validate(str(path)).items()
    ]


def release_validation_problems(path: Path, config) -> list[str]:
    """Tests of an unanswered released notebook that pass anyway, and cells changed from their checksums.

    The comment-only cells nbgrader leaves where it removed hidden tests pass by construction: not a problem.
    """
    from nbgrader.validator import Validator

    label = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
    result = Validator(config=config, invert=True).validate(str(path))
    problems = [
        f"{label}: {len(result[kind])} cell(s) {kind.replace('_', ' ')} against the release checksums"
        for kind in ("changed", "type_changed")
        if result.get(kind)
    ]
    problems += [
        f"{label}: a test passes with no answer: {cell['source'][:60]!r}"
        for cell in result.get("passed", [])
        if not _only_comments(cell["source"])
    ]
    return problems


def validation_problems(root: Path, names: list[str] | None = None) -> list[str]:
    """Source notebooks that fail their own tests, and released notebooks whose tests pass unanswered."""
    config = load_config(root)
    problems = []
    for name in names or assignments(root):
        for path in sorted((root / "source" / name).glob("*.ipynb")):
            problems += source_validation_problems(path, config)
        for path in sorted((root / "release" / name).glob("*.ipynb")):
            problems += release_validation_problems(path, config)
    return problems


def check_course(root: Path, names: list[str] | None = None, execute: bool = True) -> dict[str, list[str]]:
    """All checks, by name; ``execute=False`` skips running notebooks (the Validator)."""
    checks = {
        "metadata": metadata_problems(root, names),
        "release in sync": sync_problems(root, names),
        "no leaks in release": leak_problems(root, names),
    }
    if execute:
        checks["validator"] = validation_problems(root, names)
    return checks
