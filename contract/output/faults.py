"""Fault injection for tests: kill or pause a build at a named step, chosen by KLIMATKONTRAKT_FAULT.

The tests of interrupted and concurrent builds need the build to stop at an exact step, not after a
guessed time. KLIMATKONTRAKT_FAULT="kill:STEP" sends SIGKILL to the build itself at STEP;
"pause:STEP:W:R" writes one byte to file descriptor W (the build has arrived) and then waits until
file descriptor R reaches its end (the test lets it go on). Unset, every point does nothing.
KLIMATKONTRAKT_NO_EXCHANGE=1 makes contract.files.swap use two renames, as on systems without renameat2.
"""

from __future__ import annotations

import os
import select
import signal

VARIABLE = "KLIMATKONTRAKT_FAULT"
TICK = 0.25  # seconds: how late at most a paused command handles a stop given to another of its threads


def point(step: str) -> None:
    """Kill or pause here when the environment asks for it at this step."""
    spec = os.environ.get(VARIABLE, "")
    if not spec:
        return
    action, _, rest = spec.partition(":")
    name, _, fds = rest.partition(":")
    if name != step:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "pause":
        arrived, resume = (int(fd) for fd in fds.split(":"))
        os.write(arrived, b"x")
        # A timed wait: a test's stop that the kernel gives to another thread (the --jobs 1 PDF thread, a pool's) does
        # not wake an untimed read here, and Python runs its handler only once this thread runs Python again. The build
        # then waited for the test to let it go on, which the test does once the build has ended (red team 21c's
        # one-job test hung so once). Each wake-up runs the handlers of the stops that came meanwhile.
        # poll, not select: select refuses a descriptor from 1024 on, which a test process with many files open passes.
        waiting = select.poll()
        waiting.register(resume, select.POLLIN)
        while True:
            if waiting.poll(TICK * 1000) and not os.read(resume, 1024):
                return
