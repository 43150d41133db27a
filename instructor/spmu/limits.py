"""Resource limits for grading untrusted submissions, read from ``nbgrader_config.py`` (``c.GradingLimits``)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from spmu.course import load_config

CONFIG_SECTION = "GradingLimits"
SANDBOX_CHOICES = ("auto", "bwrap", "none")


@dataclass(frozen=True)
class Limits:
    """What one trainee's code may use while it is graded (defaults are explained in nbgrader_config.py)."""

    cell_timeout_s: float = 30.0  # per cell
    notebook_timeout_s: float = 300.0  # wall clock per notebook, re-runs included
    memory_mb: int = 1024  # per kernel (address-space limit plus a resident-memory watchdog)
    max_output_bytes: int = 1_000_000  # per notebook, all cell outputs together
    sandbox: str = "auto"  # "auto" (bwrap if usable, else loud warning and none) | "bwrap" | "none"
    max_notebook_bytes: int = 20_000_000  # a submitted notebook file larger than this is not opened
    sandbox_memory_mb: int = 1536  # the whole sandbox: every process in it and its tmpfs files (cgroup)
    max_processes: int = 128  # processes and threads in one sandbox (cgroup pids, else RLIMIT_NPROC)
    cpus: float = 1.0  # CPU time per second for one sandbox (cgroup CPU quota)
    disk_mb: int = 256  # size of each of the sandbox's writable folders (work folder, /tmp, /dev/shm)

    def __post_init__(self) -> None:
        if self.sandbox not in SANDBOX_CHOICES:
            raise ValueError(f"sandbox must be one of {', '.join(SANDBOX_CHOICES)}, not {self.sandbox!r}")
        for name in (
            "cell_timeout_s",
            "notebook_timeout_s",
            "memory_mb",
            "max_output_bytes",
            "max_notebook_bytes",
            "sandbox_memory_mb",
            "max_processes",
            "cpus",
            "disk_mb",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")

    @classmethod
    def from_config(cls, course_root: Path, **overrides) -> Limits:
        """Defaults, then ``c.GradingLimits.<name>`` from the course's nbgrader_config.py, then ``overrides``
        (``None`` values in ``overrides`` are ignored, so CLI options that were not given change nothing)."""
        section = load_config(Path(course_root)).get(CONFIG_SECTION, {})
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - names) + sorted(set(overrides) - names)
        if unknown:
            raise ValueError(
                f"unknown grading limit(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        values = {name: section[name] for name in names if name in section}
        values.update({name: value for name, value in overrides.items() if value is not None})
        return replace(cls(), **values)
