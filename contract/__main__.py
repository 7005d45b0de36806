"""python -m contract: the klimatkontrakt command line. start() is where build.py and the installed klimatkontrakt
script begin too: it imports only signal and sys, so that a stop is handled from the process's first milliseconds."""

from __future__ import annotations

import signal
import sys

_stopping: list[int] = []  # the stop start()'s handler raised: the process ends with it, and says it once


class _Terminated(KeyboardInterrupt):
    signal = signal.SIGTERM


def _stop(number: int, frame: object) -> None:
    """Until the command line takes over: raise the first stop as KeyboardInterrupt; ignore those after it."""
    if _stopping:
        return
    _stopping.append(number)
    raise _Terminated() if number == signal.SIGTERM else KeyboardInterrupt()


def start(argv: list[str] | None = None) -> int:
    """Run the command line as the process's whole life; return its exit code.

    Ctrl-C or SIGTERM at any moment ends it as "interrupted" (130, 143), said once: from then on no stop is obeyed
    (contract.interrupts.terminating). A signal the process was started to ignore stays ignored.
    """
    try:
        # Both swapped with the two signals held back: a Ctrl-C between the swaps was raised by Python's own handler,
        # and _stop then took a SIGTERM after it for a first stop (exit 143) and more Ctrl-Cs raised out of said().
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            for number in (signal.SIGTERM, signal.SIGINT):
                if signal.getsignal(number) != signal.SIG_IGN:
                    signal.signal(number, _stop)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # one held back meanwhile goes to _stop now
        from .cli.entry import main

        return main(argv, final=True)
    except KeyboardInterrupt as exc:  # in the imports, before the command line handles stops
        return said(exc)


def said(exc: KeyboardInterrupt) -> int:
    """Say a stop that came before the command line handled stops; ignore further ones; return its exit code."""
    for number in (signal.SIGINT, signal.SIGTERM):  # (Python would put SIG_DFL back for _stop as it exits)
        signal.signal(number, signal.SIG_IGN)
    from .cli import writer  # stops are ignored now: its imports cannot be cut short

    writer.interrupted()
    return 128 + getattr(exc, "signal", signal.SIGINT)


if __name__ == "__main__":
    try:
        code = start()
    except KeyboardInterrupt as exc:  # a Ctrl-C as start() is entered, before its try
        code = said(exc)
    sys.exit(code)
