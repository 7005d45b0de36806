"""Red-team of the build: predecessors, interrupted builds and their PDF workers."""

from __future__ import annotations

import contextlib
import os
import select
import signal
from pathlib import Path

import pytest

from tests.build_helpers import INPUTS, leftovers, make_repo
from tests.processes import pool_workers, start_paused

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("step", ["validating", "rendering"])
def test_ctrl_c_at_a_terminal_stops_the_build_without_a_traceback_from_its_workers(tmp_path, step):
    # Ctrl-C reaches the whole process group: each PDF worker printed a KeyboardInterrupt traceback of its own.
    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, step, "--jobs", "2", own_group=True)
    workers = pool_workers(build.pid)
    handles = [os.pidfd_open(pid) for pid in workers]
    try:
        assert workers, "the build started no PDF worker before this step"
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate()
        assert (build.returncode, out, err) == (130, "", "interrupted\n")
        for handle in handles:  # readable once that process has ended; the timeout only guards against a hang
            assert select.select([handle], [], [], 60)[0], "a worker outlived the build it belonged to"
        assert not (repo / "site").exists() and leftovers(repo) == []
    finally:
        os.close(resume)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for handle in handles:
            os.close(handle)


@pytest.mark.slow
def test_ctrl_c_while_the_command_line_starts_is_a_clean_stop(tmp_path):
    # Building the parser imports every command (a good part of a second): Ctrl-C then printed a traceback.
    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, "starting", "--jobs", "2", own_group=True)
    try:
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate()
        assert (build.returncode, out, err) == (130, "", "interrupted\n")
        assert sorted(p.name for p in repo.iterdir()) == [".git", *sorted(INPUTS)]
    finally:
        os.close(resume)


@pytest.mark.slow
def test_ctrl_c_while_build_py_imports_the_command_line_is_a_clean_stop(tmp_path):
    # Importing the command line takes a fifth of a second before main() can catch anything: a traceback then.
    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, "importing", "--jobs", "2", own_group=True)
    try:
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate()
        assert (build.returncode, out, err) == (130, "", "interrupted\n")
    finally:
        os.close(resume)
