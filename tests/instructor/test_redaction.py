"""Feedback redaction and the leak scanner, on hand-made cells (no kernel needed)."""

from __future__ import annotations

import nbformat
from instructor_toy_course import (
    HIDDEN_LINE,
    MARK_SCHEME_LINE,
    MODEL_ANSWER_LINE,
    SOLUTION_LINE,
    toy_notebook,
)
from nbformat.v4 import new_code_cell, new_output

from spmu.feedback import RedactForTrainee, redacted_outputs
from spmu.integrity import find_leaks, html_text, secret_lines

TEST_SOURCE = (
    'assert f(1) == 2, "visible"\n'
    '### BEGIN HIDDEN TESTS\nassert f(-1) == -2, "secret case"\n### END HIDDEN TESTS'
)


def error_at(line: int, evalue: str) -> nbformat.NotebookNode:
    traceback = [
        "\x1b[31mAssertionError\x1b[39m  Traceback (most recent call last)",
        f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line {line}\x1b[39m\n"
        f'----> {line} assert f(-1) == -2, "secret case"',
    ]
    return new_output("error", ename="AssertionError", evalue=evalue, traceback=traceback)


def test_hidden_failure_becomes_a_plain_sentence_without_traceback():
    [output] = redacted_outputs(TEST_SOURCE, [error_at(3, "secret case")])
    assert output.output_type == "stream"
    assert "hidden test in this cell did not pass (AssertionError)" in output.text
    assert "secret case" not in output.text and "f(-1)" not in output.text


def test_visible_failure_keeps_its_message_but_not_the_traceback():
    [output] = redacted_outputs(TEST_SOURCE, [error_at(1, "visible")])
    assert output.text == "AssertionError: visible\n"


def test_unparseable_traceback_is_treated_as_hidden_and_printed_output_is_dropped():
    unknown = new_output("error", ename="ValueError", evalue="secret case", traceback=["no frame here"])
    printed = new_output("stream", name="stdout", text="expected -2 for the planted case")
    outputs = redacted_outputs(TEST_SOURCE, [printed, unknown])
    assert len(outputs) == 1 and "secret case" not in outputs[0].text


def test_redactor_removes_hidden_tests_and_mark_schemes_from_sources():
    notebook = toy_notebook()
    notebook.cells[3].outputs = [error_at(3, "toy hidden check on a negative number")]
    redacted, _ = RedactForTrainee().preprocess(notebook, {})
    text = "\n".join(cell.source for cell in redacted.cells)
    assert HIDDEN_LINE not in text and MARK_SCHEME_LINE not in text
    assert "HIDDEN TESTS" not in text and "MARK SCHEME" not in text
    assert "toy hidden check" not in str(redacted.cells[3].outputs)
    assert 'assert triple(0) == 0, "triple(0) should be 0"' in text  # the visible part of the cell stays


def test_secret_lines_by_kind_ignore_lines_that_are_public_anyway():
    secrets = secret_lines(toy_notebook())
    assert secrets == {
        "solution": {SOLUTION_LINE},
        "hidden test": {HIDDEN_LINE},
        "mark scheme": {MARK_SCHEME_LINE},
        "model answer": {MODEL_ANSWER_LINE},
    }
    notebook = toy_notebook()
    notebook.cells.append(new_code_cell(SOLUTION_LINE))  # the same line in a public cell proves nothing
    assert secret_lines(notebook)["solution"] == set()


def test_leak_scanner_sees_through_syntax_highlighting_html():
    secrets = secret_lines(toy_notebook())
    highlighted = (
        '<div class="highlight"><pre><span class="k">assert</span> <span class="n">triple</span>'
        '<span class="p">(</span><span class="o">-</span><span class="mi">7</span><span class="p">)'
        '</span> <span class="o">==</span> <span class="o">-</span><span class="mi">21</span>'
        '<span class="p">,</span> <span class="s2">&quot;toy hidden check on a negative number&quot;'
        "</span>\n</pre></div>"
    )
    assert find_leaks(html_text(highlighted), secrets) == [f"hidden test line {HIDDEN_LINE!r}"]
    assert find_leaks("### BEGIN HIDDEN TESTS", secrets) == ["'BEGIN HIDDEN TESTS' delimiter"]
    assert find_leaks("nothing to see", secrets) == []
