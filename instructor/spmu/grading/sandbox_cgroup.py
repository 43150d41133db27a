"""Per-sandbox limits from the kernel's control groups: memory of the whole sandbox (its tmpfs files included),
number of processes and threads, and a CPU quota.

Two layouts are supported: cgroup v2 (``/sys/fs/cgroup`` is ``cgroup2`` and this process may create a child with
the ``memory``, ``pids`` and ``cpu`` controllers: root, or a delegated subtree) and cgroup v1 (separate ``memory``,
``pids`` and ``cpu`` hierarchies writable by this process, as on the hybrid hosts of this project). Each sandbox gets
its own group ``spmu-<pid>-<n>`` beside the grader's own; it is removed when the sandbox stops, and groups left by a
grader that was killed are removed when the next one is created. When neither layout is usable,
:func:`cgroup_problem` says why and the sandbox falls back to per-process rlimits (see ``tests/hostile/README.md``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PREFIX = "spmu-"
CPU_PERIOD_US = 100_000
CONTROLLERS = ("memory", "pids", "cpu")
_counter = itertools.count(1)


@dataclass(frozen=True)
class CgroupLimits:
    """What one sandbox may use in total."""

    memory_mb: int  # resident memory of every process in the sandbox plus its tmpfs files
    max_tasks: int  # processes and threads
    cpus: float  # CPU time per wall-clock second (1.0: one core)


def _mounts() -> dict[str, Path]:
    """{controller or "unified": mount point} of the cgroup file systems this process sees."""
    found: dict[str, Path] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fstype, _, options = right.split()[:3]
        point = Path(left.split()[4].replace("\\040", " "))
        if fstype == "cgroup2":
            found.setdefault("unified", point)
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in CONTROLLERS:
                    found.setdefault(option, point)
    return found


def _own_groups() -> dict[str, str]:
    """{controller or "unified": this process's group path} from /proc/self/cgroup."""
    groups: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            groups["unified"] = path
        for controller in controllers.split(","):
            if controller in CONTROLLERS:
                groups[controller] = path
    return groups


def group_parents() -> tuple[str, dict[str, Path]]:
    """("v2" or "v1", {controller: folder in which sandbox groups are created}); raises OSError if unusable."""
    mounts, own = _mounts(), _own_groups()
    if all(c in mounts and c in own for c in CONTROLLERS):
        return "v1", {c: mounts[c] / own[c].lstrip("/") for c in CONTROLLERS}
    if "unified" in mounts and "unified" in own:
        parent = mounts["unified"] / own["unified"].lstrip("/")
        available = (parent / "cgroup.controllers").read_text().split()
        missing = [c for c in CONTROLLERS if c not in available]
        if missing:
            raise OSError(f"cgroup v2 controllers {', '.join(missing)} are not delegated to {parent}")
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        if any(c not in enabled for c in CONTROLLERS):
            # fails with EBUSY when this group holds processes ("no internal processes" rule)
            (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in CONTROLLERS))
        return "v2", {c: parent for c in CONTROLLERS}
    raise OSError("no cgroup file system with the memory, pids and cpu controllers is mounted")


@functools.cache
def cgroup_problem() -> str | None:
    """None if this process can give each sandbox its own control group, else the reason it cannot."""
    try:
        group = SandboxCgroup(CgroupLimits(memory_mb=64, max_tasks=8, cpus=1.0))
    except OSError as error:
        return f"cgroups unusable here: {error}"
    group.remove()
    return None


def without_cgroups_message() -> str | None:
    """One line saying which limits a sandbox lacks here and why (None when each sandbox gets its group)."""
    problem = cgroup_problem()
    if problem is None:
        return None
    processes = (
        "NOT limited (RLIMIT_NPROC does not bind root)" if os.geteuid() == 0 else "capped by RLIMIT_NPROC"
    )
    return (
        f"GRADING WITHOUT CONTROL GROUPS ({problem}): no CPU quota per sandbox, its memory polled every 0.1 s "
        f"(tmpfs files not counted), its processes {processes}; run the grader as root or in a delegated "
        "cgroup for these limits (tests/hostile/README.md)"
    )


class SandboxCgroup:
    """The control group(s) of one sandbox, limits set, empty until :meth:`wrap`'s command enters them."""

    def __init__(self, limits: CgroupLimits):
        self.version, parents = group_parents()
        remove_stale(parents)
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        self.folders = sorted({parents[c] / name for c in CONTROLLERS})
        try:
            for folder in self.folders:
                folder.mkdir()
            self._write_limits(limits, name, parents)
        except OSError:
            self.remove()
            raise

    def _write_limits(self, limits: CgroupLimits, name: str, parents: dict[str, Path]) -> None:
        memory = str(limits.memory_mb << 20)
        quota = str(int(limits.cpus * CPU_PERIOD_US))
        if self.version == "v2":
            folder = parents["memory"] / name
            (folder / "memory.max").write_text(memory)
            with contextlib.suppress(FileNotFoundError):  # no swap accounting: nothing to limit
                (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(limits.max_tasks))
            (folder / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
        else:
            (parents["memory"] / name / "memory.limit_in_bytes").write_text(memory)
            (parents["pids"] / name / "pids.max").write_text(str(limits.max_tasks))
            (parents["cpu"] / name / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (parents["cpu"] / name / "cpu.cfs_quota_us").write_text(quota)
        self.memory_folder = parents["memory"] / name
        self.cpu_folder = parents["cpu"] / name

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` preceded by a shell that moves itself into this sandbox's groups, then becomes ``argv``
        (so every process of the sandbox is counted from its first instruction)."""
        procs = " ".join(str(folder / "cgroup.procs") for folder in self.folders)
        script = f'for f in {procs}; do echo $$ > "$f" || exit 97; done; exec "$@"'
        return ["/bin/sh", "-c", script, "spmu-sandbox", *argv]

    def pids(self) -> list[int]:
        """Every process in the sandbox, as the host sees them."""
        with contextlib.suppress(OSError):
            return [int(p) for p in (self.memory_folder / "cgroup.procs").read_text().split()]
        return []

    def oom_kills(self) -> int:
        """How many processes the kernel killed in this sandbox for passing its memory limit."""
        name = "memory.events" if self.version == "v2" else "memory.oom_control"
        with contextlib.suppress(OSError):
            for line in (self.memory_folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def cpu_throttled(self) -> int:
        """How many CPU periods the sandbox was stopped in for passing its CPU quota."""
        with contextlib.suppress(OSError):
            for line in (self.cpu_folder / "cpu.stat").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "nr_throttled":
                    return int(value)
        return 0

    def remove(self) -> None:
        """Kill whatever is still in the groups and delete them."""
        for folder in self.folders:
            _remove_group(folder)


def _remove_group(folder: Path) -> None:
    for _ in range(50):
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except OSError:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def remove_stale(parents: dict[str, Path]) -> None:
    """Remove sandbox groups whose grader process is gone (a grader killed with SIGKILL cannot clean up)."""
    for parent in set(parents.values()):
        for folder in parent.glob(f"{PREFIX}*-*"):
            owner = folder.name[len(PREFIX) :].split("-")[0]
            if owner.isdigit() and not psutil.pid_exists(int(owner)):
                _remove_group(folder)
