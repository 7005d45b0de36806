"""Shared test fixtures: the repository root, a scratch copy of it, and golden-file handling."""

from __future__ import annotations

import fcntl
import gc
import importlib
import json
import os
import pkgutil
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import contract
from contract import collector

ROOT = Path(__file__).resolve().parents[1]

# The tests start hundreds of Python processes (builds, CLI runs, PDF workers). Where the machine sets
# PYTHONDONTWRITEBYTECODE, each compiled every module of the package anew (about 0.25 s of CPU per process);
# the suite lets Python keep compiled modules in __pycache__ (git ignores it), as a user's Python does.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# A test process holds a large heap (pytest's, Hypothesis', the loaded versions): with Python's default thresholds the
# cycle collector ran 1,949 times (1.2 s, measured with gc.callbacks) in one worker running four modules, against 52
# times (0.8 s) with these. The commands the tests run in this process use the same thresholds (contract.collector).
gc.set_threshold(*collector.THRESHOLDS)


# Modules whose every test renders PDFs, signs with a test PKI, builds a whole site or drives Chromium:
# left out of the fast lane (-m "not slow") as a whole. Other slow tests carry @pytest.mark.slow themselves.
SLOW_MODULES = {"test_site_browser", "test_sign", "test_pdf", "test_diff_pdf", "test_site_cycle"}
# Red teams 39-41 drive the yearly cycle's commands whole (copies of the repository, git, processes killed and
# raced with hooks and strace): about 40 s of the fast lane, which must stay under a minute on 2 cores.
SLOW_MODULES |= {"test_redteam_session39", "test_redteam_session40", "test_redteam_session41", "test_new_year"}
SLOW_MODULES |= {"test_redteam_session42"}
SLOW_MODULES |= {"test_redteam_session25"}  # serve processes stopped at each import: 10 s of the fast lane


# Fixtures that build a whole site (MkDocs, Pagefind) or render a PDF: every test that uses one is slow.
SLOW_FIXTURES = {"built", "tampered", "built_repo", "test_site", "unsigned_2023_sv", "readers", "browser"}
SLOW_FIXTURES |= {"draft_2024_sv"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
    # No order of modules is set here: pytest-xdist hands them out by its own (most tests first), and measured
    # orders (longest first, from each module's seconds in an earlier run) did not shorten the suite here.


@pytest.fixture(scope="session", autouse=True)
def _every_module_imported() -> None:
    """Import the whole package before the first test of each test process.

    A module imported for the first time while a test has patched a function it binds by name (`from x import f`)
    keeps the patched function for the rest of the process: later tests then failed only in some orders (-n 0).
    """
    for module in pkgutil.walk_packages(contract.__path__, "contract."):
        if not module.name.endswith(".__main__"):  # runs the command line
            importlib.import_module(module.name)


@pytest.fixture(autouse=True)
def _signals_as_at_a_terminal():
    """Run each test with Ctrl-C and SIGTERM as at a terminal, however pytest was started.

    A test runner started in the background (a script's `cmd &`) ignores Ctrl-C, and the commands keep an ignored
    signal ignored (interrupts): the tests that stop a command in this process would test nothing there.
    """
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    for number, handler in zip((signal.SIGINT, signal.SIGTERM), before, strict=True):
        if handler is not None:  # None: set outside Python, which cannot put it back
            signal.signal(number, handler)


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


def once_per_run(tmp_path_factory, name: str, make) -> Path:
    """Return a folder that make(folder) fills once per test run, shared by the pytest-xdist workers.

    The first worker to need it makes it in the run's common temporary folder while holding a file lock;
    the others wait for that and read it. Such a folder is read-only: tests copy what they change.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process: nothing to share
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    folder = tmp_path_factory.getbasetemp().parent / name
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when a worker dies
        done = folder.with_suffix(".done")
        if not done.exists():
            if folder.exists():  # a worker died while making it: start again
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory):
    """A committed repository built once per test run: site/ without drafts, drafts/ with them (read it, never change it).

    Yields build_helpers.Built (the root and what each build printed). Tests that change anything work on a
    copy (build_helpers.copy_repo), whose cache makes their builds cheap.
    """
    from build_helpers import Built, make_repo, run

    def build(folder: Path) -> None:
        root = make_repo(folder / "repo")
        plain, drafts = run(root), run(root, "--drafts", "--out", str(root / "drafts"))
        assert plain[0] == 0 and drafts[0] == 0, plain[1:] + drafts[1:]
        (folder / "printed.json").write_text(json.dumps([plain[1], drafts[1]]), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, "built", build)
    plain, drafts = json.loads((folder / "printed.json").read_text(encoding="utf-8"))
    return Built(folder / "repo", plain, drafts)


@pytest.fixture(scope="session")
def test_site(tmp_path_factory):
    """The site of a scratch repository (2023 signed, a draft 2024) built with drafts, once per run (read it only).

    Yields site_helpers.Built: the repository, the site folder, the commit and the loaded versions.
    """
    from site_helpers import build_test_site

    return _built_site(once_per_run(tmp_path_factory, "test-site", build_test_site))


@pytest.fixture(scope="session")
def unsigned_2023_sv(tmp_path_factory) -> Path:
    """Version 2023's Swedish PDF as `klimatkontrakt pdf` makes it, rendered once per run for the signing tests (read it only)."""
    return _rendered_once(tmp_path_factory, "2023")


@pytest.fixture(scope="session")
def draft_2024_sv(tmp_path_factory) -> Path:
    """Version 2024's Swedish PDF (a draft), as `klimatkontrakt pdf` makes it, rendered once per run (read it only)."""
    return _rendered_once(tmp_path_factory, "2024")


def _rendered_once(tmp_path_factory, version: str) -> Path:
    """Render a version's Swedish PDF of the repository once per run, with a fixed provenance."""
    from contract import pdf
    from contract.source.load import load
    from contract.source.provenance import Source

    source = Source(commit="abc1234", date="2023-12-08", timestamp=1702029600, dirty=False)

    def render(folder: Path) -> None:
        (folder / "kontrakt.pdf").write_bytes(pdf.render_pdf(load(ROOT, version), "sv", source))

    name = "unsigned-2023-sv" if version == "2023" else f"draft-{version}-sv"
    return once_per_run(tmp_path_factory, name, render) / "kontrakt.pdf"


@pytest.fixture(scope="session")
def readers(tmp_path_factory):
    """The readers' site (readers_site.py: 2023 and a 2024 draft with several kinds of change), built once per run.

    Yields site_helpers.Built; several test modules read it, so the pytest-xdist workers share one build (read it only).
    """
    from readers_site import build_readers_site

    return _built_site(once_per_run(tmp_path_factory, "readers-site", build_readers_site))


@pytest.fixture(scope="module")
def readers_base(readers):
    """The readers' site served as GitHub Pages would, for one test module; yields its base URL."""
    from readers_site import serve_like_pages

    with serve_like_pages(readers.out) as url:
        yield url


def _built_site(folder: Path):
    """Return a site built once per run in folder (repo/ and site/) as site_helpers.Built, its versions loaded."""
    from site_helpers import Built

    from contract.build.run import gather

    root = folder / "repo"
    commit = subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    return Built(root, folder / "site", commit, gather(root, drafts=True)[0])


@pytest.fixture(scope="module")  # one Playwright at a time in a process: each module starts (and stops) its own
def browser():
    """Debian's Chromium driven by Playwright."""
    from site_helpers import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def open_page(browser):
    """Open pages in fresh browser contexts, each returned once its load event has fired; close them after the test."""
    from site_helpers import DESKTOP, Page

    opened = []

    def start(url: str, viewport=DESKTOP, **options):
        page = Page(browser, viewport, **options)
        opened.append(page)
        page.open(url)
        return page

    yield start
    for page in opened:
        page.close()
