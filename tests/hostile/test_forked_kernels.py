"""Kernels forked from the sandbox's warm fork server: one trainee's kernel leaves nothing behind for the next
(processes, files in /tmp, /dev/shm or the kernels folder, System V IPC objects, POSIX message queues, abstract
Unix sockets), cannot reach into the fork server, and cannot stop grading by killing it; the server's own
failures are the grader's fault."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import needs_bwrap
from sandboxed import Kernel, fork_server

from spmu.grading import forked_kernel
from spmu.grading.limits import Limits
from spmu.grading.sandbox import GraderFault, python_paths

LIMITS = Limits(cell_timeout_s=20, disk_mb=64)

LEAVE_BEHIND = """
import ctypes, os, socket, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
# System V objects and a POSIX message queue outlive the processes that made them
made = [libc.shmget(0x5350, 4096, IPC_CREAT | 0o666), libc.msgget(0x5351, IPC_CREAT | 0o666),
        libc.semget(0x5352, 1, IPC_CREAT | 0o666), libc.mq_open(b"/spmu-left", os.O_CREAT | os.O_RDWR, 0o666, None)]
# a detached process that outlives the kernel, keeps writing and listens on an abstract Unix socket
daemon = '''
import socket, time
server = socket.socket(socket.AF_UNIX)
server.bind("\\\\0spmu-left")
server.listen()
while True:
    try:
        open("/dev/shm/daemon-was-here", "w").write("x")
    except OSError:
        pass
    time.sleep(0.05)
'''
subprocess.Popen([sys.executable, "-c", daemon], start_new_session=True)
for path in ("/tmp/planted.py", "/dev/shm/planted", "/kernels/planted"):
    open(path, "w").write("print('planted')")
import json, time
time.sleep(0.5)
probe = socket.socket(socket.AF_UNIX)
probe.connect("\\0spmu-left")  # the daemon listens
made.append(len(os.listdir("/dev/shm")) - 2)  # and writes
print(json.dumps(made))
"""

LOOK_AROUND = """
import ctypes, json, os, socket, time
time.sleep(0.3)  # a surviving daemon would have rewritten its file by now
libc = ctypes.CDLL(None, use_errno=True)
others = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) in (1, os.getpid(), os.getppid()):
        continue
    try:
        others.append(open(f"/proc/{pid}/cmdline").read().replace("\\0", " ").strip())
    except OSError:
        pass
try:
    probe = socket.socket(socket.AF_UNIX)
    probe.connect("\\0spmu-left")
    listening = True
except OSError:
    listening = False
print(json.dumps({
    "processes": sorted(others),
    "tmp": sorted(os.listdir("/tmp")),
    "shm": sorted(os.listdir("/dev/shm")),
    "mqueue": sorted(os.listdir("/dev/mqueue")),
    "kernels": len(os.listdir("/kernels")),
    "sysv": [libc.shmget(0x5350, 0, 0), libc.msgget(0x5351, 0), libc.semget(0x5352, 0, 0)],
    "listening": listening,
}))
"""

READ_SERVER = """
import os
for part in ("mem", "environ"):
    try:
        open(f"/proc/{os.getppid()}/{part}", "rb").read(1)
        print(part, "readable")
    except OSError as error:
        print(part, type(error).__name__)
"""


@pytest.fixture(scope="module")
def server():
    from sandboxed import require

    from spmu.grading.sandbox import bwrap_problem

    require(bwrap_problem(), "bubblewrap")
    with fork_server(LIMITS) as server:
        yield server


@needs_bwrap
def test_nothing_of_one_kernel_survives_into_the_next(server):
    first = Kernel(server)
    made = json.loads(first.run(LEAVE_BEHIND))
    assert all(value >= 0 for value in made), f"the attack could not even create its objects: {made}"
    first.stop()
    second = Kernel(server)
    seen = json.loads(second.run(LOOK_AROUND))
    second.stop()
    assert seen["processes"] == [], "processes of the previous kernel still run"
    # what the allow-list itself mounts under /tmp (a clone and its venv under /tmp) is all /tmp may hold
    mounted = sorted({p.relative_to("/tmp").parts[0] for p in python_paths() if p.is_relative_to("/tmp")})
    assert (seen["tmp"], seen["shm"], seen["mqueue"]) == (mounted, [], []), seen
    assert seen["kernels"] == 1, "only the new kernel's own folder is in /kernels"
    assert seen["sysv"] == [-1, -1, -1], "System V IPC objects of the previous kernel survive"
    assert not seen["listening"], "an abstract socket of the previous kernel still listens"


@needs_bwrap
def test_every_kernel_has_its_own_ipc_and_network_namespace_and_no_capabilities(server):
    """Its System V objects, POSIX queues and abstract sockets die with it, whatever the sweep does."""
    namespaces = []
    for _ in range(2):
        kernel = Kernel(server)
        try:
            status = kernel.run(
                "print(''.join(l for l in open('/proc/self/status') if l.startswith(('Cap', 'NoN'))))"
            )
            namespaces.append({n: os.readlink(f"/proc/{kernel.process.pid}/ns/{n}") for n in ("ipc", "net")})
        finally:
            kernel.stop()
        assert status.split() == [
            "CapInh:",
            "0" * 16,
            "CapPrm:",
            "0" * 16,
            "CapEff:",
            "0" * 16,
            "CapBnd:",
            "0" * 16,
            "CapAmb:",
            "0" * 16,
            "NoNewPrivs:",
            "1",
        ], status
    sandbox = {n: os.readlink(f"/proc/{server.host_pid(2)}/ns/{n}") for n in ("ipc", "net")}
    for kernel_namespaces in namespaces:
        assert kernel_namespaces["ipc"] != sandbox["ipc"] and kernel_namespaces["net"] != sandbox["net"]


@needs_bwrap
def test_a_kernel_cannot_read_the_fork_servers_memory_or_environment(server):
    kernel = Kernel(server)
    try:
        assert kernel.run(READ_SERVER).splitlines() == ["mem PermissionError", "environ PermissionError"]
    finally:
        kernel.stop()


@needs_bwrap
def test_a_kernel_that_cannot_be_set_up_is_the_graders_fault(server):
    """The fork server reports a child it could not set up; nothing of it looks like a trainee's dead kernel."""
    work, runtime = server.kernel_dirs()
    connection = runtime / "kernel.json"
    connection.write_text(json.dumps({"transport": "ipc", "ip": str(runtime / "kernel")}))
    shutil.rmtree(work)  # the child cannot move into its working folder
    with pytest.raises(
        forked_kernel.ForkServerError, match="could not be set up: FileNotFoundError"
    ) as raised:
        server.fork(work, connection)
    assert isinstance(raised.value, GraderFault) and not isinstance(raised.value, RuntimeError)
    assert server.alive(), "the server survives its failed child"


@needs_bwrap
def test_killing_the_fork_server_costs_only_that_notebook():
    first = forked_kernel.trainee_servers.get(LIMITS.memory_mb, [], LIMITS)
    killer = Kernel(first)
    killer.run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    killer.stop()
    with pytest.raises(forked_kernel.ForkServerError):
        first.kernel_dirs()
    second = forked_kernel.trainee_servers.get(LIMITS.memory_mb, [], LIMITS)
    try:
        assert second is not first, "a fresh fork server replaces the one that stopped"
        kernel = Kernel(second)
        assert kernel.run("print(6 * 7)") == "42"
        kernel.stop()
    finally:
        forked_kernel.trainee_servers.discard()


def test_fork_server_refuses_to_run_outside_its_own_pid_namespace():
    """Its sweep kills every process it can see, so it must never start where it can see other processes."""
    script = Path(forked_kernel.__file__).with_name("sandbox_forkserver.py")
    done = subprocess.run(
        [sys.executable, str(script), "512", "16", "64"],
        check=False,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "must run alone in its own PID namespace" in done.stderr
