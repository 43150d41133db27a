"""The shared case-file loader refuses corrupted, missing and unlisted files, naming them."""

import shutil
from importlib import import_module
from pathlib import Path

import pytest

from courses import MODULES, data


def _copy_module_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str) -> Path:
    copy = tmp_path / module / "data"
    shutil.copytree(data.data_dir(module), copy)
    monkeypatch.setattr(data, "data_dir", lambda name: copy if name == module else pytest.fail(name))
    return copy


def _first_file(directory: Path) -> str:
    return next(iter(data.read_manifest(directory)))


@pytest.mark.parametrize("module", MODULES)
def test_committed_case_files_match_manifest(module):
    if not data.data_dir(module).is_dir():
        pytest.skip(f"module {module} has no case files yet")
    data.verify_manifest(module)


@pytest.mark.parametrize("module", MODULES)
def test_regeneration_reproduces_committed_files(module, tmp_path):
    if not data.data_dir(module).is_dir():
        pytest.skip(f"module {module} has no case files yet")
    generate = import_module(f"spmu.case_generators.{module}").generate
    generate(tmp_path)
    committed = data.data_dir(module)
    assert data.read_manifest(tmp_path) == data.read_manifest(committed)
    assert data.verify_directory(tmp_path) == []


def test_corrupted_file_is_reported_by_name(tmp_path, monkeypatch):
    module = MODULES[0]
    copy = _copy_module_data(tmp_path, monkeypatch, module)
    name = _first_file(copy)
    with open(copy / name, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(data.CaseFileError, match=name):
        data.verify_manifest(module)
    with pytest.raises(data.CaseFileError, match="does not match its SHA-256"):
        data.case_path(module, name)


def test_missing_and_unlisted_files_are_reported(tmp_path, monkeypatch):
    module = MODULES[0]
    copy = _copy_module_data(tmp_path, monkeypatch, module)
    name = _first_file(copy)
    (copy / name).unlink()
    (copy / "stray.csv").write_text("a,b\n")
    with pytest.raises(data.CaseFileError) as excinfo:
        data.verify_manifest(module)
    assert f"{name}: missing" in str(excinfo.value)
    assert "stray.csv: not listed" in str(excinfo.value)


def test_unknown_case_file_and_module_are_clear_errors():
    with pytest.raises(data.CaseFileError, match="no case file 'nope.csv'"):
        data.case_path(MODULES[0], "nope.csv")
    with pytest.raises(data.CaseFileError, match="unknown course module"):
        data.data_dir("no_such_module")


def test_malformed_manifest_line_is_reported(tmp_path):
    (tmp_path / data.MANIFEST_NAME).write_text("not a digest line\n")
    with pytest.raises(data.CaseFileError, match="line 1"):
        data.read_manifest(tmp_path)
