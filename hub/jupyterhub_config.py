"""JupyterHub for a cohort of the course: one OS user per trainee (PAM login), each trainee's server runs as that
user from the trainee venv with only their home folder, instructors' servers run the course folder with the
formgrader. Start it with `make hub` (see README.md, "Run it for a cohort"); every setting below can be changed by an environment
variable so the file itself stays as committed.

Run as root: JupyterHub's LocalProcessSpawner switches to each user's uid, and PAM checks /etc/shadow.
"""

import grp
import os
import pwd
import shlex
import socket
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

HUB = Path(__file__).resolve().parent
REPO = HUB.parent
TRAINEES_GROUP = os.environ.get("SPMU_TRAINEES_GROUP", "spmu-trainees")
INSTRUCTORS_GROUP = os.environ.get("SPMU_INSTRUCTORS_GROUP", "spmu-instructors")
STATE = Path(os.environ.get("SPMU_HUB_STATE", "/srv/spmu/hub"))
EXCHANGE = os.environ.get("SPMU_EXCHANGE", "/srv/spmu/exchange")
COURSE = os.environ.get("SPMU_COURSE", str(REPO))
TRAINEE_VENV = Path(os.environ.get("SPMU_TRAINEE_VENV", REPO / ".venv-hub-trainee"))
INSTRUCTOR_VENV = Path(os.environ.get("SPMU_INSTRUCTOR_VENV", REPO / ".venv"))
# Per-process address space of a trainee's server and each of its kernels, and the most processes (threads
# included) one trainee may run: a runaway notebook stops with MemoryError instead of starving the cohort.
MEMORY_LIMIT = os.environ.get("SPMU_TRAINEE_MEMORY", "4G")
_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}
MEMORY_BYTES = int(MEMORY_LIMIT.rstrip("KMGkmg")) * _UNITS.get(MEMORY_LIMIT[-1:].upper(), 1)
PROCESS_LIMIT = os.environ.get("SPMU_TRAINEE_PROCESSES", "512")

# --- network: only this machine unless the operator says otherwise (put TLS in front for a real cohort) ---
c.JupyterHub.ip = os.environ.get("SPMU_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("SPMU_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("SPMU_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('SPMU_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(HUB / "node_modules" / ".bin" / "configurable-http-proxy")]
c.Spawner.ip = "127.0.0.1"


def _refuse_busy_port(ip: str, port: int, setting: str) -> None:
    """Stop at once, with one line, when another program holds a port the hub needs."""
    probe = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
    try:
        probe.bind((ip, port))
    except OSError as error:
        sys.exit(
            f"spmu hub: error: {ip}:{port} is in use ({error.strerror}): stop that program or set {setting}"
        )
    finally:
        probe.close()


_refuse_busy_port(c.JupyterHub.ip or "0.0.0.0", c.JupyterHub.port, "SPMU_HUB_PORT")
_refuse_busy_port("127.0.0.1", c.JupyterHub.hub_port, "SPMU_HUB_API_PORT")
_refuse_busy_port("127.0.0.1", int(c.ConfigurableHTTPProxy.api_url.rsplit(":", 1)[1]), "SPMU_PROXY_API_PORT")

# --- the hub's own state: its database, cookie secret and proxy token, readable by root only ---
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- accounts: system users (created by `spmu hub add-trainees roster.csv`) log in with their password ---
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_groups = {TRAINEES_GROUP, INSTRUCTORS_GROUP}
# instructors may start and stop servers in the admin page; they cannot open trainees' servers
# (JupyterHub's admin role has no access:servers scope unless admin_access is turned on, which it is not)
c.PAMAuthenticator.admin_groups = {INSTRUCTORS_GROUP}
c.PAMAuthenticator.open_sessions = False  # no login session bookkeeping needed in containers
c.JupyterHub.admin_access = False


def _in_group(username: str, group: str) -> bool:
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return False
    return username in entry.gr_mem or pwd.getpwnam(username).pw_gid == entry.gr_gid


def configure_server(spawner) -> None:
    """Trainees: the trainee venv, their home folder only, limits. Instructors: the course folder, formgrader."""
    name = spawner.user.name
    home = pwd.getpwnam(name).pw_dir
    if _in_group(name, INSTRUCTORS_GROUP):
        spawner.cmd = [str(INSTRUCTOR_VENV / "bin" / "jupyterhub-singleuser")]
        spawner.notebook_dir = COURSE
        spawner.default_url = "/lab"
        spawner.environment = {
            # the course folder is on the config path so the formgrader finds its nbgrader_config.py (the
            # spawner starts every server in the user's home folder)
            "JUPYTER_CONFIG_PATH": f"{HUB / 'instructor'}:{COURSE}",
            "PATH": f"{INSTRUCTOR_VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "SPMU_EXCHANGE": EXCHANGE,
            **({"SPMU_DB_URL": os.environ["SPMU_DB_URL"]} if os.environ.get("SPMU_DB_URL") else {}),
        }
        return
    spawner.cmd = [
        "prlimit",
        f"--as={MEMORY_BYTES}",  # in bytes: prlimit reads no unit suffixes
        f"--nproc={PROCESS_LIMIT}",
        "--",
        str(TRAINEE_VENV / "bin" / "jupyterhub-singleuser"),
    ]
    spawner.notebook_dir = home
    spawner.default_url = "/lab"
    spawner.environment = {
        "JUPYTER_CONFIG_PATH": str(HUB / "trainee"),
        "PATH": f"{TRAINEE_VENV / 'bin'}:/usr/bin:/bin",
        "SPMU_EXCHANGE": EXCHANGE,
    }
    spawner.log.info("server for trainee %s: %s", name, shlex.join(spawner.cmd))


c.Spawner.pre_spawn_hook = configure_server
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# a trainee's environment is what the spawner sets, never the hub's (no SPMU_DB_URL, no proxy token)
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]

# more configuration for a site (TLS certificates, another authenticator) goes in this optional file
_local = HUB / "jupyterhub_config_local.py"
if _local.is_file():
    load_subconfig(str(_local))  # noqa: F821  (provided by JupyterHub)
