"""Red team 51: lock --pdf's bounded reader, the build's PDF worker pool stopping, and .ci/install's pick_python.

Each test says what a user (or an attacker) would expect. Tests that fail on the current code are defects; the
others are attacks that held, kept as regression tests. Process-level tests run on sys.executable, so they run on
whichever Python runs pytest (pyenv's 3.11.7 or Debian 12's 3.11.2).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_lock_signed_pdfs
from build_helpers import leftovers, make_repo
from processes import no_stray, pool_workers, start_paused

ROOT = Path(__file__).resolve().parents[1]
root = test_lock_signed_pdfs.root  # a scratch copy of years/ and schema/ (fixture by assignment, not import)
HANG_GUARD = 120  # seconds: only so that a hang fails the test instead of the run; never an assertion on time


def _snapshot(repo: Path) -> dict[str, bytes]:
    """Every file of version 2023's folder (a refused lock leaves them byte-identical and adds no temporary file)."""
    folder = repo / "years" / "2023"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _lock(repo: Path, *argv: str, **kwargs) -> tuple[int | None, str]:
    """Run `python -m contract --root REPO lock ARGV` in its own process; None as exit code when it hung."""
    process = subprocess.Popen(
        [sys.executable, "-m", "contract", "--root", str(repo), "lock", *map(str, argv)],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
        **kwargs,
    )
    try:
        out, _ = process.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        return None, out
    return process.returncode, out


# ================================================================== 1. lock --pdf (and its --trust)


@pytest.mark.slow
def test_lock_refuses_a_pipe_given_as_its_trust_anchor_instead_of_waiting_for_ever(root, tmp_path):
    """`lock 2023 --trust CA.pem` where CA.pem is a FIFO (a process substitution, a mistyped path to a pipe):
    --pdf files go through the bounded reader, but --trust goes through cli/pdf.py's _read, which checks only the
    size (0 for a pipe) and then opens the pipe, which blocks for ever without a writer.
    Expected: a one-line error naming the pipe, exit 1 or 2, nothing written. Actual: lock hangs."""
    pipe = tmp_path / "ca.pem"
    os.mkfifo(pipe)
    before = _snapshot(root)
    code, out = _lock(root, "2023", "--trust", pipe)
    assert code is not None, f"lock --trust PIPE hung (killed after {HANG_GUARD} s): {out!r}"
    assert code in (1, 2), out
    assert f"{pipe}: error:" in out and "Traceback" not in out, out
    assert _snapshot(root) == before


@pytest.mark.slow
@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="/proc/kmsg is readable only by root")
def test_lock_refuses_a_proc_file_whose_read_never_ends(root):
    """/proc/kmsg is a 'regular empty file' (st_size 0) whose read blocks until the kernel logs something: the
    stat-then-open check passes it and read() waits for ever (and, if the kernel logs, consumes the kernel's log).
    The same stat-then-open gap lets a path swapped for a FIFO after the stat block the open.
    Expected: refused (e.g. opened O_NONBLOCK and fstat-ed), a one-line error, exit 1. Actual: lock hangs."""
    before = _snapshot(root)
    code, out = _lock(root, "2023", "--pdf", "/proc/kmsg")
    assert code is not None, f"lock --pdf /proc/kmsg hung (killed after {HANG_GUARD} s): {out!r}"
    assert code == 1 and "/proc/kmsg: error:" in out and "Traceback" not in out, out
    assert _snapshot(root) == before


@pytest.mark.slow
def test_lock_names_every_unreadable_pdf_at_once_without_reading_it(root, tmp_path):
    """Held: a FIFO (given twice), a symlink to it, a folder, /dev/zero, /dev/stdin (a pipe whose writer stays
    open), a sparse 257 MiB file, a symlink to it, a missing file with a line break in its name, and /proc/self/status
    (st_size 0, some content: read and found not a PDF) are each named on one line; exit 1; nothing written."""
    pipe, folder, big = tmp_path / "pipe.pdf", tmp_path / "folder.pdf", tmp_path / "big.pdf"
    os.mkfifo(pipe)
    folder.mkdir()
    with big.open("wb") as file:
        file.truncate(257 * 2**20)  # sparse: no disk used
    (tmp_path / "to-pipe.pdf").symlink_to(pipe)
    (tmp_path / "to-big.pdf").symlink_to(big)
    odd = tmp_path / "a\nb.pdf"
    given = [pipe, tmp_path / "to-pipe.pdf", folder, "/dev/zero", "/dev/stdin", big, tmp_path / "to-big.pdf", odd]
    argv = ["2023"] + [a for p in [*given, pipe, "/proc/self/status"] for a in ("--pdf", p)]
    read_end, write_end = os.pipe()
    before = _snapshot(root)
    try:
        code, out = _lock(root, *argv, stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert code == 1, out
    assert "Traceback" not in out
    lines = out.splitlines()
    for path in [*given[:-1], tmp_path / "a\\nb.pdf", "/proc/self/status"]:
        assert sum(line.startswith(f"{path}: error: ") for line in lines) == 1, (path, out)
    assert all(": error: " in line for line in lines), out  # one line per problem, no line broken by a name
    assert _snapshot(root) == before


# ================================================================== 2. the build's PDF worker pool


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def _wchan(pid: int | str) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/wchan").read_text()
    return ""


def _finish(build: subprocess.Popen) -> tuple[int | None, str, str]:
    """Wait for a build; None as exit code when it hung (then Ctrl-C, and if need be SIGKILL, end it)."""
    try:
        out, err = build.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGINT)
        try:
            out, err = build.communicate(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(build.pid, signal.SIGKILL)
            out, err = build.communicate()
        return None, out, err
    return build.returncode, out, err


@pytest.mark.slow
def test_a_worker_killed_while_it_hands_a_pdf_back_fails_the_build_instead_of_hanging_it(repo):
    """The OOM killer kills a worker as it writes a PDF back (a PDF is larger than a pipe holds, so the write takes
    several steps). Here: the build is stopped (SIGSTOP) at 'rendering' so the result pipe fills, a worker blocked
    in its write to that pipe is SIGKILLed, and the build is continued. Presumably the pool's result thread has read
    part of the message and waits for the rest: the build's own process holds a writing end of the result pipe
    (pointed at /dev/null only by stop(), which nothing calls since nothing failed), so that read never ends.
    Expected: exit 1 with the 'a process rendering the PDFs stopped' error, no stray worker, nothing published.
    Actual (pyenv 3.11.7 and Debian 3.11.2): the build waits for ever (a Ctrl-C then stops it, exit 130)."""
    build, resume = start_paused(repo, "rendering", "--jobs", "3", "--drafts", own_group=True)
    workers = pool_workers(build.pid)
    victim = None
    os.kill(build.pid, signal.SIGSTOP)
    try:
        os.close(resume)  # takes effect once the build continues
        deadline = time.monotonic() + HANG_GUARD  # a hang guard for the polling loop, not an assertion
        while victim is None and time.monotonic() < deadline:
            victim = next((w for w in workers if _wchan(w) in ("pipe_write", "anon_pipe_write")), None)
        if victim is not None:
            os.kill(victim, signal.SIGKILL)
    finally:
        os.kill(build.pid, signal.SIGCONT)
    if victim is None:
        _finish(build)
        pytest.skip("no worker was seen writing to a pipe (/proc/PID/wchan says otherwise on this kernel)")
    code, out, err = _finish(build)
    assert code is not None, f"the build hung after a worker was killed mid-result: {out!r} {err!r}"
    assert (code, err) == (1, ""), out + err
    assert out.startswith("klimatkontrakt: error: a process rendering the PDFs stopped before it had finished"), out
    assert "Traceback" not in out and "internal error" not in out
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "action", "code"),
    [
        ("staged", "ctrl-c-with-a-stopped-worker", 130),  # every PDF in staging, one worker SIGSTOPped
        ("rendering", "sigterm-to-the-group-with-stopped-workers", 143),
    ],
)
def test_a_signal_with_stopped_workers_stops_a_drafts_build_cleanly(repo, step, action, code):
    """Held (both Pythons; also SIGINT/SIGTERM/SIGKILL of one or all workers at validating, rendering, staged)."""
    build, resume = start_paused(repo, step, "--jobs", "3", "--drafts", own_group=True)
    try:
        workers = pool_workers(build.pid)
        assert len(workers) == 2, workers
        if action.startswith("ctrl-c"):
            os.kill(workers[0], signal.SIGSTOP)
            os.killpg(build.pid, signal.SIGINT)
        else:
            for pid in workers:
                os.kill(pid, signal.SIGSTOP)
            os.killpg(build.pid, signal.SIGTERM)
    finally:
        os.close(resume)
    got, out, err = _finish(build)
    assert (got, out, err) == (code, "", "interrupted\n")
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


@pytest.mark.slow
def test_a_draft_that_turns_into_a_pipe_fails_the_build_after_its_workers_started(repo):
    """Held: years/2024/purpose.yaml is a FIFO; the build with --drafts has started its workers when it finds it."""
    target = repo / "years" / "2024" / "purpose.yaml"
    target.unlink()
    os.mkfifo(target)
    build, resume = start_paused(repo, "validating", "--jobs", "3", "--drafts", own_group=True)
    workers = pool_workers(build.pid)
    os.close(resume)
    code, out, err = _finish(build)
    assert (code, err) == (1, ""), out + err
    assert out.startswith("years/2024/purpose.yaml:1:1: error: this is not a file but a pipe"), out
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


@pytest.mark.slow
def test_workers_killed_while_the_build_writes_them_a_job_fail_the_build(repo):
    """Held (both Pythons): at 'rendering', once a thread of the build is blocked writing a job into the job pipe
    (a job is larger than a pipe holds; the workers are busy), every worker is SIGKILLed: exit 1, the clear error."""
    build, resume = start_paused(repo, "rendering", "--jobs", "3", "--drafts", own_group=True)
    workers = pool_workers(build.pid)
    try:
        deadline = time.monotonic() + HANG_GUARD  # a hang guard for the polling loop, not an assertion
        writing = False
        while not writing and time.monotonic() < deadline:
            writing = any(
                "pipe_write" in _wchan(f"{build.pid}/task/{t}") for t in os.listdir(f"/proc/{build.pid}/task")
            )
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(resume)
    code, out, err = _finish(build)
    assert (code, err) == (1, ""), out + err
    assert out.startswith("klimatkontrakt: error: a process rendering the PDFs stopped"), out
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


@pytest.mark.slow
def test_a_second_build_waits_for_a_first_whose_worker_is_killed_and_then_builds(repo):
    """Held: a build whose worker is SIGKILLed at 'rendering' fails (exit 1) while a second build of the same
    repository (same cache) waits for it, then builds the site; nothing is left over."""
    first, resume = start_paused(repo, "rendering", "--jobs", "3", "--drafts", own_group=True)
    workers = pool_workers(first.pid)
    second = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "3", "--drafts"],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        os.kill(workers[0], signal.SIGKILL)
    finally:
        os.close(resume)
    code, out, err = _finish(first)
    assert (code, err) == (1, ""), out + err
    assert out.startswith("klimatkontrakt: error: a process rendering the PDFs stopped"), out
    code, out, err = _finish(second)
    assert code == 0, out + err
    assert "Traceback" not in out + err
    assert (repo / "site").is_dir() and leftovers(repo) == []
    no_stray(workers)


# ================================================================== 3. .ci/install's pick_python


def _pick_python(tmp_path: Path, system: str, path: list[Path]) -> str:
    """Run .ci/install's pick_python with /usr/bin/python3 replaced by system and PATH by path; return its stdout."""
    script = (ROOT / ".ci" / "install").read_text(encoding="utf-8")
    function = re.search(r"^pick_python\(\) \{\n.*?^\}\n", script, re.M | re.S)
    assert function is not None and "/usr/bin/python3" in function.group(0), "pick_python is no longer as tested"
    code = function.group(0).replace("/usr/bin/python3", '"$SYSTEM_PY"', 1)
    shell = tmp_path / "pick.sh"
    shell.write_text(f"set -euo pipefail\n{code}\npicked=$(pick_python)\nprintf '%s' \"$picked\"\n")
    env = {"PATH": os.pathsep.join(map(str, path)), "SYSTEM_PY": system}
    done = subprocess.run(
        ["/bin/bash", str(shell)], env=env, capture_output=True, text=True, timeout=HANG_GUARD, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _fake(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return program


def test_pick_python_prints_only_the_path_it_picked(tmp_path):
    """A python3 that writes to stdout as it starts (a pyenv shim's warning, a sitecustomize or .pth that prints)
    and is too old: pick_python runs each candidate inside $(...) with only stderr silenced, so the candidate's
    output becomes part of $python. Expected: the path of the good Python alone. Actual: the text, a line break, then
    the path ('"$python" -m venv' then fails with 'No such file or directory' on the joined text); with no good
    Python at all, the text alone is taken for a Python and the clear 'needs Python 3.11' message never shows."""
    old = _fake(tmp_path / "old", "python3", "echo 'pyenv: python3 3.10.4 selected by PYENV_VERSION'\nexit 1")
    good = _fake(tmp_path / "good dir", "python", f'exec "{sys.executable}" "$@"')
    assert _pick_python(tmp_path, str(old), [tmp_path / "old", tmp_path / "good dir", Path("/bin")]) == str(good)
    assert _pick_python(tmp_path, "/nonexistent/python3", [tmp_path / "old", Path("/bin")]) == ""


def test_pick_python_does_not_pick_a_program_that_is_not_python(tmp_path):
    """A 'python3' that exits 0 whatever it is asked (a stub, a wrapper of another tool, /bin/true linked as
    python3): only the exit status is checked, so it is picked and '"$python" -m venv .venv' does nothing, after
    which '.venv/bin/python -m pip' fails with 'No such file or directory'. Expected: a candidate counts only when it
    shows it is Python 3.11 or later (e.g. prints its version), so the real Python later on the PATH is picked."""
    _fake(tmp_path / "stub", "python3", "exit 0")
    good = _fake(tmp_path / "good", "python", f'exec "{sys.executable}" "$@"')
    assert _pick_python(tmp_path, "/nonexistent/python3", [tmp_path / "stub", tmp_path / "good"]) == str(good)


def test_pick_python_skips_what_cannot_run_and_takes_paths_with_spaces(tmp_path):
    """Held: a folder named python3 on the PATH, a python3 that fails with errors on stderr (a broken shim), a
    Python 3.10 (exits 1 for the check), a missing system Python: skipped; a path with spaces is given whole."""
    (tmp_path / "dir" / "python3").mkdir(parents=True)
    _fake(tmp_path / "broken", "python3", "echo 'pyenv: python3: command not found' >&2\nexit 127")
    old = _fake(tmp_path / "old", "python3", "exit 1")
    good = _fake(tmp_path / "with space", "python", f'exec "{sys.executable}" "$@"')
    folders = [tmp_path / "dir", tmp_path / "broken", tmp_path / "with space"]
    assert _pick_python(tmp_path, str(old), folders) == str(good)
    assert _pick_python(tmp_path, "/nonexistent/python3", [tmp_path / "old", tmp_path / "dir"]) == ""
    system = _fake(tmp_path / "system", "python3", f'exec "{sys.executable}" "$@"')
    assert _pick_python(tmp_path, str(system), folders) == str(system)  # the system's own Python comes first
