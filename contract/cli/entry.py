"""The klimatkontrakt console script and python -m contract: a clean stop on Ctrl-C from the first instant.

Importing the command line takes a fifth of a second (the parser imports every command), before main() can catch
anything: so this module imports nothing of it at the top, and turns Ctrl-C (or SIGTERM) meanwhile into exit 130
(143), no traceback.
"""

from __future__ import annotations

import signal
import sys


def main() -> int:
    """Import the command line, then run it; Ctrl-C while it loads stops as Ctrl-C during a command does."""
    try:
        from .. import interrupts

        with interrupts.terminating():
            from ..output import faults

            faults.point("importing")
            from .main import main as run

            return run()
    except KeyboardInterrupt as exc:  # Terminated for SIGTERM
        print("interrupted", file=sys.stderr)
        return 128 + getattr(exc, "signal", signal.SIGINT)
