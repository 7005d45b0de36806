"""The build's worker processes: a process pool whose workers Ctrl-C does not reach, and how they are stopped.

Stopping them works whatever they were doing: reading a job, writing a PDF back, or starting.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .. import interrupts
from ..output import faults


def stop_processes(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers, whole or not at all (see interrupts.whole); safe to call again."""
    # Whole or not at all: a second Ctrl-C or SIGTERM (an impatient user, a CI runner's TERM then INT) that cut
    # this short after release() and before the kill left workers waiting for a job whose order to stop the
    # drain had read, and the build waiting for them at exit, for ever. It is recorded and raised after.
    interrupts.whole(lambda: _stop_processes(pool))


class Workers(ProcessPoolExecutor):
    """A process pool whose threads end once its workers are killed, whatever the workers were doing.

    Two pipes join the pool's threads to its workers, and this process holds both ends of each: a read on a pipe
    whose writers were killed, or a write on one whose readers were, never ends unless no end of it is left here.
    - The jobs: the pool's queue thread writes each into a pipe the workers read, and a job is larger than a pipe
      holds (a contract is about 160 KB, a pipe 64 KiB), so the thread waits in its write until a worker reads. With
      the workers killed, Python before 3.11.5 (Debian 12 has 3.11.2) then waited for that thread at exit, for ever
      (CPython gh-94777). This pool keeps a reading end of its own, taken before any thread of the pool runs (so no
      other thread can have closed it), and once the workers are stopped reads and drops what is still written.
    - The results: a worker killed while it wrote a PDF back leaves half a message, and the pool's thread waits for
      the rest of it, for ever (any Python). Once the workers are stopped, this process's writing end is pointed at
      /dev/null, so that read ends and the pool finds its workers gone.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No public way to these pipes: a Python whose pool lacks them gets no remedy (test_build_workers says so).
        reader = getattr(getattr(self, "_call_queue", None), "_reader", None)
        self._spare_reader = os.dup(reader.fileno()) if reader is not None else -1
        self._released = False
        self.stopped = False  # stop() has killed the workers

    def release(self) -> None:
        """Let the pool's threads end once the workers are killed (call it before the shutdown, which forgets them)."""
        self._released = True
        spare, self._spare_reader = self._spare_reader, -1
        if spare >= 0:
            threading.Thread(target=_drain, args=(spare,), name="pdf-jobs-drain", daemon=True).start()
        writer = getattr(getattr(self, "_result_queue", None), "_writer", None)  # only workers write; none closes it
        if writer is None:
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, writer.fileno(), inheritable=False)
        finally:
            os.close(null)

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is not None and not self.stopped:  # failed or interrupted, and stop() was cut short or not run
            stop_processes(self)
        super().__exit__(*exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if wait and self._released:
            # Released, the pool's order to stop is read by the drain as readily as by a worker: a worker left alive
            # (a second Ctrl-C cut stop() short before its kill) would wait for a job for ever, and this for it.
            for process in started(self):
                process.kill()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait and self._spare_reader >= 0:  # every worker has exited: nothing is written any more
            os.close(self._spare_reader)
            self._spare_reader = -1


def _drain(reader: int) -> None:
    try:
        while os.read(reader, 1 << 16):
            pass
    except OSError:
        pass
    finally:
        os.close(reader)


def started(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """Every worker process the pool started, also one a Ctrl-C came to before the pool recorded it."""
    recorded = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    listed = getattr(getattr(pool, "_mp_context", None), "listed", [])
    return recorded + [p for p in listed if p not in recorded and getattr(p, "_popen", None) is not None]


def _stop_processes(pool: ProcessPoolExecutor) -> None:
    # Listed before the shutdown, which forgets them: a worker in the middle of a PDF would otherwise finish it
    # (or hang the build's exit, if the PDF never finishes) before it read the pool's order to stop.
    processes = started(pool)
    manager = getattr(pool, "_executor_manager_thread", None)  # forgotten by the shutdown too
    if isinstance(pool, Workers):
        pool.release()
    faults.point("stopping-workers")  # released, not yet killed: a test sends the second signal here
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
    if isinstance(pool, Workers):
        pool.stopped = True
    if manager is not None:
        # It notices the killed workers and closes its wake-up pipe. Python 3.11's exit hook writes to that pipe
        # and prints a traceback if it is closed meanwhile: wait until the pool's thread is done with it.
        manager.join(timeout=60)


class QuietProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that Ctrl-C at the terminal does not reach: the build stops it (stop) without its traceback."""

    def start(self) -> None:
        # Blocked, not ignored, in the build while it spawns: the child starts with SIGINT blocked, and a Ctrl-C
        # meanwhile is delivered to the build as soon as it is unblocked instead of being lost.
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


class QuietContext(multiprocessing.context.SpawnContext):
    """The spawn context, with workers that ignore Ctrl-C (QuietProcess), each listed here before it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.listed: list[QuietProcess] = []  # a Ctrl-C as a worker starts comes before the pool records it

    def Process(self, *args: Any, **kwargs: Any) -> QuietProcess:  # type: ignore[override]
        """A worker, listed (the pool calls this as it would the class)."""
        process = QuietProcess(*args, **kwargs)
        self.listed.append(process)
        return process
