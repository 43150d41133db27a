"""The hostile and broken submissions, each with the exact outcome the grader must give it.

Scores are out of the toy course's 10 autograded points (the written answer is graded by hand). Run this file
(``python tests/hostile/cases.py``) to grade all cases in a temporary course and print the table of outcomes.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import toy_course as toy
from toy_course import append_to_answer, cell_index, duplicate_cell

SWALLOW_INTERRUPT = "while True:\n    try:\n        pass\n    except BaseException:\n        pass"


@dataclass(frozen=True)
class Case:
    trainee_id: str
    what: str  # plain description for the table
    status: str
    score: float
    edit: object = None  # function editing the answered notebook (may return bytes to write instead)
    raw: bytes | None = None  # exact file content, for broken files


def _replace_answer(grade_id: str, source: str):
    def edit(nb):
        nb.cells[cell_index(nb, grade_id)].source = source

    return edit


def _prepend_to_answer(grade_id: str, code: str):
    def edit(nb):
        cell = nb.cells[cell_index(nb, grade_id)]
        cell.source = code + "\n" + cell.source

    return edit


def _delete(grade_id: str):
    def edit(nb):
        del nb.cells[cell_index(nb, grade_id)]

    return edit


def _retype_to_markdown(grade_id: str):
    def edit(nb):
        index = cell_index(nb, grade_id)
        old = nb.cells[index]
        nb.cells[index] = nbformat.v4.new_markdown_cell(old.source, metadata=old.metadata)

    return edit


def _edit_test_and_break_answer(nb):
    nb.cells[cell_index(nb, "square_answer")].source = "def square(x):\n    return 0"
    nb.cells[cell_index(nb, "square_test")].source = "pass  # tests removed by the trainee"


def _old_format(nb) -> bytes:
    return nbformat.writes(nbformat.convert(nb, 3), version=3).encode()


def _huge(nb) -> bytes:
    nb.cells[0].source += "\n" + "x" * 3_000_000  # the toy course caps submitted files at 2 MB
    return json.dumps(nb).encode()


def _both(*edits):
    def edit(nb):
        for one in edits:
            one(nb)

    return edit


CASES = [
    Case("well_behaved", "well-behaved trainee (all answers right)", "graded", 10.0),
    Case(
        "swallows_interrupt",
        "answer loops forever and swallows KeyboardInterrupt",
        "timed_out",
        8.0,
        append_to_answer("square_answer", SWALLOW_INTERRUPT),
    ),
    Case(
        "hangs_in_test",
        "answer function never returns when the test calls it",
        "timed_out",
        8.0,
        _replace_answer("square_answer", "def square(x):\n    while True:\n        pass"),
    ),
    Case(
        "os_exit",
        "os._exit(1) in an answer (kernel death)",
        "kernel_died",
        7.0,
        append_to_answer("hypotenuse_answer", "import os\nos._exit(1)"),
    ),
    Case(
        "memory_bomb",
        "memory bomb before the answer",
        "memory_exceeded",
        5.0,
        _prepend_to_answer("mean_answer", "hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))"),
    ),
    Case(
        "output_flood",
        "prints 2 MB of output (cap 200 kB)",
        "graded",
        10.0,
        append_to_answer("square_answer", "for i in range(20_000):\n    print('x' * 100)"),
    ),
    Case(
        "duplicated_answer",
        "answer cell duplicated (same grade_id)",
        "graded_with_repairs",
        10.0,
        duplicate_cell("square_answer"),
    ),
    Case(
        "duplicated_test",
        "test cell duplicated (same grade_id)",
        "graded_with_repairs",
        10.0,
        duplicate_cell("square_test"),
    ),
    Case("deleted_test", "test cell deleted", "graded_with_repairs", 10.0, _delete("square_test")),
    Case("deleted_answer", "answer cell deleted", "graded_with_repairs", 7.0, _delete("hypotenuse_answer")),
    Case(
        "retyped_answer",
        "answer cell changed to markdown",
        "graded_with_repairs",
        10.0,
        _retype_to_markdown("square_answer"),
    ),
    Case(
        "edited_test",
        "wrong answer and its test cell replaced by `pass`",
        "graded_with_repairs",
        8.0,
        _edit_test_and_break_answer,
    ),
    Case(
        "patch_isclose",
        "wrong answer and math.isclose patched to always agree",
        "flagged_for_review",
        0.0,
        _both(
            _replace_answer("hypotenuse_answer", "def hypotenuse(a, b):\n    return 0"),
            append_to_answer("hypotenuse_answer", "import math\nmath.isclose = lambda *a, **k: True"),
        ),
    ),
    Case(
        "patch_abs",
        "builtins.abs replaced",
        "flagged_for_review",
        0.0,
        append_to_answer("square_answer", "import builtins\nbuiltins.abs = lambda x: 13.0"),
    ),
    Case(
        "patch_allclose_hidden",
        "numpy.allclose patched through vars(__import__(...)) (only the probe sees it)",
        "flagged_for_review",
        5.0,
        append_to_answer("mean_answer", "vars(__import__('nu' + 'mpy'))['allclose'] = lambda *a, **k: True"),
    ),
    Case(
        "patch_sys_modules",
        "sys.modules['math'] replaced",
        "flagged_for_review",
        0.0,
        append_to_answer("mean_answer", "import sys, types\nsys.modules['math'] = types.ModuleType('math')"),
    ),
    Case(
        "patch_courses",
        "the courses package patched",
        "flagged_for_review",
        0.0,
        append_to_answer("mean_answer", "import courses\ncourses.load_csv = print"),
    ),
    Case("invalid_json", "truncated JSON", "invalid_submission", 0.0, raw=b'{"cells": [{"cell_type": '),
    Case("empty_file", "empty file", "invalid_submission", 0.0, raw=b""),
    Case("not_a_notebook", "valid JSON that is not a notebook", "invalid_submission", 0.0, raw=b"[1, 2, 3]"),
    Case("old_nbformat", "saved in notebook format 3", "graded_with_repairs", 10.0, _old_format),
    Case("missing_notebook", "notebook missing from the submission folder", "invalid_submission", 0.0),
    Case("huge_file", "3 MB notebook (limit 2 MB)", "invalid_submission", 0.0, _huge),
]


def submit_all(root: Path) -> None:
    """Place every case's submission in the course."""
    for case in CASES:
        if case.trainee_id == "missing_notebook":
            folder = toy.submit(root, case.trainee_id)
            (folder / f"{toy.NOTEBOOK}.ipynb").unlink()
        else:
            toy.submit(root, case.trainee_id, case.edit, raw=case.raw)


def main() -> None:
    """Grade every case in a temporary course and print a Markdown table of status, score and time."""
    from spmu.grading import grade_cohort

    with tempfile.TemporaryDirectory() as folder:
        root = toy.build_course(Path(folder) / "course")
        submit_all(root)
        started = time.monotonic()
        results = {r.trainee_id: r for r in grade_cohort(root, toy.ASSIGNMENT, workers=2)}
        wall = time.monotonic() - started
    print("| case | status | score /10 | seconds | as expected |\n|---|---|---|---|---|")
    for case in CASES:
        r = results[case.trainee_id]
        ok = "yes" if (r.status, r.score) == (case.status, case.score) else f"NO (expected {case.status})"
        print(f"| {case.what} | {r.status} | {r.score:g} | {r.seconds:.1f} | {ok} |")
    print(f"\n{len(CASES)} submissions, 2 workers: {wall:.1f} s wall clock")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
