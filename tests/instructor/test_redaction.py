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
from spmu.feedback import RedactForTrainee, hidden_assert_messages, redacted_outputs
from spmu.integrity import find_leaks, html_text, secret_lines

TEST_SOURCE = (
    'assert f(1) == 2, "visible"\n'
    '### BEGIN HIDDEN TESTS\nassert f(-1) == -2, "secret case"\n### END HIDDEN TESTS'
)


def error_at(line: int, evalue: str) -> nbformat.NotebookNode:
    traceback = [
        "\x1b[31mAssertionError\x1b[39m  Traceback (most recent call last)",
        (
            f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line {line}\x1b[39m\n"
            f'----> {line} assert f(-1) == -2, "secret case"'
        ),
    ]
    return new_output("error", ename="AssertionError", evalue=evalue, traceback=traceback)


def test_hidden_failure_shows_the_asserts_own_message_without_traceback():
    [output] = redacted_outputs(TEST_SOURCE, [error_at(3, "secret case")])
    assert output.output_type == "stream"
    assert output.text.startswith("A hidden test in this cell did not pass: secret case\n")
    assert "f(-1)" not in output.text and "-2" not in output.text


def test_hidden_message_with_values_or_not_in_the_source_becomes_the_plain_sentence():
    source = (
        "### BEGIN HIDDEN TESTS\n"
        'assert f(-1) == -2, f"expected -2, got {f(-1)}"\n'
        "assert f(5) == 10, message_for(5)\n"
        "### END HIDDEN TESTS"
    )
    for evalue in ("expected -2, got -3", "secret case", "f(5) should be 10"):
        [output] = redacted_outputs(source, [error_at(2, evalue)])
        assert output.text.startswith("A hidden test in this cell did not pass (AssertionError).")
        assert evalue not in output.text
    assert hidden_assert_messages(source) == set()


def test_hidden_assert_messages_are_the_string_literals_of_hidden_asserts_only():
    source = (
        'assert f(1) == 2, "visible message"\n'
        "### BEGIN HIDDEN TESTS\n"
        "for case in cases:\n"
        '    assert f(case) == 2 * case, "doubles every case"\n'
        'assert f(0) == 0, (\n    "zero stays zero"\n)\n'
        'assert f(2) == 4, "two\\nlines"\n'
        "### END HIDDEN TESTS\n"
        "%time f(3)"  # IPython syntax: the hidden lines are parsed on their own
    )
    assert hidden_assert_messages(source) == {"doubles every case", "zero stays zero"}


def test_a_non_assertion_error_in_a_hidden_line_shows_only_its_type():
    error = error_at(3, "secret case")
    error.ename = "ValueError"
    [output] = redacted_outputs(TEST_SOURCE, [error])
    assert "hidden test in this cell did not pass (ValueError)" in output.text
    assert "secret case" not in output.text


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
    assert "did not pass: toy hidden check on a negative number" in str(redacted.cells[3].outputs)
    assert "triple(-7)" not in str(redacted.cells[3].outputs)
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
