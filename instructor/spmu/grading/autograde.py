"""Autograding untrusted submissions: each submission in, a recorded status and score out, the cohort never stops.

Two halves, kept apart so execution can later fan out to other machines:

* **execution** (:func:`execute_submission`, in worker processes): read each submitted notebook defensively,
  restore its graded structure from the release, run the trainee's cells in a sandboxed kernel under
  :class:`Limits` (offending cells disabled, the rest graded) and the test cells, from the instructor's source, in
  the grader's trusted kernel (:mod:`spmu.grading.trusted_tests`), and stage the executed notebook in
  ``grading/.staging/``; a failure of the grader's own kernels is retried once, then recorded as ``grader_error``;
* **recording** (:func:`record_execution`, in the calling process, one at a time under a file lock): nbgrader's
  own ``Autograde`` converter with its execution step removed turns the staged notebooks into
  ``grading/autograded/`` and gradebook rows, so formgrader, generate_feedback and export work unchanged.
  Manual grades are kept (nbgrader never overwrites them).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing import active_children, get_context
from pathlib import Path

import nbformat

from spmu.course import CourseError, load_config
from spmu.grading.limits import Limits
from spmu.grading.repair import UnreadableNotebook, read_submitted, repair, with_hidden_tests
from spmu.grading.sandbox import hidden_paths, resolve_sandbox
from spmu.grading.sandbox_run import GraderFault, run_notebook
from spmu.grading.trusted_tests import answer_names

__all__ = ["GradeResult", "Limits", "grade_cohort", "grade_submission", "load_results", "save_result"]

log = logging.getLogger(__name__)

STAGING = (
    "grading/.staging"  # executed notebooks waiting to be recorded (nbgrader's "submitted" for recording)
)
LOCK_FILE = "grading/.gradebook.lock"
# Worst status first: the status of a submission is the worst thing that happened in any of its notebooks.
STATUS_ORDER = (
    "grader_error",  # the grader's own kernels or servers failed twice: grade again, not the trainee's fault
    "invalid_submission",
    "memory_exceeded",
    "kernel_died",
    "timed_out",
    "graded_with_repairs",
    "graded",
)
INCIDENT_STATUS = {
    "memory_exceeded": "memory_exceeded",
    "kernel_died": "kernel_died",
    "timed_out": "timed_out",
    "notebook_timed_out": "timed_out",
    "output_capped": "graded",
}


@dataclass
class GradeResult:
    """The outcome of grading one trainee's submission of one assignment."""

    trainee_id: str
    assignment: str
    status: str  # one of STATUS_ORDER (export adds not_submitted)
    notes: str  # plain words: what happened, in which notebook/cell
    score: float
    max_score: float
    seconds: float


@dataclass
class Execution:
    """What running one submission produced, before anything is written to the gradebook."""

    trainee_id: str
    assignment: str
    sandbox: str = "none"
    staged: list[str] = field(default_factory=list)  # notebook names executed and staged
    unreadable: list[str] = field(default_factory=list)  # one reason per notebook that could not be used
    repairs: list[str] = field(default_factory=list)
    incidents: list[tuple[str, str, str]] = field(default_factory=list)  # (status, notebook, detail)
    grader_errors: list[str] = field(default_factory=list)  # the grader's own failures (not the trainee's)
    seconds: float = 0.0


# ---------------------------------------------------------------- saved results
def status_path(course_root: Path, assignment: str, trainee_id: str) -> Path:
    """Where the result of one submission is saved."""
    return Path(course_root) / "grading" / "status" / assignment / f"{trainee_id}.json"


def save_result(course_root: Path, result: GradeResult, fingerprint: str = "") -> None:
    """Write ``grading/status/<assignment>/<trainee_id>.json`` atomically (a killed run never leaves half a file)."""
    path = status_path(course_root, result.assignment, result.trainee_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(
        json.dumps({**asdict(result), "fingerprint": fingerprint}, indent=2) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)


def _load(path: Path) -> tuple[GradeResult, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GradeResult(**{n: data[n] for n in GradeResult.__dataclass_fields__}), data.get(
            "fingerprint", ""
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_results(course_root: Path, assignment: str | None = None) -> list[GradeResult]:
    """Saved results, sorted by assignment then trainee (all assignments when ``assignment`` is None)."""
    root = Path(course_root) / "grading" / "status"
    pattern = f"{assignment}/*.json" if assignment else "*/*.json"
    loaded = (_load(path) for path in sorted(root.glob(pattern)))
    return [entry[0] for entry in loaded if entry is not None]


# ---------------------------------------------------------------- paths and fingerprints
def _dirs(course_root: Path) -> tuple[Path, Path]:
    config = load_config(course_root)
    root = Path(course_root)
    return (
        root / config.CourseDirectory.submitted_directory,
        root / config.CourseDirectory.autograded_directory,
    )


def submitted_trainees(course_root: Path, assignment: str) -> list[str]:
    """Trainee ids with a collected submission folder for ``assignment``."""
    submitted, _ = _dirs(course_root)
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())


def released_notebooks(course_root: Path, assignment: str) -> list[Path]:
    """The released notebooks of ``assignment`` (the structure every submission is checked against)."""
    notebooks = sorted((Path(course_root) / "release" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise CourseError(f"release/{assignment}/ holds no notebook: generate the release before autograding")
    return notebooks


def fingerprint(course_root: Path, assignment: str, trainee_id: str, limits: Limits) -> str:
    """Digest of everything a grade depends on: the submission's files, the release and the limits."""
    submitted, _ = _dirs(course_root)
    digest = hashlib.sha256(repr(limits).encode())
    folders = [submitted / trainee_id / assignment, Path(course_root) / "source" / assignment]
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- execution (no gradebook access)
def execute_submission(
    course_root: Path, assignment: str, trainee_id: str, limits: Limits, sandbox: str
) -> Execution:
    """Run one submission's notebooks (repaired, sandboxed, limited) and stage them for recording."""
    started = time.monotonic()
    course_root = Path(course_root)
    execution = Execution(trainee_id, assignment, sandbox=sandbox)
    submitted, _ = _dirs(course_root)
    folder = submitted / trainee_id / assignment
    staging = course_root / STAGING / trainee_id / assignment
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if (folder / "timestamp.txt").is_file():
        shutil.copy(folder / "timestamp.txt", staging / "timestamp.txt")
    with (
        _working_files(course_root, assignment, folder, limits) as files_dir,
        _working_files(course_root, assignment, None, limits) as trusted_files,
    ):
        for released_path in released_notebooks(course_root, assignment):
            name = released_path.name
            try:
                submitted_nb, notes = read_submitted(folder / name, limits.max_notebook_bytes)
                repaired = repair(submitted_nb, nbformat.read(released_path, as_version=4), name)
                source_nb = _source_notebook(course_root, assignment, name)
                with_hidden_tests(repaired.notebook, source_nb)
                answers = answer_names(source_nb)
            except UnreadableNotebook as error:
                execution.unreadable.append(str(error))
                continue
            execution.repairs += notes + repaired.repairs
            try:
                report = run_notebook(
                    repaired.notebook,
                    files_dir,
                    limits,
                    sandbox,
                    hidden_paths(course_root),
                    answers,
                    trusted_files,
                )
            except GraderFault as fault:
                execution.grader_errors.append(f"{name} was not graded: {fault} (tried twice)")
                continue
            for incident in report.incidents:
                where = f"{name}, cell {incident.cell_index}" + (
                    f" ('{incident.grade_id}')" if incident.grade_id else ""
                )
                execution.incidents.append(
                    (INCIDENT_STATUS[incident.kind], name, f"{where}: {incident.detail}")
                )
            nbformat.write(report.notebook, staging / name)
            execution.staged.append(name)
    execution.seconds = time.monotonic() - started
    return execution


def _source_notebook(course_root: Path, assignment: str, name: str) -> nbformat.NotebookNode:
    """The source version of a released notebook: its test cells carry the hidden tests."""
    path = Path(course_root) / "source" / assignment / name
    if not path.is_file():
        raise CourseError(f"source/{assignment}/{name} is missing: its hidden tests cannot be run")
    return nbformat.read(path, as_version=4)


@contextmanager
def _working_files(course_root: Path, assignment: str, folder: Path | None, limits: Limits) -> Iterator[Path]:
    """A temporary folder with the files a notebook may read: the trainee's extra files (within the size
    limit), overwritten by the assignment's own files, as nbgrader does."""
    files_dir = Path(tempfile.mkdtemp(prefix="spmu-files-"))
    try:
        for origin in (folder, course_root / "source" / assignment):
            if origin is None or not origin.is_dir():
                continue
            for path in origin.rglob("*"):
                if (
                    path.is_file()
                    and not path.is_symlink()
                    and path.suffix != ".ipynb"
                    and path.name != "timestamp.txt"
                    and path.stat().st_size <= limits.max_notebook_bytes
                ):
                    target = files_dir / path.relative_to(origin)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
        yield files_dir
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)


def _safe_execute(
    course_root: Path, assignment: str, trainee_id: str, limits: Limits, sandbox: str
) -> Execution:
    """execute_submission that never raises: a grader error becomes a recorded reason."""
    started = time.monotonic()
    try:
        return execute_submission(course_root, assignment, trainee_id, limits, sandbox)
    except CourseError:
        raise
    except Exception as error:  # noqa: BLE001 - one trainee's failure never stops the cohort
        log.error("grading %s failed:\n%s", trainee_id, traceback.format_exc())
        return Execution(
            trainee_id,
            assignment,
            sandbox=sandbox,
            seconds=time.monotonic() - started,
            grader_errors=[
                f"the grader could not process this submission ({type(error).__name__}: {error}); see the log"
            ],
        )


# ---------------------------------------------------------------- recording (gradebook, serialised)
@contextmanager
def gradebook_lock(course_root: Path) -> Iterator[None]:
    """Exclusive lock on the gradebook for this course (also across separate `spmu autograde` runs)."""
    path = Path(course_root) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recording_api(course_root: Path):
    """nbgrader's API reading the staged notebooks, with execution and output clearing taken out."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    config = load_config(course_root)
    config.CourseDirectory.submitted_directory = STAGING
    config.Autograde.sanitize_preprocessors = [
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadata,
    ]
    config.Autograde.autograde_preprocessors = [
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        # no second CheckCellMetadata: the metadata was checked above, before any grade is saved, and nothing
        # in this list changes it (nbgrader's default checks twice: 0.1-0.3 s per notebook in this process)
    ]
    config.NbGraderAPI.log_level = logging.WARNING
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def record_execution(course_root: Path, execution: Execution) -> GradeResult:
    """Write one execution into grading/autograded/ and the gradebook and return its result."""
    from nbgrader.api import Gradebook, MissingEntry

    course_root = Path(course_root)
    config = load_config(course_root)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    notes = list(execution.unreadable)
    with gradebook_lock(course_root):
        if execution.staged:
            outcome = _recording_api(course_root).autograde(
                execution.assignment, execution.trainee_id, force=True, create=True
            )
            if not outcome["success"]:
                last = (outcome.get("error") or "unknown error").strip().splitlines()[-1]
                notes.append(f"nbgrader could not record the graded notebooks: {last}")
        with Gradebook(db_url, course_id) as gradebook:
            gradebook.update_or_create_student(execution.trainee_id)
            try:
                gradebook.find_submission(execution.assignment, execution.trainee_id)
            except MissingEntry:
                gradebook.update_or_create_submission(execution.assignment, execution.trainee_id)
            if not execution.staged:
                shutil.rmtree(
                    _dirs(course_root)[1] / execution.trainee_id / execution.assignment, ignore_errors=True
                )
            gradebook.db.commit()
            submission = gradebook.find_submission(execution.assignment, execution.trainee_id)
            score, max_score = float(submission.score), float(submission.max_score)
    shutil.rmtree(course_root / STAGING / execution.trainee_id / execution.assignment, ignore_errors=True)
    return GradeResult(
        execution.trainee_id,
        execution.assignment,
        *_status_and_notes(execution, notes),
        score,
        max_score,
        round(execution.seconds, 2),
    )


def _status_and_notes(execution: Execution, extra: list[str]) -> tuple[str, str]:
    statuses = {status for status, _, _ in execution.incidents}
    if extra:
        statuses.add("invalid_submission")
    if execution.grader_errors:
        statuses.add("grader_error")
    if execution.repairs:
        statuses.add("graded_with_repairs")
    status = next((s for s in STATUS_ORDER if s in statuses), "graded")
    lines = [*execution.grader_errors, *extra, *(detail for _, _, detail in execution.incidents)]
    lines += execution.repairs
    if execution.sandbox == "none":
        lines.append("graded WITHOUT a sandbox")
    return status, "; ".join(lines) if lines else "graded normally"


# ---------------------------------------------------------------- public entry points
def grade_submission(course_root: Path, assignment: str, trainee_id: str, limits: Limits) -> GradeResult:
    """Grade ``grading/submitted/<trainee_id>/<assignment>/`` into grading/autograded/ and the gradebook
    (nbgrader's own format), save and return the result. Never raises for a bad submission."""
    course_root = Path(course_root).resolve()
    released_notebooks(course_root, assignment)
    current = fingerprint(course_root, assignment, trainee_id, limits)
    execution = _safe_execute(course_root, assignment, trainee_id, limits, resolve_sandbox(limits.sandbox))
    result = record_execution(course_root, execution)
    save_result(course_root, result, current)
    return result


def _execution_of(future, futures: dict, assignment: str, sandbox: str) -> Execution:
    """A finished worker's execution; a worker that failed (e.g. killed from outside) becomes a recorded reason."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - one trainee's failure never stops the cohort
        return Execution(
            futures[future],
            assignment,
            sandbox=sandbox,
            grader_errors=[f"the grading process failed ({type(error).__name__}: {error})"],
        )


@contextmanager
def _interrupt_flag() -> Iterator[threading.Event]:
    """An event set by Ctrl-C while the block runs (in the main thread). Python's own KeyboardInterrupt can land
    inside a finalizer, where it is swallowed and the run goes on; a flag is checked between recordings, so a
    submission is never half recorded because of Ctrl-C."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is the calling process's to handle (it stops the workers), not every worker's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def grade_cohort(
    course_root: Path,
    assignment: str,
    trainee_ids: list[str] | None = None,
    workers: int | None = None,
    limits: Limits | None = None,
    on_result: Callable[[GradeResult], None] | None = None,
    force: bool = False,
) -> list[GradeResult]:
    """Grade every collected submission (or the given ids) in ``workers`` processes, calling ``on_result`` as
    each finishes. One trainee's failure never stops the cohort. A submission already graded with the same
    files, release and limits is not run again (so an interrupted run resumes) unless ``force``."""
    course_root = Path(course_root).resolve()
    limits = limits or Limits.from_config(course_root)
    released_notebooks(course_root, assignment)
    sandbox = resolve_sandbox(limits.sandbox)
    ids = list(trainee_ids) if trainee_ids is not None else submitted_trainees(course_root, assignment)
    results: list[GradeResult] = []
    pending: dict[str, str] = {}
    for trainee_id in ids:
        current = fingerprint(course_root, assignment, trainee_id, limits)
        saved = _load(status_path(course_root, assignment, trainee_id))
        if not force and saved is not None and saved[1] == current:
            results.append(saved[0])
            if on_result:
                on_result(saved[0])
        else:
            pending[trainee_id] = current
    if pending:
        context = get_context("spawn")  # fresh workers: no event loops or sockets inherited from the caller
        with ProcessPoolExecutor(
            max_workers=max(1, min(workers or os.cpu_count() or 1, len(pending))),
            mp_context=context,
            initializer=_ignore_interrupts,
        ) as pool:
            futures = {
                pool.submit(_safe_execute, course_root, assignment, tid, limits, sandbox): tid
                for tid in pending
            }
            try:
                with _interrupt_flag() as interrupted:
                    waiting = set(futures)
                    while waiting:
                        done, waiting = wait(waiting, timeout=0.2, return_when=FIRST_COMPLETED)
                        for future in done:
                            if interrupted.is_set():
                                break
                            result = record_execution(
                                course_root, _execution_of(future, futures, assignment, sandbox)
                            )
                            save_result(course_root, result, pending[futures[future]])
                            results.append(result)
                            if on_result:
                                on_result(result)
                        if interrupted.is_set():
                            raise KeyboardInterrupt
            except BaseException:
                # Ctrl-C or an error here: stop the workers now (their sandboxes die with them)
                for worker in active_children():  # the pool's workers (terminate_workers() from Python 3.14)
                    worker.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return sorted(results, key=lambda r: r.trainee_id)
