"""Opening the course's gradebook with one-line errors for the usual failures (locked, corrupt,
unreachable)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from .course import CourseError, load_config

LOCK_WAIT_S = 3.0
# a gradebook server that does not answer fails in seconds, not after the operating system's TCP timeout
CONNECT_ARGS = {"postgresql": {"connect_timeout": 5}}


def db_url(root: Path) -> str:
    """The gradebook URL from the course configuration."""
    return str(load_config(root).CourseDirectory.db_url)


def sqlite_path(url: str) -> Path | None:
    """File of an SQLite gradebook URL (``None`` for another database such as PostgreSQL)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def check_gradebook(root: Path) -> None:
    """Raise :class:`CourseError` when the SQLite gradebook exists but is corrupt or locked by another
    program.

    A missing gradebook is fine (nbgrader creates it). Another database (PostgreSQL) must answer a connection.
    """
    url = db_url(root)
    path = sqlite_path(url)
    if path is None and not make_url(url).drivername.startswith("sqlite"):
        _check_server(root, url)
        return
    if path is None or not path.exists():
        return
    try:
        connection = sqlite3.connect(path, timeout=LOCK_WAIT_S)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                raise CourseError(
                    f"gradebook {path} is corrupt ({result[0] if result else 'no answer'}): "
                    "restore it from a backup"
                )
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise CourseError(
                f"gradebook {path} is locked by another program (formgrader or a running nbgrader?): "
                "close it and try again"
            ) from None
        raise CourseError(f"gradebook {path} cannot be opened: {error}") from None
    except sqlite3.DatabaseError as error:
        raise CourseError(f"gradebook {path} is corrupt ({error}): restore it from a backup") from None


def _check_server(root: Path, url: str) -> None:
    """Raise :class:`CourseError` when a database server gradebook cannot be reached or refuses us."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url, connect_args=CONNECT_ARGS.get(make_url(url).get_backend_name(), {}))
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError) as error:
        raise explain_database_error(root, error) from None
    finally:
        engine.dispose()


def explain_database_error(root: Path, error: Exception) -> CourseError:
    """A one-line :class:`CourseError` for a database error raised while nbgrader used the gradebook."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    where = make_url(db_url(root)).render_as_string(hide_password=True)
    if "locked" in text:
        return CourseError(f"gradebook {where} is locked by another program: close it and try again")
    if isinstance(error, ImportError):
        return CourseError(f"gradebook {where} needs a database driver that is not installed: {text}")
    if "not a database" in text or "malformed" in text:
        return CourseError(f"gradebook {where} is corrupt ({text}): restore it from a backup")
    return CourseError(f"gradebook {where} could not be used: {text}")


@contextmanager
def open_gradebook(root: Path) -> Iterator[nbgrader.api.Gradebook]:  # noqa: F821
    """nbgrader's ``Gradebook`` for the course, checked first; database errors become one-line
    CourseErrors."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    check_gradebook(root)
    config = load_config(root)
    try:
        with Gradebook(
            str(config.CourseDirectory.db_url), str(config.CourseDirectory.course_id)
        ) as gradebook:
            yield gradebook
    except SQLAlchemyError as error:
        raise explain_database_error(root, error) from None


def autograded_points(root: Path, assignment: str, trainee_id: str) -> dict[tuple[str, str], float | None]:
    """Autograder points per (notebook file name, grade_id) of one submission's code grade cells (None = not
    autograded, e.g. a manually graded code answer), as the gradebook holds them."""
    with open_gradebook(root) as gradebook:
        submission = gradebook.find_submission(assignment, trainee_id)
        return {
            (f"{notebook.name}.ipynb", grade.name): grade.auto_score
            for notebook in submission.notebooks
            for grade in notebook.grades
            if grade.cell.cell_type == "code"
        }
