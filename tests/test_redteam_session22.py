"""Red team 22: stopping a command with Ctrl-C or SIGTERM (swallowed or not), and PDF workers killed mid-build."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from build_helpers import ROOT, leftovers, make_repo, run_process
from processes import SWALLOW, hooked, no_stray, pool_workers, start_paused


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def _command(repo: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    """Run python -m contract ARGV --root repo as a terminal would (default Ctrl-C)."""
    return subprocess.run(
        [sys.executable, "-m", "contract", *argv, "--root", str(repo)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


# ---------------------------------------------------------------- a swallowed signal in commands other than build


# DEFECT: only the build calls interrupts.check(); validate runs to its end and exits 0 after a swallowed Ctrl-C/SIGTERM.
@pytest.mark.slow
@pytest.mark.parametrize(("sent", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_python_swallowed_during_validate_stops_it(repo, tmp_path, sent, code):
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN="validate", SWALLOW_SIGNAL=sent)
    stopped = _command(repo, env, "validate")
    assert stopped.stderr.startswith(f"swallowed {'Terminated' if sent == 'SIGTERM' else 'KeyboardInterrupt'}\n")
    assert (stopped.returncode, stopped.stderr.splitlines()[-1]) == (code, "interrupted"), stopped.stderr


# DEFECT: `klimatkontrakt site` never calls interrupts.check(): after a swallowed Ctrl-C it writes the whole site
# into site/ in place and exits 0, as if nobody had pressed Ctrl-C.
@pytest.mark.slow
def test_a_ctrl_c_python_swallowed_during_the_site_command_stops_it(repo, tmp_path):
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN="build_site")
    stopped = _command(repo, env, "site")
    assert stopped.stderr.startswith("swallowed KeyboardInterrupt\n")
    assert (stopped.returncode, stopped.stderr.splitlines()[-1]) == (130, "interrupted"), stopped.stderr


@pytest.mark.slow
def test_a_sigterm_python_swallowed_while_the_build_makes_the_site_stops_it_as_sigterm(repo, tmp_path):
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN="build_site", SWALLOW_SIGNAL="SIGTERM")
    stopped = run_process(repo, "--jobs", "2", env=env)
    assert (stopped.returncode, stopped.stdout) == (143, ""), stopped.stdout + stopped.stderr
    assert stopped.stderr == "swallowed Terminated\ninterrupted\n"
    assert not (repo / "site").exists() and leftovers(repo) == []


# ---------------------------------------------------------------- a Ctrl-C as the command ends

# Ctrl-C while the command puts the signal handlers back (interrupts.handling's finally), i.e. as it ends.
_CTRL_C_AS_HANDLERS_ARE_RESTORED = """
import os, signal, threading

_real = signal.signal

def _restoring(number, handler):
    if number == signal.SIGINT and getattr(handler, "__name__", "") != "_stop" and os.environ.pop("ONCE", None):
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # still the command's handler: it raises KeyboardInterrupt here
        for _ in range(1000):
            pass
    return _real(number, handler)

signal.signal = _restoring
"""


# DEFECT: a KeyboardInterrupt raised in interrupts.handling()'s finally (Ctrl-C just as a command ends, while its
# handlers are put back) is outside every `except KeyboardInterrupt` of main(): the user sees a traceback, exit 1.
@pytest.mark.slow
def test_a_ctrl_c_as_the_command_ends_is_no_traceback(repo, tmp_path):
    env = hooked(tmp_path, _CTRL_C_AS_HANDLERS_ARE_RESTORED, ONCE="1")
    stopped = _command(repo, env, "versions")
    assert "Traceback" not in stopped.stderr, stopped.stderr
    assert stopped.returncode in (0, 130), stopped.stderr


# ---------------------------------------------------------------- killed and stopped workers


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "which", "args"),
    [
        ("validating", 0, ()),  # before it rendered anything: it is still loading Typst
        ("rendering", -1, ("--drafts",)),  # the second worker; several versions, a redline among the PDFs
    ],
)
def test_a_killed_worker_is_a_clear_error_and_the_next_build_succeeds(repo, step, which, args):
    build, resume = start_paused(repo, step, "--jobs", "3", *args)
    try:
        workers = pool_workers(build.pid)
        assert len(workers) == 2, workers
        os.kill(workers[which], signal.SIGKILL)
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert (build.returncode, err) == (1, ""), out + err
    assert out.startswith("klimatkontrakt: error: a process rendering the PDFs stopped before it had finished")
    assert "internal error" not in out and "Traceback" not in out
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)
    again = run_process(repo, "--jobs", "2", *args)
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.slow
def test_a_build_whose_worker_is_stopped_still_stops_on_ctrl_c(repo):
    build, resume = start_paused(repo, "rendering", "--jobs", "3")
    try:
        workers = pool_workers(build.pid)
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)  # a worker that never answers (stopped, swapped out)
        os.kill(build.pid, signal.SIGINT)
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert (build.returncode, out, err) == (130, "", "interrupted\n")
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


@pytest.mark.slow
def test_a_worker_killed_after_every_pdf_was_handed_back_loses_nothing(repo):
    build, resume = start_paused(repo, "staged", "--jobs", "3")  # every PDF is in staging; the workers idle
    try:
        workers = pool_workers(build.pid)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert "Traceback" not in out + err and "internal error" not in out + err
    if build.returncode == 0:  # nothing was lost: publishing is right
        assert (repo / "site").is_dir() and leftovers(repo) == []
    else:
        assert build.returncode == 1 and out.startswith("klimatkontrakt: error: a process rendering the PDFs")
        assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


# ---------------------------------------------------------------- swallowed and repeated signals in the build


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "args"),
    [
        ("build_site", ("--jobs", "1")),  # the PDFs render in a thread of the build meanwhile
        ("gather", ("--jobs", "1")),
    ],
)
def test_a_ctrl_c_python_swallowed_elsewhere_in_the_build_still_stops_it(repo, tmp_path, where, args):
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN=where)
    stopped = run_process(repo, *args, env=env)
    assert (stopped.returncode, stopped.stdout) == (130, ""), stopped.stdout + stopped.stderr
    assert stopped.stderr == "swallowed KeyboardInterrupt\ninterrupted\n"
    assert not (repo / "site").exists() and leftovers(repo) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second", "code"), [(signal.SIGTERM, signal.SIGINT, 143), (signal.SIGINT, signal.SIGINT, 130)]
)
def test_two_signals_in_a_row_stop_the_build_once_cleanly(repo, first, second, code):
    build, resume = start_paused(repo, "rendering", "--jobs", "3")
    try:
        workers = pool_workers(build.pid)
        os.kill(build.pid, first)
        os.kill(build.pid, second)
    finally:
        os.close(resume)
    out, err = build.communicate(timeout=600)
    assert (out, err) == ("", "interrupted\n") and build.returncode in (code, 130, 143)
    assert not (repo / "site").exists() and leftovers(repo) == []
    no_stray(workers)


# The second Ctrl-C of an impatient user lands as the interrupted build removes its staging folder.
_SECOND_CTRL_C_AT_CLEAN_UP = """
import os, shutil, signal, threading

_real = shutil.rmtree

def _removing(path, *args, **kwargs):
    if os.path.basename(str(path)) == ".site.staging" and os.environ.pop("ONCE", None):
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        for _ in range(1000):
            pass
    return _real(path, *args, **kwargs)

shutil.rmtree = _removing
"""


# DEFECT: the clean-up of an interrupted build (run.py's `finally: shutil.rmtree(staging, ...)`) is itself
# interruptible: a second Ctrl-C there stops the removal and leaves .site.staging/ (with every file staged so far).
@pytest.mark.slow
def test_a_second_ctrl_c_during_the_clean_up_leaves_nothing_behind(repo, tmp_path):
    env = hooked(tmp_path, _SECOND_CTRL_C_AT_CLEAN_UP, ONCE="1")
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    env["KLIMATKONTRAKT_FAULT"] = f"pause:rendering:{arrived_w}:{resume_r}"
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "1"],
        cwd=repo,
        env=env,
        pass_fds=(arrived_w, resume_r),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(arrived_w)
    os.close(resume_r)
    try:
        assert os.read(arrived_r, 1) == b"x"  # end of file instead if the build died before the step
        os.kill(build.pid, signal.SIGINT)  # the first Ctrl-C
    finally:
        os.close(arrived_r)
        os.close(resume_w)
    out, err = build.communicate(timeout=600)
    assert (build.returncode, out, err) == (130, "", "interrupted\n")
    assert not (repo / "site").exists() and leftovers(repo) == []


# ---------------------------------------------------------------- a signal while the build waits for another's lock


def _second_build(repo: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo)],
        cwd=repo,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigterm_while_waiting_for_another_builds_lock_stops_the_waiting_build_only(repo):
    first, resume = start_paused(repo, "locked")
    try:
        waiting = _second_build(repo, {**os.environ, "PYTHONPATH": str(ROOT)})
        assert waiting.stderr.readline().startswith("waiting for another build that is writing")
        waiting.terminate()
        out, err = waiting.communicate(timeout=600)
        assert (waiting.returncode, out, err) == (143, "", "interrupted\n")
    finally:
        os.close(resume)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    assert (repo / "site").is_dir() and leftovers(repo) == []


# Ctrl-C lands in a finalizer (Python discards its KeyboardInterrupt) as the build says it waits for the lock, just
# before it waits.
_SWALLOW_BEFORE_THE_LOCK_WAIT = """
import os, signal, sys, threading

sys.unraisablehook = lambda unraisable: sys.__stderr__.write(f"swallowed {unraisable.exc_type.__name__}\\n")

class _Collected:
    def __del__(self):
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        for _ in range(1000):
            pass

class _Stderr:
    def __getattr__(self, name):
        return getattr(sys.__stderr__, name)

    said = ""

    def write(self, text):
        written = sys.__stderr__.write(text)
        self.said += text
        if self.said.startswith("waiting for another build") and self.said.endswith("\\n"):  # the whole line
            self.said = "-"
            sys.__stderr__.flush()
            _Collected()
        return written

sys.stderr = _Stderr()
"""


# DEFECT: guard._lock waited in one blocking flock: a Ctrl-C swallowed just before the wait was noticed only when
# the other build had finished (minutes later, or never if that one hangs).
@pytest.mark.slow
def test_a_ctrl_c_swallowed_before_the_lock_wait_does_not_wait_for_the_other_build(repo, tmp_path):
    first, resume = start_paused(repo, "locked")  # holds the lock until the test lets it go on
    waiting = _second_build(repo, hooked(tmp_path, _SWALLOW_BEFORE_THE_LOCK_WAIT))
    handle = os.pidfd_open(waiting.pid)
    try:
        assert waiting.stderr.readline().startswith("waiting for another build that is writing")
        assert waiting.stderr.readline() == "swallowed KeyboardInterrupt\n"
        # A stopped build ends at once; the timeout only guards against the wait for the paused one, which never ends.
        ended = bool(select.select([handle], [], [], 30)[0])
    finally:
        os.close(handle)
        os.close(resume)
        waiting.wait(timeout=600)
        first.communicate(timeout=600)
    assert ended, "the build waited for the other build's lock after Ctrl-C"
    # Read through the text streams, not communicate(): readline() may hold the rest of the output already.
    assert (waiting.returncode, waiting.stdout.read(), waiting.stderr.read()) == (130, "", "interrupted\n")
    waiting.stdout.close()
    waiting.stderr.close()


# ---------------------------------------------------------------- the next command of the same process


class _CollectedDuringCtrlC:
    """A finalizer that receives Ctrl-C: Python discards the KeyboardInterrupt raised in it."""

    def __del__(self) -> None:
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        for _ in range(1000):
            pass


@pytest.mark.parametrize("swallowed", [False, True])
def test_after_an_interrupted_build_the_next_command_of_the_process_is_not_interrupted(
    repo, monkeypatch, capsys, swallowed
):
    from contract.build import run as build_run
    from contract.cli.main import main

    real_gather = build_run.gather
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: None)

    def gather_then_ctrl_c(*args, **kwargs):
        found = real_gather(*args, **kwargs)
        if swallowed:
            _CollectedDuringCtrlC()
        else:
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            for _ in range(1000):
                pass
        return found

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(build_run, "gather", gather_then_ctrl_c)
    assert main(["build", "--root", str(repo), "--jobs", "1"]) == 130
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    assert capsys.readouterr().err == "interrupted\n"
    assert not (repo / "site").exists() and leftovers(repo) == []
    monkeypatch.setattr(build_run, "gather", real_gather)
    assert main(["versions", "--root", str(repo)]) == 0, capsys.readouterr()
    assert "interrupted" not in capsys.readouterr().err


# DEFECT: export never calls interrupts.check(): after a swallowed Ctrl-C it writes its file and exits 0.
@pytest.mark.slow
def test_a_ctrl_c_python_swallowed_during_export_writes_nothing(repo, tmp_path):
    env = hooked(tmp_path, SWALLOW, SWALLOW_IN="load")
    written = tmp_path / "export.json"
    stopped = _command(repo, env, "export", "2023", "--format", "json", "-o", str(written))
    assert stopped.stderr.startswith("swallowed KeyboardInterrupt\n")
    assert (stopped.returncode, stopped.stderr.splitlines()[-1]) == (130, "interrupted"), stopped.stderr
    assert not written.exists()
