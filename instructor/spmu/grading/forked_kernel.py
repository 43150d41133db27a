"""Sandboxed kernels forked from a warm fork server instead of started from scratch.

Starting a kernel and importing pandas, matplotlib and the course package costs about a second per notebook.
:class:`ForkServer` starts one bubblewrap sandbox (:mod:`spmu.grading.sandbox`) per grading process with
:mod:`spmu.grading.sandbox_forkserver` in it, which imports all that once; every notebook then gets a freshly forked
kernel (same sandbox rules, same limits, a new working folder). Before every kernel the server kills whatever a
previous trainee's code left running in the sandbox, removes its IPC objects and empties its ``/tmp``,
``/dev/shm`` and kernels folder, so nothing of one trainee is alive or stored when the next one starts. The
sandbox has its own control group when the machine allows it (:mod:`spmu.grading.sandbox_cgroup`): memory, processes
and CPU of the whole sandbox are limited there. The kernels folder is a tmpfs inside the sandbox, which the
grader reaches as ``/proc/<sandbox init>/root/kernels``: no kernel folder ever exists on the host's disk.

Failures of this machinery raise :class:`ForkServerError`, a :class:`~spmu.grading.sandbox.GraderFault`: the grader's
fault, never a trainee's.

:class:`ForkedKernelProvisioner` plugs the forked kernel into jupyter_client, so nbclient drives it like any
other kernel.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.provisioning import LocalProvisioner

from spmu.grading.limits import Limits
from spmu.grading.sandbox import (
    KERNELS_DIR,
    SERVER_DIR,
    GraderFault,
    bwrap_argv,
    kernel_env,
    python_paths,
)
from spmu.grading.sandbox_cgroup import CgroupLimits, SandboxCgroup, cgroup_problem

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 120  # importing the kernel and the course's libraries on a loaded machine
REQUEST_TIMEOUT_S = 30  # a fork waits up to 20 s for the child to be set up
WATCH_INTERVAL_S = 0.1  # how often a sandbox without a control group has its memory summed


class ForkServerError(GraderFault):
    """The fork server did not start, stopped answering or could not set up a kernel (the grader's fault; a
    fresh server is started for the next kernel)."""


class ForkedKernelProcess:
    """The Popen-like handle jupyter_client keeps for a kernel process that is not the grader's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int | None):
        self.pid = pid or 0
        self.returncode: int | None = None
        try:
            self._process: psutil.Process | None = psutil.Process(pid) if pid else None
        except psutil.NoSuchProcess:
            self._process = None
        if self._process is None:
            self.returncode = 1  # already gone: the kernel died at once, which nbclient reports

    def poll(self) -> int | None:
        """None while the kernel runs, else an exit code (1: the real one is known only to the fork server)."""
        if self.returncode is None:
            try:
                alive = self._process.status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                alive = False
            if not alive:
                self.returncode = 1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                self._process.send_signal(signum)  # psutil checks the pid still names this process
            except psutil.NoSuchProcess:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class SandboxMemoryWatch(threading.Thread):
    """Where no control group limits a sandbox's memory: every ``WATCH_INTERVAL_S``, the resident memory of every
    process in it but its init and the fork server (the kernel, and what it started, detached or not) is summed;
    past ``limit_bytes`` all of them are killed. Files in the sandbox's tmpfs are not counted (``disk_mb`` bounds
    them)."""

    def __init__(self, server: ForkServer, limit_bytes: int):
        super().__init__(daemon=True, name="sandbox-memory-watch")
        self.server, self.limit_bytes = server, limit_bytes
        self.kills = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(WATCH_INTERVAL_S):
            try:
                processes = [psutil.Process(pid) for pid in self.server.sandbox_pids()]
                resident = sum(p.memory_info().rss for p in processes)
            except psutil.Error:
                continue
            if resident > self.limit_bytes:
                self.kills += 1
                for process in processes:
                    with contextlib.suppress(psutil.Error):
                        process.kill()


class ForkServer:
    """A bubblewrap sandbox running the kernel fork server, in its own control group when possible."""

    def __init__(
        self,
        memory_mb: int,
        hidden: list[Path],
        limits: Limits | None = None,
        binds: Sequence[Path] = (),
        ro_binds: Sequence[Path] = (),
    ):
        """``binds`` / ``ro_binds``: host folders shared with another sandbox, writable / read-only here (see
        :func:`spmu.grading.sandbox.sandbox_mounts`)."""
        limits = limits or Limits(memory_mb=memory_mb)
        self.limits = limits
        self.key = (memory_mb, tuple(hidden), limits, tuple(binds), tuple(ro_binds))
        self.cgroup: SandboxCgroup | None = None
        problem = cgroup_problem()
        if problem is None:
            try:
                self.cgroup = SandboxCgroup(
                    CgroupLimits(limits.sandbox_memory_mb, limits.max_processes, limits.cpus)
                )
            except (
                OSError
            ) as error:  # usable a moment ago: a limit this sandbox cannot have is the grader's fault
                raise ForkServerError(f"the sandbox's control group could not be set up: {error}") from error
        else:
            log.info(  # warned once per grading run by resolve_sandbox()
                "no control group per sandbox (%s): its memory is polled, its CPU not limited", problem
            )
        shared = [*python_paths(), *binds, *ro_binds]
        keep = [str(p) for p in shared if p.is_relative_to("/tmp") or p.is_relative_to("/dev/shm")]
        env = kernel_env(Path(KERNELS_DIR) / "server")
        argv = bwrap_argv(limits.disk_mb, hidden, env, binds, ro_binds) + [
            sys.executable,
            f"{SERVER_DIR}/sandbox_forkserver.py",
            str(memory_mb),
            str(limits.disk_mb),
            str(limits.max_processes),
            *keep,
        ]
        if self.cgroup is not None:
            argv = self.cgroup.wrap(argv)
        self._buffer = b""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close(); what bwrap complains of
        self.process = subprocess.Popen(  # its own session: a Ctrl-C goes to the grader, which stops it
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
        )
        try:
            ready = self._read_reply(STARTUP_TIMEOUT_S)
            if not ready.get("ready"):
                raise ForkServerError(f"the kernel fork server did not start: {ready}")
            self.root = Path(f"/proc/{self.host_pid(1)}/root")
            self.kernels = self.root / KERNELS_DIR.lstrip("/")
            os.listdir(self.kernels)
        except (ForkServerError, OSError, TypeError) as error:
            complaints = self._complaints()
            self.close()
            raise ForkServerError(f"the sandbox could not be set up: {error}; {complaints}") from error
        if ready.get("not_preloaded"):
            log.info("fork server could not preload %s", ", ".join(ready["not_preloaded"]))
        self.fixed_pids = (self.host_pid(1), self.host_pid(2))  # the sandbox's init and the fork server
        self.memory_watch: SandboxMemoryWatch | None = None
        if self.cgroup is None:
            self.memory_watch = SandboxMemoryWatch(self, limits.sandbox_memory_mb << 20)
            self.memory_watch.start()

    def _complaints(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read()[-1000:].decode(errors="replace").strip()
        return f"bwrap said: {text}" if text else "bwrap said nothing"

    def alive(self) -> bool:
        return self.process.poll() is None

    def _read_reply(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise ForkServerError(f"the kernel fork server did not answer within {timeout:g} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise ForkServerError("the kernel fork server stopped")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _request(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            self.process.stdin.write(json.dumps(payload).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as error:
            raise ForkServerError(f"the kernel fork server stopped ({error})") from error
        return self._read_reply(REQUEST_TIMEOUT_S)

    def sweep(self) -> None:
        """Kill everything left running in the sandbox, remove its IPC objects and empty its /tmp, /dev/shm and
        kernels folder."""
        reply = self._request({"op": "sweep"})
        if "swept" not in reply:
            raise ForkServerError(f"the kernel fork server could not sweep: {reply}")

    def kernel_dirs(self) -> tuple[Path, Path]:
        """Fresh (work, runtime) folders for the next kernel (0700, as the grader sees them), in a sandbox where
        nothing else runs."""
        self.sweep()
        try:
            folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=self.kernels))
            work, runtime = folder / "work", folder / "runtime"
            work.mkdir(mode=0o700)
            runtime.mkdir(mode=0o700)
        except OSError as error:
            raise ForkServerError(f"no kernel folder in the sandbox: {error}") from error
        return work, runtime

    def inside(self, path: Path) -> str:
        """The sandbox's name for ``path`` (a path the grader sees under the sandbox's root)."""
        return "/" + str(Path(path).relative_to(self.root))

    def fork(self, work: Path, connection_file: Path) -> ForkedKernelProcess:
        """Fork a kernel that works in ``work`` and listens as ``connection_file`` says (both as the grader
        sees them)."""
        try:
            info = json.loads(Path(connection_file).read_text())
            ip = self.inside(Path(info["ip"])) if info.get("transport") == "ipc" else None
            request = {
                "op": "fork",
                "work": self.inside(work),
                "connection_file": self.inside(connection_file),
                "ip": ip,
                "env": kernel_env(Path(self.inside(work))),
            }
        except (OSError, ValueError, KeyError) as error:
            raise ForkServerError(f"cannot hand this kernel to the sandbox: {error}") from error
        reply = self._request(request)
        if "pid" not in reply:
            raise ForkServerError(f"the kernel fork server refused: {reply}")
        pid = self.host_pid(reply["pid"])
        if pid is None:
            raise ForkServerError(f"the forked kernel {reply['pid']} is not visible from the grader")
        return ForkedKernelProcess(pid)

    def sandbox_pids(self) -> list[int]:
        """Host pids of every process in the sandbox but its init and the fork server (the kernel and
        whatever it started, detached or not)."""
        return [
            p.pid
            for p in psutil.Process(self.process.pid).children(recursive=True)
            if p.pid not in self.fixed_pids
        ]

    def oom_kills(self) -> int:
        """How often processes of this sandbox were killed at ``sandbox_memory_mb``: by the kernel's OOM killer
        in its control group, or by the :class:`SandboxMemoryWatch` without one."""
        if self.cgroup is not None:
            return self.cgroup.oom_kills()
        return self.memory_watch.kills if self.memory_watch is not None else 0

    def host_pid(self, sandbox_pid: int) -> int | None:
        """The pid, as this process sees it, of the process the sandbox calls ``sandbox_pid``."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                status = Path(f"/proc/{child.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("NSpid:") and int(line.split()[-1]) == sandbox_pid:
                    return child.pid
        return None

    def close(self) -> None:
        if getattr(self, "memory_watch", None) is not None:
            self.memory_watch.stopped.set()
        if self.alive():
            self.process.kill()
            self.process.wait()
        if self.cgroup is not None:
            self.cgroup.remove()  # kills anything of the sandbox still alive
        for stream in (self.process.stdin, self.process.stdout, self._stderr):
            with contextlib.suppress(OSError):  # a request still buffered for a server that is gone
                stream.close()


class ServerSlot:
    """This grading process's one fork server for one purpose, started on first use and replaced when it stopped
    or its settings changed. There are two: :data:`trainee_servers` for the trainees' kernels and
    :data:`trusted_servers` for the grader's trusted kernels, where test cells run (never in the trainees'
    sandbox: a trainee's code could otherwise signal such a kernel or read its connection key)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.server: ForkServer | None = None
        atexit.register(self.discard)

    def get(
        self, memory_mb: int, hidden: list[Path], limits: Limits | None = None, ro_binds: Sequence[Path] = ()
    ) -> ForkServer:
        """The fork server for these limits (without ``limits``: :class:`Limits`' defaults) and folders."""
        key = (memory_mb, tuple(hidden), limits or Limits(memory_mb=memory_mb), (), tuple(ro_binds))
        if self.server is not None and (self.server.key != key or not self.server.alive()):
            self.discard()
        if self.server is None:
            self.server = ForkServer(memory_mb, hidden, limits, ro_binds=ro_binds)
        return self.server

    def discard(self, server: ForkServer | None = None) -> None:
        """Stop a fork server that misbehaved (default: this slot's), so the next kernel gets a fresh one."""
        server = server or self.server
        if server is not None:
            server.close()
        if server is self.server:
            self.server = None

    def kernel_dirs(self, limits: Limits, hidden: list[Path]) -> tuple[ForkServer, Path, Path]:
        """(fork server, work folder, runtime folder) for one fresh kernel; a server that fails is replaced
        once (e.g. the previous trainee's code stopped it)."""
        for attempt in (1, 2):
            server = self.get(limits.memory_mb, hidden, limits)
            try:
                return server, *server.kernel_dirs()
            except ForkServerError as error:
                log.warning("%s replaced: %s", self.name, error)
                self.discard(server)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def sweep(self, server: ForkServer) -> bool:
        """After a kernel: nothing of it left in ``server``'s sandbox. False if the server failed (replaced)."""
        try:
            server.sweep()
            return True
        except ForkServerError as error:
            log.warning("%s replaced: %s", self.name, error)
            self.discard(server)
            return False


trainee_servers = ServerSlot("kernel fork server")
trusted_servers = ServerSlot("trusted kernels' fork server")


class ForkedKernelProvisioner(LocalProvisioner):
    """jupyter_client provisioner whose kernel is forked by a :class:`ForkServer` (set ``server`` and
    ``work`` before the kernel is started)."""

    server: ForkServer | None = None
    work: Path | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        self.process = self.server.fork(self.work, Path(self.parent.connection_file))
        self.pid = self.process.pid
        self.pgid = self.pid or None  # the kernel leads its own session: signals go to all of it
        self.cwd = self.work
        return self.connection_info
