"""Ctrl-C and SIGTERM as KeyboardInterrupt, and the interruption Python swallowed raised again (contract/interrupts.py)."""

from __future__ import annotations

import signal
import sys
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


def test_a_command_run_inside_another_keeps_the_outer_commands_stop(monkeypatch):
    # A host's command that runs another (a tool built on the CLI) must not lose a stop the outer one recorded.
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: None)
    with interrupts.handling():
        _InterruptedWhileCollected()  # a Ctrl-C Python discarded: only check() can raise it now
        with interrupts.handling():
            with pytest.raises(KeyboardInterrupt):
                interrupts.check()  # the inner command is stopped too
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()  # and the outer one still is, once the inner is over
    interrupts.check()  # the outermost command is over: nothing is kept


class _FailsWhileCollected:
    """An object whose finalizer fails with an ordinary error: Python reports it, discarded, to sys.unraisablehook."""

    def __del__(self) -> None:
        raise ValueError("a library's finalizer failed")


def test_python_prints_no_report_of_a_stop_it_discarded_but_still_reports_other_errors(monkeypatch, capsys):
    monkeypatch.setattr("sys.unraisablehook", sys.__unraisablehook__)  # Python's own, as in a command's process
    with interrupts.handling():
        _InterruptedWhileCollected()
        _FailsWhileCollected()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()  # the discarded stop is raised again: it was not ignored
    err = capsys.readouterr().err
    assert "KeyboardInterrupt" not in err, err
    assert "ValueError: a library's finalizer failed" in err, err  # not a stop: Python's report stays
    assert sys.unraisablehook is sys.__unraisablehook__  # put back


def test_a_hook_someone_installed_sees_every_report_and_one_installed_during_the_command_stays(monkeypatch):
    theirs, later = [], []
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: theirs.append(unraisable.exc_type))
    with interrupts.handling():
        _InterruptedWhileCollected()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert theirs == [KeyboardInterrupt]
    monkeypatch.setattr("sys.unraisablehook", sys.__unraisablehook__)
    with interrupts.handling():
        sys.unraisablehook = later.append  # a library replaces it while the command runs
    assert sys.unraisablehook == later.append
