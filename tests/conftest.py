"""Shared test fixtures: the repository root, a scratch copy of it, and golden-file handling."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# Modules whose every test renders PDFs, signs with a test PKI, builds a whole site or drives Chromium:
# left out of the fast lane (-m "not slow") as a whole. Other slow tests carry @pytest.mark.slow themselves.
SLOW_MODULES = {"test_site_browser", "test_sign", "test_pdf", "test_diff_pdf", "test_site_cycle"}


# Module fixtures that build a whole site with MkDocs and Pagefind: every test that uses one is slow.
SLOW_FIXTURES = {"built", "tampered"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    """True when the run was asked to rewrite golden files."""
    return request.config.getoption("--update-golden")


@pytest.fixture
def golden(update_golden):
    """Compare text with a golden file (or rewrite it with --update-golden)."""

    def check(path: Path, actual: str) -> None:
        if update_golden or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            if not update_golden:
                pytest.fail(f"golden file {path.name} did not exist; written now, check it and run again")
        assert actual == path.read_text(encoding="utf-8"), (
            f"output differs from {path}; run pytest --update-golden and review the diff"
        )

    return check


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A scratch repository with the real schema and version 2023, safe to edit."""
    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    shutil.copytree(ROOT / "years" / "2023", root / "years" / "2023")
    return root


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory):
    """A committed repository built once per test run: site/ without drafts, drafts/ with them (read it, never change it).

    Yields build_helpers.Built (the root and what each build printed). Tests that change anything work on a
    copy (build_helpers.copy_repo), whose cache makes their builds cheap. Under pytest-xdist the workers share
    one build: the first to need it builds it in the run's common temporary folder while holding a file lock.
    """
    from build_helpers import Built, make_repo, run

    def build(folder: Path) -> Built:
        root = make_repo(folder / "repo")
        plain, drafts = run(root), run(root, "--drafts", "--out", str(root / "drafts"))
        assert plain[0] == 0 and drafts[0] == 0, plain[1:] + drafts[1:]
        return Built(root, plain[1], drafts[1])

    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process: nothing to share
        return build(tmp_path_factory.mktemp("built"))
    shared = tmp_path_factory.getbasetemp().parent / "built"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when a worker dies
        printed = shared / "printed.json"
        if not printed.exists():
            if shared.exists():  # a worker died while building: start again
                shutil.rmtree(shared)
            built = build(shared)
            printed.write_text(json.dumps([built.plain, built.drafts]), encoding="utf-8")
        plain, drafts = json.loads(printed.read_text(encoding="utf-8"))
    return Built(shared / "repo", plain, drafts)
