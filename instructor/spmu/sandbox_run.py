"""Execute one notebook in a sandboxed kernel under limits, so that one bad cell costs only that cell.

A cell that runs past the per-cell timeout (even one that swallows KeyboardInterrupt), kills its kernel or blows
the memory limit is *disabled*: the kernel is restarted and the notebook re-run from the top with that cell
replaced by an error output, so every other exercise is graded normally. After every cell an integrity probe
checks that nothing the tests rely on was patched (see :mod:`spmu.grading_tamper`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import psutil
import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from spmu.forked_kernel import (
    ForkedKernelProvisioner,
    ForkServer,
    ForkServerError,
    discard_fork_server,
    fork_server,
)
from spmu.grading_tamper import probe_call, probe_setup
from spmu.limits import Limits
from spmu.sandbox import kernel_argv, kernel_env, prepare_work_dir

log = logging.getLogger(__name__)

MAX_DISABLED_CELLS = 5  # after this many offending cells the rest of the notebook is not run
WATCH_INTERVAL_S = 0.1  # how often the memory watchdog samples the kernel's resident memory
STARTUP_TIMEOUT_S = 60
PROBE_KEY = "integrity_probe"


@dataclass
class Incident:
    """Something that went wrong in one cell: kind is timed_out, kernel_died, memory_exceeded,
    output_capped, notebook_timed_out or tampering."""

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

    def __init__(self, pid: int, limit_bytes: int):
        super().__init__(daemon=True)
        self.pid, self.limit_bytes = pid, limit_bytes
        self.tripped = threading.Event()
        self.peak_bytes = 0
        self.stopped = threading.Event()

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
    """An nbclient that stops keeping outputs once the notebook's output budget is spent."""

    def __init__(self, *args, max_output_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = max_output_bytes
        self.capped_cells: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if size > self.budget:
            if cell_index not in self.capped_cells:
                self.capped_cells.add(cell_index)
                outs.append(
                    error_output(
                        "OutputLimit",
                        "further output of this cell was dropped: the notebook passed its output limit",
                    )
                )
            self.budget = 0
            return None
        self.budget -= size
        return super().output(outs, msg, display_id, cell_index)


class _PromptKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client without the fixed pauses of its start-up handshake.

    The stock ``wait_for_ready`` waits up to 1 s per kernel_info attempt and then always waits 0.2 s of IOPub
    silence to flush status messages; nbclient ignores messages of other requests anyway. Here: ask
    kernel_info until it is answered and an IOPub message shows the IOPub channel is connected (the same
    check), without the final flush.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
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
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {waited:g} seconds")

    wait_for_ready = _async_wait_for_ready

    probe: str | None = None  # expression evaluated after every cell, answered in the cell's execute_reply

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool | None = None,
        stop_on_error: bool = True,
    ) -> str:
        """Execute ``code``; a notebook cell also carries the integrity probe as a user expression, so the
        probe costs no extra round trip (the kernel evaluates it after the cell, if the cell succeeded)."""
        if self.probe and not silent and user_expressions is None:
            user_expressions = {PROBE_KEY: self.probe}
        return super().execute(code, silent, store_history, user_expressions, allow_stdin, stop_on_error)


def _kernel_manager(
    work: Path, runtime: Path, limits: Limits, server: ForkServer | None
) -> AsyncKernelManager:
    """A kernel manager for one pass: a kernel forked in the sandbox by ``server``, or (no sandbox) a kernel
    started from our own spec, never the kernel named in the (untrusted) notebook."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.LINGER, 0)  # never wait on messages to a kernel that is gone
    km = AsyncKernelManager(
        context=context,
        transport="ipc",
        ip=str(runtime / "kernel"),
        connection_file=str(runtime / "kernel.json"),
        kernel_id=str(uuid.uuid4()),
        client_factory=_PromptKernelClient,
    )
    if server is None:
        km._kernel_spec = KernelSpec(
            argv=kernel_argv(limits.memory_mb), display_name="graded", language="python", env=kernel_env(work)
        )
        return km
    km._kernel_spec = KernelSpec(
        argv=["(forked in the sandbox)", "-f", "{connection_file}"],
        display_name="graded (sandboxed)",
        language="python",
    )
    km.provisioner = ForkedKernelProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    km.provisioner.server, km.provisioner.work = server, work
    return km


def run_notebook(
    nb: nbformat.NotebookNode, files_dir: Path | None, limits: Limits, sandbox: str, hidden: list[Path]
) -> RunReport:
    """Run ``nb`` (not modified) and return an executed copy with what happened. ``files_dir`` holds the
    files copied into the working folder before every pass (data the notebook reads)."""
    started = time.monotonic()
    deadline = started + limits.notebook_timeout_s
    report = RunReport(notebook=nb)
    disabled: dict[int, Incident] = {}
    while True:
        report.passes += 1
        executed, incident, tampering, capped = _one_pass(
            nb, files_dir, limits, sandbox, hidden, disabled, deadline
        )
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
    report.incidents = [*disabled.values(), *report.incidents, *tampering, *capped]
    report.seconds = time.monotonic() - started
    return report


def _one_pass(nb, files_dir, limits, sandbox, hidden, disabled, deadline):
    """One fresh kernel, cells in order, disabled cells skipped. Returns (notebook, first new incident or None,
    tampering incidents, output-cap incidents)."""
    executed = nbformat.from_dict(json.loads(json.dumps(nb)))
    tampering: list[Incident] = []
    server, work, runtime = _kernel_dirs(sandbox, limits, hidden)
    if files_dir is not None:
        shutil.copytree(files_dir, work, dirs_exist_ok=True)
    prepare_work_dir(work)
    km = _kernel_manager(work, runtime, limits, server)
    client = _CappedClient(
        executed,
        km=km,
        timeout=int(limits.cell_timeout_s) or 1,
        allow_errors=True,
        interrupt_on_timeout=False,
        shutdown_kernel="immediate",
        startup_timeout=STARTUP_TIMEOUT_S,
        kernel_name="",
        resources={"metadata": {"path": str(work)}},
        max_output_bytes=limits.max_output_bytes,
    )
    incident = None
    watchdog = None
    probe_name = "_" + secrets.token_hex(8)
    replies: dict[int, dict] = {}
    client.on_cell_executed = lambda cell_index, execute_reply, **_: replies.__setitem__(
        cell_index, execute_reply
    )
    try:
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            watchdog = _MemoryWatchdog(km.provisioner.process.pid, limits.memory_mb << 20)
            watchdog.start()
            _silent(client, probe_setup(probe_name))
            client.kc.probe = probe_call(probe_name)
            for index, cell in enumerate(executed.cells):
                if cell.cell_type != "code":
                    continue
                if index in disabled:
                    cell.outputs = [
                        error_output("CellDisabled", "not run by the grader: " + disabled[index].detail)
                    ]
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    incident = _not_run_from(executed, index, limits)
                    break
                client.timeout = max(1, int(min(limits.cell_timeout_s, remaining)))
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    if remaining < limits.cell_timeout_s:
                        incident = _not_run_from(executed, index, limits)
                    elif watchdog.peak_bytes > 0.8 * (limits.memory_mb << 20):
                        incident = Incident(
                            "memory_exceeded",
                            index,
                            grade_id_of(cell),
                            f"cell {index} ran out of memory ({limits.memory_mb} MB limit) and "
                            "stopped responding",
                        )
                    else:
                        incident = Incident(
                            "timed_out",
                            index,
                            grade_id_of(cell),
                            f"cell {index} ran longer than the {limits.cell_timeout_s:g} s limit",
                        )
                    break
                except DeadKernelError:
                    if watchdog.tripped.is_set():
                        incident = Incident(
                            "memory_exceeded",
                            index,
                            grade_id_of(cell),
                            f"cell {index} used more than {limits.memory_mb} MB of memory",
                        )
                    else:
                        incident = Incident(
                            "kernel_died", index, grade_id_of(cell), f"cell {index} stopped the Python kernel"
                        )
                    break
                memory_error = any(o.get("ename") == "MemoryError" for o in cell.get("outputs", []))
                if memory_error and not any(i.cell_index == index for i in tampering):
                    tampering.append(
                        Incident(
                            "memory_exceeded",
                            index,
                            grade_id_of(cell),
                            f"cell {index} hit the {limits.memory_mb} MB memory limit (MemoryError)",
                        )
                    )
                if not any(i.kind == "tampering" for i in tampering):
                    content = (replies.get(index) or {}).get("content", {})
                    if content.get("status") == "ok":
                        found = _probe_finding(content.get("user_expressions", {}).get(PROBE_KEY, {}))
                    else:  # the kernel evaluates user expressions only after a cell that succeeded
                        found = _silent(client, probe_call(probe_name), expression=True)
                    if found:
                        tampering.append(
                            Incident("tampering", index, grade_id_of(cell), f"after cell {index}: {found}")
                        )
    except (DeadKernelError, RuntimeError, TimeoutError) as error:
        incident = incident or Incident("kernel_died", -1, None, f"the kernel could not run: {error}")
    finally:
        if watchdog is not None:
            watchdog.stopped.set()
        _stop_kernel(client)
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
        for i in sorted(client.capped_cells)
    ]
    return executed, incident, tampering, capped


def _kernel_dirs(sandbox: str, limits: Limits, hidden: list[Path]) -> tuple[ForkServer | None, Path, Path]:
    """(fork server or None without a sandbox, work folder, runtime folder) for one fresh kernel."""
    if sandbox == "none":
        scratch = Path(tempfile.mkdtemp(prefix="spmu-grade-"))
        (scratch / "work").mkdir()
        (scratch / "runtime").mkdir()
        return None, scratch / "work", scratch / "runtime"
    for attempt in (1, 2):
        server = fork_server(limits.memory_mb, hidden)
        try:
            return server, *server.kernel_dirs()
        except ForkServerError as error:  # e.g. the previous trainee's code stopped it: start a fresh one
            log.warning("kernel fork server replaced: %s", error)
            discard_fork_server(server)
            if attempt == 2:
                raise


def _clean_up(server: ForkServer | None, folder: Path) -> None:
    """After a pass: nothing of it left running (sandbox) and its folders deleted."""
    if server is not None:
        try:
            server.sweep()
            return
        except ForkServerError as error:
            log.warning("kernel fork server replaced: %s", error)
            discard_fork_server(server)
    shutil.rmtree(folder, ignore_errors=True)


def _stop_kernel(client: NotebookClient) -> None:
    """Kill the kernel and its sandbox now (a timed-out cell may still be running)."""
    try:
        if client.km is not None:
            process = getattr(client.km.provisioner, "process", None)
            if process is not None:  # killed and reaped here: jupyter_client's own wait polls every 0.1 s
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
            client._cleanup_kernel()
    except Exception as error:  # noqa: BLE001 - already dead or half-started: nothing left to stop
        log.debug("kernel cleanup: %s", error)


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


def _silent(client: NotebookClient, code: str, expression: bool = False) -> str:
    """Run grader code in the kernel without touching the notebook; with ``expression``, return its value
    (a string; a missing or failing probe is itself reported as tampering)."""
    if expression:
        msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"r": code})
    else:
        msg_id = client.kc.execute(code, silent=True, store_history=False)
    reply = client.wait_for_reply(msg_id)
    if reply is None:
        return "the grader's integrity check did not answer"
    content = reply["content"]
    if not expression:
        if content["status"] != "ok":
            raise RuntimeError(f"grader setup failed in the kernel: {content.get('evalue')}")
        return ""
    return _probe_finding(content.get("user_expressions", {}).get("r", {}))


def _probe_finding(value: dict) -> str:
    """The probe's findings from its user-expression result ('' when nothing was patched; a missing or failing
    probe is itself reported as tampering)."""
    if value.get("status") != "ok":
        return f"the grader's integrity check was removed or broken ({value.get('ename', 'no answer')})"
    text = value["data"]["text/plain"]
    return "" if text in ("''", '""') else text.strip("'\"")
