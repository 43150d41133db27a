"""Kernel fork server, run inside the sandbox: import the kernel and the course's libraries once, then fork a
fresh kernel process for every notebook to grade.

Run as ``python path/to/sandbox_forkserver.py MEMORY_MB FILE_MB KEEP_DIR...`` under bubblewrap (see
:mod:`spmu.forked_kernel`, which talks to it over its stdin/stdout, one JSON line per request):

* ``{"op": "fork", "work": DIR, "connection_file": FILE, "env": {...}}`` sweeps the sandbox, then forks a child
  that sets the resource limits, moves into ``DIR`` with exactly ``env`` and becomes an IPython kernel; the reply
  is ``{"pid": <pid inside the sandbox>}``;
* ``{"op": "sweep"}`` kills every other process in the sandbox (whatever a trainee's code left running) and
  empties its private ``/tmp`` and ``/dev/shm`` (except the folders in KEEP_DIR, which are bound from outside).

Trainee code only ever runs in a forked child, never here, so no trainee can change what the next one starts
from; this process is not dumpable, so a child (same uid) cannot read or write its memory through ptrace or
``/proc``. It runs as a script, not with ``-m``, so that nothing but what is listed here is imported.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import pkgutil
import shutil
import signal
import sys
import time
from pathlib import Path

from spmu.sandbox_kernel import apply_limits

PR_SET_DUMPABLE = 4
# What the course notebooks import, plus the kernel itself: imported once here instead of in every kernel.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython",
    "IPython.core.history",
    "pdb",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "ipywidgets",
    "networkx",
    "courses",
)
SWEEP_ROUNDS = 50


def preload() -> list[str]:
    """Import PRELOAD and every course module package ; draw one figure so fonts
    are loaded. Returns the modules that could not be imported (a kernel then imports them itself)."""
    failed = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional library only makes kernels slower
            failed.append(name)
    courses = sys.modules.get("courses")
    for module in getattr(courses, "MODULES", ()):
        package = f"courses.{module}"
        try:
            imported = importlib.import_module(package)
            for info in pkgutil.iter_modules(imported.__path__):
                importlib.import_module(f"{package}.{info.name}")
        except Exception:  # noqa: BLE001
            failed.append(package)
    try:
        import io

        from matplotlib.figure import Figure

        figure = Figure(figsize=(1, 1))
        figure.add_subplot().plot([0, 1], [0, 1], label="warm-up")
        figure.savefig(io.BytesIO(), format="png")
    except Exception:  # noqa: BLE001
        failed.append("matplotlib warm-up")
    return failed


def sweep(keep: list[Path]) -> int:
    """Kill every process in the sandbox but this one and its init; empty /tmp and /dev/shm. Returns how many
    processes were left over."""
    me = os.getpid()
    left = 0
    for _ in range(SWEEP_ROUNDS):
        others = [pid for pid in _live_pids() if pid not in (1, me)]
        if not others:
            break
        left = max(left, len(others))
        try:
            os.kill(-1, signal.SIGKILL)  # every process this one may signal, except itself and init
        except ProcessLookupError:
            pass
        time.sleep(0.01)
    for folder in (Path("/tmp"), Path("/dev/shm")):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if any(k == entry or entry in k.parents for k in keep):
                continue
            try:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink()
            except OSError:
                pass
    return left


def _live_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def become_kernel(request: dict, memory_mb: int, file_mb: int) -> None:
    """In the forked child: limits, working folder, environment, then run the IPython kernel; never returns."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, 256)  # the control pipe and anything else inherited from the fork server
        apply_limits(memory_mb, file_mb)
        os.chdir(request["work"])
        os.environ.clear()
        os.environ.update(request["env"])
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # the global generator was seeded once, in the fork server
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance(argv=sys.argv[1:])
        os._exit(0)
    except BaseException:  # noqa: BLE001 - whatever happens, the child must never return into the server loop
        os._exit(70)


def main(argv: list[str]) -> None:
    memory_mb, file_mb, *keep_dirs = argv
    keep = [Path(k) for k in keep_dirs]
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # this script's folder (the instructor tools) is not the kernels' business
    if set(_live_pids()) - {1, os.getpid()}:
        # sweep() kills every other process it can see: only ever inside a fresh PID namespace (bubblewrap)
        sys.exit("sandbox_forkserver.py must run alone in its own PID namespace (under bwrap --unshare-pid)")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel, never left as zombies
    control_in, control_out = sys.stdin, sys.stdout
    failed = preload()
    control_out.write(json.dumps({"ready": True, "not_preloaded": failed}) + "\n")
    control_out.flush()
    for line in control_in:
        request = json.loads(line)
        if request["op"] == "sweep":
            reply = {"swept": sweep(keep)}
        elif request["op"] == "fork":
            sweep(keep)
            pid = os.fork()
            if pid == 0:
                become_kernel(request, int(memory_mb), int(file_mb))
            reply = {"pid": pid}
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        control_out.write(json.dumps(reply) + "\n")
        control_out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
