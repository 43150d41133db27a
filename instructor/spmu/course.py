"""The course directory as nbgrader sees it: its configuration, its assignments and nbgrader's API on it.

nbgrader's Python API does not read ``nbgrader_config.py`` by itself, so every part of the instructor pipeline
(and the grading engine) loads the configuration through :func:`load_config` here.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

CONFIG_NAME = "nbgrader_config.py"
# A gradebook URL here (e.g. postgresql+psycopg2://spmu@/spmu?host=/run/postgresql) wins over the config file's.
DB_URL_VARIABLE = "SPMU_DB_URL"


class CourseError(Exception):
    """A problem the instructor can fix, explained in one plain line (the CLI prints it and exits
    non-zero)."""


def course_root(path: Path | str) -> Path:
    """Absolute course folder, checked to exist and to hold ``nbgrader_config.py``."""
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise CourseError(
            f"course directory {root} does not exist (run from the course folder or pass --course DIR)"
        )
    if not (root / CONFIG_NAME).is_file():
        raise CourseError(f"{root} is not a course directory: it has no {CONFIG_NAME}")
    return root


def load_config(root: Path) -> Config:
    """The course's ``nbgrader_config.py`` as a traitlets ``Config``, with the course root pinned to
    ``root`` and the gradebook URL taken from ``$SPMU_DB_URL`` when that is set."""
    root = course_root(root)
    loader = PyFileConfigLoader(CONFIG_NAME, path=str(root))
    try:
        config = loader.load_config()
    except ConfigFileNotFound:
        raise CourseError(f"{root} is not a course directory: it has no {CONFIG_NAME}") from None
    except Exception as error:  # noqa: BLE001 - a syntax or runtime error in the instructor's config file
        raise CourseError(
            f"{root / CONFIG_NAME} could not be read: {type(error).__name__}: {error}"
        ) from None
    config.CourseDirectory.root = str(root)
    if os.environ.get(DB_URL_VARIABLE):
        config.CourseDirectory.db_url = os.environ[DB_URL_VARIABLE]
    return config


def nbgrader_api(root: Path, log_level: int = logging.WARNING, config: Config | None = None):
    """nbgrader's ``NbGraderAPI`` on this course, configured from its ``nbgrader_config.py`` (or
    ``config``)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = config if config is not None else load_config(root)
    config.NbGraderAPI.log_level = log_level
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(log_level)
    return api


def assignments(root: Path) -> list[str]:
    """Names of the assignments in ``source/`` (folders holding at least one notebook), sorted."""
    source = course_root(root) / "source"
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def require_assignment(root: Path, assignment: str) -> str:
    """``assignment`` if it exists in ``source/``, else a :class:`CourseError` listing the known ones."""
    known = assignments(root)
    if assignment not in known:
        listed = ", ".join(known) if known else "none: source/ holds no assignment"
        raise CourseError(f"unknown assignment {assignment!r} (known assignments: {listed})")
    return assignment
