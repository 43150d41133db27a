"""Fixtures of the browser tier: a JupyterLab server on a temporary copy of the course, headless system
Chromium driven by Playwright, console-error collection and step screenshots. (The instructor test starts its
own server on the course that ``spmu demo`` leaves behind: see test_instructor.py.)

Layout of the temporary folder the server serves (nothing is written into the repository):
    <root>/course/    a copy of the course: the server's working folder, so nbgrader's Validate button reads its
                      ``nbgrader_config.py``
    <root>/trainee/<assignment>/   the repository's release/<assignment>/ answered by a "perfect" simulated
                      trainee (spmu.cohort), the way a trainee holds it before handing it in
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from lab_server import LabServer, start_lab, stop_lab
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from spmu.cohort import SimulatedTrainee, build_submission

COURSE_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; never `playwright install`
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1440, "height": 900}  # a common laptop screen

# Console errors that say nothing about the course, each with the reason it is allowed. JupyterLab 4.6 itself, with
# nbgrader's and ipywidgets' extensions, logged no error on these machines; the two entries below come from
# nbgrader's formgrader grading page (shown in an iframe inside Lab), and only when the machine is offline as CI is.
ALLOWED_CONSOLE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^Failed to load resource: net::ERR_NAME_NOT_RESOLVED "
            r"\(at https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/"
        ),
        "the formgrader page loads MathJax 2 from a CDN (nbconvert's mathjax macro default); CI has no internet",
    ),
    (
        re.compile(
            r"^uncaught: MathJax is not defined \(at http://127\.0\.0\.1:\d+/formgrader/static/js/formgrade\.js"
        ),
        "follows from the missing CDN MathJax: formgrade.js calls MathJax without checking; grading still works",
    ),
]

SCREENSHOT_PATHS: list[Path] = []


class ConsoleErrors:
    """Errors a page logged to its console (and uncaught exceptions), minus the allow-list."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"{message.text} (at {message.location.get('url', '?')})")

    def on_page_error(self, error) -> None:
        frames = re.findall(r"\((https?://[^)]+)\)", error.stack or "")
        self.messages.append(f"uncaught: {error.message} (at {frames[0] if frames else '?'})")

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p, _ in ALLOWED_CONSOLE_ERRORS)]


class Screenshots:
    """Saves numbered PNGs of a test's steps into ``<folder>/<test name>/`` and prints their paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def save(self, target, step: str) -> Path:
        """Screenshot a page or a locator (a cell, a dialog) as the next step of the test."""
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
        target.screenshot(path=str(path))
        SCREENSHOT_PATHS.append(path)
        print(f"screenshot: {path}")
        return path


def pytest_terminal_summary(terminalreporter) -> None:
    """List the screenshots at the end of the run so CI logs show where the artefacts are."""
    if SCREENSHOT_PATHS:
        terminalreporter.section("browser screenshots")
        for path in SCREENSHOT_PATHS:
            terminalreporter.write_line(str(path))


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory) -> Path:
    """The folder the trainee's server serves, with a copy of the course in ``course/``."""
    root = tmp_path_factory.mktemp("lab-root")
    for folder in ("source", "release"):
        shutil.copytree(
            COURSE_ROOT / folder, root / "course" / folder, ignore=shutil.ignore_patterns(".ipynb_*")
        )
    shutil.copy2(COURSE_ROOT / "nbgrader_config.py", root / "course")
    return root


@pytest.fixture(scope="session")
def answered(lab_root: Path):
    """An assignment's committed release answered by a perfect simulated trainee; paths from the server root."""

    def make(assignment: str) -> list[str]:
        if not (COURSE_ROOT / "release" / assignment).is_dir():
            pytest.skip(f"release/{assignment} does not exist yet")
        out_dir = lab_root / "trainee" / assignment
        if not out_dir.exists():
            shutil.copytree(COURSE_ROOT / "release" / assignment, out_dir)
            notebooks = build_submission(COURSE_ROOT, assignment, SimulatedTrainee("browser", "perfect"))
            for name, notebook in notebooks.items():
                nbformat.write(notebook, out_dir / name)
        return sorted(p.relative_to(lab_root).as_posix() for p in out_dir.glob("*.ipynb"))

    return make


@pytest.fixture(scope="session")
def lab(lab_root: Path, tmp_path_factory) -> Iterator[LabServer]:
    """The trainee's JupyterLab, one for the whole session (its state folders are outside the served tree)."""
    server = start_lab(lab_root, lab_root / "course", tmp_path_factory.mktemp("lab-state"))
    yield server
    stop_lab(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module: Playwright's sync API refuses to start while another instance runs, so
    each module (this tier's and the hub tier's own) gets one and closes it before the next starts."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package 'chromium' (make system-deps)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(browser: Browser, console: ConsoleErrors) -> Iterator[Page]:
    """A fresh browser page whose console errors go to the ``console`` fixture."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_root(tmp_path_factory) -> Path:
    """``$SCREENSHOT_DIR`` when set (CI artefacts), else a temporary folder."""
    folder = os.environ.get("SCREENSHOT_DIR")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshots(screenshot_root: Path, request) -> Screenshots:
    return Screenshots(screenshot_root / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-"))
