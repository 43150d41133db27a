"""Notebook execution: each source notebook's kernel start + execution time as a ratio to an empty notebook's.

Runs are interleaved (empty, notebook, empty, notebook, ...) in one warm process and the medians compared, so
machine-wide noise hits both sides alike. The goal is a ratio of at most 3 for every source notebook.

    python benchmarks/notebook_execution.py [--repeats 5] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from notebook_timing import (
    COURSE_ROOT,
    empty_notebook,
    median,
    prepare_environment,
    source_notebooks,
    start_and_execute_seconds,
)

GOAL_RATIO = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each notebook [5]")
    parser.add_argument("notebooks", nargs="*", type=Path, help="source notebooks [all of source/]")
    args = parser.parse_args()
    prepare_environment()
    paths = source_notebooks(args.notebooks)
    empty = empty_notebook()
    start_and_execute_seconds(empty, COURSE_ROOT)  # warm-up, not counted
    empty_runs: list[float] = []
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        runs = []
        for _ in range(args.repeats):
            empty_runs.append(start_and_execute_seconds(empty, path.parent))
            runs.append(start_and_execute_seconds(nb, path.parent))
        rows.append((path.relative_to(COURSE_ROOT).as_posix(), median(runs)))
        print(f"  {rows[-1][0]}: runs {', '.join(f'{r:.2f}' for r in runs)} s", flush=True)
    empty_s = median(empty_runs)
    print(f"empty_notebook_seconds: {empty_s:.2f} (median of {len(empty_runs)})")
    over = 0
    for name, seconds in rows:
        ratio = seconds / empty_s
        over += ratio > GOAL_RATIO
        print(
            f"{name}: {seconds:.2f} s  ratio_to_empty: {ratio:.2f}{'  OVER GOAL' if ratio > GOAL_RATIO else ''}"
        )
    print(f"max_ratio_to_empty: {max(s for _, s in rows) / empty_s:.2f}")
    print(f"notebooks_over_{GOAL_RATIO:g}x: {over} of {len(rows)}")


if __name__ == "__main__":
    main()
