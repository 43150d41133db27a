"""The hard resource limits of a graded kernel, and the launcher of an UNSANDBOXED kernel that applies them.

Run as ``python path/to/sandbox_kernel.py MEMORY_MB FILE_MB -f CONNECTION_FILE`` (a script: importing the
``courses`` package first would cost a pandas import per kernel). Sandboxed kernels are forked by
:mod:`spmu.sandbox_forkserver`, which imports this file as its sibling ``sandbox_kernel`` and applies the same
:func:`apply_limits` in each child. The
limits are inherited by the kernel and anything it starts, and cannot be raised again by trainee code.
"""

from __future__ import annotations

import os
import resource
import sys

MIB = 1 << 20


def apply_limits(memory_mb: int, file_mb: int, max_processes: int = 0) -> None:
    """Set this process's hard limits (for good: an unprivileged process cannot raise them again).
    ``max_processes`` (0: none) caps the processes and threads of this user; the kernel ignores it for a
    process that is root outside the sandbox, so the sandbox's control group is what counts there."""
    # Address space: a memory bomb gets MemoryError (or dies) at the limit instead of exhausting the machine.
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MIB,) * 2)
    # Largest file the trainee's code may write in its working copy.
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * MIB,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if max_processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes,) * 2)


def main(argv: list[str]) -> None:
    memory_mb, file_mb, *kernel_args = argv
    apply_limits(int(memory_mb), int(file_mb))
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])


if __name__ == "__main__":
    main(sys.argv[1:])
