"""Start the course's JupyterHub (hub/jupyterhub_config.py, as committed) for one test site on free ports of
127.0.0.1, log users in with their PAM passwords, and stop it again (by its process id)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from accounts import REPO, VENV_BIN, Site


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_environment(site: Site, port: int, **extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{VENV_BIN}:/usr/bin:/bin:/usr/sbin:/sbin",
        "LANG": "C.UTF-8",
        "HOME": "/root",
        "SPMU_HUB_PORT": str(port),
        "SPMU_HUB_API_PORT": str(free_port()),
        "SPMU_PROXY_API_PORT": str(free_port()),
        "SPMU_HUB_STATE": str(site.base / "hub-state"),
        "SPMU_EXCHANGE": str(site.exchange),
        "SPMU_COURSE": str(site.course),
        "SPMU_TRAINEES_GROUP": site.groups[0],
        "SPMU_INSTRUCTORS_GROUP": site.groups[1],
        "SPMU_INSTRUCTOR_VENV": str(VENV_BIN.parent),
        "SPMU_TRAINEE_VENV": str(REPO / ".venv-hub-trainee"),
    }
    env.update(extra)
    return env


@dataclass
class Hub:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_hub(site: Site, **extra: str) -> Hub:
    port = free_port()
    log = site.base / f"hub-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(REPO / "hub" / "jupyterhub_config.py")],
            cwd=site.base,
            env=hub_environment(site, port, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    hub = Hub(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{hub.url}/hub/health", timeout=2).ok:
                return hub
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    hub.stop()
    raise AssertionError(f"the hub did not answer in 90 s:\n{log.read_text()[-3000:]}")


class HubUser:
    """One user's browser-like session on the hub, and an API token of their own."""

    def __init__(self, hub: Hub, name: str, password: str):
        self.hub, self.name = hub, name
        self.session = requests.Session()
        page = self.session.get(f"{hub.url}/hub/login", timeout=30)
        xsrf = self.session.cookies.get("_xsrf")
        answer = self.session.post(
            f"{hub.url}/hub/login",
            data={"username": name, "password": password, "_xsrf": xsrf},
            timeout=60,
            allow_redirects=False,
        )
        self.logged_in = answer.status_code == 302 and page.ok
        self.token = None
        if self.logged_in:
            made = self.session.post(
                f"{hub.url}/hub/api/users/{name}/tokens",
                headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or xsrf},
                data=json.dumps({"note": "test", "expires_in": 3600}),
                timeout=30,
            )
            made.raise_for_status()
            self.token = made.json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def start_server(self) -> str:
        """Start this user's server and wait until it answers; returns its URL."""
        started = requests.post(
            f"{self.hub.url}/hub/api/users/{self.name}/server", headers=self.headers, timeout=60
        )
        assert started.status_code in (201, 202, 400), started.text + self.hub.log.read_text()[-4000:]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            user = requests.get(
                f"{self.hub.url}/hub/api/users/{self.name}", headers=self.headers, timeout=30
            ).json()
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return f"{self.hub.url}/user/{self.name}"
            time.sleep(1)
        raise AssertionError(f"{self.name}'s server did not start:\n{self.hub.log.read_text()[-3000:]}")

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to a server on the hub (``path`` starts with /user/...) with this user's token."""
        return requests.request(method, f"{self.hub.url}{path}", headers=self.headers, timeout=60, **kwargs)

    def run_in_kernel(self, code: str) -> str:
        """Run ``code`` in a new kernel of this user's server; returns its output (stdout, then any error)."""
        import uuid

        import websocket

        kernel = self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3"})
        kernel.raise_for_status()
        kernel_id = kernel.json()["id"]
        url = self.hub.url.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kernel_id}/channels"
        connection = websocket.create_connection(
            url, header=[f"Authorization: token {self.token}"], timeout=60
        )
        try:
            msg_id = uuid.uuid4().hex
            connection.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "username": self.name,
                            "session": uuid.uuid4().hex,
                            "msg_type": "execute_request",
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "allow_stdin": False,
                        },
                        "channel": "shell",
                        "buffers": [],
                    }
                )
            )
            output = []
            while True:
                message = json.loads(connection.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = message["msg_type"]
                if kind == "stream":
                    output.append(message["content"]["text"])
                elif kind == "error":
                    output.append(f"{message['content']['ename']}: {message['content']['evalue']}")
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    return "".join(output)
        finally:
            connection.close()
            self.api("DELETE", f"/user/{self.name}/api/kernels/{kernel_id}")
