"""Sandboxed kernels forked from a warm fork server instead of started from scratch.

Starting a kernel and importing pandas, matplotlib and the course package costs about a second per notebook.
:class:`ForkServer` starts one bubblewrap sandbox per grading process with
:mod:`spmu.sandbox_forkserver` in it, which imports all that once; every notebook then gets a
freshly forked kernel (same sandbox rules, same limits, a new working folder). Before every kernel the server
kills whatever a previous trainee's code left running in the sandbox and the grader empties the kernels'
folder, so nothing of one trainee is alive or on disk when the next one starts.

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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.provisioning import LocalProvisioner

from spmu.sandbox import MAX_FILE_MB, bwrap_argv, kernel_env

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 120  # importing the kernel and the course's libraries on a loaded machine
REQUEST_TIMEOUT_S = 20


class ForkServerError(RuntimeError):
    """The fork server did not start or stopped answering (a fresh one is started for the next kernel)."""


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


class ForkServer:
    """A bubblewrap sandbox running the kernel fork server, and the folder its kernels work in."""

    def __init__(self, memory_mb: int, hidden: list[Path]):
        self.key = (memory_mb, tuple(hidden))
        self.root = Path(tempfile.mkdtemp(prefix="spmu-kernels-"))
        self.root.chmod(0o755)
        server_dir = self.root / "server"
        server_dir.mkdir(mode=0o777)
        server_dir.chmod(0o777)
        script = Path(__file__).with_name("sandbox_forkserver.py")
        argv = bwrap_argv([self.root], server_dir, kernel_env(server_dir), hidden) + [
            sys.executable,
            str(script),
            str(memory_mb),
            str(MAX_FILE_MB),
            str(self.root),
        ]
        self._buffer = b""
        self.process = subprocess.Popen(  # its own session: a Ctrl-C goes to the grader, which stops it
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        ready = self._read_reply(STARTUP_TIMEOUT_S)
        if not ready.get("ready"):
            self.close()
            raise ForkServerError(f"the kernel fork server did not start: {ready}")
        if ready.get("not_preloaded"):
            log.info("fork server could not preload %s", ", ".join(ready["not_preloaded"]))

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
        """Kill everything left running in the sandbox and delete every folder under its root (the kernels' and,
        on the first sweep, the server's start-up folder, no longer needed once it has preloaded)."""
        self._request({"op": "sweep"})
        for entry in self.root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def kernel_dirs(self) -> tuple[Path, Path]:
        """Fresh (work, runtime) folders for the next kernel, in a sandbox where nothing else runs."""
        self.sweep()
        folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=self.root))
        work, runtime = folder / "work", folder / "runtime"
        for path in (folder, work, runtime):
            path.mkdir(exist_ok=True)
            path.chmod(0o777)
        return work, runtime

    def fork(self, work: Path, connection_file: Path) -> ForkedKernelProcess:
        """Fork a kernel that works in ``work`` and listens as ``connection_file`` says."""
        reply = self._request(
            {
                "op": "fork",
                "work": str(work),
                "connection_file": str(connection_file),
                "env": kernel_env(work),
            }
        )
        if "pid" not in reply:
            raise ForkServerError(f"the kernel fork server refused: {reply}")
        return ForkedKernelProcess(self._host_pid(reply["pid"]))

    def _host_pid(self, sandbox_pid: int) -> int | None:
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
        if self.alive():
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):  # a request still buffered for a server that is gone
                stream.close()
        shutil.rmtree(self.root, ignore_errors=True)


_server: ForkServer | None = None  # this process's one fork server


def fork_server(memory_mb: int, hidden: list[Path]) -> ForkServer:
    """This process's fork server for these limits (started on first use, restarted if it stopped or the
    limits changed)."""
    global _server
    if _server is not None and (_server.key != (memory_mb, tuple(hidden)) or not _server.alive()):
        discard_fork_server(_server)
    if _server is None:
        _server = ForkServer(memory_mb, hidden)
    return _server


@atexit.register
def discard_fork_server(server: ForkServer | None = None) -> None:
    """Stop a fork server that misbehaved (default: this process's), so the next kernel gets a fresh one."""
    global _server
    server = server or _server
    if server is not None:
        server.close()
    if server is _server:
        _server = None


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
