"""Autograde throughput: stock ``nbgrader autograde`` against ``spmu autograde --workers <cores>``, side by side.

One simulated cohort (the ``spmu demo`` generator) is collected into a course copy for every assignment; two
identical copies of that course are then graded, assignment by assignment and alternating, once by stock nbgrader
(one process, the same per-cell timeout) and once by spmu. The floor is the time a warm process needs to start a
kernel and execute each solution (source) notebook, summed over every submission graded and divided by the
number of cores: what perfect parallel grading with no overhead would cost.

    python benchmarks/autograde_throughput.py --trainees 6
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
from notebook_timing import COURSE_ROOT, empty_notebook, prepare_environment, start_and_execute_seconds


def build_course(out: Path, trainees: int) -> list[str]:
    """A copy of the course with the demo cohort released and collected for every assignment; its names."""
    from spmu.cohort import demo_profiles, demo_trainee, write_cohort
    from spmu.collect import collect
    from spmu.course import assignments
    from spmu.demo import copy_course, set_due_dates
    from spmu.release import release

    course = copy_course(COURSE_ROOT, out)
    names = assignments(course)
    release(course, names)
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    set_due_dates(course, due)
    ids = [f"trainee{n:02d}" for n in range(1, trainees + 1)]
    for name in names:
        cohort = [
            demo_trainee(course, name, tid, p, k)
            for tid, (p, k) in zip(ids, demo_profiles(trainees), strict=True)
        ]
        incoming = write_cohort(course, name, cohort, out.parent / "incoming" / name)
        outcome = collect(course, name, incoming)
        if outcome.rejected or len(outcome.collected) != trainees:
            raise SystemExit(f"collecting the simulated cohort of {name} failed: {outcome.rejected}")
    return names


def timed_run(command: list[str], cwd: Path) -> float:
    """Seconds a command takes; its output is kept out of the report unless it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-3000:]}"
        )
    return elapsed


def scores(course: Path, names: list[str]) -> dict[tuple[str, str], float]:
    """(assignment, trainee) -> total score, read from the course copy's gradebook."""
    from nbgrader.api import Gradebook
    from spmu.course import load_config

    config = load_config(course)
    result = {}
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        for name in names:
            for submission in gradebook.assignment_submissions(name):
                result[(name, submission.student.id)] = round(float(submission.score), 3)
    return result


def floor_per_submission(names: list[str], repeats: int) -> dict[str, float]:
    """Assignment -> seconds to start a kernel and execute all its solution notebooks, warm process
    (best of ``repeats``, a floor)."""
    start_and_execute_seconds(empty_notebook(), COURSE_ROOT)  # warm imports, caches and the kernel's files
    per_assignment = {}
    for name in names:
        folder = COURSE_ROOT / "source" / name
        total = 0.0
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            best = min(start_and_execute_seconds(nb, folder) for _ in range(repeats))
            print(f"  floor {name}/{path.name}: {best:.2f} s", flush=True)
            total += best
        per_assignment[name] = total
    return per_assignment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=6, help="simulated trainees per assignment [6]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="spmu workers [cores]")
    parser.add_argument(
        "--floor-repeats", type=int, default=2, help="kernel runs per notebook for the floor [2]"
    )
    parser.add_argument("--keep", action="store_true", help="keep the course copies (their path is printed)")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    prepare_environment()
    from spmu.limits import Limits

    scratch = Path(tempfile.mkdtemp(prefix="spmu-bench-"))
    try:
        template = scratch / "template" / "course"
        template.parent.mkdir()
        started = time.perf_counter()
        names = build_course(template, args.trainees)
        print(
            f"course with {args.trainees} simulated trainees x {len(names)} assignments built in "
            f"{time.perf_counter() - started:.1f} s ({scratch})",
            flush=True,
        )
        timeout = Limits.from_config(template).cell_timeout_s
        stock, spmu = scratch / "stock", scratch / "spmu"
        shutil.copytree(template, stock, symlinks=True)
        shutil.copytree(template, spmu, symlinks=True)
        bin_dir = Path(sys.executable).parent
        stock_seconds = spmu_seconds = 0.0
        for name in names:
            stock_s = timed_run(
                [
                    str(bin_dir / "nbgrader"),
                    "autograde",
                    name,
                    f"--Execute.timeout={timeout:g}",
                    "--Execute.interrupt_on_timeout=True",
                ],
                stock,
            )
            spmu_s = timed_run(
                [
                    str(bin_dir / "spmu"),
                    "--course",
                    str(spmu),
                    "autograde",
                    name,
                    "--workers",
                    str(args.workers),
                    "--timeout",
                    f"{timeout:g}",
                ],
                spmu,
            )
            print(f"  {name}: stock {stock_s:.1f} s, spmu {spmu_s:.1f} s", flush=True)
            stock_seconds += stock_s
            spmu_seconds += spmu_s
        floor = floor_per_submission(names, args.floor_repeats)
        cores = os.cpu_count() or 1
        floor_seconds = sum(floor.values()) * args.trainees / cores
        stock_scores, spmu_scores = scores(stock, names), scores(spmu, names)
        differing = sorted(
            k for k in stock_scores.keys() | spmu_scores.keys() if stock_scores.get(k) != spmu_scores.get(k)
        )
        print(f"python: {sys.prefix}")
        print(
            f"rfc3987_syntax_installed: {'yes' if importlib.util.find_spec('rfc3987_syntax') else 'no'}"
            " (when yes, every process that imports nbformat pays for building its grammar: `make setup` removes it)"
        )
        print(f"load_average_1min: {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end")
        print(f"trainees: {args.trainees}")
        print(f"assignments: {len(names)}")
        print(f"submissions_graded: {args.trainees * len(names)} per engine")
        print(f"cores: {cores}")
        print(f"spmu_workers: {args.workers}")
        print(f"cell_timeout_s: {timeout:g}")
        print(f"stock_seconds: {stock_seconds:.1f}")
        print(f"spmu_seconds: {spmu_seconds:.1f}")
        print(f"floor_seconds: {floor_seconds:.1f}")
        print(f"speedup_vs_stock_nbgrader: {stock_seconds / spmu_seconds:.2f}")
        print(f"floor_fraction: {floor_seconds / spmu_seconds:.2f}")
        print(
            f"scores_agree: {'yes' if not differing else 'NO'} ({len(stock_scores)} stock, "
            f"{len(spmu_scores)} spmu submissions in the gradebooks)"
        )
        for key in differing:
            print(f"  score differs {key}: stock {stock_scores.get(key)}, spmu {spmu_scores.get(key)}")
    finally:
        if args.keep:
            print(f"course copies kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
