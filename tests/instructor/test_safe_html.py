"""No active content from a trainee reaches feedback HTML or the formgrader's view of a submission.

A hostile autograded submission of the toy assignment (scripts, event handlers, ``javascript:`` links,
iframes, SVG, JavaScript and widget outputs, image metadata that breaks out of an attribute) is rendered
three ways: ``spmu feedback``, plain ``nbgrader generate_feedback`` (a subprocess reading nbgrader_config.py),
and the exporter nbgrader's formgrader builds for its submission view. Every payload carries the word PWNED;
:func:`active_content` lists where PWNED sits in something a browser would run or load. Each test also
renders the same notebook without the sanitiser and checks the scan finds the payloads (so it can fail).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest
from instructor_toy_course import HIDDEN_LINE, MARK_SCHEME_LINE, toy_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from spmu.feedback import generate_feedback
from spmu.gradebook import open_gradebook
from spmu.integrity import feedback_leak_problems, html_text
from spmu.markers import SOLUTION, remove_delimiters
from spmu.safe_html import NoActiveContent, clean_html

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
HOSTILE_MARKDOWN = "\n\n".join(  # noqa: FLY002 (one payload per line)
    [
        "My answer: <script>alert('PWNED-script')</script>",
        '<img src="x" onerror="alert(\'PWNED-onerror\')">',
        "[click me](javascript:alert('PWNED-md-link'))",
        "![chart](javascript:alert('PWNED-md-image'))",
        "[ref][r]\n\n[r]: JaVaScRiPt:alert('PWNED-ref-link')",
        "<iframe src='https://example.com/PWNED-iframe'></iframe>",
        "<a href='data:text/html,PWNED-data-link'>open</a>",
        "<svg onload=\"alert('PWNED-svg')\"><circle r=1></circle></svg>",
        "<object data='https://example.com/PWNED-object.swf'></object>",
        "<meta http-equiv='refresh' content=\"0;url=javascript:alert('PWNED-meta')\">",
        "<style>body{background:url(https://example.com/PWNED-style)}</style>",
        "<form action='https://example.com/PWNED-form'><button>send</button></form>",
        "<base href='https://example.com/PWNED-base/'>",
        "<details open ontoggle=alert('PWNED-toggle')>x</details>",
        "<a href=' java\tscript:alert(1)' title='PWNED-tab-link'>tab</a>",
        "[my file](PWNED-relative.html) opens on the Jupyter origin",
        "![beacon](https://example.com/PWNED-beacon.png)",
        "$\\href{javascript:alert('PWNED-mathjax')}{see the formula}$",
    ]
)
HIDDEN_TRACEBACK = [
    "\x1b[31mAssertionError\x1b[39m  Traceback (most recent call last)",
    f"\x1b[36mCell\x1b[39m \x1b[32mIn[4], line 3\x1b[39m\n----> 3 {HIDDEN_LINE}",
]


def hostile_outputs() -> list:
    return [
        new_output("display_data", data={"text/html": "<b>fine</b><script>alert('PWNED-html')</script>"}),
        new_output(
            "display_data", data={"image/svg+xml": "<svg><script>alert('PWNED-svgout')</script></svg>"}
        ),
        new_output("display_data", data={"text/markdown": "[m](javascript:alert('PWNED-mdout'))"}),
        new_output("display_data", data={"application/javascript": "alert('PWNED-js')", "text/plain": "js"}),
        new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "PWNED-widget", "version_major": 2}
            },
        ),
        new_output(
            "display_data",
            data={"image/png": PNG, "text/plain": "<Figure>"},
            metadata={"image/png": {"width": "1 onerror=alert('PWNED-width')"}},
        ),
        new_output(
            "display_data",
            data={"text/html": "<script>alert('PWNED-isolated')</script>"},
            metadata={"text/html": {"isolated": True}},
        ),
        # an explorer's first frame as ipympl writes it: a PNG and an HTML fallback beside the widget view
        new_output(
            "display_data",
            data={
                "image/png": PNG,
                "text/html": f"<div><img src='data:image/png;base64,{PNG}' width=640.0/></div>",
                "text/plain": "Canvas(toolbar=Toolbar(...))",
                "application/vnd.jupyter.widget-view+json": {"model_id": "PWNED-ipympl", "version_major": 2},
            },
        ),
    ]


def hostile_autograded_notebook(hidden_evalue: str) -> nbformat.NotebookNode:
    """The toy notebook as autograde leaves it (hidden test and mark scheme restored) for a hostile trainee."""
    notebook = toy_notebook()
    notebook.cells[1].source = remove_delimiters(notebook.cells[1].source, SOLUTION)  # the trainee's code
    answer = notebook.cells[5]  # the written answer (markdown, graded by hand)
    answer.source = HOSTILE_MARKDOWN
    notebook.cells[1].outputs = hostile_outputs()
    notebook.cells[1].execution_count = 1
    notebook.cells[3].outputs = [
        new_output("stream", name="stdout", text="printed while the hidden test ran: -21 expected\n"),
        new_output("error", ename="AssertionError", evalue=hidden_evalue, traceback=HIDDEN_TRACEBACK),
    ]
    notebook.cells.append(new_markdown_cell('A cell of my own. <img src="x" onerror="alert(\'PWNED-own\')">'))
    notebook.cells.append(new_code_cell("show()", outputs=hostile_outputs()[:3]))
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"m": {"model_module": "https://example.com/PWNED-module.js", "state": {}}},
            "version_major": 2,
            "version_minor": 0,
        }
    }
    return notebook


class _Scan(HTMLParser):
    """Where PWNED sits in something a browser runs or loads (script text, handlers, URLs, active tags)."""

    ACTIVE_TAGS: ClassVar[set[str]] = {
        "script",
        "iframe",
        "object",
        "embed",
        "svg",
        "style",
        "meta",
        "base",
        "form",
        "link",
        "frame",
    }
    INERT_ATTRIBUTES: ClassVar[set[str]] = {"alt", "title", "class"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            url = "".join(ch for ch in value if ord(ch) > 0x20).lower()
            if (
                "PWNED" in value
                and (tag in self.ACTIVE_TAGS or name not in self.INERT_ATTRIBUTES)
                or name in ("href", "src", "action", "data")
                and url.startswith(("javascript:", "data:text"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("script", "style"):
            self.raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw:
            self.raw = None

    def handle_data(self, data: str) -> None:
        if self.raw and "PWNED" in data:
            self.found.append(f"<{self.raw}> " + " ".join(re.findall(r"PWNED-[\w-]+", data)))


def active_content(page: str) -> list[str]:
    """Places where a trainee's payload would run or load in ``page``."""
    scan = _Scan()
    scan.feed(page)
    scan.close()
    return scan.found


@pytest.fixture
def hostile_course(toy_copy: Path) -> Path:
    """The toy course with one autograded hostile submission (trainee ``mallory``) in the gradebook."""
    with open_gradebook(toy_copy) as gradebook:
        gradebook.update_or_create_student("mallory")
        gradebook.add_submission("toy", "mallory")
    folder = toy_copy / "grading" / "autograded" / "mallory" / "toy"
    folder.mkdir(parents=True)
    nbformat.write(
        hostile_autograded_notebook("toy hidden check on a negative number"), folder / "01_toy.ipynb"
    )
    return toy_copy


def feedback_page(course: Path) -> str:
    return (course / "grading" / "feedback" / "mallory" / "toy" / "01_toy.html").read_text(encoding="utf-8")


def assert_safe_and_useful(page: str) -> None:
    assert active_content(page) == []
    assert "\\href{" not in page  # MathJax would make it a javascript: link
    assert f'src="data:image/png;base64,{PNG}"' in page  # the explorer's first frame still shows
    assert "<b>fine</b>" in page and "My answer:" in page  # harmless HTML and the trainee's words stay


def test_spmu_feedback_has_no_active_content(hostile_course: Path):
    outcome = generate_feedback(hostile_course, "toy", ["mallory"])
    assert outcome.failed == {}
    page = feedback_page(hostile_course)
    assert_safe_and_useful(page)
    assert "PWNED-module" not in page  # the widget state (code loaded from a CDN) is gone
    text = html_text(page)
    assert HIDDEN_LINE not in text and MARK_SCHEME_LINE not in text
    assert "printed while the hidden test ran" not in text


def test_the_scan_finds_the_payloads_in_unsanitised_feedback(hostile_course: Path):
    from spmu.course import nbgrader_api
    from spmu.feedback import feedback_config

    config = feedback_config(hostile_course)
    config.GenerateFeedback.preprocessors = [
        p for p in config.GenerateFeedback.preprocessors if p is not NoActiveContent
    ]
    nbgrader_api(hostile_course, config=config).generate_feedback("toy", "mallory", force=True)
    found = " ".join(active_content(feedback_page(hostile_course)))
    for payload in (
        "PWNED-script",
        "PWNED-onerror",
        "PWNED-md-link",
        "PWNED-width",
        "PWNED-html",
        "PWNED-js",
        "PWNED-relative",
        "PWNED-beacon",
    ):
        assert payload in found
    assert "\\href{javascript:alert('PWNED-mathjax')}" in feedback_page(hostile_course)


def test_plain_nbgrader_generate_feedback_has_no_active_content(hostile_course: Path):
    nbgrader = shutil.which("nbgrader", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [nbgrader, "generate_feedback", "toy", "--student", "mallory", "--force"],
        check=False,
        cwd=hostile_course,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert_safe_and_useful(feedback_page(hostile_course))
    assert feedback_leak_problems(hostile_course, "toy") == []


def formgrader_exporter(course: Path, monkeypatch):
    """The HTMLExporter nbgrader's formgrader builds for its submission view, from the course folder."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    monkeypatch.chdir(course)  # the formgrader reads nbgrader_config.py from the folder the server runs in
    extension = FormgradeExtension()
    extension.root_dir = str(course)
    extension.initialize([])
    webapp = types.SimpleNamespace(settings={"base_url": "/"})
    extension.init_tornado_settings(webapp)
    return webapp.settings["nbgrader_exporter"]


def formgrader_page(course: Path, exporter) -> str:
    """The page the formgrader's SubmissionHandler writes for mallory's notebook (same call, same
    resources)."""
    resources = {
        "assignment_id": "toy",
        "notebook_id": "01_toy",
        "submission_id": "abc123",
        "index": 0,
        "total": 1,
        "base_url": "",
        "student": "mallory",
        "last_name": None,
        "first_name": None,
        "notebook_path": "grading/autograded/mallory/toy/01_toy.ipynb",
    }
    html, _ = exporter.from_filename(
        str(course / "grading" / "autograded" / "mallory" / "toy" / "01_toy.ipynb"), resources=resources
    )
    return html


def test_formgrader_submission_view_has_no_active_content(hostile_course: Path, monkeypatch):
    exporter = formgrader_exporter(hostile_course, monkeypatch)
    assert exporter.template_name == "formgrade"
    page = formgrader_page(hostile_course, exporter)
    assert_safe_and_useful(page)
    assert "formgrade.js" in page  # the grading form itself still loads
    assert MARK_SCHEME_LINE in html_text(page)  # instructors still see the mark scheme


def test_formgrader_without_the_sanitiser_would_run_the_payloads(hostile_course: Path, monkeypatch):
    config = hostile_course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.HTMLExporter.preprocessors = []\n")
    page = formgrader_page(hostile_course, formgrader_exporter(hostile_course, monkeypatch))
    found = " ".join(active_content(page))
    for payload in (
        "PWNED-script",
        "PWNED-onerror",
        "PWNED-md-link",
        "PWNED-width",
        "PWNED-js",
    ):
        assert payload in found


def test_hidden_test_message_shown_only_when_it_is_the_literal_assert_message(hostile_course: Path):
    generate_feedback(hostile_course, "toy", ["mallory"])
    text = html_text(feedback_page(hostile_course))
    assert "A hidden test in this cell did not pass: toy hidden check on a negative number" in text
    assert feedback_leak_problems(hostile_course, "toy") == []

    path = hostile_course / "grading" / "autograded" / "mallory" / "toy" / "01_toy.ipynb"
    nbformat.write(hostile_autograded_notebook("expected -21, got -14"), path)  # a message with values
    generate_feedback(hostile_course, "toy", ["mallory"])
    text = html_text(feedback_page(hostile_course))
    assert "-14" not in text and "A hidden test in this cell did not pass (AssertionError)" in text
    assert feedback_leak_problems(hostile_course, "toy") == []


def test_leak_scan_flags_a_shown_message_that_is_not_a_literal_of_the_hidden_test(hostile_course: Path):
    generate_feedback(hostile_course, "toy", ["mallory"])
    page = hostile_course / "grading" / "feedback" / "mallory" / "toy" / "01_toy.html"
    page.write_text(
        page.read_text().replace("toy hidden check on a negative number", "triple(-7) should be -21")
    )
    [problem] = feedback_leak_problems(hostile_course, "toy")
    assert problem == (
        "grading/feedback/mallory/toy/01_toy.html: shows a hidden-test message that is not an assert message "
        "written in source/: 'triple(-7) should be -21'"
    )


def test_clean_html_keeps_tables_and_safe_links():
    table = "<table><tr><th>a</th></tr><tr><td colspan='2'>1</td></tr></table>"
    assert (
        clean_html(table)
        == '<table><tbody><tr><th>a</th></tr><tr><td colspan="2">1</td></tr></tbody></table>'
    )
    assert (
        clean_html("<a href='https://example.com/x' onclick='x()'>x</a>")
        == '<a href="https://example.com/x">x</a>'
    )
