"""The simulated cohort: built from release/ and source/, mistakes checked against the notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from instructor_toy_course import SOLUTION_LINE
from spmu.cohort import (
    MISTAKES_FILE,
    SimulatedTrainee,
    build_submission,
    demo_profiles,
    demo_trainee,
    load_mistakes,
)
from spmu.course import CourseError


def answer_source(notebooks: dict, grade_id: str = "triple") -> str:
    [cell] = [
        c
        for c in notebooks["01_toy.ipynb"].cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    return cell.source


def test_perfect_blank_and_mistake_notebooks(released_toy: Path):
    perfect = build_submission(released_toy, "toy", SimulatedTrainee("p", "perfect"))
    assert SOLUTION_LINE in answer_source(perfect) and "SOLUTION" not in answer_source(perfect)
    blank = build_submission(released_toy, "toy", SimulatedTrainee("b", "blank"))
    assert blank["01_toy.ipynb"] == nbformat.read(
        released_toy / "release" / "toy" / "01_toy.ipynb", as_version=4
    )
    wrong = build_submission(released_toy, "toy", SimulatedTrainee("m", "mistake", ("doubles_instead",)))
    assert "return 2 * number" in answer_source(wrong) and SOLUTION_LINE not in answer_source(wrong)
    assert "Simulated written answer" in answer_source(wrong, "custody_answer")


def test_partial_trainee_leaves_later_answers_as_released(released_toy: Path):
    trainee = demo_trainee(released_toy, "toy", "t03", "partial", 0)
    assert trainee.blank_cells == ("triple",)  # the toy has one code answer: the later half is all of it
    assert "raise NotImplementedError" in answer_source(build_submission(released_toy, "toy", trainee))


def test_demo_profiles_cover_every_kind_of_trainee():
    kinds = [profile for profile, _ in demo_profiles(9)]
    assert kinds[:4] == ["perfect", "blank", "partial", "late"]
    assert {"mistake", "typical"} <= set(kinds[4:])


@pytest.mark.parametrize(
    "edit, message",
    [
        (('find = "return 3 * number"', 'find = "return 4 * number"'), "'find' occurs 0 times"),
        (('cell = "triple"', 'cell = "test_triple_visible"'), "is not an answer cell"),
        (('fails = ["test_triple_hidden"]', 'fails = ["nope"]'), "'nope' is not an autograded test cell"),
        (('notebook = "01_toy.ipynb"', 'notebook = "09.ipynb"'), "no notebook '09.ipynb'"),
    ],
)
def test_bad_mistakes_file_is_explained(toy_copy: Path, edit, message):
    path = toy_copy / "source" / "toy" / MISTAKES_FILE
    path.write_text(path.read_text().replace(*edit, 1))
    with pytest.raises(CourseError, match=message):
        load_mistakes(toy_copy, "toy")
