"""Execute one notebook under limits: the trainee's cells in a sandboxed kernel, the tests in a trusted one.

A pass runs every cell but the tests in a fresh sandboxed kernel, then the test cells (from the instructor's
source) in a fresh trusted kernel that calls the trainee's answers through proxies, values crossing as data
(:mod:`spmu.grading.trusted_tests`). A cell that runs past the per-cell timeout (even one that swallows
KeyboardInterrupt), kills its kernel or blows the memory limit, or a test whose call into the trainee's code
does so, is *disabled*: the notebook is re-run from the top with that cell replaced by an error output, so every
other exercise is graded normally. A failure of the grader's own kernels or servers is retried once and then
raised as :class:`GraderFault` (the grader's fault, never the trainee's).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

import nbformat
import psutil
import zmq
import zmq.asyncio
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from spmu.grading.answer_relay import AnswerRelay
from spmu.grading.forked_kernel import (
    ForkedKernelProvisioner,
    ForkServer,
    ForkServerError,
    trainee_servers,
    trusted_servers,
)
from spmu.grading.limits import Limits
from spmu.grading.sandbox import GraderFault, kernel_argv, kernel_env, prepare_work_dir, scratch_kernel_dirs
from spmu.grading.trusted_tests import answer_kernel_setup, plan, trusted_kernel_setup, with_binding

log = logging.getLogger(__name__)

MAX_DISABLED_CELLS = 5  # after this many offending cells the rest of the notebook is not run
WATCH_INTERVAL_S = 0.1  # how often the memory watchdog samples the kernel's resident memory
STARTUP_TIMEOUT_S = 60
MAX_MESSAGE_BYTES = 32 << 20  # one kernel message larger than this is refused by the grader's sockets
MAX_ERROR_CHARS = 2000  # of each line of a test's error output


@dataclass
class Incident:
    """Something that went wrong in one cell: kind is timed_out, kernel_died, memory_exceeded,
    output_capped or notebook_timed_out."""

    kind: str
    cell_index: int
    grade_id: str | None
    detail: str


@dataclass
class RunReport:
    """The executed notebook and what happened while running it."""

    notebook: nbformat.NotebookNode
    incidents: list[Incident] = field(default_factory=list)
    passes: int = 0
    seconds: float = 0.0


def grade_id_of(cell) -> str | None:
    """nbgrader grade_id of a cell, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def error_output(ename: str, message: str) -> nbformat.NotebookNode:
    """An error output as the grader records it (nbgrader scores a test cell with an error output as 0)."""
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class _MemoryWatchdog(threading.Thread):
    """Kills the kernel (and everything it started) when their resident memory passes the limit."""

    def __init__(self, pid: int, limit_bytes: int, server: ForkServer | None = None):
        super().__init__(daemon=True)
        self.pid, self.limit_bytes = pid, limit_bytes
        self.tripped = threading.Event()
        self.server = (
            server  # its control group counts the processes killed at the whole sandbox's memory limit
        )
        self.oom_kills = self._oom_kills()
        self.peak_bytes = 0
        self.stopped = threading.Event()

    def _oom_kills(self) -> int:
        try:
            return self.server.oom_kills() if self.server is not None else 0
        except (OSError, ValueError):
            return 0

    def out_of_memory(self) -> bool:
        """The kernel's tree passed the limit, or the sandbox's control group killed a process for memory."""
        return self.tripped.is_set() or self._oom_kills() > self.oom_kills

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stopped.wait(WATCH_INTERVAL_S):
            try:
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
            except psutil.Error:
                continue
            self.peak_bytes = max(self.peak_bytes, rss)
            if rss > self.limit_bytes:
                self.tripped.set()
                for process in reversed(tree):
                    try:
                        process.kill()
                    except psutil.Error:
                        pass
                return


class _CappedClient(NotebookClient):
    """An nbclient that counts every message it keeps (outputs, display updates, widget and Output-widget
    messages) against the notebook's output budget and drops the rest with a note. With ``keep_errors`` (the
    trusted kernel's test cells) an error output is always kept, cut to a readable length, since dropping it
    would turn a failed test into a passed one."""

    def __init__(self, *args, max_output_bytes: int, keep_errors: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = max_output_bytes
        self.keep_errors = keep_errors
        self.capped_cells: set[int] = set()

    def process_message(self, msg, cell, cell_index):
        kind = msg["msg_type"]
        if kind in ("status", "execute_input"):
            return super().process_message(msg, cell, cell_index)
        if kind == "error" and self.keep_errors:
            content = msg["content"]
            content["evalue"] = str(content.get("evalue", ""))[:MAX_ERROR_CHARS]
            content["traceback"] = [
                str(line)[:MAX_ERROR_CHARS] for line in content.get("traceback", [])[-20:]
            ]
            return super().process_message(msg, cell, cell_index)
        size = len(json.dumps(msg.get("content", {}), default=str))
        if size > self.budget:
            if cell_index not in self.capped_cells:
                self.capped_cells.add(cell_index)
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stderr",
                        text="[grader] further output of this cell was dropped: the notebook passed its "
                        "output limit\n",
                    )
                )
            self.budget = 0
            return None
        self.budget -= size
        return super().process_message(msg, cell, cell_index)


class _PromptKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client without the fixed pauses of its start-up handshake.

    The stock ``wait_for_ready`` waits up to 1 s per kernel_info attempt and then always waits 0.2 s of IOPub
    silence to flush status messages; nbclient ignores messages of other requests anyway. Here (overriding the
    public method): ask kernel_info until it is answered and an IOPub message shows the IOPub channel is
    connected (the same check), without the final flush.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        waited = STARTUP_TIMEOUT_S if timeout is None else timeout
        deadline = time.monotonic() + waited
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=0.25)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.25)
                except Empty:
                    pass
                else:
                    major = int(reply["content"]["protocol_version"].split(".")[0])
                    if major != protocol_version_info[0]:  # as jupyter_client does: talk the kernel's version
                        self.session.adapt_version = major
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {waited:g} seconds")


class OwnKernelSpec(KernelSpecManager):
    """The one kernel spec a graded notebook gets (jupyter_client's public KernelSpecManager interface): ours,
    never the kernel named in the untrusted notebook or installed on the machine."""

    NAME = "python3"  # the name jupyter_client and nbclient treat as ipykernel (history kept in memory)

    def __init__(self, spec: KernelSpec, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self.spec


def _kernel_manager(
    work: Path, runtime: Path, limits: Limits, server: ForkServer | None
) -> AsyncKernelManager:
    """A kernel manager for one pass: a kernel forked in a sandbox by ``server``, or (no sandbox) a kernel
    started from our own spec, never the kernel named in the (untrusted) notebook."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.LINGER, 0)  # never wait on messages to a kernel that is gone
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # a single huge message is refused, not buffered
    if server is None:
        spec = KernelSpec(
            argv=kernel_argv(limits.memory_mb), display_name="graded", language="python", env=kernel_env(work)
        )
    else:
        spec = KernelSpec(
            argv=["(forked in the sandbox)", "-f", "{connection_file}"],
            display_name="graded (sandboxed)",
            language="python",
        )
    km = AsyncKernelManager(
        kernel_name=OwnKernelSpec.NAME,
        kernel_spec_manager=OwnKernelSpec(spec=spec),
        context=context,
        transport="ipc",
        ip=str(runtime / "kernel"),
        connection_file=str(runtime / "kernel.json"),
        kernel_id=str(uuid.uuid4()),
        client_factory=_PromptKernelClient,
    )
    if server is None:
        return km
    km.provisioner = ForkedKernelProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    km.provisioner.server, km.provisioner.work = server, work
    return km


def _client(nb, km, work: Path, limits: Limits, keep_errors: bool = False) -> _CappedClient:
    return _CappedClient(
        nb,
        km=km,
        timeout=int(limits.cell_timeout_s) or 1,
        allow_errors=True,
        interrupt_on_timeout=False,
        shutdown_kernel="immediate",
        startup_timeout=STARTUP_TIMEOUT_S,
        kernel_name="",
        resources={"metadata": {"path": str(work)}},
        max_output_bytes=limits.max_output_bytes,
        keep_errors=keep_errors,
    )


def run_notebook(
    nb: nbformat.NotebookNode,
    files_dir: Path | None,
    limits: Limits,
    sandbox: str,
    hidden: list[Path],
    answers: frozenset[str] = frozenset(),
    trusted_files: Path | None = None,
) -> RunReport:
    """Run ``nb`` (not modified): the trainee's cells in a sandboxed kernel, its test cells in a trusted one
    (``answers``: the answer names the tests may call, see :mod:`spmu.grading.trusted_tests`). Returns an executed copy
    with what happened. ``files_dir`` holds the files copied into the working folder before every pass;
    ``trusted_files`` those copied into the trusted kernel's (the assignment's own files, never the trainee's).
    Raises :class:`GraderFault` when the grader's own kernels failed twice."""
    started = time.monotonic()
    run = _Run(
        files_dir, limits, sandbox, hidden, answers, trusted_files, started + limits.notebook_timeout_s
    )
    disabled = run.disabled
    report = RunReport(notebook=nb)
    faults = 0
    while True:
        report.passes += 1
        try:
            executed, incident, capped = _one_pass(nb, run)
        except GraderFault as fault:
            faults += 1
            log.warning("grader fault (attempt %d): %s", faults, fault)
            trainee_servers.discard()
            trusted_servers.discard()
            if faults >= 2:
                raise
            continue
        if (
            incident is None
            or incident.kind == "notebook_timed_out"
            or incident.cell_index < 0
            or len(disabled) >= MAX_DISABLED_CELLS
        ):
            if incident is not None:
                report.incidents.append(incident)
            break
        disabled[incident.cell_index] = incident
    report.notebook = executed
    report.incidents = [*disabled.values(), *report.incidents, *capped]
    report.seconds = time.monotonic() - started
    return report


def _cell_incident(kind: str, index: int, cell, detail: str) -> Incident:
    return Incident(kind, index, grade_id_of(cell), detail)


def _stopped(index: int, cell, limits: Limits, watchdog: _MemoryWatchdog, during: str = "") -> Incident:
    """The incident for a trainee kernel that died while cell ``index`` ran (or a test called into it)."""
    if watchdog.out_of_memory():
        return _cell_incident(
            "memory_exceeded",
            index,
            cell,
            f"cell {index} used more than {limits.memory_mb} MB of memory{during}",
        )
    return _cell_incident("kernel_died", index, cell, f"cell {index} stopped the Python kernel{during}")


def _timed_out(
    index: int, cell, limits: Limits, watchdog: _MemoryWatchdog, remaining: float, executed
) -> Incident:
    if remaining < limits.cell_timeout_s:
        return _not_run_from(executed, index, limits)
    if watchdog.peak_bytes > 0.8 * (limits.memory_mb << 20):
        return _cell_incident(
            "memory_exceeded",
            index,
            cell,
            f"cell {index} ran out of memory ({limits.memory_mb} MB limit) and stopped responding",
        )
    return _cell_incident(
        "timed_out", index, cell, f"cell {index} ran longer than the {limits.cell_timeout_s:g} s limit"
    )


@dataclass
class _Run:
    """What every pass over one notebook shares: its settings and the cells disabled so far."""

    files_dir: Path | None
    limits: Limits
    sandbox: str
    hidden: list[Path]
    answers: frozenset[str]
    trusted_files: Path | None
    deadline: float  # time.monotonic() at which the notebook's time is up
    disabled: dict[int, Incident] = field(default_factory=dict)


def _one_pass(nb, run: _Run):
    """One fresh trainee kernel running every cell but the tests, then one fresh trusted kernel running the
    tests. Returns (notebook, first new incident or None, output-cap incidents)."""
    executed = nbformat.from_dict(json.loads(json.dumps(nb)))
    steps = plan(executed, run.answers)
    limits = run.limits
    try:
        server, work, runtime = _kernel_dirs(run.sandbox, limits, run.hidden)
    except ForkServerError as error:
        raise GraderFault(f"the sandbox's kernel server failed: {error}") from error
    if run.files_dir is not None:
        shutil.copytree(run.files_dir, work, dirs_exist_ok=True)
    prepare_work_dir(work)
    km = _kernel_manager(work, runtime, limits, server)
    client = _client(executed, km, work, limits)
    incident = None
    watchdog = None
    capped_tests: set[int] = set()
    noted: list[Incident] = []
    answer_server = "_grader_answers_" + secrets.token_hex(6)
    try:
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(
                    client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cleanup_kc=True)
                )
                stack.callback(_kill_kernel, km)  # before the clean-up: a cell may still run
                watchdog = _MemoryWatchdog(km.provisioner.process.pid, limits.memory_mb << 20, server)
                watchdog.start()
                stack.callback(watchdog.stopped.set)
                _silent(client, answer_kernel_setup(answer_server))
            except (DeadKernelError, RuntimeError, TimeoutError, ForkServerError) as error:
                raise GraderFault(f"the trainee's kernel did not start: {error}") from error
            incident = _answer_phase(client, executed, steps, run, watchdog, noted)
            if incident is None:
                client.kc.stop_channels()  # what the trainee's code prints from now on (during tests) is never read
                incident, capped_tests = _test_phase(
                    executed, steps, run, km, watchdog, answer_server, server
                )
    finally:
        _clean_up(server, work.parent)
    if incident is not None and incident.cell_index >= 0 and incident.kind != "notebook_timed_out":
        executed.cells[incident.cell_index].outputs = [error_output("CellDisabled", incident.detail)]
    capped = [
        Incident(
            "output_capped",
            i,
            grade_id_of(executed.cells[i]),
            f"output of cell {i} was cut at the {limits.max_output_bytes} byte notebook limit",
        )
        for i in sorted(client.capped_cells | capped_tests)
    ]
    return executed, incident, noted + capped


def _answer_phase(client, executed, steps, run: _Run, watchdog, noted) -> Incident | None:
    """Every cell but the tests, in order, in the trainee's kernel; the first incident that stops the pass, or
    None (a MemoryError the cell survived is added to ``noted``: it costs only that cell)."""
    limits, disabled, deadline = run.limits, run.disabled, run.deadline
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or not steps[index].answer_kernel:
            continue
        if index in disabled:
            cell.outputs = [error_output("CellDisabled", "not run by the grader: " + disabled[index].detail)]
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _not_run_from(executed, index, limits)
        client.timeout = max(1, int(min(limits.cell_timeout_s, remaining)))
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            return _timed_out(index, cell, limits, watchdog, remaining, executed)
        except DeadKernelError:
            return _stopped(index, cell, limits, watchdog)
        if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", [])):
            noted.append(
                _cell_incident(
                    "memory_exceeded",
                    index,
                    cell,
                    f"cell {index} hit the {limits.memory_mb} MB memory limit (MemoryError)",
                )
            )
    return None


def _test_phase(
    executed, steps, run: _Run, answer_km, watchdog, answer_server, server
) -> tuple[Incident | None, set[int]]:
    """The test cells (and the read-only cells they need) in a fresh trusted kernel: (the first incident or None,
    the test cells whose output was capped). Raises :class:`GraderFault` when the trusted kernel fails by itself."""
    if not any(step.is_test for step in steps.values()):
        return None, set()
    limits, disabled, deadline, trusted_files = run.limits, run.disabled, run.deadline, run.trusted_files
    try:
        trusted, t_work, t_runtime = _trusted_dirs(run.sandbox, limits, run.hidden, server)
    except ForkServerError as error:
        raise GraderFault(f"the trusted kernel server failed: {error}") from error
    if trusted_files is not None:
        shutil.copytree(trusted_files, t_work, dirs_exist_ok=True)
    prepare_work_dir(t_work)
    t_nb = nbformat.from_dict(json.loads(json.dumps(executed)))
    t_km = _kernel_manager(t_work, t_runtime, limits, trusted)
    t_client = _client(t_nb, t_km, t_work, limits, keep_errors=True)
    bind = "_grader_bind_" + secrets.token_hex(6)
    answer_process = answer_km.provisioner.process
    relay_path = t_runtime / "answers.sock"
    relay_inside = trusted.inside(relay_path) if trusted is not None else str(relay_path)
    try:
        with contextlib.ExitStack() as stack:
            relay = AnswerRelay(relay_path, answer_km.get_connection_info(), answer_server, answer_process)
            relay.start()
            stack.callback(relay.close)
            try:
                stack.enter_context(
                    t_client.setup_kernel(
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cleanup_kc=True
                    )
                )
                stack.callback(_kill_kernel, t_km)  # before the clean-up: a cell may still run
                _silent(t_client, trusted_kernel_setup(bind, relay_inside))
            except (DeadKernelError, RuntimeError, TimeoutError, ForkServerError) as error:
                raise GraderFault(f"the grader's trusted kernel did not start: {error}") from error
            for index, cell in enumerate(executed.cells):
                step = steps.get(index)
                if step is None or not step.trusted_kernel:
                    continue
                if index in disabled:
                    if step.is_test:
                        cell.outputs = [
                            error_output("CellDisabled", "not run by the grader: " + disabled[index].detail)
                        ]
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return _not_run_from(executed, index, limits), set()
                t_client.timeout = max(1, int(min(limits.cell_timeout_s, remaining)))
                t_cell = t_nb.cells[index]
                t_cell.source = with_binding(cell.source, bind, step.binds)
                during = " while a test called your code"
                try:
                    t_client.execute_cell(t_cell, index)
                except CellTimeoutError:
                    if answer_process.poll() is not None:
                        return _stopped(index, cell, limits, watchdog, during), set()
                    return _timed_out(index, cell, limits, watchdog, remaining, executed), set()
                except DeadKernelError as error:
                    if answer_process.poll() is not None:
                        return _stopped(index, cell, limits, watchdog, during), set()
                    raise GraderFault(f"the grader's trusted kernel stopped: {error}") from error
                if answer_process.poll() is not None:
                    return _stopped(index, cell, limits, watchdog, during), set()
                if step.is_test:
                    cell.outputs = t_cell.outputs
                    cell.execution_count = t_cell.get("execution_count")
            return None, {i for i in t_client.capped_cells if steps[i].is_test}
    finally:
        if trusted is None:
            shutil.rmtree(t_work.parent, ignore_errors=True)
        else:
            trusted_servers.sweep(trusted)


def _kernel_dirs(sandbox: str, limits: Limits, hidden: list[Path]) -> tuple[ForkServer | None, Path, Path]:
    """(fork server or None without a sandbox, work folder, runtime folder) for one fresh trainee kernel."""
    if sandbox == "none":
        return None, *scratch_kernel_dirs()
    return trainee_servers.kernel_dirs(limits, hidden)


def _trusted_dirs(
    sandbox: str, limits: Limits, hidden: list[Path], server: ForkServer | None
) -> tuple[ForkServer | None, Path, Path]:
    """(trusted server or None without a sandbox, work folder, runtime folder) for one fresh trusted kernel."""
    if server is None:
        return None, *scratch_kernel_dirs("spmu-trusted")
    return trusted_servers.kernel_dirs(limits, hidden)


def _clean_up(server: ForkServer | None, folder: Path) -> None:
    """After a pass: nothing of it left running (sandbox) and its folders deleted."""
    if server is None or not trainee_servers.sweep(server):
        shutil.rmtree(folder, ignore_errors=True)


def _kill_kernel(km: AsyncKernelManager) -> None:
    """Kill a kernel (and, sandboxed, its session) now: a timed-out cell may still be running."""
    process = getattr(km.provisioner, "process", None) if km.provisioner is not None else None
    if process is not None:  # killed and reaped here: jupyter_client's own wait polls every 0.1 s
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _not_run_from(executed, index: int, limits: Limits) -> Incident:
    for cell in executed.cells[index:]:
        if cell.cell_type == "code":
            cell.outputs = [
                error_output(
                    "NotebookTimeLimit",
                    f"not run: the notebook's {limits.notebook_timeout_s:g} s time limit was reached",
                )
            ]
    return Incident(
        "notebook_timed_out",
        index,
        grade_id_of(executed.cells[index]),
        f"the notebook's {limits.notebook_timeout_s:g} s time limit was reached at cell {index}; "
        "the cells from there on were not run",
    )


def _silent(client: NotebookClient, code: str) -> None:
    """Run grader code in a kernel without touching the notebook (RuntimeError if it fails)."""
    reply = client.wait_for_reply(client.kc.execute(code, silent=True, store_history=False))
    if reply is None or reply["content"]["status"] != "ok":
        detail = (reply or {}).get("content", {}).get("evalue", "no reply")
        raise RuntimeError(f"grader setup failed in the kernel: {detail}")
