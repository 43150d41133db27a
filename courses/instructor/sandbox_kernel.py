"""Kernel launcher used inside the sandbox: set hard resource limits, then become the IPython kernel.

Run as ``python path/to/sandbox_kernel.py MEMORY_MB FILE_MB -f CONNECTION_FILE`` (a script: importing the
``courses`` package first would cost a pandas import per kernel). The limits are
inherited across ``exec`` by the kernel and anything it starts, and cannot be raised again by trainee code.
"""

from __future__ import annotations

import os
import resource
import sys

MIB = 1 << 20


def main(argv: list[str]) -> None:
    memory_mb, file_mb, *kernel_args = argv
    # Address space: a memory bomb gets MemoryError (or dies) at the limit instead of exhausting the machine.
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_mb) * MIB,) * 2)
    # Largest file the trainee's code may write in its working copy.
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(file_mb) * MIB,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])


if __name__ == "__main__":
    main(sys.argv[1:])
