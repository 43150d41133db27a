"""A grading run killed half-way (kill -9 of the whole process group) or stopped with Ctrl-C leaves a consistent
gradebook, no stray sandboxes, kernels or processes in sandbox control groups (no kernel folder exists on the
host at all: kernels work in a tmpfs inside their sandbox), and running again finishes the job with the right
scores and removes the killed run's control groups."""

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
from spmu.sandbox_cgroup import cgroup_problem, group_parents

pytestmark = [pytest.mark.pipeline, needs_bwrap]

EXPECTED = {"first_good": 10.0, "second_good": 10.0, "first_hang": 8.0, "second_hang": 8.0}
RUN = "from spmu.grading import grade_cohort\ngrade_cohort({root!r}, 'toy', workers=2)\n"


def _fork_servers() -> set[int]:
    return {
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if any("sandbox_forkserver.py" in part for part in p.info["cmdline"] or [])
    }


def _orphaned_groups() -> dict[Path, list[int]]:
    """Sandbox control groups whose grader process is gone: {group: processes still in it}."""
    if cgroup_problem() is not None:
        return {}
    found = {}
    for parent in set(group_parents()[1].values()):
        for folder in parent.glob("spmu-*-*"):
            owner = folder.name.split("-")[1]
            if owner.isdigit() and not psutil.pid_exists(int(owner)):
                found[folder] = (folder / "cgroup.procs").read_text().split()
    return found


def _orphaned(pids: set[int]) -> set[int]:
    """Those of ``pids`` (sandbox processes) whose grader is gone: the first ancestor that is not part of a
    sandbox is no longer a Python process (they were re-parented). Other runs on the machine are left out."""
    orphaned = set()
    for pid in pids:
        try:
            owner = psutil.Process(pid)
            while owner.ppid() > 1 and any(
                "sandbox_forkserver.py" in part for part in psutil.Process(owner.ppid()).cmdline()
            ):
                owner = psutil.Process(owner.ppid())
            parent = owner.parent()
            if parent is None or "python" not in parent.name():
                orphaned.add(pid)
        except psutil.Error:
            continue
    return orphaned


def _nothing_left(servers_before: set[int]) -> None:
    """No fork server (nor kernel forked from it) and no process in an orphaned sandbox group survives."""
    time.sleep(1.0)
    assert _orphaned(_fork_servers() - servers_before) == set(), "a sandbox of the stopped run still runs"
    assert all(procs == [] for procs in _orphaned_groups().values()), _orphaned_groups()


def test_killed_run_resumes_with_a_consistent_gradebook(tmp_path):
    root = toy.build_course(tmp_path / "course")
    for trainee_id, score in EXPECTED.items():
        edit = None if score == 10.0 else toy.append_to_answer("square_answer", SWALLOW_INTERRUPT)
        toy.submit(root, trainee_id, edit)
    status_dir = root / "grading" / "status" / toy.ASSIGNMENT
    servers_before = _fork_servers()
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
    _nothing_left(servers_before)
    orphaned = set(_orphaned_groups())

    results = {r.trainee_id: r.score for r in grade_cohort(root, toy.ASSIGNMENT, workers=2)}
    assert results == EXPECTED
    assert {r.trainee_id: r.score for r in load_results(root, toy.ASSIGNMENT)} == EXPECTED
    config = load_config(root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        recorded = {s.student.id: s.score for s in gradebook.assignment_submissions(toy.ASSIGNMENT)}
    assert recorded == EXPECTED
    assert not orphaned & set(_orphaned_groups()), "the next run removes the killed run's control groups"


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
    _nothing_left(servers_before)

    results = {r.trainee_id: r.score for r in grade_cohort(root, toy.ASSIGNMENT, workers=2)}
    assert results == EXPECTED
