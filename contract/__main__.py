"""python -m contract: the klimatkontrakt command line; start() is build.py's beginning too."""

from __future__ import annotations

import signal
import sys


class _Terminated(KeyboardInterrupt):
    signal = signal.SIGTERM


def _terminated(number: int, frame: object) -> None:
    raise _Terminated()


def start(argv: list[str] | None = None) -> int:
    """Run the command line as a process's whole life: a stop from its first milliseconds on is a clean stop.

    Imports nothing of the package until SIGTERM, like Ctrl-C, raises; once "interrupted" is said, nothing more is
    obeyed (see contract.interrupts.terminating).
    """
    try:  # until the entry point takes over (its imports), a stop is caught here
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)
        from .cli.entry import main

        return main(argv, final=True)
    except KeyboardInterrupt as exc:  # before main() could catch it, or as it returned
        for number in (signal.SIGINT, signal.SIGTERM):  # said: nothing more is obeyed
            signal.signal(number, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        return 128 + getattr(exc, "signal", signal.SIGINT)


if __name__ == "__main__":
    sys.exit(start())
