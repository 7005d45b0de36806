"""The build's PDF workers: spawned processes, started before validation so they load the PDF toolchain meanwhile.

This module is what a worker imports: it loads nothing of the checks or the site, only what renders a PDF.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .. import collector
from ..errors import ContractError, Diagnostic
from .children import die_with
from .worker_pool import QuietContext, Workers, stop_processes

if TYPE_CHECKING:
    from ..diff.changeset import ChangeSet
    from ..model import Contract
    from ..source.provenance import Source


def start(jobs: int | None, pdfs: int, eager: bool = True) -> Pool:
    """Return a pool for up to jobs PDFs at once (default: one per core), its workers already starting.

    This process builds the site meanwhile, then renders what no worker has started yet (render_rest): it is one
    of the jobs, so jobs - 1 workers are started, and none for --jobs 1 (every PDF renders here). pdfs is how many
    PDFs the build may render at most: no more workers than that are started, and only as many as there are
    contract PDFs are started at once (a redline starts one more when it needs it).
    eager=False starts none until the first job arrives: for a build whose PDFs are expected in the cache.
    """
    at_once = max(1, min(jobs or os.cpu_count() or 1, pdfs))
    if at_once == 1:
        return InProcess()
    if not eager:
        return Deferred(jobs, pdfs)
    workers = at_once - 1
    # Spawned, not forked: a fork copies the locks other threads of the caller hold, and the worker can hang on one.
    pool = Workers(
        max_workers=workers,
        mp_context=QuietContext(),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        for _ in range(min(workers, max(1, pdfs // 2))):  # each submit starts a worker, which loads Typst meanwhile
            pool.submit(_warm)
    except BaseException:  # Ctrl-C as a worker starts: before the build's own clean-up is in place
        stop(pool)
        raise
    return pool


def render(
    kind: str,
    lang: str,
    subject: Contract | ChangeSet,
    draft: bool,
    src: Source,
    catalogues: Sequence[tuple[str, Path]] = (),
) -> bytes:
    """Render one PDF (in a worker): a contract, or the redline of a ChangeSet the build computed.

    catalogues are the label files of the repository's languages: a spawned worker has not read its config.
    """
    from ..render import labels

    if catalogues and list(catalogues) != labels.registered():  # a spawned worker; not the build's own thread
        labels.use(catalogues)  # which would clear the catalogues the site is being made with
    if kind == "redline":
        from ..render.redline_pdf import render_redline_pdf

        return render_redline_pdf(subject, lang, src, draft=draft)  # type: ignore[arg-type]
    from ..pdf.document import render_pdf

    return render_pdf(subject, lang, src)  # type: ignore[arg-type]


def claimed(claims: str, index: int, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a job in a worker unless the build has claimed it first (then None): see render_rest."""
    return fn(*args) if Claims(claims).take(index) else None


@dataclass(frozen=True)
class Claims:
    """Who renders each job: the first to make its claim file (a worker, or the build once the site is made)."""

    folder: str

    def take(self, index: int) -> bool:
        """Claim job index; False when it was claimed already."""
        try:
            os.close(os.open(os.path.join(self.folder, str(index)), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except (FileExistsError, FileNotFoundError):  # claimed already, or the build is over (folder removed)
            return False
        return True

    def close(self) -> None:
        """Remove the claims: from now on no job can be claimed, not even one this process claimed and rendered."""
        # Renamed first, then emptied. Removed in place, file by file, the folder took a late claim from a worker that
        # reached a queued job the build had rendered itself (its claim file just removed): the folder then stayed,
        # was published with the site, and the next build refused the output folder (found by the 10-version benchmark).
        closed = f"{self.folder}.closed"
        try:
            os.rename(self.folder, closed)
        except FileNotFoundError:  # removed already (a test removes it while the build runs)
            return
        except OSError:  # it cannot be renamed: emptied in place, as before, rather than fail the build here
            closed = self.folder
        for _ in range(2):  # a claim whose lookup began before the rename may land in it as the first pass empties it
            shutil.rmtree(closed, ignore_errors=True)
            if not os.path.lexists(closed):
                break


def render_rest(
    jobs: Sequence[tuple[Future | Done, tuple]], claims: Claims, run: Callable[..., Any] = render
) -> list[Future | Done]:
    """Render here, last first, the jobs no worker has claimed (the site is built: this process is free); return
    what holds each job's PDF, in order. Job i was submitted as claimed(claims, i, ...): whoever claims it renders it,
    so no job is done twice or lost (the jobs a worker started as their versions loaded come first, claimed for it),
    and no future is cancelled (Python 3.11's pool fails on a cancelled job when a worker dies).

    When fewer than two jobs wait, they are left to the workers: loaded and warm, a worker renders one faster than
    this process would load Typst and lay the contract out for the first time.
    """
    holders = [holder for holder, _ in jobs]
    waiting = [
        holder for holder in holders if isinstance(holder, Future) and not holder.running() and not holder.done()
    ]
    if len(waiting) < 2:
        return holders
    for index in reversed(range(len(holders))):
        if isinstance(holders[index], Done) or not claims.take(index):  # a worker has it: so has it every job before
            break
        holders[index] = Done(run(*jobs[index][1]))
    return holders


def result(pool: Pool, holder: Future | Done, timeout: float) -> Any:
    """Return a job's result, waiting at most timeout (then TimeoutError); BrokenProcessPool once a worker is dead.

    A pool notices a dead worker itself, except when the worker died writing its PDF back: the pool's thread then
    waits for the rest of the message, for ever (see worker_pool.Workers), and so would the build.
    """
    try:
        return holder.result(timeout)
    except TimeoutError:
        running = pool.started if isinstance(pool, Deferred) else pool
        if isinstance(running, ProcessPoolExecutor):
            processes = list((getattr(running, "_processes", None) or {}).values())  # no public way
            if any(process.exitcode is not None for process in processes):
                raise BrokenProcessPool("a worker ended before its job was done") from None
        raise


def stop(pool: Pool) -> None:
    """Kill the workers of a failed or interrupted build: leaving the pool would wait for every PDF still queued."""
    if isinstance(pool, Deferred):
        pool = pool.started or InProcess()
    if isinstance(pool, InProcess):
        pool.stop()
    if isinstance(pool, ProcessPoolExecutor):
        stop_processes(pool)


@contextlib.contextmanager
def stopping(pool: Pool) -> Iterator[None]:
    """Stop the workers if the block fails; a worker killed meanwhile is said plainly (exit 1), not as our fault."""
    try:
        yield
    except BrokenProcessPool as exc:  # the OOM killer, or someone, killed a worker: not a fault in the files
        stop(pool)
        raise ContractError([_stopped()]) from exc
    except BaseException:
        stop(pool)
        raise


def _stopped() -> Diagnostic:
    """Say that a worker ended before its PDF was done (killed; most often by the system, short of memory)."""
    return Diagnostic(
        None,
        "error",
        "a process rendering the PDFs stopped before it had finished (it was killed; the system does that when "
        "it runs short of memory)",
        "run the build again; if it stops again, free some memory or run it with --jobs 1, which renders one PDF "
        "at a time in the build's own process",
        "worker-stopped",
    )


def _warm() -> None:
    """Load what every PDF needs (Typst, fonts, the layout's templates) before the first job arrives.

    pyHanko, needed only after the first Typst compile, loads in a thread: Typst releases the GIL while it compiles.
    """
    from ..pdf import document  # noqa: F401
    from ..render import redline_pdf  # noqa: F401

    threading.Thread(target=_load_pyhanko, daemon=True).start()


def _load_pyhanko() -> None:
    from ..pdf import identity, signature_fields  # noqa: F401


def _die_with_parent(parent: int) -> None:
    """Make this worker die with the build, and leave Ctrl-C to the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the build stops its workers
    die_with(parent)
    collector.fewer_collections_from_now()
    atexit.register(_exit_now)


def _exit_now() -> None:
    """End a worker that has handed back its last PDF at once: the build waits for its workers to exit."""
    # Run first as the interpreter finalizes (multiprocessing has sent every result and joined its threads by then);
    # skips freeing Typst's and pyHanko's modules object by object, about a tenth of a second of every cold build.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):  # None when started with it closed (>&-)
            stream.flush()
    os._exit(0)


class InProcess:
    """The PDFs of --jobs 1 (or of a machine with one core): one at a time, in one thread of the build itself.

    The thread renders while the build makes the site: Typst releases the GIL while it lays a PDF out, so a second
    core, if any, is used without a second process. Still one PDF at a time: render_rest takes none of its jobs.
    """

    def __init__(self) -> None:
        self.thread: ThreadPoolExecutor | None = None

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.thread is not None:
            self.thread.shutdown(wait=True)

    def submit(self, fn: Any, *args: Any) -> Future:
        if self.thread is None:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="klimatkontrakt-pdf")
        return self.thread.submit(fn, *args)

    def stop(self) -> None:
        """Drop the PDFs not begun; the one being laid out ends with it (a thread cannot be killed)."""
        if self.thread is not None:
            self.thread.shutdown(wait=False, cancel_futures=True)


class Deferred:
    """A pool whose workers start with its first job: a build that finds every PDF in its cache spawns no process."""

    def __init__(self, jobs: int | None, pdfs: int) -> None:
        self.jobs, self.pdfs = jobs, pdfs
        self.started: ProcessPoolExecutor | InProcess | None = None

    def __enter__(self) -> Deferred:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.started is not None:
            self.started.__exit__(*exc)

    def submit(self, fn: Any, *args: Any) -> Future | Done:
        if self.started is None:
            pool = start(self.jobs, self.pdfs)
            assert not isinstance(pool, Deferred)  # eager by default
            self.started = pool
        return self.started.submit(fn, *args)


@dataclass
class Done:
    """The result of a job InProcess ran."""

    value: bytes

    def result(self, timeout: float | None = None) -> bytes:
        return self.value


# What start returns: the workers of a build, its own thread (--jobs 1), or workers started on demand.
Pool: TypeAlias = "ProcessPoolExecutor | InProcess | Deferred"
