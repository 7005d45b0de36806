"""Ctrl-C and SIGTERM as KeyboardInterrupt, and the interruption Python swallowed raised again (contract/interrupts.py)."""

from __future__ import annotations

import os
import signal

import pytest

from contract import interrupts


class _InterruptedWhileCollected:
    """An object whose finalizer receives Ctrl-C, as a garbage-collected file can: Python discards what it raises."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
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
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):
            pass
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before  # handlers put back
    with interrupts.handling():
        interrupts.check()  # serve, or a test, runs another command in this process: not interrupted


def test_first_only_raises_the_first_stop_and_records_the_next_until_the_block_ends():
    finished = False
    with interrupts.handling():
        with pytest.raises(interrupts.Terminated):
            with interrupts.first_only():
                try:
                    os.kill(os.getpid(), signal.SIGTERM)
                    for _ in range(1000):
                        pass
                except interrupts.Terminated:
                    os.kill(os.getpid(), signal.SIGINT)  # a second stop during the clean-up: recorded, not raised
                    for _ in range(1000):
                        pass
                    finished = True
                    raise
        assert finished
        with pytest.raises(KeyboardInterrupt) as raised:
            interrupts.check()  # the last stop, a Ctrl-C, once the block is over
        assert not isinstance(raised.value, interrupts.Terminated)


def test_first_only_raises_the_next_stop_when_python_swallowed_the_first(monkeypatch):
    swallowed = []
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: swallowed.append(unraisable.exc_type))
    with interrupts.handling(), pytest.raises(KeyboardInterrupt), interrupts.first_only():
        _InterruptedWhileCollected()  # the first Ctrl-C, discarded in a finalizer: it stopped nothing
        assert swallowed == [KeyboardInterrupt]
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
        raise AssertionError("the Ctrl-C after a swallowed one did not raise")
