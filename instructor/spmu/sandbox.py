"""Where trainee code runs: a kernel inside bubblewrap (read-only system, one writable folder, no network).

Kernels are forked inside ``bwrap ... python .../instructor/sandbox_forkserver.py`` (which sets the memory limit
in every kernel) and talk to the grader over IPC sockets in a folder shared with the sandbox, so they need no
network.
When bubblewrap is not usable, ``sandbox="auto"`` falls back to an unsandboxed kernel with a loud warning.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

MAX_FILE_MB = 256  # largest file trainee code may write in its working copy
UNPRIVILEGED_ID = "65534"  # "nobody": the uid/gid trainee code runs as inside the sandbox


class SandboxUnavailable(RuntimeError):
    """``sandbox="bwrap"`` was asked for but bubblewrap cannot start here."""


class SandboxWarning(UserWarning):
    """Trainee code is about to run WITHOUT a sandbox."""


def _bwrap_probe_args() -> list[str]:
    return [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-all",
        "--unshare-user",
        "--uid",
        UNPRIVILEGED_ID,
        "--gid",
        UNPRIVILEGED_ID,
        "--cap-drop",
        "ALL",
        "--die-with-parent",
    ]


@functools.cache
def bwrap_problem() -> str | None:
    """None if bubblewrap can start a sandbox like the grader's here, else the reason it cannot."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "the 'bwrap' command is not installed (Debian package 'bubblewrap')"
    try:
        done = subprocess.run(
            [bwrap, *_bwrap_probe_args(), *_scratch_tmp(), sys.executable, "-c", "import ipykernel, courses"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start: {error}"
    if done.returncode != 0:
        return f"bwrap failed (exit {done.returncode}): {done.stderr.strip()[:300]}"
    return None


def resolve_sandbox(mode: str) -> str:
    """The sandbox actually used for ``mode``: "bwrap" or "none". "auto" warns loudly when it must fall back."""
    if mode == "none":
        return "none"
    problem = bwrap_problem()
    if problem is None:
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
    """Folders trainee code must not even read: solutions, hidden tests, the gradebook, other trainees' work,
    and the instructor's home (unless Python itself lives there)."""
    paths = [course_root / "source", course_root / "grading"]
    home = Path.home()
    if home != Path("/") and not any(p.is_relative_to(home) for p in [*_python_paths(), course_root]):
        paths.append(home)
    return [p for p in paths if p.is_dir()]


def _python_paths() -> list[Path]:
    """Where the kernel's Python and the ``courses`` package live: these must stay visible in the sandbox."""
    import courses

    return [
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).resolve(),
        Path(courses.__file__).resolve().parent,
    ]


def _scratch_tmp() -> list[str]:
    """An empty private /tmp, unless Python or the course package itself lives under /tmp."""
    if any(p.is_relative_to("/tmp") for p in _python_paths()):
        return []
    return ["--tmpfs", "/tmp"]


def kernel_env(work: Path) -> dict[str, str]:
    """A clean environment for the kernel: none of the instructor's variables (tokens, credentials)."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work),
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


def kernel_argv(memory_mb: int) -> list[str]:
    """The kernel spec ``argv`` (with jupyter's ``{connection_file}`` placeholder) of an UNSANDBOXED kernel
    (sandboxed kernels are forked by :mod:`spmu.forked_kernel`)."""
    # The launcher runs as a script, not with -m: -m would import the ``courses`` package first (pandas, about
    # a second per kernel start) only for the process to be replaced by the kernel straight away.
    return [
        sys.executable,
        str(Path(__file__).with_name("sandbox_kernel.py")),
        str(memory_mb),
        str(MAX_FILE_MB),
        "-f",
        "{connection_file}",
    ]


def bwrap_argv(binds: list[Path], chdir: Path, env: dict[str, str], hidden: list[Path]) -> list[str]:
    """The bubblewrap command line (without the command to run in it): read-only system, ``hidden`` replaced
    by empty read-only folders, ``binds`` the only writable folders, no network, no other environment."""
    argv = [
        shutil.which("bwrap") or "bwrap",
        *_bwrap_probe_args(),
        "--new-session",
        "--clearenv",
        *_scratch_tmp(),
    ]
    for path in hidden:
        argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
    for path in binds:
        argv += ["--bind", str(path), str(path)]
    argv += ["--chdir", str(chdir)]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return [*argv, "--"]


def prepare_work_dir(work: Path) -> None:
    """Create the folders the kernel environment points at, writable by the sandbox's unprivileged user."""
    for sub in (".config/matplotlib", ".ipython", ".jupyter", ".cache", ".tmp"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    for folder, dirs, files in os.walk(work):
        os.chmod(folder, 0o777)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o666)
