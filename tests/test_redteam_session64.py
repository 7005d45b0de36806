"""Red team 64: four changes of 2 December attacked (aac5eec, d290aed/f04ee74, 8ce2e85, 43f4b67, 84b9f88).

Found (each a test below, failing before its fix, unless said otherwise):
- 43f4b67's pause (KLIMATKONTRAKT_FAULT=pause:STEP:W:R) waits in select(), which refuses a descriptor from 1024 on
  ("filedescriptor out of range in select()"): a command given a pipe numbered so (a test process with many files
  open; the soft limit here is 20000) crashed with a traceback at the fault point, where the untimed os.read it
  replaced paused. The pause now polls (select.poll), with the same quarter-second wake-ups. The test helper
  processes.start_command_paused had the same limit in its own select() for the command's arrival (older than
  43f4b67): it polls too.
- f04ee74's test_checkout ran git with the user's own configuration: with a global excludes file that ignores .venv
  and node_modules (XDG_CONFIG_HOME/git/ignore, a common setup), it passed against the old .gitignore too. It now
  runs git with a HOME of its own and no system or GIT_* configuration (checked: fails again against the old
  .gitignore with such a global excludes file).
- 43f4b67's new test_signals_to_other_threads test took about 20 s: its watcher thread spun without sleeping while
  the build ran up to the pause, holding the GIL from the build's main thread. It sleeps 10 ms a turn now: about 1 s,
  and it still hangs (fails at the hang guard) against the untimed pause of old.
- red team 28's module docstring still said the swallowed-stop tests end with "the user's stop (143)", which aac5eec
  removed: they now wait for the swallowed stop alone to end serve (130 for a Ctrl-C). Said as it is now.

Held:
- the pause (43f4b67, and after the fix above): R closed before the command arrives, closed while it waits (goes on
  at once), data then end of file (goes on only at the end), SIGUSR1s (EINTR) while it waits (goes on only at the
  end), SIGTERM to the main thread, two SIGTERMs in a row, SIGTERM given to one of four other threads (stops within
  a tick); W's read end closed early is a BrokenPipeError as before 43f4b67 (the helpers never do it); unset, the
  point returns at once as before. test_signals_to_other_threads's new test (its hook now also recognises the
  poll, and the old untimed read, so that it still hangs, quickly, against the old pause) and red team 21c's
  one-job test pass.
- .gitignore: no tracked file is ignored (git ls-files -ci --exclude-standard is empty); test_checkout fails with
  the old .gitignore (the link case) and passes with the new; `.venv` as a file, a link or nested is ignored;
  `venv` (no dot) was not ignored before either (README makes .venv).
- mutation testing, each test failing against the broken product, then restored:
  _StopChecked.shutdown_delay without interrupts.check() (all 5 of red team 28's changed tests fail: serve runs on
  30 s after the swallowed stop); template_cache with disk=True, and with git's tracking asked once per process
  instead of per build (red team 35's test fails: PLANTED); stop_index a no-op (red team 27's test fails, 3 of 3:
  the stand-in's folders left in TMPDIR). Unmutated, red team 27's and 35's tests passed 3 of 3, 28's 1 of 1.
"""

from __future__ import annotations

import fcntl
import os
import resource
import subprocess
import sys

import pytest
from processes import ROOT, finish, start_command_paused

_POINT = "from contract.output import faults; faults.point('here'); print('went on')"


@pytest.fixture
def room_above_1023():
    """Let this process open descriptors numbered from 1024 on (the soft limit is often 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip(f"this machine allows {hard} open files, fewer than the test needs")
    if soft != resource.RLIM_INFINITY and soft < 1100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1100, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _high(fd: int) -> int:
    """Move fd to the lowest free number from 1024 on (closing the old one); return that number."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 1024)
    os.close(fd)
    return moved


def test_a_pause_with_its_pipes_above_descriptor_1023_goes_on_when_the_test_lets_it(room_above_1023):
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    arrived_w, resume_r = _high(arrived_w), _high(resume_r)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KLIMATKONTRAKT_FAULT": f"pause:here:{arrived_w}:{resume_r}"}
    process = subprocess.Popen(
        [sys.executable, "-c", _POINT], env=env, pass_fds=(arrived_w, resume_r),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(arrived_w)
    os.close(resume_r)
    try:
        assert os.read(arrived_r, 1) == b"x"
        assert process.poll() is None  # paused, not crashed at the point (select: ValueError, exit 1)
    finally:
        os.close(resume_w)
        os.close(arrived_r)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (0, "went on\n", "")


@pytest.fixture
def many_files_open(room_above_1023):
    """Hold files open until the next descriptors are numbered from 1024 on (as in a test process with many)."""
    held = []
    try:
        while (fd := os.open(os.devnull, os.O_RDONLY)) < 1024:
            held.append(fd)
        os.close(fd)
        yield
    finally:
        for fd in held:
            os.close(fd)


def test_start_command_paused_works_in_a_test_process_with_many_files_open(many_files_open):
    command, resume = start_command_paused([sys.executable, "-c", _POINT], "here", None)
    os.close(resume)
    assert finish(command) == (0, "went on\n", "")
