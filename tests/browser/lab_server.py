"""Start and stop a JupyterLab server for the browser tests, isolated from the user's Jupyter settings."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT_S = 60.0

LAB_SETTINGS_OVERRIDES = {
    # The "get notified about Jupyter news" pop-up covers the page and would fetch from the internet.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # Lab's default ("contentVisibility") lets the browser skip laying out cells off screen, so a cell's size is
    # only estimated until it is scrolled to and cell screenshots came out cropped. "none" lays out every cell:
    # the page looks the same, only long notebooks render a little slower.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where to reach it and where its log goes."""

    url: str
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen

    def lab_url(self, relative_path: str, workspace: str) -> str:
        """URL opening ``relative_path`` (from the server root) in a fresh, named Lab workspace."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{relative_path}?reset&token={self.token}"

    def page_url(self, path: str) -> str:
        """URL of a server page such as ``formgrader`` with the login token."""
        return f"{self.url}/{path}?token={self.token}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_environment(state_dir: Path) -> dict[str, str]:
    """Environment with Jupyter's config, runtime, data, IPython and workspace folders under ``state_dir``."""
    env = dict(os.environ)
    for variable, name in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTERLAB_SETTINGS_DIR", "lab-user-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
        ("MPLCONFIGDIR", "matplotlib"),
    ]:
        folder = state_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        env[variable] = str(folder)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("MPLBACKEND", None)  # the kernel must use the inline backend so plots show in the page
    return env


def start_lab(root_dir: Path, working_dir: Path, state_dir: Path) -> LabServer:
    """Start JupyterLab on 127.0.0.1 serving ``root_dir`` and wait until it answers.

    ``working_dir`` is the server's current folder: nbgrader's formgrader reads ``nbgrader_config.py`` from it.
    """
    app_settings = state_dir / "lab-app-settings"
    app_settings.mkdir(parents=True, exist_ok=True)
    (app_settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS_OVERRIDES), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    log_path = state_dir / "jupyter-lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.app_settings_dir={app_settings}",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=working_dir,
            env=isolated_environment(state_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path, process)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}; log: {log_path}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/status?token={token}", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    stop_lab(server)
    raise RuntimeError(f"JupyterLab did not answer within {STARTUP_TIMEOUT_S:.0f} s; log: {log_path}")


def shut_down_kernels(server: LabServer) -> None:
    """Shut down every running kernel (one per opened notebook) so they do not pile up during the session."""
    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(
        urllib.request.Request(f"{server.url}/api/kernels", headers=headers)
    ) as reply:
        kernels = json.load(reply)
    for kernel in kernels:
        request = urllib.request.Request(
            f"{server.url}/api/kernels/{kernel['id']}", headers=headers, method="DELETE"
        )
        urllib.request.urlopen(request).close()


def stop_lab(server: LabServer) -> None:
    """Stop the server (and with it its kernels) by its process id."""
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
