"""nbgrader's exchange on the course hub: release an assignment to it, collect submissions from it, release
feedback through it.

Release and feedback are nbgrader's own (its Python API, configured from the course's ``nbgrader_config.py``).
Collection keeps nbgrader's exchange layout and choice of submission, with three checks nbgrader leaves out:
a submission folder must belong to the OS user it names (nbgrader only warns, "cheating attempt?"); files are
read without following symbolic links (``nbgrader collect`` copies with ``shutil.copytree``, which would read a
trainee's link to ``source/`` as the instructor); and the submission time is the folder's change time as the
file system recorded it (``st_ctime``, which no user can set back), not the ``timestamp.txt`` or the folder name
the trainee's own process wrote. nbgrader's late penalty and ``spmu export``'s ``late_hours`` use that time
against the due date in the gradebook.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .collect import CollectOutcome, Rejection, collect, valid_trainee_id
from .course import CourseError, load_config, nbgrader_api, require_assignment
from .gradebook import check_gradebook
from .release import last_error_line

SECRET_FILE = "submission_secret.txt"
MAX_FILE_BYTES = 50_000_000  # spmu.collect refuses larger notebooks; nothing bigger is read from the exchange


def _api(root: Path, **settings):
    config = load_config(root)
    for section, values in settings.items():
        for key, value in values.items():
            setattr(config[section], key, value)
    return nbgrader_api(root, config=config), config


def release_to_exchange(root: Path, assignment: str) -> Path:
    """Copy ``release/ASSIGNMENT`` into the exchange's outbound folder (replacing an earlier release there);
    returns that folder. Trainees who fetched it already keep their copy."""
    require_assignment(root, assignment)
    if not (root / "release" / assignment).is_dir():
        raise CourseError(f"release/{assignment} does not exist: run `spmu release {assignment}` first")
    check_gradebook(root)
    api, config = _api(root, ExchangeReleaseAssignment={"force": True})
    result = api.release_assignment(assignment)
    if not result["success"]:
        raise CourseError(
            f"nbgrader could not release {assignment!r} to the exchange: {last_error_line(result)}"
        )
    return Path(config.Exchange.root) / config.CourseDirectory.course_id / "outbound" / assignment


def _owner(path: Path) -> str:
    try:
        return pwd.getpwuid(path.lstat().st_uid).pw_name
    except KeyError:
        return f"uid {path.lstat().st_uid}"


def _changed_at(folder: Path) -> datetime:
    """The latest change time of a submission folder and everything in it (set by the kernel, not the user)."""
    times = [folder.lstat().st_ctime] + [p.lstat().st_ctime for p in folder.rglob("*")]
    return datetime.fromtimestamp(max(times), UTC)


def _latest_record(inbound: Path, trainee: str, assignment: str) -> tuple[Path | None, list[str]]:
    """The trainee's newest submission folder that the trainee's own OS user made (newest by the time in its
    name, as nbgrader picks it), and the other users who made folders under the trainee's name."""
    from nbgrader.utils import parse_utc

    records, strangers = [], set()
    for path in inbound.glob(f"{trainee}+{assignment}+*"):
        owner = _owner(path)
        if owner != trainee:
            strangers.add(owner)
            continue
        try:
            records.append((parse_utc(path.name.rsplit("+", 3)[2]), path))
        except (IndexError, ValueError):
            continue
    return (max(records)[1] if records else None), sorted(strangers)


def _copy_regular_files(record: Path, target: Path) -> list[str]:
    """Copy the regular files at the top of a submission folder without following symbolic links (read as the
    instructor, a link could point at source/ or the gradebook); returns what was skipped and why."""
    skipped = []
    target.mkdir(parents=True)
    for entry in sorted(os.scandir(record), key=lambda e: e.name):
        if entry.name == "timestamp.txt":  # written by the trainee's process: the change time is used instead
            continue
        if not entry.is_file(follow_symlinks=False):
            skipped.append(f"{record.name}/{entry.name}: not a regular file (link or folder): not collected")
            continue
        try:
            handle = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            skipped.append(f"{record.name}/{entry.name}: cannot be read ({error.strerror}): not collected")
            continue
        with os.fdopen(handle, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                skipped.append(f"{record.name}/{entry.name}: not a regular file: not collected")
                continue
            data = source.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            skipped.append(
                f"{record.name}/{entry.name}: over {MAX_FILE_BYTES // 1_000_000} MB: not collected"
            )
            continue
        (target / entry.name).write_bytes(data)
    return skipped


def collect_from_exchange(root: Path, assignment: str) -> CollectOutcome:
    """Collect every trainee's latest submission of ``assignment`` from the exchange into
    ``grading/submitted/`` (through :func:`spmu.collect.collect`, so the same checks and size caps apply).

    The exchange's folder names and layout are nbgrader's (``inbound/<trainee>+<assignment>+<time>+<random>``,
    the newest by its time is collected, as ``nbgrader collect`` picks it), but the files are read here:
    ``nbgrader collect`` copies with ``shutil.copytree``, which follows a trainee's symbolic links as the
    instructor.
    """
    require_assignment(root, assignment)
    check_gradebook(root)
    config = load_config(root)
    inbound = Path(config.Exchange.root) / config.CourseDirectory.course_id / "inbound"
    if not inbound.is_dir():
        raise CourseError(
            f"the exchange has no submissions folder {inbound}: run `spmu release {assignment} --to-exchange` "
            "first"
        )
    submitted = root / config.CourseDirectory.submitted_directory
    submitted.mkdir(parents=True, exist_ok=True)
    names = {p.name.rsplit("+", 3)[0] for p in inbound.glob(f"*+{assignment}+*")}
    outcome = CollectOutcome(assignment)
    staging = Path(tempfile.mkdtemp(prefix=".from-exchange-", dir=submitted.parent))
    try:
        for trainee in sorted(names):
            latest, strangers = _latest_record(inbound, trainee, assignment)
            for stranger in strangers:
                outcome.rejected.append(
                    Rejection(
                        trainee, f"a folder under {trainee}'s name made by OS user {stranger}: not collected"
                    )
                )
            if not valid_trainee_id(trainee) or latest is None:
                if not strangers:
                    outcome.rejected.append(
                        Rejection(trainee, "no readable submission folder: not collected")
                    )
                continue
            single = staging / trainee
            skipped = _copy_regular_files(latest, single / trainee)
            outcome.rejected.extend(Rejection(trainee, reason) for reason in skipped)
            secret_file = single / trainee / SECRET_FILE
            secret = (
                secret_file.read_bytes()[:200].decode("ascii", "replace").strip()
                if secret_file.exists()
                else ""
            )
            secret_file.unlink(missing_ok=True)
            one = collect(root, assignment, single, now=_changed_at(latest))
            outcome.collected.update(one.collected)
            outcome.rejected.extend(one.rejected)
            if trainee in one.collected and re.fullmatch(r"[0-9a-f]{16,128}", secret):
                # the key nbgrader names this trainee's feedback file with, so only they can find it
                (submitted / trainee / assignment / SECRET_FILE).write_text(secret, encoding="ascii")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outcome


def release_feedback_to_exchange(root: Path, assignment: str) -> list[str]:
    """Put every trainee's feedback (``grading/feedback/<trainee>/ASSIGNMENT``, made by ``spmu feedback``) into
    the exchange, where each trainee can fetch only their own; returns the trainee ids released."""
    require_assignment(root, assignment)
    config = load_config(root)
    feedback = root / config.CourseDirectory.feedback_directory
    trainees = sorted(p.parent.name for p in feedback.glob(f"*/{assignment}") if any(p.glob("*.html")))
    if not trainees:
        raise CourseError(f"no feedback for {assignment!r} yet: run `spmu feedback {assignment}` first")
    submitted = root / config.CourseDirectory.submitted_directory
    for trainee in trainees:
        # nbgrader names each feedback file with the key the trainee's submission carried (see collect above);
        # spmu's grading copies only notebooks, so the key and the submission time come from the submission
        for name in (SECRET_FILE, "timestamp.txt"):
            source, target = submitted / trainee / assignment / name, feedback / trainee / assignment / name
            if source.is_file() and not target.exists():
                shutil.copyfile(source, target)
    api, _ = _api(root)
    result = api.release_feedback(assignment)
    if not result["success"]:
        raise CourseError(
            f"nbgrader could not release feedback for {assignment!r}: {last_error_line(result)}"
        )
    return trainees


def exchange_root(root: Path) -> Path:
    """The exchange folder the course uses (``$SPMU_EXCHANGE`` on the hub)."""
    return Path(load_config(root).Exchange.root)
