"""Red-team reproducers for issue #10: arguments and repository content that made a build write where it must not.

Each test is a defect found by attacking the build's output safety; it failed before its fix.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from build_helpers import make_repo, run


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
