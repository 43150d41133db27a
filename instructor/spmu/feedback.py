"""``spmu feedback``: nbgrader's HTML feedback, without hidden tests or mark schemes (unlike stock nbgrader,
#917), and without active content.

Autograded notebooks carry the hidden tests and mark schemes again (nbgrader restores locked cells from the
gradebook). Before the HTML is written, :class:`RedactForTrainee` removes those regions from every cell and
replaces the outputs of a cell that had hidden tests: an error whose failing line was hidden becomes a plain
sentence, with the assert's own message when it is a string literal written in that hidden test (the
authors write those for trainees), never the test's code, its values or anything printed while it ran; a
failure of a visible line keeps its error type and message, never the traceback (IPython shows neighbouring
lines in it, hidden ones included). Then :class:`spmu.safe_html.NoActiveContent` removes anything that
could run in a browser.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor

from .course import CourseError, load_config, nbgrader_api, require_assignment
from .gradebook import check_gradebook
from .markers import HIDDEN_TESTS, MARK_SCHEME, region_line_numbers, remove_regions
from .release import last_error_line
from .safe_html import NoActiveContent

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FAILING_LINE = re.compile(r"Cell In\s*\[\d*\],\s*line (\d+)")
HIDDEN_FAILED = (
    "A hidden test in this cell did not pass ({ename}). Hidden tests check cases you were not shown: "
    "re-read the task (units, edge cases, invalid input) and test your function on your own examples."
)
HIDDEN_MESSAGE_PREFIX = "A hidden test in this cell did not pass: "
HIDDEN_FAILED_WITH_MESSAGE = (
    HIDDEN_MESSAGE_PREFIX + "{message}\nHidden tests check cases you were not shown: re-read the task and "
    "test your function on your own examples."
)


def failing_line(output: NotebookNode) -> int | None:
    """Line number, in the test cell, of the statement that raised (None if the traceback does not say)."""
    text = ANSI.sub("", "\n".join(output.get("traceback", [])))
    match = FAILING_LINE.search(text)
    return int(match.group(1)) if match else None


def hidden_assert_messages(source: str) -> set[str]:
    """Messages of the ``assert`` statements in the hidden-test regions of a cell that are one-line string
    literals (an f-string or any other expression may hold values, so it is never shown)."""
    hidden = region_line_numbers(source, HIDDEN_TESTS)
    try:
        tree, offset = ast.parse(source), 0
    except SyntaxError:  # e.g. IPython syntax elsewhere in the cell: parse the hidden lines on their own
        lines = source.split("\n")
        numbers = sorted(hidden)
        try:
            tree = ast.parse(textwrap.dedent("\n".join(lines[n - 1] for n in numbers)))
        except SyntaxError:
            return set()
        offset = numbers[0] - 1 if numbers else 0
        hidden = {n - offset for n in numbers}
    return {
        node.msg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert)
        and node.lineno in hidden
        and isinstance(node.msg, ast.Constant)
        and isinstance(node.msg.value, str)
        and node.msg.value.strip()
        and "\n" not in node.msg.value
    }


def redacted_outputs(source: str, outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Outputs safe to show for a test cell that held hidden tests (see the module docstring)."""
    hidden = region_line_numbers(source, HIDDEN_TESTS)
    messages = hidden_assert_messages(source)
    safe = []
    for output in outputs:
        if output.get("output_type") != "error":
            continue  # printed text or values may come from the hidden part
        line = failing_line(output)
        ename = output.get("ename", "Error")
        evalue = output.get("evalue", "")
        if line is not None and line not in hidden:
            text = f"{ename}: {evalue}"
        elif ename == "AssertionError" and evalue in messages:
            text = HIDDEN_FAILED_WITH_MESSAGE.format(message=evalue)
        else:
            text = HIDDEN_FAILED.format(ename=ename)
        safe.append(new_output("stream", name="stderr", text=text + "\n"))
    return safe


class RedactForTrainee(NbGraderPreprocessor):
    """Remove hidden tests and mark schemes (and what their outputs reveal) from a notebook shown to a
    trainee."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        original = cell.source
        if HIDDEN_TESTS.begin in original and cell.cell_type == "code":
            cell.outputs = redacted_outputs(original, cell.get("outputs", []))
        cell.source = remove_regions(remove_regions(original, HIDDEN_TESTS), MARK_SCHEME)
        if MARK_SCHEME.begin in original and "attachments" in cell:
            del cell["attachments"]  # a mark scheme's images would otherwise travel with the cell
        return cell, resources


@dataclass(frozen=True)
class FeedbackOutcome:
    """Feedback files written for one assignment, per trainee, and trainees whose feedback failed."""

    assignment: str
    files: dict[str, list[Path]]
    failed: dict[str, str]


FEEDBACK_PREPROCESSORS = [RedactForTrainee, GetGrades, NoActiveContent, CSSHTMLHeaderPreprocessor]


def feedback_config(root: Path):
    """The course configuration with redaction and sanitising around nbgrader's feedback steps.

    ``NoActiveContent`` runs after the redaction (it turns markdown into HTML, which must not happen before
    the mark-scheme markers are found), so the exporter-level copy that serves the formgrader is switched off
    for feedback's own exporter (traitlets configuration scoped by parent class).
    """
    config = load_config(root)
    config.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
    config.GenerateFeedback.HTMLExporter.preprocessors = []
    return config


def generate_feedback(root: Path, assignment: str, trainee_ids: list[str] | None = None) -> FeedbackOutcome:
    """Write ``<feedback>/<trainee>/<assignment>/<notebook>.html`` for every autograded trainee (or the given
    ids)."""
    require_assignment(root, assignment)
    check_gradebook(root)
    config = feedback_config(root)
    autograded = root / config.CourseDirectory.autograded_directory
    feedback = root / config.CourseDirectory.feedback_directory
    ids = trainee_ids or sorted(p.parent.name for p in autograded.glob(f"*/{assignment}") if p.is_dir())
    if not ids:
        raise CourseError(
            f"no autograded submission of {assignment!r} yet: run `spmu autograde {assignment}` first"
        )
    api = nbgrader_api(root, config=config)
    files: dict[str, list[Path]] = {}
    failed: dict[str, str] = {}
    for trainee in ids:
        result = api.generate_feedback(assignment, trainee, force=True)
        if result["success"]:
            files[trainee] = sorted((feedback / trainee / assignment).glob("*.html"))
        else:
            failed[trainee] = last_error_line(result)
    return FeedbackOutcome(assignment, files, failed)
