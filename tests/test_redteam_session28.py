"""Red team 28: first_only's swallowed-stop rule (the unraisablehook) and index_search's stop_index, attacked.

A sitecustomize plan (RT27_PLAN, as red team 27's) acts at the nth call of a named function in serve's main thread:
it sends signals plainly, inside a library-style `except BaseException: pass`, or inside a garbage-collection callback
(Python discards what the handler raises there and reports it to sys.unraisablehook), or replaces
sys.unraisablehook as other code may. LiveReloadServer.serve is called once, in the main thread, inside
first_only, just before "Serving on": the moments are exact and cost no rebuild.

Held: a first stop discarded in a gc callback, then the user's stop (143, "interrupted", nothing left); the same, then
two more inside LiveReloadServer.shutdown before the server thread was asked to end (recorded, not raised: no cut-short
shutdown, no hang, the last stop's code); a non-KeyboardInterrupt unraisable (a gc callback's ValueError) does not
re-arm first_only (a stop inside the shutdown stays recorded); Ctrl-C to the whole process group while the live
rebuild's Pagefind runs (Pagefind killed by it, serve 130, nothing left, no traceback).
Found:
- a first stop swallowed by a library's `except BaseException` (no unraisable report) makes serve deaf for good;
- a second stop that lands while the unraisable report of the first is being written raises inside
  sys.unraisablehook, is discarded again without passing through first_only's hook: serve is deaf for good;
- other code replacing sys.unraisablehook during serve hides swallowed stops: serve is deaf after one;
- with Python's default unraisablehook a swallowed stop prints a Traceback;
- a Pagefind failure in a live rebuild is printed by MkDocs as a Traceback (seen here as Pagefind exits 1 just
  before the stop; the stop itself held);
- main(["serve"]) in a non-main thread: serve moves the whole process's tempfile.tempdir into its scratch folder, and
  no stop can end it (the process hangs after Ctrl-C).

After the report: first_only is gone. MkDocs' server thread is a daemon (hooks/mkdocs_hook.py on_serve), so every
stop raises again and one that cuts MkDocs' shutdown short ends the process anyway: the three "deaf" findings and the
stop of a host that runs serve in a thread now pass. Fixed since: Python's default report of a discarded
stop is kept off the terminal (interrupts.handling), a rebuild's ContractError reaches MkDocs as an Abort (printed as
the diagnostic), and serve run in a non-main thread leaves tempfile.tempdir alone (contract/cli/site.py).
Since aac5eec the tests with a stop swallowed at serve's start send no stop of their own (the user's SIGTERM above
is gone): MkDocs' first wake raises the swallowed stop again (_StopChecked), and it alone must end serve, with its own
code (130 for a Ctrl-C); see _SWALLOWED_ENDS_SERVE. Their names still speak of "a stop after" the swallowed one.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from processes import PATCH_AT_IMPORT, hooked
from site_helpers import make_serve_repo
from test_redteam_session25 import _Serve
from test_redteam_session27 import _last_stop, with_fake_pagefind
from test_redteam_session27 import _serve as serve_with_plan

_PLAN_HOOK = """
import gc, json, os, signal, sys, threading

_PLAN = json.loads(os.environ.get("RT27_PLAN", "[]"))
_patched = set()


def _send(step):
    for name in step["signals"]:
        sys.stderr.write(f"RT28 {step['target']} {step.get('mode', 'plain')} {name}\\n")
        signal.pthread_kill(threading.get_ident(), getattr(signal, "SIG" + name))
        for _ in range(2000):  # the handler runs at one of these bytecodes
            pass


def _act(step):
    if step.get("set_hook"):  # other code replaces sys.unraisablehook (a plugin, a test runner, a library)
        sys.unraisablehook = lambda u: sys.stderr.write(f"other hook {u.exc_type.__name__}\\n")
    mode = step.get("mode", "plain")
    if not step.get("signals"):
        return
    if mode == "plain":
        _send(step)
    elif mode == "except":  # a library's `except BaseException: pass` around code a Ctrl-C lands in
        try:
            _send(step)
        except BaseException:
            sys.stderr.write("RT28 library swallowed it\\n")
    elif mode == "gc":  # lands in a garbage-collection callback: Python discards it (unraisablehook)
        def callback(phase, info):
            if phase == "start":
                gc.callbacks.remove(callback)
                _send(step)
        gc.callbacks.append(callback)
        gc.collect()


def _wrap(original, step):
    count = [0]

    def wrapper(*args, **kwargs):
        count[0] += 1
        if count[0] == step.get("nth", 1):
            _act(step)
        return original(*args, **kwargs)

    return wrapper

"""
_PLAN_HOOK += PATCH_AT_IMPORT
_PLAN_HOOK += """

# RT28_QUIET_HOOK: an unraisablehook that only names what Python discarded (as processes.SWALLOW's), installed before
# the command; with RT28_HOOK_SIGNAL it also sends that signal while it runs, once: a second Ctrl-C or SIGTERM while
# the report of the first is being written (to a slow terminal or pipe).
if os.environ.get("RT28_QUIET_HOOK"):
    _sent = []

    def _quiet(u):
        sys.stderr.write(f"swallowed {u.exc_type.__name__}\\n")
        name = os.environ.get("RT28_HOOK_SIGNAL")
        if name and not _sent and issubclass(u.exc_type, KeyboardInterrupt):
            _sent.append(name)
            sys.stderr.write(f"RT28 in the hook {name}\\n")
            signal.pthread_kill(threading.get_ident(), getattr(signal, "SIG" + name))
            for _ in range(2000):
                pass

    sys.unraisablehook = _quiet
"""

_AT_SERVE = "mkdocs.livereload:LiveReloadServer.serve"  # once, main thread, inside first_only, before "Serving on"
_LIVERELOAD_SHUTDOWN = "mkdocs.livereload:LiveReloadServer.shutdown"

# _SWALLOWED_ENDS_SERVE: a stop swallowed at _AT_SERVE is recorded (interrupts), and MkDocs' wait for file changes
# raises it again at its first wake, just after "Serving on" (hooks/mkdocs_hook.py _StopChecked): serve ends by itself.
# A stop the test sent on "Serving on" then raced with that shutdown: on a loaded machine it came only once the shutdown
# had begun, and landed anywhere in it (before the hook's own stops, or after serve exited with the first stop's code).
# Those tests send none: the swallowed stop alone must end serve, with its own exit code; a hang means deaf again.


def _serve(tmp_path, plan: list[dict], **extra: str):
    return serve_with_plan(tmp_path, plan, _PLAN_HOOK, **extra)


def _serve_then_stop(tmp_path, plan, stop: int | None, wait: float = 30, **extra: str) -> tuple[int | None, str, list]:
    """Serve with plan, wait for "Serving on", send stop (None: none); return the code (None: running after wait),
    stderr, TMPDIR."""
    serve, temporary = _serve(tmp_path, plan, **extra)
    code = None
    try:
        serve.wait_for("Serving on")
        if stop is not None:
            serve.proc.send_signal(stop)
        try:
            code = serve.ended(wait)  # reads what it said up to the end of its output
        except AssertionError:
            code = None
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    if code is None:  # killed: the rest of what it said ends where the pipe closes
        with contextlib.suppress(queue.Empty):
            while (line := serve.lines.get(timeout=30)) is not None:
                serve.seen.append(line)
    return code, "".join(serve.seen), sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*"))


# --- held ------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_held_a_stop_after_one_swallowed_in_a_gc_callback_ends_serve(tmp_path):
    # No stop of the test's own (see _SWALLOWED_ENDS_SERVE): the swallowed Ctrl-C ends serve by itself.
    plan = [{"target": _AT_SERVE, "mode": "gc", "signals": ["INT"]}]
    code, seen, left = _serve_then_stop(tmp_path, plan, None, RT28_QUIET_HOOK="1")
    assert "swallowed KeyboardInterrupt" in seen, seen  # the premise: Python discarded the first
    assert code == 128 + signal.SIGINT, seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
def test_held_swallowed_first_then_two_stops_inside_mkdocs_shutdown(tmp_path):
    # The swallowed first ends serve by itself (_SWALLOWED_ENDS_SERVE); two more inside LiveReloadServer.shutdown
    # (before the server thread was asked to end): the first of them raises and ends the process, no hang.
    # Once, with a SIGTERM of the test's own sent on "Serving on", that SIGTERM landed first in the shutdown and the
    # hook never sent its stops (the premise below failed): the test sends none now.
    plan = [
        {"target": _AT_SERVE, "mode": "gc", "signals": ["TERM"]},
        {"target": _LIVERELOAD_SHUTDOWN, "signals": ["TERM", "INT"]},
    ]
    code, seen, left = _serve_then_stop(tmp_path, plan, None, RT28_QUIET_HOOK="1")
    assert "swallowed Terminated" in seen and f"RT28 {_LIVERELOAD_SHUTDOWN} plain TERM" in seen, seen
    assert code == _last_stop(seen, signal.SIGTERM), seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
def test_held_a_non_keyboardinterrupt_unraisable_does_not_reset_first_only(tmp_path):
    # A gc callback raising ValueError is reported to the hook; first_only must not treat it as a swallowed stop:
    # the user's SIGINT raises, a SIGTERM inside the shutdown is only recorded, and the shutdown ends.
    hook = _PLAN_HOOK + textwrap.dedent(
        """
        import gc as _gc
        def _bad(phase, info):
            if phase == "start" and os.environ.get("RT28_BAD_GC") and "mkdocs.livereload" in sys.modules:
                _gc.callbacks.remove(_bad)
                raise ValueError("a library's gc callback failed")
        _gc.callbacks.append(_bad)
        """
    )
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, hook)
    plan = [{"target": _LIVERELOAD_SHUTDOWN, "signals": ["TERM"]}]
    extra = {"PYTHONPATH": env["PYTHONPATH"], "RT27_PLAN": json.dumps(plan), "RT28_BAD_GC": "1", "RT28_QUIET_HOOK": "1"}
    serve = _Serve(repo, temporary, extra_env=extra)
    try:
        serve.wait_for("Serving on")
        code = serve.stop(signal.SIGINT, 30)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    seen = "".join(serve.seen)
    assert code == 128 + signal.SIGTERM, seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert list(temporary.rglob("*")) == []


# --- found -----------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "premise"),
    [
        ({"mode": "except"}, "RT28 library swallowed it"),  # a library's except BaseException swallowed the first
        ({"mode": "gc", "set_hook": True}, "other hook KeyboardInterrupt"),  # other code replaced unraisablehook
    ],
    ids=["swallowed-by-a-library", "unraisablehook-replaced"],
)
def test_a_stop_after_one_that_was_lost_ends_serve(tmp_path, step, premise):
    # Found deaf for good after the lost Ctrl-C, even to a SIGTERM after it. Now the lost Ctrl-C alone ends it
    # (_SWALLOWED_ENDS_SERVE), which the test waits for without a stop of its own.
    plan = [{"target": _AT_SERVE, "signals": ["INT"], **step}]
    code, seen, _left = _serve_then_stop(tmp_path, plan, None)
    assert premise in seen, seen  # the premise
    assert code == 128 + signal.SIGINT, f"serve still ran 30 s after a Ctrl-C that was lost: {seen}"


@pytest.mark.slow
def test_a_second_stop_while_the_unraisable_report_is_written_is_not_lost(tmp_path):
    plan = [{"target": _AT_SERVE, "mode": "gc", "signals": ["INT"]}]
    code, seen, _left = _serve_then_stop(tmp_path, plan, signal.SIGINT, RT28_QUIET_HOOK="1", RT28_HOOK_SIGNAL="TERM")
    assert "RT28 in the hook TERM" in seen, seen  # the premise
    # the second (SIGTERM) should have ended it before "Serving on"; at the latest the third (SIGINT)
    assert code in (128 + signal.SIGTERM, 128 + signal.SIGINT), f"serve still ran 30 s after a third stop: {seen}"


@pytest.mark.slow
def test_a_swallowed_stop_prints_no_traceback_with_the_default_hook(tmp_path):
    plan = [{"target": _AT_SERVE, "mode": "gc", "signals": ["INT"]}]
    code, seen, left = _serve_then_stop(tmp_path, plan, None)  # _SWALLOWED_ENDS_SERVE
    assert "RT28 mkdocs.livereload:LiveReloadServer.serve gc INT" in seen, seen  # the premise: the stop was sent
    assert code == 128 + signal.SIGINT, seen  # it does end
    assert left == []
    assert "interrupted" in seen and "Traceback" not in seen, seen


# --- Pagefind: Ctrl-C at a terminal reaches the whole process group, Pagefind too -----------------------------------

# A Pagefind stand-in: the first run (the first build) indexes nothing and succeeds; the second (the live rebuild)
# does what Ctrl-C at a terminal does while it runs: SIGINT to the whole process group, which kills it (exit by
# signal: non-zero) and stops serve in the same instant.
_PAGEFIND_GROUP = """#!/bin/sh
n=$(cat "$RT28_COUNT" 2>/dev/null || echo 0)
echo $((n + 1)) > "$RT28_COUNT"
[ "$n" -ge 1 ] || exit 0
echo "RT28 pagefind run $n" >&2
kill -INT 0
sleep 5
"""

# The same, but Pagefind fails first (exit 1 with a message) and the stop comes 50 ms later, as MkDocs handles it.
_PAGEFIND_FAILS_FIRST = """#!/bin/sh
n=$(cat "$RT28_COUNT" 2>/dev/null || echo 0)
echo $((n + 1)) > "$RT28_COUNT"
[ "$n" -ge 1 ] || exit 0
(sleep 0.05; kill -INT 0) >/dev/null 2>&1 </dev/null &
echo "Error: RT28 pagefind failed" >&2
exit 1
"""


def _group_serve(tmp_path, pagefind_text: str) -> tuple[int | None, str, list]:
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, pagefind_text)
    env = hooked(tmp_path, "", TMPDIR=str(temporary), PAGEFIND_BINARY_PATH=str(pagefind),
                 RT28_COUNT=str(tmp_path / "count"))  # fmt: skip
    serve = _Serve.__new__(_Serve)

    def own_group():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        import os

        os.setpgrp()  # as at a terminal: Ctrl-C reaches serve and Pagefind alike

    serve.proc = subprocess.Popen(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
        cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=own_group,
    )  # fmt: skip
    import queue

    serve.lines = queue.Queue()
    serve.seen = []
    threading.Thread(target=serve._read, daemon=True).start()
    code = None
    try:
        serve.wait_for("Serving on")
        yaml = repo / "years" / "2023" / "purpose.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace("title:", "title: RED28", 1), encoding="utf-8")
        try:
            code = serve.ended(60)
        except AssertionError:
            code = None
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    runs = (tmp_path / "count").read_text().strip() if (tmp_path / "count").exists() else "0"
    seen = "".join(serve.seen) + f"(Pagefind ran {runs} times)\n"
    return code, seen, sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*"))


@pytest.mark.slow
def test_held_ctrl_c_to_the_group_while_pagefind_indexes_a_rebuild(tmp_path):
    code, seen, left = _group_serve(tmp_path, _PAGEFIND_GROUP)
    assert "(Pagefind ran 2 times)" in seen, seen  # the premise: the rebuild's Pagefind ran
    assert code == 128 + signal.SIGINT, seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
def test_pagefind_failing_just_before_the_stop_in_a_rebuild(tmp_path):
    code, seen, left = _group_serve(tmp_path, _PAGEFIND_FAILS_FIRST)
    assert "Detected file changes" in seen, seen
    assert code == 128 + signal.SIGINT, seen
    assert "interrupted" in seen, seen
    assert left == []
    assert "Traceback" not in seen, seen


# --- in-process, from a thread that is not the main one --------------------------------------------------------------

_IN_A_THREAD = """
import logging, os, sys, tempfile, threading
from contract.cli import main as cli

serving = threading.Event()


class _Serving(logging.Handler):
    \"\"\"Notes when MkDocs logs that it serves.\"\"\"

    def emit(self, record):
        if "Serving on" in record.getMessage():
            serving.set()


logging.getLogger("mkdocs").addHandler(_Serving())
codes = []
thread = threading.Thread(target=lambda: codes.append(cli.main(["serve", "--dev-addr", "127.0.0.1:0"])), name="serve",
                          daemon=True)  # as a host makes a thread it need not wait for at exit
thread.start()
serving.wait(120)  # the limit only guards against a hang
if tempfile.tempdir and "klimatkontrakt-serve-" in tempfile.tempdir:
    sys.stderr.write(f"RT28 the host's temporary folder is now {tempfile.tempdir}\\n")
    sys.stderr.flush()
if os.environ.get("RT28_EXIT"):
    os._exit(0)
sys.stderr.write("RT28 the host waits for serve\\n")
sys.stderr.flush()
while thread.is_alive():  # timed: Ctrl-C may reach another thread, which wakes no untimed join of the main one
    thread.join(0.5)
sys.stderr.write(f"RT28 serve returned {codes}\\n")
"""


def _in_a_thread(tmp_path, **extra: str) -> subprocess.Popen:
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, "", TMPDIR=str(temporary), **extra)
    return subprocess.Popen(
        [sys.executable, "-c", _IN_A_THREAD], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


@pytest.mark.slow
def test_serve_in_a_thread_leaves_the_hosts_temporary_folder_alone(tmp_path):
    proc = _in_a_thread(tmp_path, RT28_EXIT="1")
    try:
        _, err = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "RT28 the host's temporary folder is now" not in err, err


@pytest.mark.slow
def test_a_stop_ends_a_host_running_serve_in_a_thread(tmp_path):
    proc = _in_a_thread(tmp_path)
    try:
        said = []
        while (line := proc.stderr.readline()) and "RT28 the host waits" not in line:  # it serves, the host waits
            said.append(line)
        assert line, f"serve ended before it served: {''.join(said)}"
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            threads = len(os.listdir(f"/proc/{proc.pid}/task"))
            raise AssertionError(f"still runs 20 s after Ctrl-C, with {threads} threads") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
