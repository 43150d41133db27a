"""The Validator and metadata checks behind `spmu check` report real problems (toy negative controls)."""

from pathlib import Path

import nbformat
from spmu.course import load_config
from spmu.integrity import release_validation_problems, source_validation_problems
from spmu.release import metadata_problems


def test_answered_release_is_reported_as_passing_unanswered(toy_copy: Path):
    config = load_config(toy_copy)
    released = toy_copy / "release" / "toy" / "01_toy.ipynb"
    assert release_validation_problems(released, config) == []
    nb = nbformat.read(released, as_version=4)
    (answer,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "triple"]
    answer.source = answer.source.replace("raise NotImplementedError()", "return 3 * number")
    nbformat.write(nb, released)
    assert any("a test passes with no answer" in p for p in release_validation_problems(released, config))


def test_failing_source_and_duplicate_grade_id_are_reported(toy_copy: Path):
    source = toy_copy / "source" / "toy" / "01_toy.ipynb"
    nb = nbformat.read(source, as_version=4)
    (answer,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "triple"]
    answer.source = answer.source.replace("return 3 * number", "return 2 * number")
    nbformat.write(nb, source)
    problems = source_validation_problems(source, load_config(toy_copy))
    assert any("failed under the Validator" in p for p in problems), problems
    nb.cells.append(
        nbformat.v4.new_code_cell("def triple(number):\n    return 3 * number", metadata=answer.metadata)
    )
    nbformat.write(nb, source)
    problems = metadata_problems(toy_copy, "toy")
    assert problems == ["source/toy/01_toy.ipynb: invalid nbgrader metadata: Duplicate grade id: triple"]
