"""Ctrl-C and SIGTERM as KeyboardInterrupt, and the interruption Python swallowed raised again (contract/interrupts.py)."""

from __future__ import annotations

import signal
import threading

import pytest

from contract import interrupts


class _InterruptedWhileCollected:
    """An object whose finalizer receives Ctrl-C, as a garbage-collected file can: Python discards what it raises."""

    def __del__(self) -> None:
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        for _ in range(1000):  # the handler runs at one of these bytecodes, inside the finalizer
            pass


def test_an_interruption_swallowed_by_a_finalizer_is_raised_again_by_check(monkeypatch):
    swallowed = []
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: swallowed.append(unraisable.exc_type))
    with interrupts.handling():
        interrupts.check()  # nothing came yet
        _InterruptedWhileCollected()  # finalized at once: the KeyboardInterrupt is discarded there
        assert swallowed == [KeyboardInterrupt]
        with pytest.raises(KeyboardInterrupt) as raised:
            interrupts.check()
        assert not isinstance(raised.value, interrupts.Terminated)
    interrupts.check()  # over with the command: what this process runs next (write_atomic...) goes on


def test_sigterm_is_terminated_and_the_next_command_of_the_process_starts_uninterrupted():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with pytest.raises(interrupts.Terminated), interrupts.handling():
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        for _ in range(1000):
            pass
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before  # handlers put back
    with interrupts.handling():
        interrupts.check()  # serve, or a test, runs another command in this process: not interrupted
