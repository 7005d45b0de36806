"""Interrupted and concurrent builds: a second build waits or refuses; a build killed at any step is repaired.

Each build runs as a real process, stopped at an exact step by the fault points (contract/output/faults.py).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import ROOT, copy_repo, edit_style, leftovers, make_repo, run, run_process, tree
from processes import SWALLOW, children, hooked, start_paused


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


# ---------------------------------------------------------------- two builds at once


def test_a_second_build_waits_for_the_first_or_refuses_with_no_wait(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    edit_style(repo)
    first, resume = start_paused(repo, "locked")  # holds the lock of site/
    refused = run_process(repo, "--no-wait")
    assert refused.returncode == 2
    assert refused.stdout == (
        f"{repo / 'site'}: error: another build is writing this output folder (process {first.pid}) "
        "(wait for it to finish, or run again without --no-wait to wait for it)\n"
    )
    waiting = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo)],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert (
        waiting.stderr.readline()
        == f"waiting for another build that is writing {repo / 'site'} (process {first.pid}) to finish\n"
    )
    os.close(resume)
    out, err = first.communicate()
    assert first.returncode == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused"), out + err
    out, err = waiting.communicate()
    # The second build ran after the first had finished, and found its complete output.
    assert waiting.returncode == 0 and out.startswith("nothing changed since the last build of 2023;"), out + err
    assert "edited by a test" in (repo / "site" / "sv" / "kk.css").read_text(encoding="utf-8")
    assert leftovers(repo) == []


# ---------------------------------------------------------------- killed builds


@pytest.fixture(scope="module")
def styled(built_repo, tmp_path_factory) -> dict[str, str]:
    """The site the built repository gives after edit_style: what a completed build after the edit publishes."""
    repo = copy_repo(built_repo.root, tmp_path_factory.mktemp("styled") / "repo")
    edit_style(repo)
    assert run(repo)[0] == 0
    return tree(repo / "site")


STAGING_LEFT = "removed .site.staging/ left by an interrupted build"
KILLS = [  # step, two renames instead of one exchange, site/ right after the kill, notes of the next build
    ("locked", False, "old", []),
    ("rendering", False, "old", [STAGING_LEFT]),
    ("staged", False, "old", [STAGING_LEFT]),
    ("swap-exchanged", False, "new", [STAGING_LEFT]),  # the staging folder holds the old site now
    ("swap-done", False, "new", []),
    ("stamped", False, "new", []),
    ("swap-moved-old", True, None, ["restored site/ from before an interrupted build", STAGING_LEFT]),
    ("swap-moved-new", True, "new", ["removed .site.old/ left by an interrupted build"]),
    ("swap-done", True, "new", []),
]


@pytest.mark.slow
@pytest.mark.parametrize("step, renames, right_after, notes", KILLS)
def test_a_build_killed_at_any_step_of_the_swap_is_repaired_by_the_next(
    built_repo, styled, tmp_path, step, renames, right_after, notes
):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    old = tree(repo / "site")
    edit_style(repo)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": f"kill:{step}"}
    if renames:
        env["KLIMATKONTRAKT_NO_EXCHANGE"] = "1"
    killed = run_process(repo, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    site = repo / "site"
    assert {"old": old, "new": styled, None: None}[right_after] == (tree(site) if site.exists() else None)
    code, out, err = run(repo)
    assert code == 0, out + err
    assert err.splitlines() == [f"{site}: note: {note}" for note in notes]
    assert out.startswith("nothing changed" if step == "stamped" else "built 2023: site, 0 PDFs rendered, 2 reused")
    assert tree(site) == styled and leftovers(repo) == []


@pytest.mark.slow
def test_the_workers_of_a_killed_build_die_with_it(repo):
    build, resume = start_paused(
        repo, "rendering", "--jobs", "3"
    )  # nothing cached: two workers render while the build makes the site
    workers = children(build.pid)  # the two workers, and multiprocessing's resource tracker
    handles = [os.pidfd_open(pid) for pid in workers]
    try:
        assert sum(b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers) == 2
        os.kill(build.pid, signal.SIGKILL)
        build.wait()  # not communicate(): a surviving worker would keep the output pipes open
        for handle in handles:  # readable once that process has ended; the timeout only guards against a hang
            assert select.select([handle], [], [], 60)[0], "a worker outlived the build it belonged to"
    finally:
        os.close(resume)
        build.stdout.close()
        build.stderr.close()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for handle in handles:
            os.close(handle)


def _workers_at_rendering(repo: Path) -> list[int]:
    """Run a build of repo until its PDFs are handed to the workers; return its child processes there, then kill it."""
    build, resume = start_paused(repo, "rendering", "--jobs", "3")
    try:
        return children(build.pid)
    finally:
        build.kill()  # its workers die with it (PR_SET_PDEATHSIG): test_the_workers_of_a_killed_build_die_with_it
        build.communicate()
        os.close(resume)


@pytest.mark.slow
def test_a_build_with_every_pdf_in_its_cache_starts_no_worker_and_an_edit_starts_them(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    edit_style(repo)  # the site changes, no PDF does: spawning workers would cost a second of CPU for nothing
    assert _workers_at_rendering(repo) == []
    clause = repo / "years" / "2024" / "clause.yaml"  # the draft: the signed 2023 may not be edited
    clause.write_text(clause.read_text(encoding="utf-8").replace("Parterna", "Parterna ", 1), encoding="utf-8")
    assert len(_workers_at_rendering(repo)) >= 2  # a PDF's input may have changed: the workers start before validation


# ---------------------------------------------------------------- a Ctrl-C that Python swallowed


@pytest.mark.slow
@pytest.mark.parametrize("where", ["gather", "build_site"])
def test_a_ctrl_c_python_swallowed_in_a_finalizer_still_stops_the_build(repo, tmp_path, where):
    # DEFECT: a Ctrl-C whose KeyboardInterrupt Python discarded (it landed while a garbage-collected font file was
    # closed) went unnoticed. The build went on to its end; or, waiting for a PDF, for ever (seen in a red-team test).
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN=where)
    stopped = run_process(repo, "--jobs", "3", env=env)
    assert (stopped.returncode, stopped.stdout) == (130, ""), stopped.stdout + stopped.stderr
    assert stopped.stderr == "swallowed KeyboardInterrupt\ninterrupted\n"  # the hook ran, and the build said so
    assert not (repo / "site").exists() and leftovers(repo) == []
