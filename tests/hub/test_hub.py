"""The course's JupyterHub as committed (hub/jupyterhub_config.py), on 127.0.0.1 with PAM logins of real OS
accounts (root only): each trainee's server runs as their own user from the trainee venv, and what a trainee
can reach through the contents API and from a kernel is tested, not assumed. Also: instructors get the
formgrader with a Content-Security-Policy that lets JupyterLab frame it, and a port in use stops the hub."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess

import pytest
from accounts import REPO, VENV_BIN, make_site, remove_site
from hub_server import HubUser, hub_environment, start_hub
from instructor_toy_course import make_toy_course

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        os.geteuid() != 0 and not os.environ.get("CI"),
        reason="makes OS accounts and runs a hub: root only (CI runs as root)",
    ),
]


@pytest.fixture(scope="module")
def site(postgres_cluster):
    site = make_site(trainees=2)
    try:
        make_toy_course(site.course)
        (site.course / "grading" / "gradebook.db").write_bytes(b"")
        for path in [site.course, *site.course.rglob("*")]:
            shutil.chown(path, site.instructor, site.instructor)
        site.course.chmod(0o700)
        for trainee in site.trainees:
            notebook = site.home(trainee) / "work.ipynb"
            notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
            shutil.chown(notebook, trainee, trainee)
        site.postgres_socket = postgres_cluster.socket_dir / ".s.PGSQL.5432"
        yield site
    finally:
        remove_site(site)


@pytest.fixture(scope="module")
def hub(site):
    # the gradebook URL (with a database password, on a real site) goes to instructors' servers only
    hub = start_hub(site, SPMU_DB_URL=f"sqlite:///{site.course / 'grading' / 'gradebook.db'}")
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def trainee(hub, site) -> HubUser:
    user = HubUser(hub, site.trainees[0], site.passwords[site.trainees[0]])
    assert user.logged_in
    user.start_server()
    return user


def test_pam_login_needs_the_right_password(hub, site):
    assert not HubUser(hub, site.trainees[1], "not-the-password").logged_in
    assert not HubUser(hub, "root", "anything").logged_in


def test_trainee_server_runs_as_the_trainee_from_the_trainee_venv(trainee, site):
    output = trainee.run_in_kernel(
        "import os, sys, importlib.util\n"
        "print(os.getuid(), os.getcwd(), sys.prefix)\n"
        "print([m for m in ('courses', 'spmu', 'nbgrader') if importlib.util.find_spec(m)])\n"
    )
    uid, cwd, prefix = output.splitlines()[0].split()
    assert int(uid) == pwd.getpwnam(trainee.name).pw_uid
    assert cwd == str(site.home(trainee.name))
    assert prefix == str(REPO / ".venv-hub-trainee")
    assert output.splitlines()[1] == "['courses', 'nbgrader']", output  # no instructor tools
    environment = trainee.run_in_kernel(
        "import os; print(sorted(k for k in os.environ if k.startswith('SPMU')))"
    )
    assert environment.strip() == "['SPMU_EXCHANGE']", environment  # no SPMU_DB_URL
    limits = trainee.run_in_kernel("import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])")
    assert int(limits) == 4 * 1024**3, limits  # SPMU_TRAINEE_MEMORY's default, applied by prlimit


def test_contents_api_shows_only_the_trainees_home(trainee, site):
    other = site.trainees[1]
    listing = trainee.api("GET", f"/user/{trainee.name}/api/contents/")
    assert listing.status_code == 200 and "work.ipynb" in {i["name"] for i in listing.json()["content"]}
    for path in (
        f"../{other}/work.ipynb",
        f"..%2F{other}%2Fwork.ipynb",
        str(site.course / "source" / "toy" / "01_toy.ipynb"),
        f"../../{site.course.relative_to('/')}/source/toy/01_toy.ipynb",
        f"../../{site.course.relative_to('/')}/grading/gradebook.db",
    ):
        answer = trainee.api("GET", f"/user/{trainee.name}/api/contents/{path}")
        assert answer.status_code in (403, 404), (path, answer.status_code, answer.text[:300])
    # the trainee's token does not open the other trainee's server, nor the instructor's
    for owner in (other, site.instructor):
        answer = trainee.api("GET", f"/user/{owner}/api/contents/", allow_redirects=False)
        assert answer.status_code in (302, 403, 404, 503), (owner, answer.status_code)
        assert "work.ipynb" not in answer.text


def test_a_kernel_cannot_read_other_trainees_the_course_or_the_gradebook(trainee, site):
    other = site.trainees[1]
    targets = [
        site.home(other) / "work.ipynb",
        site.course / "source" / "toy" / "01_toy.ipynb",
        site.course / "grading" / "gradebook.db",
        site.exchange.parent / "hub-state" / "jupyterhub.sqlite",
        site.base / "passwords-t.csv",
        "/etc/shadow",
    ]
    code = f"""
for path in {[str(t) for t in targets]!r}:
    try:
        open(path, "rb").read(1)
        print("READ", path)
    except OSError as error:
        print("refused", type(error).__name__, path)
import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect({str(site.postgres_socket)!r})
    print("READ postgres")
except OSError as error:
    print("refused", type(error).__name__, "postgres")
"""
    output = trainee.run_in_kernel(code)
    lines = output.splitlines()
    assert len(lines) == len(targets) + 1, output
    assert all(line.startswith("refused PermissionError") for line in lines), output


def test_no_terminal_and_no_formgrader_for_trainees(trainee):
    assert trainee.api("POST", f"/user/{trainee.name}/api/terminals").status_code in (403, 404)
    assert trainee.api("GET", f"/user/{trainee.name}/formgrader/").status_code == 404
    lab = trainee.api("GET", f"/user/{trainee.name}/lab")
    assert lab.headers.get("Content-Security-Policy") == "frame-ancestors 'none'"


def test_instructor_gets_the_course_and_a_framable_formgrader(hub, site):
    instructor = HubUser(hub, site.instructor, site.passwords[site.instructor])
    assert instructor.logged_in
    instructor.start_server()
    page = instructor.api("GET", f"/user/{site.instructor}/formgrader/")
    assert page.status_code == 200, page.text[:500]
    assert page.headers.get("Content-Security-Policy") == "frame-ancestors 'self'"
    # the formgrader reads the course's nbgrader_config.py: it lists the course's assignment
    assignments = instructor.api("GET", f"/user/{site.instructor}/formgrader/api/assignments")
    assert assignments.status_code == 200 and "toy" in {a["name"] for a in assignments.json()}, (
        assignments.text
    )
    assert "course directory root is not a subdirectory" not in hub.log.read_text()
    url = instructor.run_in_kernel("import os; print(os.environ['SPMU_DB_URL'])").strip()
    assert url == f"sqlite:///{site.course / 'grading' / 'gradebook.db'}"
    listing = instructor.api("GET", f"/user/{site.instructor}/api/contents/source/toy")
    assert listing.status_code == 200 and "01_toy.ipynb" in {i["name"] for i in listing.json()["content"]}


def test_a_port_in_use_stops_the_hub_with_one_line(site):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [str(VENV_BIN / "jupyterhub"), "-f", str(REPO / "hub" / "jupyterhub_config.py")],
            cwd=site.base,
            env=hub_environment(site, port, SPMU_HUB_STATE=str(site.base / "state-2")),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    errors = [line for line in (done.stdout + done.stderr).splitlines() if "error" in line.lower()]
    assert done.returncode == 1, done.stdout + done.stderr
    expected = (
        f"spmu hub: error: 127.0.0.1:{port} is in use (Address already in use): stop that program or set"
    )
    assert errors == [f"{expected} SPMU_HUB_PORT"], done.stdout + done.stderr
