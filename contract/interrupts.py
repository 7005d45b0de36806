"""Ctrl-C and SIGTERM stop a command as KeyboardInterrupt, even when Python swallowed the first one.

Python runs a signal's handler in the main thread at the next bytecode; when that is inside a finalizer (a
garbage-collected file closing, a __del__, a GC callback), the KeyboardInterrupt it raises is discarded with the
finalizer's other errors, and the command would go on as if Ctrl-C had never come: to its end, or for ever if it
then waits for a worker that never answers. So the handler also records the signal, and the places where a
command goes on to its next step or starts to wait call check(), which raises it again. Python's own report of
such a discarded stop ("Exception ignored in ...", a traceback) is not printed: the stop is not ignored.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
TICK = 0.25  # seconds: how late at most a stop given to another thread is handled in a wait

_received: list[int] = []  # the signals since handling() began; only the main thread appends
_handling: list[bool] = []  # one entry while handling() runs (a command): it raises and clears what is received
_ending: list[bool] = []  # one entry once a final entry point runs: the process ends with its command
_said: list[bool] = []  # one entry once such a process has said "interrupted": further stops are ignored


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every clean-up (staging folder, workers) runs on the way out."""

    signal = signal.SIGTERM


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt and Terminated for the command, and record them for check()."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread can handle signals
        yield
        return
    # Nested in another command's handling(), the stops that one recorded stay recorded. The depth is taken before
    # the try and the entry added inside it: a Ctrl-C at any point leaves the list as it was (a test runner, or a
    # host, runs the next command of the process as the outermost again).
    depth = len(_handling)
    if not depth:
        _received.clear()  # an earlier command of this process (serve, the tests) was interrupted: not this one
    # A Ctrl-C as the handlers are put back raises out: the caller catches it around this too.
    try:
        _handling.append(True)
        with signals_to(_stop), _quiet_discarded_stops():
            yield
    finally:
        del _handling[depth:]
        if not depth:
            _received.clear()  # code run later in this process without handling() (a library caller) is not stopped


@contextlib.contextmanager
def terminating(final: bool = False) -> Iterator[None]:
    """During the block, SIGTERM raises Terminated as Ctrl-C raises KeyboardInterrupt: an entry point's first instant,
    in its imports, stops as cleanly as its command (exit 143, "interrupted"). Then SIGTERM is as it was: a SIGTERM
    once the command is over ends the process as the system does. A SIGTERM the process was told to ignore stays so.

    final: the process ends with the block (build.py, python -m contract, the console script), and a stop that leaves
    the block is said ("interrupted") by the caller. Once a stop is said (stopped(), or as it leaves the block),
    further stops are ignored to the end: a Ctrl-C or SIGTERM more as it exits changes neither its exit code nor its
    output. The first stop obeyed here is the process's last: its handler records it as said before it raises, so
    no second one can cut the saying short. After a command that ended, Ctrl-C and SIGTERM are the system's
    (SIG_DFL): a stop as the process exits ends it by the signal, and none is lost.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    swaps: dict[int, Callable[[int, object], None]] = {}
    if final:
        swaps = {number: handler for number, handler in _FINAL.items() if signal.getsignal(number) != signal.SIG_IGN}
    elif signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        swaps[signal.SIGTERM] = _terminated
    before: dict[int, Any] = {}
    depth = len(_ending)
    if final:
        _ending.append(True)
    try:
        with _held_back():  # both or neither: between the two, each signal had a different record of a first stop
            for number, handler in swaps.items():
                before[number] = signal.signal(number, handler)
        yield
    except KeyboardInterrupt:
        if final:  # said by the caller as it leaves: from here on, nothing more is obeyed
            _ignore_stops()
        raise
    finally:
        with _held_back():
            for number, old in before.items():  # (not left to Python, which puts SIG_DFL back as it exits)
                if _said:
                    old = signal.SIG_IGN
                elif final:  # the command has ended: a stop now ends the process as the system does
                    old = signal.SIG_DFL
                signal.signal(number, old)
        del _ending[depth:]


@contextlib.contextmanager
def _held_back() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back during the block (handlers swapped as one); one that came is handled after it."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def stopped(exc: KeyboardInterrupt, final: bool = False) -> int:
    """Return the exit code of a stop the caller is about to say ("interrupted"); in a final entry point (see
    terminating; final when the caller is one), every further stop is ignored from here on."""
    if final or _ending:
        _ignore_stops()
    return 128 + getattr(exc, "signal", signal.SIGINT)


def _ignore_stops() -> None:
    """Ignore Ctrl-C and SIGTERM to the process's end (a final entry point that says "interrupted")."""
    if threading.current_thread() is threading.main_thread():
        _said.append(True)  # first: the handlers that the blocks being left put back ignore stops too
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Only record Ctrl-C and SIGTERM during the block (a clean-up that must finish); check() raises them after it.

    Outside a command (no handling(): a library caller), each signal that came is sent again once the block is over,
    to the handler the process had before it (the caller's own, or Python's KeyboardInterrupt), also when the block
    raised; nothing is kept for later.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Not a blocked signal mask: Python runs its handlers in the main thread whichever thread the kernel told.
    mark = len(_received)
    try:
        with signals_to(_record):
            yield
    finally:
        if not _handling:  # run as a library, outside a command: nothing it records may stop a later call, so each
            came = list(dict.fromkeys(_received[mark:]))  # signal goes, once, to the handler the process had
            del _received[mark:]
            _deliver(came)


def whole(clean: Callable[[], None]) -> None:
    """Run a clean-up that must finish under deferred(); a stop that came as deferred() began runs it once more.

    Python may run a signal's handler between any two steps, also the first of deferred(): a Ctrl-C and a SIGTERM
    in quick succession cut the clean-up short there (a staging folder left, workers not stopped). clean must be
    safe to run twice.
    """
    done = False
    try:
        with deferred():
            clean()
            done = True
    except KeyboardInterrupt:  # as deferred() began; or a stop it recorded, given back to a library caller after
        if not done:
            with deferred():
                clean()
        raise


def _deliver(numbers: list[int]) -> None:
    """Send each signal to this process's handler in turn; one whose handler raises does not keep back the rest."""
    if numbers:
        try:
            signal.raise_signal(numbers[0])
        finally:
            _deliver(numbers[1:])


@contextlib.contextmanager
def signals_to(handler: Callable[[int, object], None]) -> Iterator[None]:
    """Handle SIGINT and SIGTERM with handler during the block; then as before. An ignored signal stays ignored:
    a process started so (a script's background job, nohup) was told not to stop on it."""
    stops = [number for number in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(number) != signal.SIG_IGN]
    before: dict[int, Any] = {}
    try:  # from the first swap: a handler that raises between the two leaves neither swapped (SIGINT stayed so)
        for number in stops:
            before[number] = signal.signal(number, handler)
        yield
    finally:
        # A handler may raise after any call here (the block's, or the caller's once its own is back): each
        # handler is put back in a try of its own, written out (a loop's jump back, a helper's start are such
        # points too), and what was raised is raised once both are back.
        raised: BaseException | None = None
        try:
            if signal.SIGINT in before:
                signal.signal(signal.SIGINT, before[signal.SIGINT])
        except BaseException as exc:
            raised = exc
        try:
            if signal.SIGTERM in before:
                signal.signal(signal.SIGTERM, before[signal.SIGTERM])
        except BaseException as exc:
            raised = raised or exc
        if raised is not None:
            raise raised


@contextlib.contextmanager
def _quiet_discarded_stops() -> Iterator[None]:
    """Keep Python's default report of a stop it discarded off the terminal during the block: check() raises it.

    A hook someone installed (a host program's, a test runner's) is theirs: it stays, and sees every report.
    """
    if sys.unraisablehook is not sys.__unraisablehook__:
        yield
        return

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not (_received and issubclass(unraisable.exc_type, KeyboardInterrupt)):
            sys.__unraisablehook__(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:  # replaced meanwhile: the replacement stays
            sys.unraisablehook = sys.__unraisablehook__


def waiting(wait: Callable[[float], T], expired: type[Exception]) -> T:
    """Return what wait(timeout) returns, calling it again each time it raises expired.

    Linux gives a signal to any thread of the process. One given to another thread does not wake an untimed wait of
    the main thread (a worker's result, Pagefind's end), and Python runs the handler only in the main thread: the
    stop then waited for the wait to end, for ever if that never does. A timed wait returns to Python every TICK.
    """
    while True:
        check()
        try:
            return wait(TICK)
        except expired:
            continue


def check() -> None:
    """Raise the interruption again if one came (call it where a command goes on to a next step, or waits)."""
    if _received:
        raise Terminated() if _received[-1] == signal.SIGTERM else KeyboardInterrupt()


def _stop(number: int, frame: object) -> None:
    if _said:
        return
    _received.append(number)
    raise Terminated() if number == signal.SIGTERM else KeyboardInterrupt()


def _terminated(number: int, frame: object) -> None:
    if _said:
        return
    if _ending:  # a final entry point: this stop ends the process, and its caller says it
        _said.append(True)
    raise Terminated()


def _interrupted(number: int, frame: object) -> None:  # a final entry point's only
    if _said:
        return
    _said.append(True)
    raise KeyboardInterrupt()


_FINAL = {signal.SIGINT: _interrupted, signal.SIGTERM: _terminated}  # a final entry point's handlers


def _record(number: int, frame: object) -> None:
    if not _said:
        _received.append(number)
