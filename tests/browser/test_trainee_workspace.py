"""`make lab`'s trainee workspace: the file browser shows the released assignments and nothing of the course's
instructor side (no `source/`, no `grading/`), and the server refuses to hand those folders out by URL."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_server import LabServer, start_lab, stop_lab

COURSE_ROOT = Path(__file__).resolve().parents[2]
ENTRY = ".jp-DirListing-content .jp-DirListing-itemText"


@pytest.fixture(scope="module")
def workspace_lab(tmp_path_factory) -> Iterator[LabServer]:
    """The workspace exactly as `make lab` builds it (`make workspace`), served the way `make lab` serves it."""
    workspace = tmp_path_factory.mktemp("trainee") / "workspace"
    subprocess.run(["make", "-s", "-C", str(COURSE_ROOT), "workspace", f"WORKSPACE={workspace}"], check=True)
    server = start_lab(workspace, workspace, tmp_path_factory.mktemp("workspace-lab-state"))
    yield server
    stop_lab(server)


def status_of(server: LabServer, api_path: str) -> int:
    request = urllib.request.Request(
        f"{server.url}{api_path}", headers={"Authorization": f"token {server.token}"}
    )
    try:
        with urllib.request.urlopen(request) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.browser
def test_trainee_workspace_shows_only_the_released_assignments(workspace_lab, page, console, screenshots):
    released = sorted(p.name for p in (COURSE_ROOT / "release").iterdir() if p.is_dir())
    page.goto(f"{workspace_lab.url}/lab/workspaces/trainee-files?reset&token={workspace_lab.token}")
    page.wait_for_selector(ENTRY, timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelectorAll('{ENTRY}').length >= {len(released)}", timeout=30_000
    )
    shown = sorted(page.locator(ENTRY).all_inner_texts())
    screenshots.save(page, "trainee-workspace-file-browser")
    assert shown == released, f"the trainee's file browser shows {shown}, expected only {released}"
    assert not {"source", "grading", "instructor", ".git"} & set(shown)

    page.locator(ENTRY, has_text=released[0]).dblclick()
    page.wait_for_function(f"() => document.querySelector('{ENTRY}')?.textContent.endsWith('.ipynb')")
    inside = page.locator(ENTRY).all_inner_texts()
    screenshots.save(page, "trainee-workspace-assignment")
    assert inside and all(name.endswith(".ipynb") for name in inside), f"{released[0]}/ holds {inside}"

    for path in ("source", "grading", "../source", "%2E%2E/source", "../grading/gradebook.db"):
        assert status_of(workspace_lab, f"/api/contents/{path}") in (403, 404), (
            f"/api/contents/{path} answered"
        )
    assert console.unexpected() == [], "JupyterLab logged console errors"
