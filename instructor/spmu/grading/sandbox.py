"""Where trainee code runs: a kernel inside a bubblewrap sandbox built as an allow-list.

The sandbox holds only what a kernel needs: the system's programs and libraries (``/usr``), Python, the virtual
environment's packages and the ``courses`` package (read-only), the fork server's two files, and size-limited
private ``/tmp``, ``/dev/shm`` and kernels folder (``/kernels``, the only place its kernels work in). It has new
user, PID, IPC, network, UTS, mount and cgroup namespaces, no capabilities, uid 65534, no environment but the
kernel's (and each kernel moves on into IPC and network namespaces of its own, see
:func:`spmu.grading.sandbox_forkserver.private_namespaces`). No course folder (``source/``, ``grading/``, ``.git``),
home folder or other course copy exists in it.
Kernels are forked inside it by :mod:`spmu.grading.sandbox_forkserver` (see :mod:`spmu.grading.forked_kernel`); the grader
reaches the kernels folder through ``/proc/<sandbox init>/root``, so nothing of a kernel is on the host's disk.
When bubblewrap is not usable, ``sandbox="auto"`` falls back to an unsandboxed kernel with a loud warning.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import psutil

from spmu.grading.sandbox_cgroup import without_cgroups_message

log = logging.getLogger(__name__)

UNPRIVILEGED_ID = "65534"  # "nobody": the uid/gid trainee code runs as inside the sandbox
KERNELS_DIR = "/kernels"  # inside the sandbox: the kernels' work and runtime folders (a size-limited tmpfs)
SERVER_DIR = "/sandbox"  # inside the sandbox: the fork server's files
SERVER_FILES = ("sandbox_forkserver.py", "sandbox_kernel.py")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone")


class GraderFault(Exception):
    """The grader's own machinery failed (sandbox, fork server, control groups): never the trainee's fault.

    Deliberately not a ``RuntimeError``, so that code catching a dying kernel does not catch it."""


class SandboxUnavailable(GraderFault):
    """``sandbox="bwrap"`` was asked for but bubblewrap cannot start here."""


class SandboxWarning(UserWarning):
    """Trainee code is about to run WITHOUT a sandbox."""


def _system_mounts() -> list[str]:
    """The operating system's programs and libraries, read-only; /lib, /bin ... as the symlinks they are on a
    merged-/usr system. Nothing of /etc but what the dynamic loader and the clock need."""
    argv = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(name)
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            argv += ["--ro-bind", name, name]
    for name in SYSTEM_FILES:
        if Path(name).exists():
            argv += ["--ro-bind", name, name]
    return argv


def python_paths() -> list[Path]:
    """What the kernel's Python needs, outside /usr: its installation, the virtual environment (packages) and
    the ``courses`` package (its case data). An editable ``courses`` is its own folder, never the repository."""
    spec = importlib.util.find_spec("courses")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SandboxUnavailable("the 'courses' package is not installed in the grader's Python")
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]
    paths.append(Path(next(iter(spec.submodule_search_locations))).resolve())
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if path != Path("/") and not any(path.is_relative_to(k) for k in [*kept, Path("/usr")]):
            kept.append(path)
    return kept


def sandbox_mounts(
    disk_mb: int, hidden: list[Path], binds: Sequence[Path] = (), ro_binds: Sequence[Path] = ()
) -> list[str]:
    """bubblewrap's mount options: an allow-list. An empty root; the system read-only; Python, its packages and
    the course package read-only at their own paths; the fork server's two files; size-limited private
    ``/tmp``, ``/dev/shm`` and :data:`KERNELS_DIR` (the kernels' work and runtime folders); a private POSIX
    message-queue file system (so the fork server can empty it); ``hidden`` paths that lie inside an allowed
    folder covered by empty read-only folders; ``binds`` (writable) and ``ro_binds`` (read-only: Unix sockets in
    them can still be connected to) host folders at their own paths, for a grader's folder shared with another
    sandbox. Nothing else of the machine exists in the sandbox."""
    size = str(disk_mb << 20)
    argv = [*_system_mounts(), "--dev", "/dev", "--proc", "/proc", "--mqueue", "/dev/mqueue"]
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    argv += ["--perms", "0700", "--size", size, "--tmpfs", KERNELS_DIR]
    allowed = python_paths()
    for path in allowed:  # after the /tmp tmpfs: a venv under /tmp is bound on top of the private /tmp
        argv += ["--ro-bind", str(path), str(path)]
    here = Path(__file__).parent
    for name in SERVER_FILES:
        argv += ["--ro-bind", str(here / name), f"{SERVER_DIR}/{name}"]
    for path in ro_binds:
        argv += ["--ro-bind", str(path), str(path)]
    for path in binds:
        argv += ["--bind", str(path), str(path)]
    for path in [*hidden, Path(__file__).resolve().parents[1]]:  # spmu itself, if installed in the venv
        if any(path.is_relative_to(a) for a in allowed):
            argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
    return [*argv, "--remount-ro", "/"]


def bwrap_argv(
    disk_mb: int,
    hidden: list[Path],
    env: dict[str, str],
    binds: Sequence[Path] = (),
    ro_binds: Sequence[Path] = (),
) -> list[str]:
    """The bubblewrap command line (without the command to run in it): every namespace new, no capabilities,
    uid/gid 65534, the mounts of :func:`sandbox_mounts`, exactly ``env``, started in :data:`KERNELS_DIR`."""
    argv = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid",
        UNPRIVILEGED_ID,
        "--gid",
        UNPRIVILEGED_ID,
        "--hostname",
        "sandbox",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        *sandbox_mounts(disk_mb, hidden, binds, ro_binds),
        "--chdir",
        KERNELS_DIR,
    ]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return [*argv, "--"]


@functools.cache
def bwrap_problem() -> str | None:
    """None if bubblewrap can set up the grader's sandbox here (every mount and namespace), else the reason."""
    if shutil.which("bwrap") is None:
        return "the 'bwrap' command is not installed (Debian package 'bubblewrap')"
    try:
        argv = bwrap_argv(16, [], kernel_env(Path(KERNELS_DIR)))
        done = subprocess.run(
            [*argv, sys.executable, "-c", "import ipykernel, courses"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired, GraderFault) as error:
        return f"bwrap could not start: {error}"
    if done.returncode != 0:
        return f"bwrap failed (exit {done.returncode}): {done.stderr.strip()[:300]}"
    return None


def resolve_sandbox(mode: str) -> str:
    """The sandbox actually used for ``mode``: "bwrap" or "none". "auto" warns loudly when it must fall back;
    a "bwrap" sandbox without control groups (a grader that is not root) is one warning line."""
    if mode == "none":
        return "none"
    problem = bwrap_problem()
    if problem is None:
        missing = without_cgroups_message()
        if missing:  # once per grading run, here (each worker's sandboxes only log it)
            log.warning(missing)
        return "bwrap"
    if mode == "bwrap":
        raise SandboxUnavailable(f"sandbox 'bwrap' requested but unusable: {problem}")
    message = (
        f"GRADING WITHOUT A SANDBOX: {problem}. Trainee code will run with your rights, can write to "
        "your files and reach the network. Install bubblewrap (make system-deps) or pass sandbox='none' "
        "to accept this knowingly."
    )
    warnings.warn(message, SandboxWarning, stacklevel=2)
    log.warning(message)
    return "none"


def hidden_paths(course_root: Path) -> list[Path]:
    """Folders trainee code must never read: solutions and hidden tests, the gradebook, the course's history and
    the instructor's home. The allow-list already leaves them out; these are also covered by empty folders in
    case one lies inside an allowed folder (a course kept inside the virtual environment, say)."""
    course_root = Path(course_root).resolve()
    paths = [course_root / "source", course_root / "grading", course_root / ".git", Path.home().resolve()]
    return [p for p in paths if p.is_dir() and p != Path("/")]


def kernel_env(work: Path) -> dict[str, str]:
    """A clean environment for the kernel: none of the instructor's variables (tokens, credentials)."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work),
        "USER": "trainee",
        "LOGNAME": "trainee",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(work / ".config" / "matplotlib"),
        "IPYTHONDIR": str(work / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(work / ".jupyter"),
        "XDG_CACHE_HOME": str(work / ".cache"),
        "TMPDIR": str(work / ".tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }


def kernel_argv(memory_mb: int, file_mb: int = 256) -> list[str]:
    """The kernel spec ``argv`` (with jupyter's ``{connection_file}`` placeholder) of an UNSANDBOXED kernel
    (sandboxed kernels are forked by :mod:`spmu.grading.forked_kernel`)."""
    # The launcher runs as a script, not with -m: -m would import the ``courses`` package first (pandas, about
    # a second per kernel start) only for the process to be replaced by the kernel straight away.
    return [
        sys.executable,
        str(Path(__file__).with_name("sandbox_kernel.py")),
        str(memory_mb),
        str(file_mb),
        "-f",
        "{connection_file}",
    ]


def scratch_kernel_dirs(prefix: str = "spmu-grade") -> tuple[Path, Path]:
    """Fresh (work, runtime) folders on the host for an UNSANDBOXED kernel, in a 0700 folder named after this
    process; folders of the same prefix left by a grader that was killed are removed first."""
    temp = Path(tempfile.gettempdir())
    for stale in temp.glob(f"{prefix}-*-*"):
        owner = stale.name[len(prefix) + 1 :].split("-")[0]
        if owner.isdigit() and not psutil.pid_exists(int(owner)) and stale.stat().st_uid == os.geteuid():
            shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-"))  # mkdtemp: mode 0700
    (folder / "work").mkdir(mode=0o700)
    (folder / "runtime").mkdir(mode=0o700)
    return folder / "work", folder / "runtime"


def prepare_work_dir(work: Path) -> None:
    """Create the folders the kernel environment points at, readable by their owner only (inside the sandbox
    the grader's files belong to the sandbox's user, so nothing needs to be world-accessible)."""
    for sub in (".config/matplotlib", ".ipython", ".jupyter", ".cache", ".tmp"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    for folder, _, files in os.walk(work):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)
