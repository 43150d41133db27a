"""The trainee environment holds no answer: build the `courses` wheel exactly as `make lab` installs it
(`pip install .` from the repository root) and look inside.

- No instructor tool: no case generator, no `spmu`, no simulated mistake, no notebook, no `source/` file.
- No planted answer: no literal that a hidden test checks (and a trainee cannot already read in the released
  notebooks) appears in the wheel's Python files, comments or docstrings. The case data files themselves hold
  the records, of course, and are not scanned.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path

import nbformat
import pytest

from courses import MODULES
from spmu.course import assignments
from spmu.markers import HIDDEN_TESTS, region_lines

COURSE_ROOT = Path(__file__).resolve().parents[2]
MIN_CHARS = 3  # shorter strings ("a", "id") occur everywhere and prove nothing
MIN_DIGITS = 4  # numbers with fewer significant digits (0.9, 37.5, 500) are parameters, not planted values


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The trainee distribution, built from the repository root the way `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(COURSE_ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (path,) = out.glob("spmu_courses-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def python_texts(archive: zipfile.ZipFile) -> dict[str, str]:
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".py")}


def literals(code: str) -> set[str]:
    """The string and number literals of a piece of Python (string values unquoted), read token by token so a
    region that is not a whole statement still yields its literals."""
    found: set[str] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING and not token.string.startswith(
                ("f", "F", "rf", "fr", "b", "B")
            ):
                text = re.sub(r"^[rRuU]*('''|\"\"\"|'|\")", "", token.string)
                text = re.sub(r"('''|\"\"\"|'|\")$", "", text)
                found.add(text)
            elif token.type == tokenize.NUMBER:
                found.add(token.string.replace("_", ""))
    except (tokenize.TokenError, IndentationError):
        pass
    return {f for f in found if len(f.strip()) >= MIN_CHARS}


def significant_digits(number: str) -> int:
    number = re.split(r"[eE]", number)[0]
    return len(re.sub(r"\.0*$", "", number.lstrip("-+0.")).replace(".", "").rstrip("0") or "")


def case_text(module: str) -> str:
    """Every text case file of a module (the records planted answers are drawn from), file names excluded."""
    folder = COURSE_ROOT / "courses" / module / "data"
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.sha256":
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return "\n".join(parts)


def is_planted(literal: str, records: str) -> bool:
    """A number with enough digits to identify a result, or a string that is a value in the case records."""
    if re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?", literal):
        return significant_digits(literal) >= MIN_DIGITS
    return re.search(rf"(?<![\w.]){re.escape(literal)}(?![\w])", records) is not None


def planted_answers() -> dict[str, set[str]]:
    """Per assignment: the literals its hidden tests check (ids of planted records, result values) that its
    released notebooks do not show."""
    answers = {}
    for assignment in assignments(COURSE_ROOT):
        records = case_text(assignment) if assignment in MODULES else ""
        hidden: set[str] = set()
        for path in sorted((COURSE_ROOT / "source" / assignment).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                hidden |= literals("\n".join(region_lines(cell.source, HIDDEN_TESTS)))
        public = "\n".join(
            cell.source
            for path in sorted((COURSE_ROOT / "release" / assignment).glob("*.ipynb"))
            for cell in nbformat.read(path, as_version=4).cells
        )
        answers[assignment] = {h for h in hidden if h not in public and is_planted(h, records)}
    return answers


def occurrences(text: str, answers: set[str]) -> list[str]:
    """The answers found in ``text`` as whole tokens (``AC40`` is not found inside ``AC400``)."""
    return [a for a in sorted(answers) if re.search(rf"(?<![\w.]){re.escape(a)}(?![\w])", text)]


def test_wheel_holds_only_the_trainee_package(wheel):
    names = wheel.namelist()
    top = {name.split("/")[0] for name in names if not name.startswith("spmu_courses-")}
    assert top == {"courses"}, f"the trainee wheel installs more than the courses package: {sorted(top)}"
    forbidden = [
        n for n in names
        if re.search(r"(^|/)(generate\w*\.py|case_generators|instructor|spmu|source)(/|$)", n)
        or n.endswith((".ipynb", "simulated_mistakes.toml"))
    ]  # fmt: skip
    assert forbidden == [], f"instructor-only files in the trainee wheel: {forbidden}"
    entry_points = [n for n in names if n.endswith("entry_points.txt")]
    assert not entry_points or "spmu" not in wheel.read(entry_points[0]).decode(), "the wheel installs `spmu`"
    for module in MODULES:
        assert f"courses/{module}/data/MANIFEST.sha256" in names, f"{module}'s case files are missing"
        assert f"courses/{module}/case.py" in names, f"{module}'s loaders are missing"


def test_no_planted_answer_in_the_trainee_packages_python(wheel):
    answers = planted_answers()
    assert all(len(secrets) >= 5 for secrets in answers.values()), (
        f"too few hidden-test literals found to prove anything: {answers}"
    )
    found = {
        f"{name}: {assignment}": hits
        for name, text in python_texts(wheel).items()
        for assignment, secrets in answers.items()
        if (hits := occurrences(text, secrets))
    }
    assert found == {}, f"literals the hidden tests check appear in trainee-side code: {found}"


def test_scan_finds_a_planted_answer_in_a_docstring():
    """Negative control: an answer the hidden tests check, written into a docstring, is found."""
    answers = planted_answers()
    _assignment, secrets = next((a, s) for a, s in answers.items() if any(re.fullmatch(r"\w+", x) for x in s))
    secret = min(x for x in secrets if re.fullmatch(r"\w+", x))
    docstring = f'"""Loader. Note for authors: {secret} is the planted record."""\n'
    assert occurrences(docstring, secrets) == [secret]
    assert occurrences(docstring.replace(secret, secret + "9"), {secret}) == []
