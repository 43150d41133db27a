"""What the sandbox blocks, shown by running trainee-style cells in it: writes outside the working copy, reading
the gradebook and solutions, the network, the instructor's environment; and the loud fallback without it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import needs_bwrap

from spmu import sandbox
from spmu.limits import Limits
from spmu.sandbox_run import run_notebook

PROBES = {
    "write_course": "open({course!r} + '/release/planted.txt', 'w')",
    "write_gradebook": "open({course!r} + '/grading/gradebook.db', 'w')",
    "read_gradebook": "print(open({course!r} + '/grading/gradebook.db').read())",
    "read_solutions": "print(sorted(__import__('os').listdir({course!r} + '/source')))",
    "network": "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=3)",
    "interfaces": "import socket\nprint(sorted(name for _, name in socket.if_nameindex()))",
    "secret_env": "import os\nprint(os.environ.get('SPMU_TEST_SECRET', 'absent'))",
    "uid": "import os\nprint(os.getuid())",
    "write_work": "open('answer.txt', 'w').write('ok')\nprint(open('answer.txt').read())",
}


@pytest.fixture(scope="module")
def sandboxed(monkeypatch_module):
    # not under /tmp, which the sandbox replaces with its own empty scratch folder anyway
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        yield _run_probes(Path(folder) / "course", monkeypatch_module)


def _run_probes(course: Path, monkeypatch_module):
    for folder in ("source/toy", "release", "grading"):
        (course / folder).mkdir(parents=True)
    (course / "grading" / "gradebook.db").write_text("grades of other trainees")
    (course / "source" / "toy" / "solutions.ipynb").write_text("{}")
    monkeypatch_module.setenv("SPMU_TEST_SECRET", "instructor-token")
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(code.format(course=str(course))) for code in PROBES.values()]
    )
    report = run_notebook(nb, None, Limits(cell_timeout_s=20), "bwrap", sandbox.hidden_paths(course))
    outputs = {name: cell.outputs for name, cell in zip(PROBES, report.notebook.cells)}
    return course, outputs


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _error(outputs) -> str:
    errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]
    return errors[0] if errors else ""


def _text(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream").strip()


@needs_bwrap
def test_cannot_write_outside_its_working_copy(sandboxed):
    course, outputs = sandboxed
    assert "Read-only file system" in _error(outputs["write_course"])
    assert not (course / "release" / "planted.txt").exists()
    assert _error(outputs["write_gradebook"]), "writing the gradebook must fail"
    assert (course / "grading" / "gradebook.db").read_text() == "grades of other trainees"


@needs_bwrap
def test_cannot_read_gradebook_or_solutions(sandboxed):
    _, outputs = sandboxed
    assert "FileNotFoundError" in _error(outputs["read_gradebook"])
    assert _text(outputs["read_solutions"]) == "[]", "source/ (solutions, hidden tests) is hidden"


@needs_bwrap
def test_has_no_network(sandboxed):
    _, outputs = sandboxed
    assert "Network is unreachable" in _error(outputs["network"])
    assert _text(outputs["interfaces"]) == "['lo']"


@needs_bwrap
def test_runs_unprivileged_without_the_instructors_environment(sandboxed):
    _, outputs = sandboxed
    assert _text(outputs["secret_env"]) == "absent"
    assert _text(outputs["uid"]) == sandbox.UNPRIVILEGED_ID
    assert _text(outputs["write_work"]) == "ok", "its own working copy stays writable"


def test_auto_falls_back_loudly_when_bubblewrap_is_unusable(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: "bwrap missing (simulated)")
    with pytest.warns(sandbox.SandboxWarning, match="GRADING WITHOUT A SANDBOX: bwrap missing"):
        assert sandbox.resolve_sandbox("auto") == "none"
    with pytest.raises(sandbox.SandboxUnavailable):
        sandbox.resolve_sandbox("bwrap")
    assert sandbox.resolve_sandbox("none") == "none"


def test_unsandboxed_kernel_still_gets_the_memory_limit(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("hog = bytearray(2_000_000_000)")])
    report = run_notebook(nb, None, Limits(memory_mb=512, sandbox="none"), "none", [])
    assert [i.kind for i in report.incidents] == ["memory_exceeded"]


CHILD_HOG = (
    "import subprocess, sys, time\n"
    "hogs = [subprocess.Popen([sys.executable, '-c', 'b = bytearray(350_000_000); import time; "
    "time.sleep(60)']) for _ in range(2)]\n"
    "time.sleep(60)"
)


def test_memory_of_processes_the_kernel_starts_counts_too():
    """Each child stays under the per-process limit; together they pass it and the watchdog stops them."""
    mode = "bwrap" if sandbox.bwrap_problem() is None else "none"
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(CHILD_HOG), nbformat.v4.new_code_cell("print('after')")]
    )
    report = run_notebook(nb, None, Limits(memory_mb=512, cell_timeout_s=30, sandbox=mode), mode, [])
    assert [(i.kind, i.cell_index) for i in report.incidents] == [("memory_exceeded", 0)]
    assert report.notebook.cells[1].outputs[0]["text"] == "after\n", "the next cell runs after the restart"
