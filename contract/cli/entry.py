"""The command line's entry: a clean stop on Ctrl-C or SIGTERM from the first instant (see also contract.__main__).

Importing the command line takes a fifth of a second (the parser imports every command), before main() can catch
anything: so this module imports nothing of it at the top, and turns Ctrl-C (or SIGTERM) meanwhile into exit 130
(143), no traceback.
"""

from __future__ import annotations

from .. import interrupts


def main(argv: list[str] | None = None, final: bool = False) -> int:
    """Import the command line, then run it; Ctrl-C while it loads stops as Ctrl-C during a command does.

    final: the process exits with the returned code (contract.__main__.start: build.py, python -m contract, the
    console script), so once it has said "interrupted" no further stop is obeyed. Not final, for a host program
    that calls it: the host's own handlers come back.
    """
    try:
        with interrupts.terminating(final):
            from ..output import faults

            faults.point("importing")
            from .main import main as run

            return run(argv)
    except KeyboardInterrupt as exc:  # Terminated for SIGTERM
        code = interrupts.stopped(exc, final)
        from . import writer  # (in a final entry point, stops are ignored from here on)

        writer.interrupted()
        return code
