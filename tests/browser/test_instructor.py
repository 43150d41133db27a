"""An instructor in JupyterLab after ``spmu demo``: formgrader lists the assignments and submissions, and a
written answer of one submission is graded by hand and lands in the gradebook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from lab_server import LabServer, start_lab, stop_lab
from playwright.sync_api import FrameLocator, Page

from spmu.gradebook import open_gradebook

DEMO_TRAINEES = 2  # a perfect and a blank trainee: two rows to list, one submission to grade by hand
DEMO_TIMEOUT_S = 900.0
GRADEBOOK_TIMEOUT_S = 15.0
COURSE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoRun:
    course: Path
    returncode: int
    output: str


def run_demo(out: Path) -> DemoRun:
    """``spmu demo`` from the repository into ``out``; its process group is stopped if it overruns."""
    command = [
        str(Path(sys.executable).parent / "spmu"),
        "demo",
        "--trainees",
        str(DEMO_TRAINEES),
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    process = subprocess.Popen(
        command,
        cwd=COURSE_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=DEMO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"`{' '.join(command)}` did not finish within {DEMO_TIMEOUT_S:.0f} s:\n{output[-3000:]}")
    if not (out / "nbgrader_config.py").is_file():
        pytest.fail(f"`{' '.join(command)}` did not create the course:\n{output[-3000:]}")
    return DemoRun(out, process.returncode, output)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo") / "course")


@pytest.fixture(scope="module")
def instructor_lab(demo: DemoRun, tmp_path_factory) -> Iterator[LabServer]:
    """JupyterLab started in the demo course, so formgrader uses its configuration and gradebook."""
    server = start_lab(demo.course, demo.course, tmp_path_factory.mktemp("instructor-lab-state"))
    yield server
    stop_lab(server)


def first_written_answer(course: Path) -> tuple[str, str, str, float]:
    """(assignment, notebook stem, grade_id, points) of the first manually graded written answer in source/."""
    for path in sorted(course.glob("source/*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution"):
                return path.parent.name, path.stem, meta["grade_id"], float(meta["points"])
    raise AssertionError(f"no manually graded written answer in {course / 'source'}")


def open_formgrader(page: Page, lab: LabServer) -> FrameLocator:
    """Nbgrader > Formgrader in a fresh Lab workspace; the formgrader page (an iframe in a Lab tab)."""
    page.goto(f"{lab.url}/lab/workspaces/browser-test-formgrader?reset&token={lab.token}")
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Formgrader").click()
    return page.frame_locator(".jp-MainAreaWidget iframe")


def column(formgrader: FrameLocator, row_name: str, header: str) -> str:
    """Text of the table cell in column ``header`` of the row whose first link is ``row_name``."""
    table = formgrader.locator("table").first
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    index = next(i for i, text in enumerate(headers) if header in text)
    row = table.locator("tbody tr").filter(has=formgrader.get_by_role("link", name=row_name, exact=True))
    return row.locator("td").nth(index).inner_text().strip()


def manual_scores(course: Path, assignment: str, notebook: str, grade_id: str) -> list[float | None]:
    """The manual score of a written answer for every trainee in the gradebook."""
    with open_gradebook(course) as gradebook:
        return [
            gradebook.find_grade(grade_id, notebook, assignment, student.id).manual_score
            for student in gradebook.students
        ]


@pytest.mark.browser
def test_instructor_sees_the_cohort_in_formgrader_and_grades_a_written_answer(
    demo, instructor_lab, page, console, screenshots
):
    demo_course, lab = demo.course, instructor_lab
    assignments = sorted(p.name for p in (demo_course / "source").iterdir() if p.is_dir())

    formgrader = open_formgrader(page, lab)
    formgrader.get_by_role("link", name=assignments[0], exact=True).wait_for()
    screenshots.save(page, "manage-assignments")
    for assignment in assignments:
        assert column(formgrader, assignment, "Submissions") == str(DEMO_TRAINEES), (
            f"formgrader should list {DEMO_TRAINEES} submissions of {assignment}"
        )

    formgrader.get_by_role("link", name="Manual Grading", exact=True).click()
    formgrader.get_by_role("link", name=assignments[0], exact=True).wait_for()
    screenshots.save(page, "manual-grading")
    for assignment in assignments:
        assert column(formgrader, assignment, "Submissions") == str(DEMO_TRAINEES)

    assignment, notebook, grade_id, points = first_written_answer(demo_course)
    formgrader.get_by_role("link", name=assignment, exact=True).click()
    formgrader.get_by_role("link", name=notebook, exact=True).click()
    formgrader.get_by_role("link", name="Submission #1", exact=True).wait_for()
    screenshots.save(page, f"{assignment}-{notebook}-submissions")
    formgrader.get_by_role("link", name="Submission #1", exact=True).click()

    score = formgrader.locator(f"input.score#{grade_id}")
    score.scroll_into_view_if_needed()
    screenshots.save(page, f"{notebook}-submission-1-{grade_id}")
    assert manual_scores(demo_course, assignment, notebook, grade_id).count(points) == 0
    score.fill(f"{points:g}")
    score.press("Tab")  # formgrader saves a score when the field loses focus
    deadline = time.monotonic() + GRADEBOOK_TIMEOUT_S
    while manual_scores(demo_course, assignment, notebook, grade_id).count(points) != 1:
        assert time.monotonic() < deadline, f"the manual score of {grade_id} never reached the gradebook"
        time.sleep(0.3)
    screenshots.save(page, f"{notebook}-submission-1-graded")
    assert console.unexpected() == [], "JupyterLab or formgrader logged console errors"
    assert demo.returncode == 0, (
        f"`spmu demo` reported a problem (exit code {demo.returncode}):\n{demo.output[-3000:]}"
    )
