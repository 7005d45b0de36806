"""The build's child processes (PDF workers, Pagefind) die with it, even when it is killed outright."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
# Looked up once, in the build: a child between fork and exec must not load anything (another thread may have held
# the loader's lock at the fork).
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with(parent: int) -> None:
    """Make this process die with parent (Linux: PR_SET_PDEATHSIG), or die now if parent is gone already.

    A killed build (SIGKILL, the OOM killer) runs no clean-up: without this its children would run on, writing
    into the staging folder the next build recovers. Run in the child, before it does anything else.
    """
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)
