"""Red team 62: 0efa9c7 attacked (one start() for build.py, python -m contract and the console script; stop
handlers that raise once; after a command that ended, stops are the system's), where standard error is closed or
a pipe without a reader, and by a host that runs the command line twice in-process.

Found (each a failing test below):
- `2>&-` (started without standard error: sys.stderr is None) and a stop while the command line is imported
  (entry.main's `except KeyboardInterrupt`, before cli.main's writer.missing_output() gives stderr the null
  device): print("interrupted", file=None) writes it on STANDARD OUTPUT. A build's stdout then holds
  "interrupted" (promise 1: nothing on stdout for a build); a `versions > list.txt` gets it as a result line.
- standard error a pipe whose reader is gone (`2>&1 | head -c0`'s like, a log collector that died) and a stop
  while the command line is imported: writing "interrupted" raises BrokenPipeError out of the except clause:
  exit 1, not 130/143 (promise 1: the exit code says the stop).
- the same closed stderr and a stop during the command (cli.main._interrupted's writer.note raises
  BrokenPipeError, main() takes it as a closed stdout): exit 141 (SIGPIPE's), not 130/143.

Held (passing tests below; and by hand: all three standard streams closed and a stop at the imports: 130 and
nothing anywhere):
- a host calling contract.cli.main.main() (and entry.main() without final) twice in-process, the first stopped by
  SIGINT or SIGTERM at the command's end: the first returns 130/143 with one "interrupted", the second runs
  normally (0, its full result), and the host's SIGTERM handler and Python's SIGINT handler are back;
- `2>&-` and a stop during the command (after missing_output()): 143, stdout only the result, nothing else.

No sleeps: every signal is sent by a sitecustomize (red team 61's hook, tests.processes.hooked) at an exact import
or line; each hook writes a mark when it fires, and each test checks the mark.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from processes import HANG_GUARD, ROOT, STOPS_HOOK, hooked, line_of

VERSIONS = ["-m", "contract", "--root", str(ROOT), "versions"]
BUILD = [str(ROOT / "build.py"), "--help"]
_AT_IMPORT = "contract.output.faults"  # entry.main's first import, inside interrupts.terminating(final=True)
# _run's interrupts.check(): the command's result printed, its code in hand
_AT_COMMAND_END = f"contract/cli/main.py:{line_of('contract/cli/main.py', 'interrupts.check()', 'def _run(')}"


def _closed_stderr() -> None:
    """Start the command without standard error (`2>&-`), with the default Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.close(2)


def _run(tmp_path, argv, stderr, preexec_fn=None, **hook: str) -> tuple[int, str, str, str]:
    """Run python argv under the hook; return its exit code, stdout, stderr (if piped) and the hook's marks."""
    marks = tmp_path / "marks"
    marks.write_text("", encoding="utf-8")
    env = hooked(tmp_path, STOPS_HOOK, HOOK_MARKS=str(marks), **hook)
    done = subprocess.run(
        [sys.executable, *argv], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
        preexec_fn=preexec_fn or (lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)), timeout=HANG_GUARD,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr or "", marks.read_text(encoding="utf-8")


def _reader_gone(tmp_path, argv, **hook: str) -> tuple[int, str, str]:
    """Run with standard error a pipe whose reader has closed it; return the exit code, stdout and the marks."""
    read, write = os.pipe()
    os.close(read)
    try:
        code, out, _, marks = _run(tmp_path, argv, write, **hook)
    finally:
        os.close(write)
    return code, out, marks


# Defects


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_build_without_stderr_stopped_in_its_imports_prints_nothing_on_stdout(tmp_path, signal_name):
    code, out, _, marks = _run(tmp_path, BUILD, None, _closed_stderr, FIRST_AT_IMPORT=_AT_IMPORT, FIRST=signal_name)
    assert marks == "import\n"
    assert code == 128 + getattr(signal, signal_name)
    # observed: "interrupted\n" on standard output (print(..., file=sys.stderr) with sys.stderr None)
    assert out == "", f"a build's stdout got {out!r}"


@pytest.mark.slow
@pytest.mark.parametrize(("module", "signal_name"), [(_AT_IMPORT, "SIGINT"), ("contract.cli.main", "SIGTERM")])
def test_stop_in_the_imports_with_a_closed_stderr_pipe_exits_130_or_143(tmp_path, module, signal_name):
    code, out, marks = _reader_gone(tmp_path, VERSIONS, FIRST_AT_IMPORT=module, FIRST=signal_name)
    assert marks == "import\n"
    assert out == ""
    # observed: 1 (BrokenPipeError raised by print("interrupted") out of entry.main's except clause)
    assert code == 128 + getattr(signal, signal_name)


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_stop_during_the_command_with_a_closed_stderr_pipe_exits_130_or_143(tmp_path, signal_name):
    code, _, marks = _reader_gone(tmp_path, VERSIONS, AT_LINE=_AT_COMMAND_END, AT_LINE_SEND=signal_name)
    assert marks == "line\n"
    # observed: 141 (writer.note("interrupted") raises BrokenPipeError, main() answers it as a closed stdout)
    assert code == 128 + getattr(signal, signal_name)


# Held


@pytest.mark.slow
def test_held_without_stderr_a_stop_during_the_command_says_nothing_on_stdout(tmp_path):
    code, out, _, marks = _run(
        tmp_path, VERSIONS, None, _closed_stderr, AT_LINE=_AT_COMMAND_END, AT_LINE_SEND="SIGTERM"
    )
    assert marks == "line\n"
    assert code == 143
    assert "interrupted" not in out and out.splitlines() and all("\t" in line for line in out.splitlines())


_HOST = textwrap.dedent(
    """
    import os, signal, sys, threading
    from contract.cli import entry, main as cli_main

    fired = []

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == 101 and not fired:
            fired.append(True)
            with open(os.environ["HOOK_MARKS"], "a", encoding="utf-8") as marks:
                marks.write("line\\n")
            signal.pthread_kill(threading.get_ident(), getattr(signal, os.environ["SIG"]))
            for _ in range(1000):
                pass
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.endswith("contract/cli/main.py") else None

    def host(number, frame):
        pass

    signal.signal(signal.SIGTERM, host)
    run = entry.main if os.environ["HOW"] == "entry" else cli_main.main
    sys.settrace(tracer)
    first = run(["--root", sys.argv[1], "versions"])
    sys.settrace(None)
    print("FIRST", first, file=sys.stderr)
    second = run(["--root", sys.argv[1], "versions"])
    print("SECOND", second, file=sys.stderr)
    print("BACK", signal.getsignal(signal.SIGTERM) is host,
          signal.getsignal(signal.SIGINT) is signal.default_int_handler, file=sys.stderr)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["cli", "entry"])
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_held_a_host_runs_the_command_line_twice_the_first_stopped(tmp_path, how, signal_name):
    host = tmp_path / "host.py"
    host.write_text(_HOST, encoding="utf-8")
    marks = tmp_path / "marks"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOOK_MARKS": str(marks), "SIG": signal_name, "HOW": how}
    done = subprocess.run(
        [sys.executable, str(host), str(ROOT)], env=env, capture_output=True, text=True, timeout=HANG_GUARD,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert marks.read_text(encoding="utf-8") == "line\n"
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("interrupted") == 1
    assert f"FIRST {128 + getattr(signal, signal_name)}\n" in done.stderr
    assert "SECOND 0\n" in done.stderr
    assert "BACK True True\n" in done.stderr
    assert len(done.stdout.splitlines()) == 4  # both results whole


def _reads_a_pipe(pid: int) -> bool:
    """Whether process pid waits in read() on a pipe (from /proc: its system call and that file descriptor)."""
    try:
        call = Path(f"/proc/{pid}/syscall").read_text(encoding="ascii").split()
        return call[0] == "0" and os.readlink(f"/proc/{pid}/fd/{int(call[1], 16)}").startswith("pipe:")
    except (OSError, IndexError, ValueError):  # ended, or running (the file says "running")
        return False


@pytest.mark.slow
@pytest.mark.parametrize(
    "stops", [[signal.SIGTERM, signal.SIGTERM, signal.SIGTERM], [signal.SIGINT, signal.SIGTERM, signal.SIGINT]]
)
def test_held_verify_waiting_on_its_input_stopped_by_the_group_three_times(tmp_path, stops):
    read, write = os.pipe()  # the writer stays open: verify waits in read() on /dev/stdin
    try:
        verify = subprocess.Popen(
            [sys.executable, "-m", "contract", "--root", str(ROOT), "verify", "/dev/stdin"], stdin=read,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()),
        )  # fmt: skip
        os.close(read)
        deadline = time.monotonic() + HANG_GUARD  # a hang guard for the polling loop, never an assertion on time
        while verify.poll() is None and not _reads_a_pipe(verify.pid) and time.monotonic() < deadline:
            pass  # the mark: it waits in read() on the pipe (/dev/stdin opened anew: not necessarily fd 0)
        assert _reads_a_pipe(verify.pid), "verify ended (or never waited) before it read its input"
        for number in stops:
            os.killpg(verify.pid, number)
        out, err = verify.communicate(timeout=HANG_GUARD)
    finally:
        os.close(write)
    assert verify.returncode == 128 + stops[0]
    assert (out, err) == ("", "interrupted\n")


@pytest.mark.slow
def test_held_serve_stopped_then_three_more_stops_in_its_clean_up(tmp_path):
    from test_redteam_session27 import _MOMENTS, _serve

    plan = [{**_MOMENTS["our-clean-up"], "signals": ["INT", "TERM", "INT"]}]
    serve, temporary = _serve(tmp_path, plan)
    try:
        serve.wait_for("Serving on")
        code = serve.stop(signal.SIGTERM, HANG_GUARD)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    seen = "".join(serve.seen)
    assert "RT27 tempfile:TemporaryDirectory.cleanup INT" in seen  # the hook's mark
    assert code == 130  # the clean-up's first extra stop raised (red team 27's rule), the rest cut short
    assert seen.count("interrupted") == 1 and "Traceback" not in seen
    assert not list(temporary.rglob("*"))
