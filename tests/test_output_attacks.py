"""Red-team reproducers for issue #10: arguments and repository content that made a build write where it must not.

Each test is a defect found by attacking the build's output safety; it failed before its fix.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from build_helpers import make_repo, run

from contract.build import _cached


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def test_a_lock_file_planted_as_a_link_is_refused_and_its_target_kept(repo):
    contract = repo / "years" / "2023" / "contract.yaml"
    before = contract.read_bytes()
    (repo / ".site.lock").symlink_to(contract)
    code, err, _ = run(repo, "--no-wait")
    assert code == 2
    assert f"{repo / '.site.lock'}: error: the lock file is a symbolic link" in err
    assert contract.read_bytes() == before
    assert not (repo / "site").exists()


@pytest.mark.parametrize("where", ["years", "elsewhere"])
def test_a_build_outside_a_repository_is_refused_before_anything_is_written(repo, tmp_path, where):
    folder = repo / "years" if where == "years" else tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    before = sorted(os.listdir(folder))
    code, err, _ = run(folder, "--no-wait")
    assert code == 2
    assert f"{folder}: error: this is not a klimatkontrakt repository (it has no years/ folder)" in err
    assert sorted(os.listdir(folder)) == before


@pytest.mark.parametrize("link", [".cache", ".cache/build"])
def test_a_cache_folder_that_is_a_link_is_refused_and_nothing_written_through_it(repo, tmp_path, link):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine\n", encoding="utf-8")
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(victim)
    code, out, _ = run(repo, "--no-wait")
    assert code == 1
    assert f"{repo / link}: error: the build cache is a symbolic link" in out
    assert sorted(os.listdir(victim)) == ["keep.txt"]
    assert not (repo / "site").exists()


def test_a_cache_entry_that_is_a_link_is_never_published(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not a PDF of the contract\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / f"{'a' * 64}-{hashlib.sha256(secret.read_bytes()).hexdigest()}.pdf"
    entry.symlink_to(secret)
    notes: list = []
    assert _cached(cache, "a" * 64, notes) is None
    assert [n.code for n in notes] == ["cache-damaged"]
    assert not entry.is_symlink() and secret.exists()
