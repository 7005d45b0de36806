"""A stop the kernel gives to a thread other than the main one still stops a build that waits (interrupts.waiting).

Linux delivers a signal sent to a process to any of its threads. Python runs the handler only in the main thread,
and only once that thread runs Python again: an untimed wait there (Pagefind's end, a worker's result) was not woken,
and the build waited for ever. CI saw it once (test_redteam_session21's SIGTERM while Pagefind runs, after 300 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from build_helpers import ROOT, leftovers, make_repo
from processes import finish, hooked, start_command_paused

# In the build: a thread that waits until the main thread sleeps in the poll of its wait for Pagefind (which never
# ends by itself), then sends SIGTERM to itself: the kernel gives it to that thread, not to the sleeping main one.
_SIGTERM_TO_ANOTHER_THREAD = """
import os, signal, sys, threading, time

def _sleeping_in_poll(main):
    frame = sys._current_frames().get(main.ident)
    if frame is None or frame.f_code.co_name != "select" or "selectors" not in frame.f_code.co_filename:
        return False
    names = []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    if "finish_index" not in names:  # another wait (git's, with a timeout of its own)
        return False
    with open(f"/proc/self/task/{main.native_id}/wchan") as wchan:
        return "poll" in wchan.read()  # asleep in the poll itself, not waiting for the GIL

def _watch():
    main = threading.main_thread()
    end = time.monotonic() + 120  # the limit only guards against a build that never waits
    while time.monotonic() < end and not _sleeping_in_poll(main):
        pass
    sys.stderr.write("TEST SIGTERM to another thread\\n")
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

def _audit(event, args):
    if event == "subprocess.Popen" and str(args[1][0]) == os.environ["PAGEFIND_BINARY_PATH"] and not _started:
        _started.append(threading.Thread(target=_watch, daemon=True))
        _started[0].start()

_started = []
sys.addaudithook(_audit)
"""


@pytest.mark.slow
def test_sigterm_given_to_another_thread_stops_a_build_waiting_for_pagefind(tmp_path):
    repo = make_repo(tmp_path / "repo")
    indexer = tmp_path / "pagefind"  # a Pagefind that never ends by itself
    indexer.write_text("#!/bin/sh\nexec sleep 600\n")
    indexer.chmod(0o755)
    env = hooked(tmp_path, _SIGTERM_TO_ANOTHER_THREAD, PAGEFIND_BINARY_PATH=str(indexer))
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        out, err = build.communicate(timeout=120)  # the limit only guards against the hang this test is about
    except subprocess.TimeoutExpired:
        build.kill()
        build.communicate()
        pytest.fail("the build still waited for Pagefind 120 s after a SIGTERM given to another of its threads")
    assert (build.returncode, out, err) == (143, "", "TEST SIGTERM to another thread\ninterrupted\n")
    assert leftovers(repo) == [] and not (repo / "site").exists()
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_stand_in(p, indexer)]


def _is_stand_in(pid: str, indexer) -> bool:
    try:
        return str(indexer).encode() in open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return False


# In a build paused at a fault point (KLIMATKONTRAKT_FAULT=pause:rendering, start_command_paused) with --jobs 1: a
# thread that waits until the main thread sleeps in the pause, then gives SIGTERM to the thread that renders the PDFs,
# as the kernel may when the test sends SIGTERM to the process (most likely how red team 21c's one-job test hung once).
_SIGTERM_TO_THE_RENDER_THREAD = """
import ctypes, os, signal, sys, threading, time

def _paused(main):
    frame = sys._current_frames().get(main.ident)
    while frame is not None and not (frame.f_code.co_name == "point" and frame.f_code.co_filename.endswith("faults.py")):
        frame = frame.f_back
    if frame is None:
        return False
    resume = int(os.environ["KLIMATKONTRAKT_FAULT"].rpartition(":")[2])
    with open(f"/proc/self/task/{main.native_id}/syscall") as call:
        fields = call.read().split()
    # asleep in the pause's system call on the test's pipe, not on the GIL: a read of it (the untimed pause of old), or
    # a poll (ppoll) of one descriptor, its first argument the array whose first entry (int fd first) is the pipe
    reads, polls = {"x86_64": (("0",), ("7", "271")), "aarch64": (("63",), ("73",))}.get(os.uname().machine, ((), ()))
    if fields[0] in reads:
        return int(fields[1], 16) == resume
    if fields[0] not in polls or int(fields[2], 16) != 1 or int(fields[1], 16) < 4096:
        return False
    return ctypes.c_int.from_address(int(fields[1], 16)).value == resume

def _watch():
    main = threading.main_thread()
    end = time.monotonic() + 120  # the limit only guards against a build that never pauses
    while time.monotonic() < end and not _paused(main):
        time.sleep(0.01)  # not a spin: it held the GIL from the build's main thread half the time (20 s a run)
    render = next((t for t in threading.enumerate() if t.name.startswith("klimatkontrakt-pdf")), None)
    sys.stderr.write(f"TEST SIGTERM to {'the render thread' if render else 'no render thread'}\\n")
    sys.stderr.flush()
    signal.pthread_kill(render.ident if render else threading.get_ident(), signal.SIGTERM)

threading.Thread(target=_watch, daemon=True).start()
"""


@pytest.mark.slow
def test_sigterm_given_to_the_render_thread_stops_a_build_paused_at_a_fault_point(tmp_path):
    # The pause of contract.output.faults waited in an untimed read: a stop handled by another thread never woke it,
    # and the build waited until the test let it go on, which the test did only once the build had ended: a hang.
    repo = make_repo(tmp_path / "repo")
    env = hooked(tmp_path, _SIGTERM_TO_THE_RENDER_THREAD)
    argv = [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "1"]
    build, resume = start_command_paused(
        argv, "rendering", lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), env=env
    )
    try:
        returncode, out, err = finish(build)  # on a hang: None, and the stacks of its threads in err
    finally:
        os.close(resume)
    assert (returncode, out, err) == (143, "", "TEST SIGTERM to the render thread\ninterrupted\n"), err
    assert leftovers(repo) == [] and not (repo / "site").exists()
