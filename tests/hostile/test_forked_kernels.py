"""Kernels forked from the sandbox's warm fork server: one trainee's kernel leaves nothing behind for the next,
cannot reach into the fork server, and cannot stop grading by killing it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import needs_bwrap

from spmu import forked_kernel
from spmu.limits import Limits
from spmu.sandbox_run import run_notebook

LIMITS = Limits(cell_timeout_s=20)

LEAVE_BEHIND = """
import subprocess, sys
# a detached process that outlives the kernel and keeps writing, and files in the shared scratch places
# (/tmp is read-only in the sandbox when Python itself lives under /tmp, as in a CI clone: then only /dev/shm)
daemon = "import time\\nwhile True:\\n    try:\\n        open('/dev/shm/daemon-was-here', 'w').write('x')\\n    except OSError:\\n        pass\\n    time.sleep(0.05)"
subprocess.Popen([sys.executable, "-c", daemon], start_new_session=True)
for path in ("/tmp/planted.py", "/dev/shm/planted"):
    try:
        open(path, "w").write("print('planted')")
    except OSError:
        pass
print("left behind")
"""

LOOK_AROUND = """
import json, os, time
time.sleep(0.3)  # a surviving daemon would have rewritten its file by now
others = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) in (1, os.getpid(), os.getppid()):
        continue
    try:
        others.append(open(f"/proc/{pid}/cmdline").read().replace("\\0", " ").strip())
    except OSError:
        pass
print(json.dumps([sorted(others), sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm"))]))
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


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream").strip()


@needs_bwrap
def test_nothing_of_one_kernel_survives_into_the_next():
    first = run_notebook(_notebook(LEAVE_BEHIND), None, LIMITS, "bwrap", [])
    assert _text(first.notebook.cells[0]) == "left behind"
    second = run_notebook(_notebook(LOOK_AROUND), None, LIMITS, "bwrap", [])
    others, tmp, shm = json.loads(_text(second.notebook.cells[0]))
    assert others == [], f"processes of the previous kernel still run: {others}"
    assert "planted.py" not in tmp, tmp
    assert shm == [], f"files of the previous kernel in /dev/shm: {shm}"


@needs_bwrap
def test_a_kernel_cannot_read_the_fork_servers_memory_or_environment():
    report = run_notebook(_notebook(READ_SERVER), None, LIMITS, "bwrap", [])
    assert _text(report.notebook.cells[0]).splitlines() == ["mem PermissionError", "environ PermissionError"]


@needs_bwrap
def test_killing_the_fork_server_costs_only_that_notebook():
    killer = _notebook("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('killed')")
    run_notebook(killer, None, LIMITS, "bwrap", [])
    after = run_notebook(_notebook("print(6 * 7)"), None, LIMITS, "bwrap", [])
    assert after.incidents == []
    assert _text(after.notebook.cells[0]) == "42", "the next notebook is graded by a fresh fork server"


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
