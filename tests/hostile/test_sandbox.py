"""The sandbox is an allow-list: each test is an attack a trainee's cell tried, and would have succeeded with the
old ``--ro-bind / /`` sandbox (every hidden test of every assignment in the course's ``.git``, /root, other
course copies, source/ and grading/, another kernel's connection file and work folder, the network, the
instructor's environment); plus the loud fallback without bubblewrap."""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import needs_bwrap
from sandboxed import Kernel, fork_server, require
from spmu import sandbox
from spmu.limits import Limits

LIMITS = Limits(cell_timeout_s=20, sandbox_memory_mb=1024, disk_mb=64)
COURSES_DIR = Path(next(iter(importlib.util.find_spec("courses").submodule_search_locations))).resolve()

# What the attacker of the issue did: follow every mount point in /proc/self/mountinfo up to a folder holding
# .git, then read the objects (zlib) of every commit, hidden tests included.
FIND_GIT = """
import json, os
found = []
for line in open('/proc/self/mountinfo'):
    folder = line.split()[4]
    while folder not in ('/', ''):
        if os.path.exists(os.path.join(folder, '.git')):
            found.append(folder)
        folder = os.path.dirname(folder)
print(json.dumps(sorted(set(found))))
"""

READ = """
import json
result = {{}}
for path in {paths!r}:
    try:
        with open(path, 'rb') as handle:
            result[path] = handle.read(200).decode(errors='replace')
    except OSError as error:
        result[path] = type(error).__name__
print(json.dumps(result))
"""

LIST = """
import json, os
result = {{}}
for path in {paths!r}:
    try:
        result[path] = sorted(os.listdir(path))
    except OSError as error:
        result[path] = type(error).__name__
print(json.dumps(result))
"""


def _plant_course(folder: Path) -> Path:
    """Another course copy with everything an attacker wants: solutions, gradebook, history, a home file."""
    for sub in ("source/toy", "grading", "release/toy", ".git/objects"):
        (folder / sub).mkdir(parents=True)
    (folder / "source/toy/solutions.ipynb").write_text("SOLUTION-SECRET")
    (folder / "source/toy/simulated_mistakes.toml").write_text("MISTAKES-SECRET")
    (folder / "grading/gradebook.db").write_text("GRADEBOOK-SECRET")
    (folder / ".git/HEAD").write_text("ref: refs/heads/main")
    (folder / "release/toy/notebook.ipynb").write_text("{}")
    return folder


@pytest.fixture(scope="module")
def course():
    # /var/tmp, not /tmp: the test must not depend on /tmp being private
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        yield _plant_course(Path(folder) / "course")


@pytest.fixture(scope="module")
def kernel(course, bwrap_module):
    with fork_server(LIMITS, sandbox.hidden_paths(course)) as server:
        kernel = Kernel(server)
        yield kernel
        kernel.stop()


@pytest.fixture(scope="module")
def bwrap_module():
    """Module-scoped twin of the ``bwrap_required`` fixture (fail under CI, else skip)."""
    require(sandbox.bwrap_problem(), "bubblewrap")


def _json(kernel: Kernel, code: str):
    return json.loads(kernel.run(code))


@needs_bwrap
def test_no_git_history_is_reachable(kernel):
    """The course package may be an editable install from the repository: only courses/ is mounted."""
    assert _json(kernel, FIND_GIT) == []
    repo = COURSES_DIR.parent
    paths = [str(repo / ".git" / "HEAD"), str(repo / ".git" / "config")]
    assert set(_json(kernel, READ.format(paths=paths)).values()) == {"FileNotFoundError"}
    listed = _json(kernel, LIST.format(paths=[str(repo)]))[str(repo)]
    venv = Path(os.sys.prefix).resolve()
    assert set(listed) <= {"courses", venv.name if venv.parent == repo else "courses"}, listed


@needs_bwrap
def test_nothing_of_the_course_copy_or_another_one(kernel, course):
    paths = [
        str(course / "source/toy/solutions.ipynb"),
        str(course / "source/toy/simulated_mistakes.toml"),
        str(course / "grading/gradebook.db"),
        str(course / ".git/HEAD"),
        str(course / "release/toy/notebook.ipynb"),
    ]
    assert set(_json(kernel, READ.format(paths=paths)).values()) == {"FileNotFoundError"}
    outside = _json(kernel, LIST.format(paths=["/", "/var", "/home", "/etc", "/work"]))
    assert outside["/var"] == outside["/home"] == "FileNotFoundError"
    assert set(outside["/"]) <= {
        "usr",
        "bin",
        "sbin",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "etc",
        "dev",
        "proc",
    } | {
        "tmp",
        "kernels",
        "sandbox",
        *(p.parts[1] for p in sandbox.python_paths()),
    }, outside["/"]
    assert set(outside["/etc"]) <= {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone"}


@needs_bwrap
def test_home_folders_hold_only_the_way_to_python(kernel):
    """/root is readable only where Python itself is installed (pyenv): nothing else of it exists."""
    allowed = {p.parts[2] for p in sandbox.python_paths() if p.is_relative_to("/root") and len(p.parts) > 2}
    listed = _json(kernel, LIST.format(paths=["/root"]))["/root"]
    assert listed == "FileNotFoundError" or set(listed) <= allowed, listed
    host = [str(p) for p in Path("/root").glob(".*") if p.is_file()] if os.access("/root", os.R_OK) else []
    if host:  # e.g. /root/.bashrc: on the host, never in the sandbox
        assert set(_json(kernel, READ.format(paths=host[:5])).values()) == {"FileNotFoundError"}


@needs_bwrap
def test_instructor_tools_are_not_in_the_sandbox(kernel):
    """Only the fork server's two files are mounted, not the spmu package (grading code, hidden-test logic)."""
    assert kernel.run("import spmu").startswith("ModuleNotFoundError")
    assert _json(kernel, LIST.format(paths=["/sandbox"]))["/sandbox"] == [
        "sandbox_forkserver.py",
        "sandbox_kernel.py",
    ]


@needs_bwrap
def test_cannot_write_outside_its_own_scratch(kernel):
    code = """
import json
result = {{}}
for path in ('/usr/planted', '/planted', '/etc/planted', {!r}):
    try:
        open(path, 'w').write('x')
        result[path] = 'written'
    except OSError as error:
        result[path] = error.strerror
print(json.dumps(result))
""".format(str(COURSES_DIR / "planted.py"))
    assert set(_json(kernel, code).values()) == {"Read-only file system"}
    assert not (COURSES_DIR / "planted.py").exists()
    assert kernel.run("open('answer.txt', 'w').write('ok')\nprint(open('answer.txt').read())") == "ok"


@needs_bwrap
def test_two_sandboxes_side_by_side_cannot_reach_each_other(kernel, course):
    """Another grading worker's kernel: its connection file (key and sockets), work folder and processes."""
    with fork_server(LIMITS, sandbox.hidden_paths(course)) as other_server:
        other = Kernel(other_server, files={"answer.py": "ANSWER-OF-ANOTHER-TRAINEE"})
        try:
            targets = [
                other.connection_file,
                str(other.work / "answer.py"),
                other_server.inside(Path(other.connection_file)),
                other_server.inside(other.work / "answer.py"),
            ]
            seen = _json(kernel, READ.format(paths=targets))
            assert "ANSWER-OF-ANOTHER-TRAINEE" not in json.dumps(seen)
            assert all(v in ("FileNotFoundError", "PermissionError") for v in seen.values()), seen
            mine = _json(kernel, LIST.format(paths=["/kernels"]))["/kernels"]
            assert [Path(kernel.connection_file).parents[1].name] == mine, "only its own kernel folder"
            others = kernel.run(
                "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))"
            )
            assert max(json.loads(others)) < 100, f"it sees only the processes of its own sandbox: {others}"
            assert other.run("print(6 * 7)") == "42", "the other kernel is untouched"
        finally:
            other.stop()


@needs_bwrap
def test_has_no_network_and_runs_unprivileged_without_the_instructors_environment(kernel, monkeypatch):
    assert "Network is unreachable" in kernel.run(
        "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=3)"
    )
    assert kernel.run("import socket\nprint(sorted(name for _, name in socket.if_nameindex()))") == "['lo']"
    uid = sandbox.UNPRIVILEGED_ID
    assert kernel.run("import os\nprint(os.getuid(), os.getgid())") == f"{uid} {uid}"
    env = _json(kernel, "import json, os\nprint(json.dumps(sorted(os.environ)))")
    ipykernel_sets = {"TERM", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "PAGER", "GIT_PAGER"}
    assert set(env) <= set(sandbox.kernel_env(Path("/kernels"))) | ipykernel_sets, env


def test_unsandboxed_kernel_folders_are_private_and_stale_ones_removed(tmp_path, monkeypatch):
    """A grader killed with SIGKILL leaves its folders: the next one removes them; new ones are 0700."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / "spmu-grade-999999999-abc"  # a pid that does not exist
    (stale / "work").mkdir(parents=True)
    (stale / "work" / "hidden_tests.py").write_text("assert answer == 42")
    alive = tmp_path / f"spmu-grade-{os.getpid()}-def"  # a running grader's: kept
    alive.mkdir()
    work, runtime = sandbox.scratch_kernel_dirs()
    assert not stale.exists() and alive.exists()
    for folder in (work.parent, work, runtime):
        assert folder.stat().st_mode & 0o777 == 0o700, oct(folder.stat().st_mode)


def test_hidden_paths_cover_course_history_and_home(course):
    hidden = sandbox.hidden_paths(course)
    assert {course / "source", course / "grading", course / ".git"} <= set(hidden)


def test_a_sandbox_that_cannot_be_set_up_fails_loudly(monkeypatch):
    """A mount bubblewrap cannot make is a GraderFault naming bwrap's complaint, never a silent fallback."""
    from spmu.forked_kernel import ForkServer, ForkServerError

    require(sandbox.bwrap_problem(), "bubblewrap")
    real = sandbox.sandbox_mounts
    monkeypatch.setattr(
        sandbox, "sandbox_mounts", lambda *a: [*real(*a), "--ro-bind", "/nonexistent-spmu", "/x"]
    )
    monkeypatch.setattr("spmu.forked_kernel.bwrap_argv", sandbox.bwrap_argv)
    with pytest.raises(ForkServerError, match="nonexistent-spmu") as raised:
        ForkServer(512, [], LIMITS)
    assert isinstance(raised.value, sandbox.GraderFault) and not isinstance(raised.value, RuntimeError)


def test_auto_falls_back_loudly_when_bubblewrap_is_unusable(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: "bwrap missing (simulated)")
    with pytest.warns(sandbox.SandboxWarning, match="GRADING WITHOUT A SANDBOX: bwrap missing"):
        assert sandbox.resolve_sandbox("auto") == "none"
    with pytest.raises(sandbox.SandboxUnavailable):
        sandbox.resolve_sandbox("bwrap")
    assert sandbox.resolve_sandbox("none") == "none"


def test_unsandboxed_kernel_still_gets_the_memory_limit(tmp_path):
    from spmu.sandbox_run import run_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("hog = bytearray(2_000_000_000)")])
    report = run_notebook(nb, None, Limits(memory_mb=512, sandbox="none"), "none", [])
    assert [i.kind for i in report.incidents] == ["memory_exceeded"]
