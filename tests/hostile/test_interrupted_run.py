"""A grading run killed half-way (kill -9 of the whole process group) or stopped with Ctrl-C leaves a consistent
gradebook, no stray sandboxes or kernels, and running again finishes the job with the right scores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import toy_course as toy
from cases import SWALLOW_INTERRUPT
from conftest import needs_bwrap
from nbgrader.api import Gradebook

from spmu.course import load_config
from spmu.grading import grade_cohort, load_results

pytestmark = [pytest.mark.pipeline, needs_bwrap]

EXPECTED = {"first_good": 10.0, "second_good": 10.0, "first_hang": 8.0, "second_hang": 8.0}
RUN = "from spmu.grading import grade_cohort\ngrade_cohort({root!r}, 'toy', workers=2)\n"


def _kernels_of(root: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(root) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def test_killed_run_resumes_with_a_consistent_gradebook(tmp_path):
    root = toy.build_course(tmp_path / "course")
    for trainee_id, score in EXPECTED.items():
        edit = None if score == 10.0 else toy.append_to_answer("square_answer", SWALLOW_INTERRUPT)
        toy.submit(root, trainee_id, edit)
    status_dir = root / "grading" / "status" / toy.ASSIGNMENT
    run = subprocess.Popen(
        [sys.executable, "-c", RUN.format(root=str(root))],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not (status_dir.is_dir() and any(status_dir.glob("*.json"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    finished_before_kill = len(list(status_dir.glob("*.json")))
    assert 1 <= finished_before_kill < len(EXPECTED), "the kill must land in the middle of the run"
    time.sleep(1.0)
    assert _kernels_of(root) == [], "no kernel or sandbox survives the killed run"

    results = {r.trainee_id: r.score for r in grade_cohort(root, toy.ASSIGNMENT, workers=2)}
    assert results == EXPECTED
    assert {r.trainee_id: r.score for r in load_results(root, toy.ASSIGNMENT)} == EXPECTED
    config = load_config(root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        recorded = {s.student.id: s.score for s in gradebook.assignment_submissions(toy.ASSIGNMENT)}
    assert recorded == EXPECTED


def _fork_servers() -> set[int]:
    return {
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if any("sandbox_forkserver.py" in part for part in p.info["cmdline"] or [])
    }


def test_ctrl_c_stops_the_run_cleanly_and_the_next_run_finishes(tmp_path):
    """Ctrl-C in the terminal (SIGINT to the whole foreground process group) mid-run: spmu stops within
    seconds with a message, leaves no sandbox, fork server or kernel behind, and the next run grades the rest."""
    root = toy.build_course(tmp_path / "course")
    for trainee_id, score in EXPECTED.items():
        edit = None if score == 10.0 else toy.append_to_answer("square_answer", SWALLOW_INTERRUPT)
        toy.submit(root, trainee_id, edit)
    status_dir = root / "grading" / "status" / toy.ASSIGNMENT
    servers_before = _fork_servers()
    spmu = Path(sys.executable).with_name("spmu")
    run = subprocess.Popen(
        [str(spmu), "--course", str(root), "autograde", toy.ASSIGNMENT, "--workers", "2"],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (status_dir.is_dir() and any(status_dir.glob("*.json"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    assert run.returncode != 0, output
    assert "Traceback" not in output, f"Ctrl-C should end with a message, not a traceback:\n{output}"
    assert 1 <= len(list(status_dir.glob("*.json"))) < len(EXPECTED), "the interrupt must land mid-run"
    time.sleep(1.0)
    assert _kernels_of(root) == [], "no sandbox survives the interrupted run"
    assert _fork_servers() - servers_before == set(), "no fork server (or kernel forked from it) survives"

    results = {r.trainee_id: r.score for r in grade_cohort(root, toy.ASSIGNMENT, workers=2)}
    assert results == EXPECTED
