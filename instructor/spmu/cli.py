"""The ``spmu`` command: a thin command line over :mod:`spmu` (run from the course folder)."""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .course import CourseError, assignments, course_root, require_assignment
from .hub import hub_group

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def _venv_on_path() -> None:
    """Put this Python's bin folder on PATH: nbgrader runs ``alembic`` when it creates a gradebook."""
    folder = str(Path(sys.executable).parent)
    if folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")


def _root(context: click.Context) -> Path:
    return context.obj["root"]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _results_table(results) -> Table:
    table = Table(title="Autograde results")
    for column in ("trainee", "assignment", "status", "score", "seconds", "notes"):
        table.add_column(column)
    for r in sorted(results, key=lambda r: (r.assignment, r.trainee_id)):
        style = "green" if r.status == "graded" else "yellow" if r.status == "graded_with_repairs" else "red"
        table.add_row(
            escape(r.trainee_id),
            escape(r.assignment),
            f"[{style}]{escape(r.status)}[/]",
            f"{r.score:g} / {r.max_score:g}",
            f"{r.seconds:.1f}",
            escape(r.notes),
        )
    return table


WORKERS_OPTION = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel grading processes [default: number of cores].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course",
    "course",
    type=click.Path(path_type=Path),
    default=".",
    show_default=True,
    help="Course folder (holds nbgrader_config.py, source/, release/, grading/).",
)
@click.pass_context
def spmu(context: click.Context, course: Path) -> None:
    """Instructor pipeline for the police training course, on top of nbgrader.

    Typical cycle: spmu release -> (trainees work) -> spmu collect -> spmu autograde -> (manual grading in the
    formgrader) -> spmu feedback -> spmu export / spmu report. Plain nbgrader keeps working on the same
    course.
    """
    _venv_on_path()
    warnings.filterwarnings("ignore", message=".*not in session.*")
    context.obj = {"root": course_root(course)}


@spmu.command("release")
@click.argument("assignment_names", metavar="[ASSIGNMENT]...", nargs=-1)
@click.option(
    "--to-exchange", is_flag=True, help="Then put release/ASSIGNMENT in nbgrader's exchange (the hub)."
)
@click.pass_context
def release_command(context: click.Context, assignment_names: tuple[str, ...], to_exchange: bool) -> None:
    """Generate release/ from source/ (every assignment when none is named).

    Safe to run again. Refuses, and says why, when a source notebook's nbgrader metadata is invalid.
    Plain nbgrader: `nbgrader generate_assignment ASSIGNMENT --force`.
    """
    from .release import release

    for outcome in release(_root(context), list(assignment_names)):
        console.print(
            f"released [bold]{escape(outcome.assignment)}[/]: {escape(', '.join(outcome.notebooks))}"
        )
        if to_exchange:
            from .exchange import release_to_exchange

            console.print(f"in the exchange: {release_to_exchange(_root(context), outcome.assignment)}")


@spmu.command("collect")
@click.argument("assignment")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option(
    "--from-exchange", is_flag=True, help="Collect from nbgrader's exchange (the hub) instead of PATH."
)
@click.pass_context
def collect_command(context: click.Context, assignment: str, path: Path | None, from_exchange: bool) -> None:
    """Collect trainees' notebooks from PATH (a folder or a .zip holding <trainee_id>/<notebook>.ipynb).

    Each trainee's submission is copied to grading/submitted/<trainee_id>/ASSIGNMENT/ with the collection time
    as its submission time (a timestamp.txt in the input was written by the trainee: it is listed as ignored);
    re-collecting a trainee replaces only that trainee's files. Files are streamed with a size cap (50 MB per
    file, 1 GB in all). Bad entries (path traversal, symbolic links, unknown notebook names, other files,
    invalid ids, corrupt or encrypted zip members, zip bombs) are listed and skipped, and the exit status is
    then 1. Plain nbgrader: `nbgrader zip_collect` or `nbgrader collect`.
    """
    from .collect import collect
    from .exchange import collect_from_exchange

    if path is None and not from_exchange:
        raise click.MissingParameter(ctx=context, param_hint="'PATH'", param_type="argument")
    if path is not None and from_exchange:
        raise click.UsageError("give PATH or --from-exchange, not both", ctx=context)
    outcome = (
        collect_from_exchange(_root(context), assignment)
        if from_exchange
        else collect(_root(context), assignment, path)
    )
    for rejection in outcome.rejected:
        errors.print(f"rejected {rejection.entry!r}: {rejection.reason}", markup=False, highlight=False)
    for ignored in outcome.ignored:
        errors.print(f"ignored {ignored.entry!r}: {ignored.reason}", markup=False, highlight=False)
    console.print(
        f"collected {len(outcome.collected)} trainee(s) for {assignment}, "
        f"rejected {len(outcome.rejected)} file(s)",
        markup=False,
        highlight=False,
    )
    if not outcome.collected:
        raise CourseError(f"nothing was collected from {path or 'the exchange'}")
    if outcome.rejected:
        raise CourseError(f"{len(outcome.rejected)} file(s) rejected (listed above); the rest was collected")


@spmu.command("autograde")
@click.argument("assignment")
@WORKERS_OPTION
@click.option(
    "--timeout",
    "timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds a single cell may run before it is interrupted [default: from nbgrader_config.py].",
)
@click.pass_context
def autograde_command(
    context: click.Context, assignment: str, workers: int | None, timeout: float | None
) -> None:
    """Grade every collected submission of ASSIGNMENT in parallel, with a progress bar.

    One trainee's failure (timeout, crash, memory, broken notebook) is recorded as that trainee's status and
    never stops the others. Safe to run again. Plain nbgrader (serial): `nbgrader autograde ASSIGNMENT`.
    """
    from .gradebook import check_gradebook, open_gradebook
    from .grading import Limits, grade_cohort, submitted_trainees

    root = _root(context)
    require_assignment(root, assignment)
    check_gradebook(root)
    with open_gradebook(root) as gradebook:
        if assignment not in {a.name for a in gradebook.assignments}:
            raise CourseError(
                f"the gradebook does not know {assignment!r} yet: run `spmu release {assignment}` first"
            )
    trainees = submitted_trainees(root, assignment)
    if not trainees:
        raise CourseError(
            f"no submission of {assignment!r} collected yet: run `spmu collect {assignment} PATH` first"
        )
    limits = Limits.from_config(root, cell_timeout_s=timeout)
    started = time.monotonic()
    with _progress() as progress:
        task = progress.add_task(f"grading {escape(assignment)}", total=len(trainees))
        results = grade_cohort(
            root,
            assignment,
            trainees,
            workers=workers,
            limits=limits,
            on_result=lambda result: progress.advance(task),
        )
    console.print(_results_table(results))
    console.print(f"{len(results)} submission(s) graded in {time.monotonic() - started:.1f} s", markup=False)


@spmu.command("feedback")
@click.argument("assignment")
@click.option(
    "--to-exchange", is_flag=True, help="Then release the feedback through nbgrader's exchange (the hub)."
)
@click.pass_context
def feedback_command(context: click.Context, assignment: str, to_exchange: bool) -> None:
    """Write HTML feedback per trainee: their answers, scores and the visible tests.

    Hidden tests and mark schemes are removed (stock nbgrader shows them, nbgrader#917), and so are the
    tracebacks that would quote them. Files: grading/feedback/<trainee_id>/ASSIGNMENT/<notebook>.html.
    Plain nbgrader (shows hidden tests): `nbgrader generate_feedback ASSIGNMENT`.
    """
    from .feedback import generate_feedback

    outcome = generate_feedback(_root(context), assignment)
    for trainee, paths in outcome.files.items():
        console.print(f"{trainee}: " + ", ".join(str(p) for p in paths), markup=False, highlight=False)
    for trainee, reason in outcome.failed.items():
        errors.print(f"no feedback for {trainee}: {reason}", markup=False, highlight=False)
    if to_exchange:
        from .exchange import release_feedback_to_exchange

        released = release_feedback_to_exchange(_root(context), assignment)
        console.print(f"feedback in the exchange for {len(released)} trainee(s)", highlight=False)
    if outcome.failed:
        sys.exit(1)


@spmu.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("grades.csv"),
    show_default=True,
    help="CSV file to write.",
)
@click.pass_context
def export_command(context: click.Context, output: Path) -> None:
    """Write a CSV with one row per trainee and assignment, sorted.

    Columns: trainee_id, assignment, score, max_score, status, notes, submitted_at, late_hours. `status` tells
    a real zero (graded) from a submission that could not be graded (timed_out, kernel_died, memory_exceeded,
    invalid_submission, grader_error, ...) or is missing (not_submitted); `notes` says why. Plain
    nbgrader (no status): `nbgrader export`.
    """
    from .export import export_csv

    rows = export_csv(_root(context), output)
    console.print(f"wrote {len(rows)} row(s) to {output}", markup=False, highlight=False)


@spmu.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML file to write.",
)
@click.pass_context
def report_command(context: click.Context, output: Path) -> None:
    """Write a self-contained HTML report for instructors, read from the gradebook.

    Score distribution per assignment, mean score per exercise, item analysis (difficulty and discrimination
    indices) and the exercises the cohort struggled with most, as embedded charts with short tables.
    """
    from .report import write_report

    console.print(f"wrote {write_report(_root(context), output)}", markup=False, highlight=False)


@spmu.command("check")
@click.option("--no-execute", is_flag=True, help="Skip running the notebooks (the Validator checks).")
@click.argument("assignment_names", metavar="[ASSIGNMENT]...", nargs=-1)
@click.pass_context
def check_command(context: click.Context, no_execute: bool, assignment_names: tuple[str, ...]) -> None:
    """Check the course: metadata valid, release/ in sync with source/, no leaks in release/, source passes
    the Validator and an unanswered release fails it. Exits non-zero on any problem."""
    from .integrity import check_course

    root = _root(context)
    names = [require_assignment(root, name) for name in assignment_names] or assignments(root)
    results = check_course(root, names, execute=not no_execute)
    for check, problems in results.items():
        mark = "[green]ok[/]" if not problems else f"[red]{len(problems)} problem(s)[/]"
        console.print(f"{check}: {mark}")
        for problem in problems:
            console.print(f"  - {problem}", markup=False, highlight=False)
    if any(results.values()):
        sys.exit(1)


@spmu.command("demo")
@click.option(
    "--trainees",
    type=click.IntRange(min=1),
    default=9,
    show_default=True,
    help="Number of simulated trainees.",
)
@WORKERS_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="New or empty folder for the demo course [default: a temporary folder].",
)
@click.pass_context
def demo_command(context: click.Context, trainees: int, workers: int | None, out: Path | None) -> None:
    """Run the whole pipeline on a copy of this course with a simulated cohort.

    Trainees are perfect, blank, partial, late, or make the typical mistakes listed in each assignment's
    simulated_mistakes.toml. Runs release -> collect -> autograde -> feedback -> export -> report and prints a
    summary and the paths of grades.csv, report.html and the feedback files. This course's grading/ is
    untouched.
    """
    from .demo import run_demo

    started = time.monotonic()
    with _progress() as progress:
        task = progress.add_task("demo", total=None)
        outcome = run_demo(
            _root(context),
            out,
            trainees,
            workers,
            on_stage=lambda stage: progress.update(task, description=stage),
            on_result=lambda result: progress.advance(task),
        )
    table = Table(title=f"Demo: {trainees} simulated trainees")
    names = sorted({row.assignment for row in outcome.rows})
    table.add_column("trainee")
    for name in names:
        table.add_column(name)
    by_trainee: dict[str, dict[str, str]] = {}
    for row in outcome.rows:
        by_trainee.setdefault(row.trainee_id, {})[row.assignment] = (
            f"{row.score:g}/{row.max_score:g} {row.status}"
        )
    for trainee, cells in sorted(by_trainee.items()):
        table.add_row(escape(trainee), *(escape(cells.get(name, "")) for name in names))
    console.print(table)
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in outcome.seconds.items())
    console.print(f"total {time.monotonic() - started:.1f} s ({stages})")
    console.print(
        f"course:   {outcome.course}\ngrades:   {outcome.grades_csv}\nreport:   {outcome.report_html}",
        markup=False,
        highlight=False,
    )
    console.print(
        f"feedback: {len(outcome.feedback_files)} files under {outcome.course / 'grading' / 'feedback'}",
        markup=False,
        highlight=False,
    )
    for path in outcome.feedback_files:
        console.print(f"  {path}", markup=False, highlight=False)
    if outcome.leaks:
        for leak in outcome.leaks:
            errors.print(f"LEAK: {leak}", markup=False)
        sys.exit(1)
    console.print("feedback scan: no hidden test, mark scheme or model answer line found")


spmu.add_command(hub_group)


def main() -> None:
    """Console-script entry point: one-line errors and exit status 1 for problems the instructor can fix."""
    try:
        spmu(standalone_mode=False, prog_name="spmu")
    except CourseError as error:
        errors.print(f"spmu: error: {error}", markup=False, highlight=False)
        sys.exit(1)
    except click.exceptions.Abort:
        errors.print("spmu: aborted")
        sys.exit(130)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "spmu"
        errors.print(
            f"spmu: error: {error.format_message()} (see `{command} --help`)", markup=False, highlight=False
        )
        sys.exit(error.exit_code)
    except click.ClickException as error:
        errors.print(f"spmu: error: {error.format_message()}", markup=False, highlight=False)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except OSError as error:  # a file the instructor named cannot be read or written
        where = f": {error.filename}" if error.filename else ""
        errors.print(f"spmu: error: {error.strerror or error}{where}", markup=False, highlight=False)
        sys.exit(1)
