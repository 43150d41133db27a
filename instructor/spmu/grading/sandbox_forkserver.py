"""Kernel fork server, run inside the sandbox: import the kernel and the course's libraries once, then fork a
fresh kernel process for every notebook to grade.

Run as ``python /sandbox/sandbox_forkserver.py MEMORY_MB FILE_MB MAX_PROCESSES KEEP_DIR...`` under bubblewrap
(see :mod:`spmu.grading.forked_kernel`, which talks to it over its stdin/stdout, one JSON line per request):

* ``{"op": "fork", "work": DIR, "connection_file": FILE, "ip": PATH, "env": {...}}`` forks a child that moves
  into IPC and network namespaces of its own (:func:`private_namespaces`), sets the resource limits, moves into ``DIR`` with exactly ``env`` and becomes an IPython kernel listening on IPC
  sockets named from ``PATH`` (the grader names them by the path it sees); the reply is ``{"pid": <pid inside
  the sandbox>}`` once the child is set up, or ``{"error": ...}`` if setting it up failed (never trainee code);
* ``{"op": "sweep"}`` kills every other process in the sandbox (whatever a trainee's code left running),
  removes its System V IPC objects and POSIX message queues and empties ``/tmp``, ``/dev/shm`` and ``/kernels``
  (except the folders in KEEP_DIR, which are bound from outside).

Trainee code only ever runs in a forked child, never here, so no trainee can change what the next one starts
from; this process is not dumpable, so a child (same uid) cannot read or write its memory through ptrace or
``/proc``. It runs as a script, not with ``-m``, so that nothing but what is listed here is imported.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import pkgutil
import select
import shutil
import signal
import sys
import time
from pathlib import Path

from sandbox_kernel import apply_limits  # its sibling file, bound beside it in the sandbox

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWNET = 0x10000000, 0x08000000, 0x40000000
LINUX_CAPABILITY_VERSION_3 = 0x20080522
IPC_RMID = 0
SETUP_TIMEOUT_S = 20
SCRATCH = (Path("/tmp"), Path("/dev/shm"), Path("/dev/mqueue"), Path("/kernels"))
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
    """Kill every process in the sandbox but this one and its init; remove every IPC object; empty /tmp,
    /dev/shm, /dev/mqueue and /kernels. Returns how many processes were left over."""
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
    remove_ipc_objects()
    for folder in SCRATCH:
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


def remove_ipc_objects() -> None:
    """Delete every System V shared-memory segment, message queue and semaphore set of the sandbox's IPC
    namespace (they outlive the processes that made them)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, remove in (
        ("shm", lambda i: libc.shmctl(i, IPC_RMID, None)),
        ("msg", lambda i: libc.msgctl(i, IPC_RMID, None)),
        ("sem", lambda i: libc.semctl(i, 0, IPC_RMID)),
    ):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            remove(int(line.split()[1]))


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


def private_namespaces() -> None:
    """Move this process into an IPC and a network namespace of its own (System V objects, POSIX queues and
    abstract sockets of one kernel are gone with its last process), inside a user namespace of its own that
    maps only its own uid and gid, then give up every capability that namespace granted, for good."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # /proc/self/*_map belong to root while not dumpable
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(user, ipc, net) failed")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty (two 32-bit halves)
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs failed")


def become_kernel(request: dict, limits: tuple[int, int, int], report: int) -> None:
    """In the forked child: limits, working folder, environment, then run the IPython kernel; never returns.
    Writes "ok" to the ``report`` pipe once set up, or what went wrong (nothing of the trainee has run yet)."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, report)  # the control pipe and anything else inherited from the fork server
        os.closerange(report + 1, 256)
        # At a memory limit the kernel's processes go first, not the server. Raising one's own score needs no
        # privilege, but /proc/self belongs to root while the process is not dumpable (it inherited that from
        # the server); a grader that is not root then could not write it. private_namespaces() makes the
        # process dumpable anyway (for its uid map) and non-dumpable again at its end.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
        private_namespaces()
        apply_limits(*limits)
        os.chdir(request["work"])
        os.environ.clear()
        os.environ.update(request["env"])
        connection_file = request["connection_file"]
        if request.get("ip"):  # the grader names the IPC sockets by the path it sees them at
            with open(connection_file) as handle:
                info = json.load(handle)
            info["ip"] = request["ip"]
            connection_file = str(Path(connection_file).with_name("kernel-sandbox.json"))
            with open(os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                json.dump(info, handle)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # the global generator was seeded once, in the fork server
        sys.argv = ["ipykernel_launcher", "-f", connection_file]
        from ipykernel.kernelapp import launch_new_instance
    except BaseException as error:  # noqa: BLE001 - whatever happens, the child must never return into the server
        with contextlib.suppress(OSError):
            os.write(report, f"{type(error).__name__}: {error}".encode()[:2000])
        os._exit(70)
    os.write(report, b"ok")
    os.close(report)
    try:
        launch_new_instance(argv=sys.argv[1:])
    finally:
        os._exit(0)


def fork_kernel(request: dict, limits: tuple[int, int, int]) -> dict:
    """Fork a kernel for ``request``; the reply once it is set up (or why it could not be)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        become_kernel(request, limits, write_end)
    os.close(write_end)
    message = b""
    deadline = time.monotonic() + SETUP_TIMEOUT_S
    while time.monotonic() < deadline and select.select([read_end], [], [], deadline - time.monotonic())[0]:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        message += chunk
    os.close(read_end)
    if message == b"ok":
        return {"pid": pid}
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return {"error": f"the kernel could not be set up: {message.decode(errors='replace') or 'no answer'}"}


def main(argv: list[str]) -> None:
    memory_mb, file_mb, max_processes, *keep_dirs = argv
    limits = (int(memory_mb), int(file_mb), int(max_processes))
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
            reply = fork_kernel(request, limits)
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        control_out.write(json.dumps(reply) + "\n")
        control_out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
