"""The course's work moving through nbgrader's exchange between real OS users (root only): the instructor
releases, two trainees fetch and submit with plain nbgrader as their hub servers would, the instructor collects
with ``spmu collect --from-exchange``, grades, releases feedback, and each trainee fetches only their own.

Also: a folder forged under another trainee's name is refused, a trainee's own timestamp cannot move a late
submission before the due date, and a submission after the due date is recorded as late."""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from datetime import UTC, datetime

import nbformat
import pytest
from accounts import VENV_BIN, autograde, make_site, remove_site
from instructor_toy_course import HIDDEN_LINE, MARK_SCHEME_LINE, SOLUTION_LINE, make_toy_course

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        os.geteuid() != 0 and not os.environ.get("CI"),
        reason="makes OS accounts: root only (CI runs as root)",
    ),
]
COURSE_ID = "spmu-police-training"


@pytest.fixture(scope="module")
def site():
    site = make_site(trainees=3)
    try:
        make_toy_course(site.course)
        shutil.chown(site.course, site.instructor, site.instructor)
        for path in site.course.rglob("*"):
            shutil.chown(path, site.instructor, site.instructor)
        site.course.chmod(0o700)
        yield site
    finally:
        remove_site(site)


def spmu(site, *argv: str, check: bool = True):
    return site.run(site.instructor, VENV_BIN / "spmu", "--course", site.course, *argv, check=check)


def nbgrader(site, trainee: str, *argv: str, check: bool = True):
    return site.run(trainee, VENV_BIN / "nbgrader", *argv, check=check)


# printed by the perfect trainee's answer cell when it is graded: what the kernel sees of its sandbox
SANDBOX_PROBE = (
    "import os\n"
    "print('probe: uid', os.getuid(), 'oom_score_adj', open('/proc/self/oom_score_adj').read().strip(),"
    " 'course visible', os.path.exists({course!r}))\n"
)


def answer(site, trainee: str) -> None:
    """The trainee edits their fetched notebook: the model answer in the answer cell (a simulated perfect
    trainee, as the browser tests write it), after a probe of the grading sandbox."""
    path = site.home(trainee) / "toy" / "01_toy.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "triple":
            cell.source = SANDBOX_PROBE.format(course=str(site.course)) + (
                f'def triple(number: int) -> int:\n    """Three times number."""\n    {SOLUTION_LINE}\n'
            )
    site.run(trainee, VENV_BIN / "python", "-c", f"import sys; open({str(path)!r}, 'w').write(sys.argv[1])",
             nbformat.writes(notebook))  # fmt: skip


def test_release_fetch_submit_collect_grade_feedback(site):
    perfect, blank, forger = site.trainees
    assert "in the exchange" in spmu(site, "release", "toy", "--to-exchange").stdout
    for trainee in site.trainees:
        nbgrader(site, trainee, "fetch_assignment", "toy")
        assert (site.home(trainee) / "toy" / "01_toy.ipynb").is_file()
        assert HIDDEN_LINE not in (site.home(trainee) / "toy" / "01_toy.ipynb").read_text()
    answer(site, perfect)
    nbgrader(site, perfect, "submit", "toy")
    nbgrader(site, forger, "submit", "toy")
    # the forger also makes a folder under the perfect trainee's name, with a solved notebook of their own
    inbound = site.exchange / COURSE_ID / "inbound"
    forged = inbound / f"{perfect}+toy+2099-01-01 00:00:00.000000 UTC+forged"
    site.run(forger, "mkdir", forged)
    site.run(forger, "cp", site.home(forger) / "toy" / "01_toy.ipynb", forged)
    # and turns their own submitted notebook into a link to the instructor's source notebook (model answers)
    (own,) = inbound.glob(f"{forger}+toy+*")
    site.run(forger, "ln", "-sf", site.course / "source" / "toy" / "01_toy.ipynb", own / "01_toy.ipynb")
    # the due date passes between the perfect trainee's submission and the blank trainee's
    time.sleep(1.5)
    due = datetime.now(UTC)
    time.sleep(1.5)
    nbgrader(site, blank, "submit", "toy")
    # the blank trainee writes an early time into their own submission: it must not count
    (record,) = inbound.glob(f"{blank}+toy+*")
    site.run(blank, "sh", "-c", f"echo '2020-01-01 00:00:00.000000 UTC' > '{record}/timestamp.txt'")
    site.run(
        site.instructor,
        VENV_BIN / "python",
        "-c",
        "import sys; from nbgrader.api import Gradebook; from spmu.course import load_config; "
        "cfg = load_config(sys.argv[1]); "
        "gb = Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id); "
        "gb.update_or_create_assignment('toy', duedate=sys.argv[2]); gb.close()",
        site.course,
        due.strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
    )

    collected = spmu(site, "collect", "toy", "--from-exchange", check=False)
    assert f"a folder under {perfect}'s name made by OS user {forger}" in collected.stderr
    assert "/01_toy.ipynb: not a regular file (link or folder)" in collected.stderr, collected.stderr
    assert "collected 2 trainee(s)" in collected.stdout, collected.stdout + collected.stderr
    assert not (site.course / "grading" / "submitted" / forger).exists()
    graded = autograde(site, "toy")
    assert "2 submission(s) graded" in graded.stdout, graded.stdout + graded.stderr
    # graded by the instructor's OS user, the kernel still ran as uid 65534 of the sandbox, first in line for the
    # OOM killer, and without the course folder
    executed = nbformat.read(site.course / "grading" / "autograded" / perfect / "toy" / "01_toy.ipynb", 4)
    printed = [o.get("text", "") for cell in executed.cells for o in cell.get("outputs", [])]
    assert "probe: uid 65534 oom_score_adj 1000 course visible False\n" in printed, printed
    spmu(site, "feedback", "toy", "--to-exchange")
    spmu(site, "export", "-o", site.course / "grades.csv")
    rows = {r["trainee_id"]: r for r in csv.DictReader((site.course / "grades.csv").open())}
    assert float(rows[perfect]["score"]) == 3.0 and float(rows[blank]["score"]) == 0.0, rows
    # seconds late (export rounds late_hours to 0.01 h): the perfect trainee on time, the blank one late even
    # though their own timestamp.txt claims 2020
    late = site.run(
        site.instructor,
        VENV_BIN / "python",
        "-c",
        "import sys; from nbgrader.api import Gradebook; from spmu.course import load_config; "
        "cfg = load_config(sys.argv[1]); "
        "gb = Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id); "
        "import json; print(json.dumps({s.student.id: s.total_seconds_late "
        "for s in gb.find_assignment('toy').submissions})); gb.close()",
        site.course,
    ).stdout
    seconds_late = json.loads(late)
    assert seconds_late[perfect] == 0 and 1.0 < seconds_late[blank] < 600, seconds_late

    for trainee, score in ((perfect, "3.0"), (blank, "0.0")):
        nbgrader(site, trainee, "fetch_feedback", "toy")
        pages = list((site.home(trainee) / "toy" / "feedback").glob("*/01_toy.html"))
        assert len(pages) == 1, (trainee, pages)
        text = pages[0].read_text()
        assert f"Score: {score}" in text, (trainee, text[:2000])
        assert HIDDEN_LINE not in text and MARK_SCHEME_LINE not in text
    nbgrader(site, forger, "fetch_feedback", "toy")
    assert not list((site.home(forger) / "toy").glob("feedback/*/*.html"))
    # no trainee can list the exchange's feedback folder or another trainee's home
    for other in (blank, forger):
        assert site.run(perfect, "ls", site.exchange / COURSE_ID / "feedback", check=False).returncode != 0
        assert (
            site.run(perfect, "cat", site.home(other) / "toy" / "01_toy.ipynb", check=False).returncode != 0
        )
    assert site.run(perfect, "ls", site.course / "source", check=False).returncode != 0
