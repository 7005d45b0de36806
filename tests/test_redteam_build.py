"""Red-team of the build: predecessors, interrupted builds and their PDF workers."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.build_helpers import INPUTS, leftovers, make_repo

ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    """Return the processes whose parent is pid (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _at_a_terminal() -> None:
    """Run the build as a terminal would: default SIGINT, and a process group of its own that Ctrl-C reaches whole."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setpgrp()


def _start_paused(repo: Path, step: str) -> tuple[subprocess.Popen, int]:
    """Start python build.py in its own process group, paused at step; return it and the fd that lets it go on."""
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": f"pause:{step}:{arrived_w}:{resume_r}"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "2"],
        cwd=repo,
        env=env,
        pass_fds=(arrived_w, resume_r),
        preexec_fn=_at_a_terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(arrived_w)
    os.close(resume_r)
    ready, _, _ = select.select([arrived_r], [], [], 300)  # the timeout only guards against a hang
    arrived = os.read(arrived_r, 1) if ready else b""
    os.close(arrived_r)
    if arrived != b"x":
        process.kill()
        pytest.fail(f"the build did not reach {step}: {process.communicate()}")
    return process, resume_w


@pytest.mark.slow
@pytest.mark.parametrize("step", ["validating", "rendering"])
def test_ctrl_c_at_a_terminal_stops_the_build_without_a_traceback_from_its_workers(tmp_path, step):
    # Ctrl-C reaches the whole process group: each PDF worker printed a KeyboardInterrupt traceback of its own.
    repo = make_repo(tmp_path / "repo")
    build, resume = _start_paused(repo, step)
    workers = [pid for pid in _children(build.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
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
    build, resume = _start_paused(repo, "starting")
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
    build, resume = _start_paused(repo, "importing")
    try:
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate()
        assert (build.returncode, out, err) == (130, "", "interrupted\n")
    finally:
        os.close(resume)
