"""A careless or hostile translator, CAT tool and reviewer against the translators' features: each is a reproducer."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cli_runner import run_cli
from contract.load import load

ROOT = Path(__file__).resolve().parents[1]
TITLE_SV = "Klimatkontrakt 2030"  # the Swedish of meta/title (years/2023/contract.yaml)


@pytest.fixture
def repo(repo_copy) -> Path:
    """Version 2023 as a draft (no signed.lock) with the real glossary."""
    shutil.copy(ROOT / "glossary.yaml", repo_copy / "glossary.yaml")
    (repo_copy / "years/2023/signed.lock").unlink()
    return repo_copy


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "years").rglob("*")) if p.is_file()}


def run(root: Path, *argv: str | Path):
    return run_cli("--root", root, *argv)


def export(root: Path, name: str) -> Path:
    file = root.parent / name
    result = run(root, "translations", "2023", "--export", file, "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    return file


def two_texts(root: Path, tmp_path: Path) -> Path:
    """A JSON file changing the English of two texts in two YAML files (contract.yaml and preamble.yaml)."""
    items = json.loads(export(root, "all.json").read_text(encoding="utf-8"))
    chosen = [dict(i, en="New " + i["en"]) for i in items if i["key"] in ("meta/title", "preamble/1")]
    assert [i["file"] for i in chosen] == ["years/2023/contract.yaml", "years/2023/preamble.yaml"]
    file = tmp_path / "two.json"
    file.write_text(json.dumps(chosen), encoding="utf-8")
    return file


def assert_refused(root: Path, file: Path, message: str, code: int = 1) -> str:
    before = snapshot(root)
    result = run(root, "translations", "2023", "--import", file)
    assert result.returncode == code and message in result.stdout + result.stderr, (result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stdout + result.stderr


def test_an_import_that_fails_writing_its_second_file_leaves_the_first_untouched(repo, tmp_path):
    file = two_texts(repo, tmp_path)
    (repo / f"years/2023/.preamble.yaml.{os.getpid()}.tmp").mkdir()  # writing preamble.yaml will fail
    out = assert_refused(repo, file, "cannot write preamble.yaml")
    assert "nothing was written" in out
    assert [p.name for p in (repo / "years/2023").iterdir() if p.name.startswith(".contract")] == []


def test_a_read_only_yaml_file_is_not_replaced_by_an_import(repo, tmp_path):
    file = two_texts(repo, tmp_path)
    (repo / "years/2023/preamble.yaml").chmod(0o444)
    out = assert_refused(repo, file, "years/2023/preamble.yaml:1:1: error: the file is read-only, so nothing was written")
    assert "chmod u+w preamble.yaml" in out
    assert (repo / "years/2023/preamble.yaml").stat().st_mode & 0o777 == 0o444
