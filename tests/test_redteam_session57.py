"""Red team 57: stop() run whole with signals deferred (several signals in a row, a signal as a worker is spawned),
and the command line's parser made once per process (state leaking from one main() call to the next).

Tests named test_held_... are attacks that held (regression tests); the others fail on the current code (defects).
No sleeps: a signal is sent at a fault point (KLIMATKONTRAKT_FAULT) or by a sitecustomize at an exact call.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from build_helpers import ROOT, leftovers, make_repo
from cli_runner import run_cli
from processes import (
    HANG_GUARD,
    SIGNAL_AT_IMPORT,
    _at_a_terminal,
    console_script,
    finish,
    hooked,
    pool_workers,
    start_command_paused,
    start_paused,
)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


def _group(pgid: int) -> list[int]:
    """Return the live (not zombie) processes of process group pgid (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


def _outliving(pids: list[int]) -> list[int]:
    """Return those of pids still running HANG_GUARD seconds from now: a process killed with its build (a worker's
    parent-death signal) may still be exiting as the build's exit is seen; each is waited for through a pidfd."""
    left = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([fd], [], [], HANG_GUARD)[0]:
                left.append(pid)
        finally:
            os.close(fd)
    return left


def _break_a_version(repo: Path) -> None:
    """Make version 2023 fail validation: the build stops its workers (stop) as it reports the error."""
    with (repo / "years" / "2023" / "purpose.yaml").open("a", encoding="utf-8") as f:
        f.write("\n: [unclosed\n")


# ================================================================== 1. a signal as the build spawns a worker

# A sitecustomize: the build's SPAWN_AT-th process start (a PDF worker) gets the signal SPAWN_SIGNAL, sent to the
# main thread just before the start (SIGINT is blocked there meanwhile: it lands as the start returns) or, with
# SPAWN_AFTER, just after it: an impatient user's Ctrl-C, or a CI runner's SIGTERM, as the build starts its workers.
_SIGNAL_AT_SPAWN = """
import os, signal, threading
import multiprocessing.process as _process

_start = _process.BaseProcess.start
_count = [0]

def _starting(self):
    _count[0] += 1
    hit = _count[0] == int(os.environ["SPAWN_AT"])
    number = int(os.environ["SPAWN_SIGNAL"])
    after = bool(os.environ.get("SPAWN_AFTER"))
    if hit and not after:
        signal.pthread_kill(threading.main_thread().ident, number)
    try:
        return _start(self)
    finally:
        if hit and after:
            signal.pthread_kill(threading.main_thread().ident, number)

_process.BaseProcess.start = _starting
"""


def _build_signalled_at_spawn(repo: Path, tmp_path: Path, at: int, sent: int, after: bool, jobs: str):
    env = hooked(tmp_path, _SIGNAL_AT_SPAWN, SPAWN_AT=str(at), SPAWN_SIGNAL=str(int(sent)))
    if after:
        env["SPAWN_AFTER"] = "1"
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", jobs],
        cwd=repo, env=env, preexec_fn=_at_a_terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return build, finish(build)


_SPAWN_CASES = [
    pytest.param(signal.SIGINT, False, 130, id="ctrl-c"),
    pytest.param(signal.SIGTERM, True, 143, id="sigterm"),
]


# DEFECT: a signal as the build spawns its second worker (--jobs 3) hangs the build for ever. The KeyboardInterrupt is
# raised as _QuietProcess.start unblocks SIGINT (or just after the start, for SIGTERM), inside ProcessPoolExecutor's
# _spawn_process before it records the process in pool._processes; and workers.start() raises before run.py's
# try/stopping(), so stop() never runs. The build prints "interrupted", then at exit multiprocessing joins its
# children: the unrecorded worker waits for a job for ever, and so does the build.
@pytest.mark.slow
@pytest.mark.parametrize(("sent", "after", "code"), _SPAWN_CASES)
def test_a_signal_as_the_build_spawns_its_second_worker_does_not_hang_it(repo, tmp_path, sent, after, code):
    build, (returncode, out, err) = _build_signalled_at_spawn(repo, tmp_path, 2, sent, after, "3")
    try:
        assert returncode is not None, f"the build hung after 'interrupted' (killed after {HANG_GUARD} s): {err!r}"
        assert (returncode, out, err) == (code, "", "interrupted\n")
        assert _outliving(_group(build.pid)) == [], "a worker outlived its build"
        assert not (repo / "site").exists() and leftovers(repo) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)


# DEFECT: a signal as the build spawns its only worker (--jobs 2): the build exits 130/143, but the worker it had
# just started (not recorded by the pool, never stopped) goes on starting after the build is gone and prints a
# multiprocessing traceback (FileNotFoundError rebuilding a SemLock) on the build's stderr after "interrupted".
@pytest.mark.slow
@pytest.mark.parametrize(("sent", "after", "code"), _SPAWN_CASES)
def test_a_signal_as_the_build_spawns_its_only_worker_prints_no_traceback(repo, tmp_path, sent, after, code):
    build, (returncode, out, err) = _build_signalled_at_spawn(repo, tmp_path, 1, sent, after, "2")
    try:
        assert returncode is not None, f"the build hung (killed after {HANG_GUARD} s): {err!r}"
        assert "Traceback" not in err, err
        assert (returncode, out, err) == (code, "", "interrupted\n")
        assert not (repo / "site").exists() and leftovers(repo) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)


# ================================================================== 2. several signals while stop() runs


_SEQUENCES = [
    pytest.param((signal.SIGTERM, signal.SIGINT), False, id="TERM-INT"),
    pytest.param((signal.SIGINT, signal.SIGTERM), False, id="INT-TERM"),
    pytest.param((signal.SIGINT, signal.SIGINT, signal.SIGINT), False, id="INT-INT-INT"),
    pytest.param((signal.SIGTERM, signal.SIGTERM, signal.SIGINT, signal.SIGTERM), False, id="TERM-TERM-INT-TERM"),
    pytest.param((signal.SIGINT, signal.SIGTERM, signal.SIGINT), True, id="group-INT-TERM-INT"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("sequence", "group"), _SEQUENCES)
def test_held_many_signals_while_a_failed_build_stops_its_workers(repo, sequence, group):
    """A build that fails validation stops its workers; signals in a row between release() and the kill."""
    _break_a_version(repo)
    build, resume = start_paused(repo, "stopping-workers", "--jobs", "3", own_group=group)
    try:
        workers = pool_workers(build.pid)
        for number in sequence:
            (os.killpg if group else os.kill)(build.pid, number)
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    assert returncode is not None, f"the build hung (killed after {HANG_GUARD} s): {out!r} {err!r}"
    assert "Traceback" not in out + err, out + err
    assert returncode in (1, 130, 143) and "purpose.yaml" in out, (returncode, out, err)
    assert workers and _outliving(workers) == []
    assert not (repo / "site").exists() and leftovers(repo) == []


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["2", "3"])
def test_held_signals_at_rendering_with_a_worker_stopped_and_one_killed(repo, jobs):
    """A worker SIGSTOPped and another SIGKILLed, then SIGTERM: the build still exits cleanly."""
    build, resume = start_paused(repo, "rendering", "--jobs", jobs, "--drafts", own_group=True)
    try:
        workers = pool_workers(build.pid)
        assert workers
        os.kill(workers[0], signal.SIGSTOP)
        if len(workers) > 1:
            os.kill(workers[1], signal.SIGKILL)
        os.kill(build.pid, signal.SIGTERM)  # one: several in a row can hit the race of section 5 (a hang)
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    assert returncode is not None, f"the build hung (killed after {HANG_GUARD} s): {out!r} {err!r}"
    assert "Traceback" not in out + err, out + err
    assert returncode in (1, 130, 143), (returncode, out, err)
    assert _outliving(_group(build.pid)) == []
    assert not (repo / "site").exists() and leftovers(repo) == []


# A library caller (no command line): build() run from a script, interrupted twice as it stops its workers.
_LIBRARY_BUILD = """
import sys
from pathlib import Path
from contract.build.run import build
from contract.errors import ContractError

try:
    build(Path(sys.argv[1]), jobs=3, out=Path(sys.argv[2]))
except KeyboardInterrupt:
    print("interrupted")
except ContractError:
    print("failed")
"""


@pytest.mark.slow
def test_held_a_library_build_interrupted_twice_while_it_stops_its_workers(repo, tmp_path):
    _break_a_version(repo)
    out_folder = tmp_path / "elsewhere" / "site"
    argv = [sys.executable, "-c", _LIBRARY_BUILD, str(repo), str(out_folder)]
    script, resume = start_command_paused(argv, "stopping-workers", _at_a_terminal, cwd=tmp_path)
    try:
        workers = pool_workers(script.pid)
        os.kill(script.pid, signal.SIGINT)
        os.kill(script.pid, signal.SIGINT)
    finally:
        os.close(resume)
    returncode, out, err = finish(script)
    assert returncode is not None, f"the library build hung (killed after {HANG_GUARD} s): {out!r} {err!r}"
    assert (returncode, out, err) == (0, "interrupted\n", ""), (returncode, out, err)
    assert workers and _outliving(_group(script.pid)) == []
    assert not out_folder.exists() and leftovers(repo) == []


# ================================================================== 3. the parser made once per process


def test_held_root_before_and_after_the_command_and_defaults_do_not_leak_between_calls(repo, tmp_path):
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    first = run_cli("outline", "2023", "--json", "--lang", "en", "--root", repo, cwd=elsewhere)
    assert first.returncode == 0 and first.stdout.lstrip().startswith("["), first
    # No --root, no --json, no --lang: the current folder, text, the source language (not the last call's).
    second = run_cli("outline", "2023", cwd=repo)
    assert second.returncode == 0 and not second.stdout.lstrip().startswith("["), second
    assert second.stdout != first.stdout
    third = run_cli("--root", repo, "outline", "2023", cwd=elsewhere)
    assert third.stdout == second.stdout
    # The root given before the command last time is not kept either: here it is the current folder, no repository.
    fourth = run_cli("outline", "2023", cwd=elsewhere)
    assert fourth.returncode != 0, fourth


def test_held_help_and_a_usage_error_then_a_good_command(repo):
    assert run_cli("-h").returncode == 0
    assert run_cli("build", "-h").returncode == 0
    bad = run_cli("validate", "--format", "xml", "--root", repo)
    assert bad.returncode == 2
    assert run_cli("outline", "--root", repo).returncode == 2  # YEAR missing
    good = run_cli("outline", "2023", "--root", repo)
    assert good.returncode == 0 and good.stderr == "" and good.stdout, good


def test_a_list_default_one_call_changed_is_not_the_next_calls():
    from contract.cli.main import _parser

    first = _parser().parse_args(["lock", "2023"])
    first.pdf.append(Path("mutated.pdf"))  # a command appending to its list option (none does it today)
    first.trust.append(Path("mutated.pem"))
    second = _parser().parse_args(["lock", "2023"])
    assert (second.pdf, second.trust) == ([], []), "a list default of the cached parser was changed by a command"


def test_held_two_threads_parse_at_once():
    from contract.cli.main import _parser

    cases = {
        ("validate", "2023", "--format", "json"): ("json", ["2023"]),
        ("--root", "/x", "validate", "--strict"): ("text", []),
    }
    seen: list[tuple] = []
    errors: list[BaseException] = []

    def parse(argv):
        try:
            for _ in range(200):
                args = _parser().parse_args(list(argv))
                seen.append((argv, (args.format, args.versions)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=parse, args=(argv,)) for argv in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_GUARD)
    assert errors == []
    assert all(result == cases[argv] for argv, result in seen) and len(seen) == 400


_CTRL_C_IN_THE_FIRST_CALL = """
import sys
from contract.cli.main import main

print(main(["outline", "2023", "--root", sys.argv[1]]) == 130, flush=True)  # Ctrl-C as the parser is made
print(main(["outline", "2023", "--json", "--root", sys.argv[1]]), flush=True)
"""


@pytest.mark.slow
def test_held_a_ctrl_c_while_the_first_call_makes_the_parser_leaves_the_next_call_whole(repo, tmp_path):
    env = hooked(tmp_path, SIGNAL_AT_IMPORT, SIGNAL_AT_IMPORT="contract.cli.word")
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_IN_THE_FIRST_CALL, str(repo)], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=HANG_GUARD, preexec_fn=_at_a_terminal,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines[0] == "True" and lines[-1] == "0", (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr


# ================================================================== 4. more of the build's interruption handling


@pytest.mark.slow
@pytest.mark.parametrize(
    "sequence",
    [(signal.SIGTERM, signal.SIGINT), (signal.SIGINT, signal.SIGINT, signal.SIGTERM)],
    ids=["TERM-INT", "INT-INT-TERM"],
)
def test_held_signals_in_a_row_while_waiting_for_another_builds_lock(repo, sequence):
    first, resume = start_paused(repo, "locked")
    try:
        waiting = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "3"],
            cwd=repo, env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=_at_a_terminal,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert waiting.stderr.readline().startswith("waiting for another build that is writing")
        for number in sequence:
            os.killpg(waiting.pid, number)
        returncode, out, err = finish(waiting)
        assert returncode is not None, "the waiting build hung"
        assert (returncode, out, err) in ((130, "", "interrupted\n"), (143, "", "interrupted\n"))
        assert _outliving(_group(waiting.pid)) == []
    finally:
        os.close(resume)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    assert (repo / "site").is_dir() and leftovers(repo) == []


# A sitecustomize: the moment the process says "interrupted" on stderr, it receives the signals in STOPS_AFTER, one
# after the other, as an impatient user's further Ctrl-C or a CI runner's SIGTERM lands just then. No sleeps.
_STOPS_AS_INTERRUPTED_IS_SAID = """
import os, signal, sys, threading

class _Stderr:
    def __init__(self, inner):
        self._inner = inner

    def write(self, text):
        written = self._inner.write(text)
        if "interrupted" in text:
            self._inner.flush()
            for name in os.environ["STOPS_AFTER"].split(","):
                signal.pthread_kill(threading.get_ident(), getattr(signal, name))
                for _ in range(1000):  # the handler runs at one of these bytecodes
                    pass
        return written

    def __getattr__(self, name):
        return getattr(self._inner, name)

sys.stderr = _Stderr(sys.stderr)
"""


@pytest.mark.slow
@pytest.mark.parametrize("stops", ["SIGTERM,SIGINT", "SIGINT,SIGTERM"])
@pytest.mark.parametrize(
    ("argv", "module"),
    [
        ([sys.executable, "-m", "contract", "--root", str(ROOT), "validate"], "jsonschema"),
        ([sys.executable, str(ROOT / "build.py"), "--help"], "contract.output.faults"),
        (["klimatkontrakt", "--root", str(ROOT), "validate"], "jsonschema"),
    ],
    ids=["in-the-command", "as-it-starts", "console-script"],
)
def test_stops_just_after_interrupted_is_said_change_neither_exit_code_nor_output(tmp_path, argv, module, stops):
    # Found as a rare failure of the test below under load: a SIGTERM as build.py exited, after "interrupted", ended
    # the process by the signal (-15); a stop just after the command's own "interrupted" said it a second time (143).
    # The installed klimatkontrakt script is such a process too (it calls entry.run()).
    if argv[0] == "klimatkontrakt":
        argv = [str(console_script(tmp_path)), *argv[1:]]
    env = hooked(tmp_path, SIGNAL_AT_IMPORT + _STOPS_AS_INTERRUPTED_IS_SAID, SIGNAL_AT_IMPORT=module, STOPS_AFTER=stops)
    done = subprocess.run(
        argv, env=env, cwd=tmp_path, preexec_fn=_at_a_terminal,
        capture_output=True, text=True, timeout=HANG_GUARD,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "interrupted\n")


@pytest.mark.slow
@pytest.mark.parametrize("then", [None, signal.SIGINT], ids=["alone", "then-ctrl-c"])
def test_held_sigterm_to_a_worker_is_a_clear_error(repo, then):
    build, resume = start_paused(repo, "rendering", "--jobs", "3", "--drafts", own_group=True)
    try:
        workers = pool_workers(build.pid)
        os.kill(workers[0], signal.SIGTERM)
        if then is not None:
            os.kill(build.pid, then)
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    assert returncode is not None, f"the build hung: {out!r} {err!r}"
    assert "Traceback" not in out + err, out + err
    if then is None:
        assert returncode == 1 and "a process rendering the PDFs stopped" in out, (returncode, out, err)
    else:
        assert returncode in (1, 130), (returncode, out, err)
    assert _outliving(_group(build.pid)) == []
    assert not (repo / "site").exists() and leftovers(repo) == []


@pytest.mark.slow
@pytest.mark.parametrize("step", ["staged"])
def test_held_a_ctrl_c_leaves_the_site_from_before_elsewhere_intact(repo, tmp_path, step):
    from build_helpers import edit_style, run_process, tree

    out_folder = tmp_path / "published" / "site"
    built = run_process(repo, "--out", str(out_folder), "--jobs", "2", timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    before = tree(out_folder)
    edit_style(repo)
    build, resume = start_paused(repo, step, "--out", str(out_folder), "--jobs", "3", own_group=True)
    try:
        os.killpg(build.pid, signal.SIGINT)  # one: INT, TERM, INT here left .site.staging/ once (section 5)
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    assert returncode is not None, "the build hung"
    assert "Traceback" not in out + err, out + err
    if step == "staged":
        assert (returncode, out, err) in ((130, "", "interrupted\n"), (143, "", "interrupted\n"))
        assert tree(out_folder) == before
    assert _outliving(_group(build.pid)) == []
    assert sorted(p.name for p in out_folder.parent.iterdir() if p.name != ".site.lock") == ["site"]


# ================================================================== 5. a signal as deferred() itself begins

# A sitecustomize: as interrupts.deferred() begins in the function TERM_IN (signals_to has just made SIGINT only
# recorded, SIGTERM is not yet), a SIGTERM arrives: the second or third signal of a user or a CI runner, a few
# bytecodes later than the fault point tests send it. Found without this hook: signals INT, TERM, INT sent to a build
# paused at swap-exchanged left .site.staging/ once in a few runs.
_TERM_AS_DEFERRAL_BEGINS = """
import os, signal, sys, threading

_real = signal.signal
_fired = []

def _caller_of_deferred():
    frame = sys._getframe()
    while frame is not None and frame.f_code.co_name != "deferred":
        frame = frame.f_back
    frame = frame and frame.f_back
    # past contextlib's frames and interrupts.whole (which runs a clean-up under deferred()) to the code it protects
    while frame is not None and (frame.f_code.co_filename.endswith("contextlib.py") or frame.f_code.co_name == "whole"):
        frame = frame.f_back
    return frame and frame.f_code.co_name

def _signal(number, handler):
    previous = _real(number, handler)
    if number == signal.SIGINT and getattr(handler, "__name__", "") == "_record" and not _fired:
        if _caller_of_deferred() == os.environ["TERM_IN"]:
            _fired.append(True)
            open(os.environ["TERM_FIRED"], "w").close()  # the test checks the moment came
            signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)
    return previous

signal.signal = _signal
"""


def _build_paused_with(tmp_path: Path, repo: Path, code: str, step: str, *args: str, **extra: str):
    env = hooked(tmp_path, code, **extra)
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    env["KLIMATKONTRAKT_FAULT"] = f"pause:{step}:{arrived_w}:{resume_r}"
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), *args],
        cwd=repo, env=env, pass_fds=(arrived_w, resume_r), preexec_fn=_at_a_terminal,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(arrived_w)
    os.close(resume_r)
    try:
        assert os.read(arrived_r, 1) == b"x", "the build did not reach the step"
    finally:
        os.close(arrived_r)
    return build, resume_w


# DEFECT: the clean-up of an interrupted build is not whole after all. deferred() makes SIGINT and SIGTERM only
# recorded one after the other (signals_to); a SIGTERM handled between the two raises Terminated out of deferred()'s
# entry, before run.py's `finally: shutil.rmtree(staging)` begins: .site.staging/ (the whole staged site) is left.
@pytest.mark.slow
def test_a_sigterm_as_the_clean_up_defers_signals_still_removes_the_staging_folder(repo, tmp_path):
    build, resume = _build_paused_with(tmp_path, repo, _TERM_AS_DEFERRAL_BEGINS, "staged", "--jobs", "3",
                                       TERM_IN="_build_claimed", TERM_FIRED=str(tmp_path / "fired"))  # fmt: skip
    try:
        os.kill(build.pid, signal.SIGINT)  # the first Ctrl-C
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    try:
        assert returncode is not None, f"the build hung: {out!r} {err!r}"
        assert (tmp_path / "fired").exists(), "the SIGTERM was never sent: the test's moment did not come"
        assert (returncode, out, err) in ((130, "", "interrupted\n"), (143, "", "interrupted\n"))
        assert not (repo / "site").exists() and leftovers(repo) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)


# DEFECT: the same SIGTERM as stop() defers signals: stop() is cut short before it kills anything ("whole or not at
# all" became "not at all"), and the pool, not released, is shut down by `with pool` waiting for every queued PDF;
# meanwhile SIGINT is left only recorded, so Ctrl-C no longer stops the build. A worker that never finishes (here
# SIGSTOPped, as by a debugger or a suspended container) hangs the build for ever, deaf to Ctrl-C.
@pytest.mark.slow
def test_a_sigterm_as_stop_defers_signals_still_kills_the_workers(repo, tmp_path):
    build, resume = _build_paused_with(tmp_path, repo, _TERM_AS_DEFERRAL_BEGINS, "rendering", "--jobs", "3",
                                       "--drafts", TERM_IN="stop_processes", TERM_FIRED=str(tmp_path / "fired"))  # fmt: skip
    try:
        workers = pool_workers(build.pid)
        assert workers
        os.kill(workers[0], signal.SIGSTOP)  # a worker that will not finish its PDF
        os.kill(build.pid, signal.SIGINT)  # the first Ctrl-C
    finally:
        os.close(resume)
    returncode, out, err = finish(build)
    try:
        assert returncode is not None, f"the build hung with its workers (killed after {HANG_GUARD} s): {err!r}"
        assert (tmp_path / "fired").exists(), "the SIGTERM was never sent: the test's moment did not come"
        assert (returncode, out, err) in ((130, "", "interrupted\n"), (143, "", "interrupted\n"))
        assert _outliving(_group(build.pid)) == []
        assert not (repo / "site").exists() and leftovers(repo) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
