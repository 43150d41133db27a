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
TRANSFORMER = "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"
FRAME_PEEK = """import inspect
def hypotenuse(a, b):
    frame = inspect.currentframe().f_back
    if '_want' in frame.f_globals:
        return frame.f_globals['_want']
    return next((c for c in frame.f_code.co_consts if isinstance(c, float)), 0.0)"""
EQ_ALWAYS_TRUE = """class Yes:
    def __eq__(self, other):
        return True
def square(x):
    return Yes()"""
STR_SUBCLASS = """class Anything(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
def square(x):
    return Anything('no')"""
EXCEPTION_SUBCLASS = """class NoValues(ValueError):
    def __str__(self):
        return 'no values ' * 500_000
def mean(values):
    if not values:
        raise NoValues()
    return sum(values) / len(values)"""
EXCEPTION_ESCAPE = """def mean(values):
    if not values:
        raise KeyboardInterrupt
    return sum(values) / len(values)"""
REPLACE_SERVER = """class _Reply:
    def _repr_json_(self):
        return {{'reply': {body}}}
for _name in [n for n in globals() if n.startswith('_grader_answers_')]:
    globals()[_name] = lambda request: _Reply()"""
OS_EXIT_IN_TEST = """import os
def square(x):
    if x < 0:
        os._exit(1)
    return x * x"""
DISPLAY_FLOOD = """import ipywidgets
handle = display('start', display_id=True)
handle.update('y' * 3_000_000)
out = ipywidgets.Output()
display(out)
with out:
    print('z' * 3_000_000)"""
MUTATES = """def mean(values):
    if not values:
        raise ValueError('no values')
    values.sort()
    return sum(values) / len(values)"""
LEAKY = """seen = []
def square(x):
    print('ARGUMENT', 'SEEN', x)
    seen.append(x)
    return x * x"""


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


def _leaky(nb):
    nb.cells[cell_index(nb, "square_answer")].source = LEAKY
    nb.cells.append(nbformat.v4.new_code_cell("print('RECORDED', seen)"))


def _both(*edits):
    def edit(nb):
        for one in edits:
            one(nb)

    return edit


CASES = [
    Case("well_behaved", "well-behaved trainee (all answers right)", "graded", 10.0),
    Case("bystander_a", "another well-behaved trainee, graded among the attackers", "graded", 10.0),
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
        "display_flood",
        "a 3 MB display update and 3 MB through an Output widget (cap 200 kB)",
        "graded",
        10.0,
        append_to_answer("square_answer", DISPLAY_FLOOD),
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
    # Patching the trainee's own kernel: the tests run in the grader's trusted kernel, which none of this reaches,
    # so each is graded as its answers deserve (before the trusted kernel these were flagged and held at 0).
    Case(
        "patch_isclose",
        "wrong answer and math.isclose patched to always agree",
        "graded",
        7.0,
        _both(
            _replace_answer("hypotenuse_answer", "def hypotenuse(a, b):\n    return 0"),
            append_to_answer("hypotenuse_answer", "import math\nmath.isclose = lambda *a, **k: True"),
        ),
    ),
    Case(
        "patch_abs",
        "builtins.abs replaced",
        "graded",
        10.0,
        append_to_answer("square_answer", "import builtins\nbuiltins.abs = lambda x: 13.0"),
    ),
    Case(
        "patch_allclose_hidden",
        "wrong mean and numpy.allclose patched through vars(__import__(...))",
        "graded",
        5.0,
        _both(
            _replace_answer("mean_answer", "def mean(values):\n    return 0"),
            append_to_answer(
                "mean_answer", "vars(__import__('nu' + 'mpy'))['allclose'] = lambda *a, **k: True"
            ),
        ),
    ),
    Case(
        "patch_sys_modules",
        "sys.modules['math'] replaced",
        "graded",
        10.0,
        append_to_answer("mean_answer", "import sys, types\nsys.modules['math'] = types.ModuleType('math')"),
    ),
    Case(
        "patch_courses",
        "the courses package patched",
        "graded",
        10.0,
        append_to_answer("mean_answer", "import courses\ncourses.load_csv = print"),
    ),
    # Forging attacks (issue 14): each would add points if the tests ran in the trainee's kernel.
    Case(
        "input_transformer",
        "blank notebook; an input transformer rewrites every later cell to `pass`",
        "graded",
        0.0,
        _both(
            _replace_answer("square_answer", TRANSFORMER),
            _replace_answer("hypotenuse_answer", "raise NotImplementedError()"),
            _replace_answer("mean_answer", "raise NotImplementedError()"),
        ),
    ),
    Case(
        "frame_peek",
        "hypotenuse reads the expected value from the calling test's frame",
        "graded",
        7.0,
        _replace_answer("hypotenuse_answer", FRAME_PEEK),
    ),
    Case(
        "eq_always_true",
        "square returns an object whose __eq__ always says True",
        "graded",
        8.0,
        _replace_answer("square_answer", EQ_ALWAYS_TRUE),
    ),
    Case(
        "str_subclass",
        "square returns a str subclass that equals anything",
        "graded",
        8.0,
        _replace_answer("square_answer", STR_SUBCLASS),
    ),
    Case(
        "exception_subclass",
        "mean([]) raises its own ValueError subclass with a 5 MB message (crosses as ValueError)",
        "graded",
        10.0,
        _replace_answer("mean_answer", EXCEPTION_SUBCLASS),
    ),
    Case(
        "exception_escape",
        "mean([]) raises KeyboardInterrupt instead of ValueError",
        "graded",
        5.0,
        _replace_answer("mean_answer", EXCEPTION_ESCAPE),
    ),
    Case(
        "mutates_argument",
        "mean sorts the list it is given (a hidden test checks it is left unchanged)",
        "graded",
        5.0,
        _replace_answer("mean_answer", MUTATES),
    ),
    Case(
        "huge_return",
        "square returns a 20 MB string",
        "graded",
        8.0,
        _replace_answer("square_answer", "def square(x):\n    return 'x' * 20_000_000"),
    ),
    Case(
        "server_floods",
        "the grader's helper in the kernel replaced to answer with 50 MB",
        "timed_out",
        0.0,
        append_to_answer("mean_answer", REPLACE_SERVER.format(body="'x' * 50_000_000")),
    ),
    Case(
        "server_sleeps",
        "the grader's helper in the kernel replaced by one that sleeps",
        "timed_out",
        0.0,
        append_to_answer("mean_answer", REPLACE_SERVER.format(body="__import__('time').sleep(3600)")),
    ),
    Case(
        "os_exit_in_test",
        "square kills its kernel only when a hidden test calls it",
        "kernel_died",
        8.0,
        _replace_answer("square_answer", OS_EXIT_IN_TEST),
    ),
    Case(
        "leaky",
        "square prints and records its arguments; a last cell of its own prints the record",
        "graded",
        10.0,
        _leaky,
    ),
    Case("invalid_json", "truncated JSON", "invalid_submission", 0.0, raw=b'{"cells": [{"cell_type": '),
    Case("empty_file", "empty file", "invalid_submission", 0.0, raw=b""),
    Case("not_a_notebook", "valid JSON that is not a notebook", "invalid_submission", 0.0, raw=b"[1, 2, 3]"),
    Case("old_nbformat", "saved in notebook format 3", "graded_with_repairs", 10.0, _old_format),
    Case("missing_notebook", "notebook missing from the submission folder", "invalid_submission", 0.0),
    Case("huge_file", "3 MB notebook (limit 2 MB)", "invalid_submission", 0.0, _huge),
    Case("bystander_b", "a third well-behaved trainee, graded last", "graded", 10.0),
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
