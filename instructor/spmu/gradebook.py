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

    A missing gradebook is fine (nbgrader creates it). Other databases are checked when they are opened.
    """
    path = sqlite_path(db_url(root))
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


def explain_database_error(root: Path, error: Exception) -> CourseError:
    """A one-line :class:`CourseError` for a database error raised while nbgrader used the gradebook."""
    text = str(getattr(error, "orig", None) or error).splitlines()[0]
    where = db_url(root)
    if "locked" in text:
        return CourseError(f"gradebook {where} is locked by another program: close it and try again")
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
