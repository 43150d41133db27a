"""A cohort week through the course hub in headless Chromium (root only; Playwright + Debian's chromium):

two trainees log in and fetch ``crime_scene`` from the Assignments panel, one completes it and one leaves half
(their notebooks are written as simulated trainees, as tests/browser does), both submit; the instructor collects
and autogrades with ``spmu``, opens the formgrader inside JupyterLab, enters one manual grade there and releases
feedback; each trainee fetches feedback in the panel and sees their own score and no hidden test.
Screenshots of each step go to ``$SCREENSHOT_DIR/hub-cohort/`` (else a temporary folder)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from accounts import REPO, VENV_BIN, autograde, make_site, remove_site
from hub_server import start_hub
from playwright.sync_api import Page, expect, sync_playwright

from spmu.cohort import SimulatedTrainee, build_submission, demo_trainee
from spmu.integrity import find_leaks, html_text, secret_lines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.geteuid() != 0 and not os.environ.get("CI"),
        reason="makes OS accounts and runs a hub: root only (CI runs as root)",
    ),
]
ASSIGNMENT = "crime_scene"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
LONG = 120_000  # ms: a cold JupyterLab on a busy 2-core machine


class Shots:
    def __init__(self) -> None:
        root = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
        self.folder = (root or Path(tempfile.mkdtemp(prefix="hub-screenshots-"))) / "hub-cohort"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def save(self, page: Page, step: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
        page.screenshot(path=str(path))
        print(f"screenshot: {path}")


@pytest.fixture(scope="module")
def site():
    site = make_site(trainees=2)
    try:
        for folder in ("source", "release"):
            shutil.copytree(REPO / folder / ASSIGNMENT, site.course / folder / ASSIGNMENT)
        shutil.copy2(REPO / "nbgrader_config.py", site.course)
        (site.course / "grading").mkdir()
        for path in [site.course, *site.course.rglob("*")]:
            shutil.chown(path, site.instructor, site.instructor)
        site.course.chmod(0o700)
        yield site
    finally:
        remove_site(site)


def spmu(site, *argv: str) -> str:
    return site.run(site.instructor, VENV_BIN / "spmu", "--course", site.course, *argv).stdout


def log_in(page: Page, hub_url: str, user: str, password: str, shots: Shots) -> None:
    page.goto(f"{hub_url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    shots.save(page, f"{user}-login")
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=LONG)
    page.wait_for_selector(".jp-LabShell", timeout=LONG)
    page.wait_for_selector(".jp-DirListing-content", timeout=LONG)


def open_menu(page: Page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{item}$")).click()


def assignments_panel(page: Page) -> None:
    open_menu(page, "Nbgrader", "Assignment List")
    page.wait_for_selector("#released_assignments_list", timeout=LONG)


def write_notebooks(site, trainee: str, simulated: SimulatedTrainee) -> None:
    """The trainee's work, written into their fetched copy as their own OS user would."""
    folder = site.home(trainee) / ASSIGNMENT
    for name, notebook in build_submission(site.course, ASSIGNMENT, simulated).items():
        nbformat.write(notebook, folder / name)
        shutil.chown(folder / name, trainee, trainee)


def gradebook(site, code: str) -> object:
    """Run ``code`` (with ``gb`` open, binding ``result``) as the instructor; returns ``result`` (JSON)."""
    script = (
        "import json, sys; from nbgrader.api import Gradebook; from spmu.course import load_config\n"
        "cfg = load_config(sys.argv[1])\n"
        "with Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id) as gb:\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "print(json.dumps(result))\n"
    )
    return json.loads(site.run(site.instructor, VENV_BIN / "python", "-c", script, site.course).stdout)


def test_a_cohort_week_through_the_hub(site):
    complete, half = site.trainees
    spmu(site, "release", ASSIGNMENT, "--to-exchange")
    hub = start_hub(site)
    shots = Shots()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages = {}
            for trainee in (complete, half):
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                pages[trainee] = page
                log_in(page, hub.url, trainee, site.passwords[trainee], shots)
                assignments_panel(page)
                released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
                expect(released).to_be_visible(timeout=LONG)
                shots.save(page, f"{trainee}-assignments-panel")
                released.get_by_role("button", name="Fetch").click()
                fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
                expect(fetched).to_be_visible(timeout=LONG)
                shots.save(page, f"{trainee}-fetched")
                assert (site.home(trainee) / ASSIGNMENT / "01_bloodstains.ipynb").is_file()

            write_notebooks(site, complete, SimulatedTrainee(complete, "perfect"))
            write_notebooks(site, half, demo_trainee(site.course, ASSIGNMENT, half, "partial", 0))
            for trainee, page in pages.items():
                page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.get_by_role(
                    "button", name="Submit"
                ).click()
                expect(page.locator("#submitted_assignments_list .list_item").first).to_be_visible(
                    timeout=LONG
                )
                shots.save(page, f"{trainee}-submitted")

            collected = spmu(site, "collect", ASSIGNMENT, "--from-exchange")
            assert "collected 2 trainee(s)" in collected, collected
            graded = autograde(site, ASSIGNMENT).stdout
            assert "2 submission(s) graded" in graded, graded

            # the instructor: the formgrader inside JupyterLab, then one manual grade
            instructor = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            log_in(instructor, hub.url, site.instructor, site.passwords[site.instructor], shots)
            open_menu(instructor, "Nbgrader", "Formgrader")
            frame = instructor.frame_locator("iframe").first
            expect(frame.get_by_text("Manage Assignments").first).to_be_visible(timeout=LONG)
            expect(frame.get_by_text(ASSIGNMENT).first).to_be_visible(timeout=LONG)
            shots.save(instructor, "instructor-formgrader-in-lab")
            notebook_id = gradebook(
                site, f"result = gb.find_submission_notebook('02_time_of_death', {ASSIGNMENT!r}, {half!r}).id"
            )
            instructor.goto(f"{hub.url}/user/{site.instructor}/formgrader/submissions/{notebook_id}/")
            score = instructor.locator("input.score#tod_judgement")
            expect(score).to_be_visible(timeout=LONG)
            instructor.wait_for_load_state("networkidle")
            saved = None
            for _ in range(3):  # the page loads its grades after the page itself: type again if they reset it
                score.fill("1")
                score.press("Tab")  # the formgrader saves through its API when the field loses focus
                for _ in range(20):
                    saved = gradebook(
                        site,
                        "result = gb.find_grade('tod_judgement', '02_time_of_death', "
                        f"{ASSIGNMENT!r}, {half!r}).manual_score",
                    )
                    if saved == 1.0:
                        break
                    instructor.wait_for_timeout(500)
                if saved == 1.0:
                    break
            shots.save(instructor, "instructor-manual-grade")
            assert saved == 1.0, saved
            spmu(site, "feedback", ASSIGNMENT, "--to-exchange")
            scores = gradebook(
                site,
                "result = {s.student.id: {n.name: [n.score, n.max_score] for n in s.notebooks} "
                f"for s in gb.find_assignment({ASSIGNMENT!r}).submissions}}",
            )
            total = {t: sum(points for points, _ in notebooks.values()) for t, notebooks in scores.items()}
            assert scores[complete]["01_bloodstains"][0] == scores[complete]["01_bloodstains"][1]
            assert 0 < total[half] < total[complete], total

            secrets = {}
            for path in (site.course / "source" / ASSIGNMENT).glob("*.ipynb"):
                for kind, lines in secret_lines(nbformat.read(path, as_version=4)).items():
                    secrets.setdefault(kind, set()).update(lines)
            for trainee, page in pages.items():
                page.locator("#refresh_assignments_list").click()
                fetch = page.get_by_role("button", name="Fetch Feedback").first
                expect(fetch).to_be_visible(timeout=LONG)
                fetch.click()
                expect(page.get_by_text("(view feedback)").first).to_be_visible(timeout=LONG)
                shots.save(page, f"{trainee}-feedback-fetched")
                (stamp,) = (site.home(trainee) / ASSIGNMENT / "feedback").iterdir()
                for notebook, (points, maximum) in sorted(scores[trainee].items()):
                    page.goto(
                        f"{hub.url}/user/{trainee}/files/{ASSIGNMENT}/feedback/{stamp.name}/{notebook}.html"
                    )
                    text = html_text(page.content())
                    assert re.search(rf"Score:\s*{points:g}(\.0+)?\s*/\s*{maximum:g}(\.0+)?", text), (
                        trainee,
                        notebook,
                    )
                    assert find_leaks(text, secrets, ("hidden test", "mark scheme", "model answer")) == []
                    shots.save(page, f"{trainee}-feedback-{notebook}")
            browser.close()
    finally:
        hub.stop()
