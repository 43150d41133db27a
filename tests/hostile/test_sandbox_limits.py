"""Limits of the whole sandbox, each shown by the attack it stops: a fork bomb, memory held by detached
processes (outside the kernel's own process tree), filling the disk, and a CPU hog. Memory, process and CPU
limits need the sandbox's control group (skipped without one, failed under CI); the disk limit is a
size-limited tmpfs and needs only bubblewrap."""

from __future__ import annotations

import json
import time

import psutil
import pytest
from conftest import needs_bwrap, needs_cgroups
from sandboxed import Kernel, fork_server, require

from spmu.grading import forked_kernel
from spmu.grading.limits import Limits
from spmu.grading.sandbox import bwrap_problem

LIMITS = Limits(
    cell_timeout_s=30, memory_mb=512, sandbox_memory_mb=700, max_processes=48, cpus=0.25, disk_mb=32
)

FORK_BOMB = """
import json, os, signal, time
children, error = [], ""
for _ in range(300):
    try:
        pid = os.fork()
    except OSError as exc:
        error = type(exc).__name__
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps([len(children), error]))
"""

DETACHED_HOGS = """
import subprocess, sys
hog = "import time\\nheld = b'x' * (150 << 20)\\ntime.sleep(60)"
for _ in range(6):  # each far below the kernel's 512 MB address-space limit; together 900 MB
    subprocess.Popen([sys.executable, "-c", hog], start_new_session=True)
print("started")
"""

FILL_DISK = """
import json, os
result = {}
chunk = b"x" * (1 << 20)
for folder in (os.getcwd(), "/tmp", "/dev/shm"):
    written, error = 0, ""
    try:
        for number in range(96):  # 96 MB, in 8 MB files (each below the file-size limit)
            with open(os.path.join(folder, f"fill-{number // 8}"), "ab") as handle:
                handle.write(chunk)
                handle.flush()
            written += 1
    except OSError as exc:
        error = exc.strerror
    result[folder] = [written, error]
    for name in os.listdir(folder):
        if name.startswith("fill-"):
            os.remove(os.path.join(folder, name))
print(json.dumps(result))
"""

CPU_HOG = """
import json, multiprocessing, os, resource, time
def spin(seconds):
    os.setsid()  # each its own session, so Linux's per-session autogroups do not bundle them
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
started = time.monotonic()
workers = [multiprocessing.Process(target=spin, args=(3,)) for _ in range(3)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([usage.ru_utime + usage.ru_stime, time.monotonic() - started]))
"""


@pytest.fixture(scope="module")
def server():
    require(bwrap_problem(), "bubblewrap")
    with fork_server(LIMITS) as server:
        yield server


@needs_cgroups
def test_a_fork_bomb_stops_at_the_process_limit(server):
    kernel = Kernel(server)
    try:
        made, error = json.loads(kernel.run(FORK_BOMB))
        assert made < LIMITS.max_processes and error == "BlockingIOError", (made, error)
        assert kernel.run("print('still here')") == "still here", "the kernel itself survives the bomb"
    finally:
        kernel.stop()


def _detached_hogs_are_stopped(server) -> None:
    """Six detached processes of 150 MB each: outside the kernel's process tree, each under its own limit."""
    kernel = Kernel(server)
    try:
        assert kernel.run(DETACHED_HOGS) == "started"
        deadline = time.monotonic() + 60  # the hogs touch their memory at the speed the machine allows
        while server.oom_kills() < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(1)  # the survivors have touched theirs too
        resident = 0
        for pid in server.sandbox_pids():
            try:
                resident += psutil.Process(pid).memory_full_info().pss  # shared pages counted once
            except psutil.Error:
                pass
        assert resident <= LIMITS.sandbox_memory_mb << 20, f"{resident >> 20} MB resident in the sandbox"
        assert server.oom_kills() >= 1
    finally:
        kernel.stop()


@needs_cgroups
def test_memory_held_by_detached_processes_counts(server):
    assert server.cgroup is not None
    _detached_hogs_are_stopped(server)


@needs_bwrap
def test_without_a_control_group_the_sandbox_memory_is_polled(monkeypatch):
    monkeypatch.setattr(forked_kernel, "cgroup_problem", lambda: "switched off for this test")
    with fork_server(LIMITS) as server:
        assert server.cgroup is None and server.memory_watch is not None
        _detached_hogs_are_stopped(server)


@needs_bwrap
def test_filling_the_disk_stops_at_the_size_of_each_writable_folder(server):
    kernel = Kernel(server)
    try:
        result = json.loads(kernel.run(FILL_DISK, timeout=60))
    finally:
        kernel.stop()
    for folder, (written_mb, error) in result.items():
        assert written_mb <= LIMITS.disk_mb and error == "No space left on device", (
            folder,
            written_mb,
            error,
        )


@needs_cgroups
def test_a_cpu_hog_gets_no_more_than_its_quota(server):
    """Three busy processes for 3 s: without a quota they would take up to 9 CPU-seconds."""
    kernel = Kernel(server)
    try:
        cpu_seconds, wall_seconds = json.loads(kernel.run(CPU_HOG, timeout=60))
    finally:
        kernel.stop()
    assert cpu_seconds <= LIMITS.cpus * wall_seconds * 1.2 + 0.2, (cpu_seconds, wall_seconds)
    assert server.cgroup.cpu_throttled() > 0
