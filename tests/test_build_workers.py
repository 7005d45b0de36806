"""The build's PDF workers: once the site is built, this process renders the jobs no worker has claimed.

The pool is real (a spawned worker, real claims); the jobs are cheap stand-ins for renders, and the worker is held
on a FIFO, so what it can have claimed is known without any timing.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor

import pytest

from contract.build import worker_pool, workers
from contract.errors import Report


def _hold(fifo: str) -> bytes:
    """Keep the pool's one worker busy until the test writes to the FIFO."""
    with open(fifo, "rb") as held:
        return held.read()


def _release(fifo: str) -> None:
    with open(fifo, "wb") as release:
        release.write(b"go")


def test_the_jobs_no_worker_has_claimed_are_run_here_from_the_last_and_each_only_once(tmp_path):
    fifo, claims = str(tmp_path / "hold"), tmp_path / "claims"
    os.mkfifo(fifo)
    claims.mkdir()
    texts = [b"a" * n for n in range(1, 6)]
    with ProcessPoolExecutor(max_workers=1, mp_context=worker_pool.QuietContext()) as pool:
        held = pool.submit(_hold, fifo)
        jobs: list[tuple[Future | workers.Done, tuple]] = [(held, ())]
        jobs += [(pool.submit(workers.claimed, str(claims), i, len, t), (t,)) for i, t in enumerate(texts, start=1)]
        workers.Claims(str(claims)).take(1)  # as the worker would have, had it reached job 1 first
        ran_here: list[bytes] = []
        try:
            holders = workers.render_rest(jobs, workers.Claims(str(claims)), run=lambda t: ran_here.append(t) or len(t))
        finally:
            _release(fifo)  # whatever happened: the pool waits for its worker when it closes
        # The worker claims nothing while it is held: this process took every job after the claimed one, the last
        # first, and stopped at the claimed one. The worker then finds the jobs taken and renders none of them.
        assert ran_here == texts[:0:-1]
        assert [isinstance(h, workers.Done) for h in holders] == [False, False, True, True, True, True]
        assert [h.result() for h in holders[2:]] == [2, 3, 4, 5]
        assert [f.result() for f, _ in jobs[2:]] == [None] * 4  # the worker's runs of the taken jobs did nothing
        assert held.result() == b"go" and not any(f.cancelled() for f, _ in jobs)
    assert sorted(p.name for p in claims.iterdir()) == ["1", "2", "3", "4", "5"]


def test_a_single_waiting_job_is_left_to_its_worker(tmp_path):
    fifo, claims = str(tmp_path / "hold"), tmp_path / "claims"
    os.mkfifo(fifo)
    claims.mkdir()
    with ProcessPoolExecutor(max_workers=1, mp_context=worker_pool.QuietContext()) as pool:
        held = pool.submit(_hold, fifo)
        waiting = pool.submit(workers.claimed, str(claims), 0, len, b"abc")
        try:
            holders = workers.render_rest([(held, ()), (waiting, (b"abc",))], workers.Claims(str(claims)), run=len)
        finally:
            _release(fifo)
        assert holders == [held, waiting] and [h.result() for h in holders] == [b"go", 3]


def test_a_claim_after_the_build_removed_its_claims_folder_is_refused(tmp_path):
    assert workers.claimed(str(tmp_path / "gone"), 3, len, b"abc") is None


def test_no_job_can_be_claimed_while_the_build_removes_its_claims(tmp_path, monkeypatch):
    # Found by the 10-version benchmark: a worker reached a queued job the build had rendered itself just as the build
    # removed the claims folder file by file; it claimed the job again, the folder stayed in staging, was published
    # with the site, and the next build refused the output folder ("holds '.claims/28', which klimatkontrakt did not
    # write"). Here the worker comes at the worst moment: every claim file removed, the folder not yet.
    staging = tmp_path / "staging"
    staging.mkdir()
    claims = workers.Claims(str(staging / ".claims"))
    os.mkdir(claims.folder)
    assert claims.take(28)  # the build rendered job 28 itself; the pool still holds its queued copy
    late: list[bool] = []
    remove_folder = os.rmdir

    def rmdir(path, *args, **kwargs):
        late.append(workers.claimed(claims.folder, 28, len, b"pdf") is not None)  # the worker's late attempt
        return remove_folder(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", rmdir)
    claims.close()
    assert late == [False]
    assert list(staging.iterdir()) == []
    assert not claims.take(29)  # and nothing can be claimed afterwards


def test_a_claim_that_lands_as_the_closed_claims_are_emptied_is_removed_too(tmp_path, monkeypatch):
    # Red team 23b: a worker's claim whose path lookup began before the rename lands in the renamed folder; if it lands
    # after the removal listed the folder, the folder cannot be removed and would stay in staging, in the mark.
    staging = tmp_path / "staging"
    staging.mkdir()
    claims = workers.Claims(str(staging / ".claims"))
    os.mkdir(claims.folder)
    assert claims.take(3)
    landed: list[str] = []
    remove_folder = os.rmdir

    def rmdir(path, *args, **kwargs):
        if not landed:  # once: the late claim arrives between the listing and the folder's removal
            landed.append(f"{claims.folder}.closed/4")
            os.close(os.open(landed[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return remove_folder(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", rmdir)
    claims.close()
    assert landed and list(staging.iterdir()) == []


class _Recording(ProcessPoolExecutor):
    """A real pool type that records what is submitted instead of starting a worker: what Started hands over."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.calls: list[tuple] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        self.calls.append((fn, args))
        return Future()


def _loaded(root):
    from contract.checks.validate import validate

    report, contracts = validate(root)
    assert not report.errors
    return contracts


def test_each_version_s_contract_pdfs_start_as_it_loads_under_the_keys_the_build_uses(tmp_path):
    from contract.build.jobs import Inputs, Started, pdf_jobs, reuse_cached
    from contract.build.run import BuildResult
    from tests.build_helpers import make_repo

    root = make_repo(tmp_path / "repo")
    contracts = _loaded(root)
    pool = _Recording()
    started = Started(Inputs(root), pool, drafts=True)
    for version, contract in contracts.items():
        started.offer(version, contract)
    # Every contract PDF of every version (the draft too, with drafts), each language, and no redline.
    assert sorted((args[0], args[1]) for _, args in pool.calls) == sorted(
        ("contract", lang) for c in contracts.values() for lang in c.languages
    )
    assert all(fn is workers.render and args[3] is False for fn, args in pool.calls)
    todo = reuse_cached(Inputs(root), contracts, tmp_path / "staging", pdf_jobs(contracts), BuildResult())
    ordered = started.first(todo)
    early = [key for _, key, _ in ordered[: len(started.futures)]]
    assert sorted(early) == sorted(started.futures)  # the keys the build computes after the checks: the same PDFs
    assert [job.kind for job, _, _ in ordered[len(started.futures) :]] == ["redline"] * 2
    started.offer("2023", contracts["2023"])  # offered again (serve rebuilds in one process): not started twice
    assert len(pool.calls) == len(started.futures)


def test_nothing_starts_early_for_a_cached_pdf_a_draft_left_out_or_a_build_rendering_in_process(tmp_path):
    from contract.build.jobs import Inputs, Started
    from contract.build.stamps import CACHE
    from tests.build_helpers import make_repo

    root = make_repo(tmp_path / "repo")
    contracts = _loaded(root)
    signed = next(v for v, c in contracts.items() if c.meta.status == "signed")
    draft = next(v for v, c in contracts.items() if c.meta.status == "draft")
    first = Started(Inputs(root), _Recording(), drafts=False)
    first.offer(draft, contracts[draft])
    first.offer(signed, contracts[signed])
    assert len(first.futures) == len(contracts[signed].languages)
    (root / CACHE).mkdir(parents=True)
    cached_key = sorted(first.futures)[0]
    (root / CACHE / f"{cached_key}-{'0' * 64}.pdf").write_bytes(b"%PDF")
    again = Started(Inputs(root), _Recording(), drafts=False)
    again.offer(signed, contracts[signed])
    assert sorted(again.futures) == sorted(first.futures)[1:]
    in_process = Started(Inputs(root), workers.InProcess(), drafts=True)
    in_process.offer(signed, contracts[signed])
    assert in_process.futures == {}


def test_stop_kills_a_worker_in_the_middle_of_a_job(tmp_path):
    # The shutdown forgets the pool's processes: stop() listed them after it and killed none, so an interrupted build
    # waited for the PDF in progress (for ever, for one that never ends) before it could exit.
    import select

    fifo = str(tmp_path / "hold")
    os.mkfifo(fifo)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=worker_pool.QuietContext())
    held = pool.submit(_hold, fifo)
    with open(fifo, "wb"):  # opened once the worker holds the FIFO: the job is running
        (process,) = pool._processes.values()
        handle = os.pidfd_open(process.pid)
        workers.stop(pool)
        try:
            assert select.select([handle], [], [], 60)[0], "the worker is still running its job"  # 60 s: a hang guard
        finally:
            os.close(handle)
    assert held.exception() is not None


def test_jobs_1_renders_its_pdfs_one_at_a_time_in_a_thread_beside_the_build(tmp_path):
    fifo = str(tmp_path / "hold")
    os.mkfifo(fifo)
    with workers.InProcess() as pool:
        held = pool.submit(_hold, fifo)
        second = pool.submit(len, b"abc")
        with open(fifo, "wb") as release:  # opened once the thread holds the FIFO: the first job is running
            assert held.running() and not second.running() and not second.done()  # one PDF at a time
            release.write(b"go")
        assert second.result() == 3 and held.result() == b"go"


@pytest.mark.slow  # renders a PDF
def test_the_builds_own_pdf_thread_leaves_the_label_catalogues_the_site_is_made_with(repo_copy, monkeypatch):
    # A worker process takes the repository's catalogues with labels.use, which clears them first; the build's own
    # thread must not, or the site, being made at the same moment, would find no labels for a while.
    from contract.render import labels
    from contract.source.languages import read_languages
    from contract.source.load import load
    from contract.source.provenance import source

    read_languages(repo_copy, Report())
    contract, src = load(repo_copy, "2023"), source(repo_copy)
    taken: list[list] = []
    use = labels.use
    monkeypatch.setattr(labels, "use", lambda catalogues: taken.append(list(catalogues)) or use(catalogues))
    registered = labels.registered()
    assert workers.render("contract", "en", contract, False, src, registered).startswith(b"%PDF")
    assert taken == []  # the catalogues in use: left alone
    (repo_copy / "i18n").mkdir()
    other = [(lang, repo_copy / "i18n" / file.name) for lang, file in registered]  # another repository's
    for (_, copy), (_, file) in zip(other, registered, strict=True):
        copy.write_bytes(file.read_bytes())
    workers.render("contract", "en", contract, False, src, other)
    assert taken == [other]  # a spawned worker's first job takes them


_STOP_WHILE_A_JOB_IS_HANDED_OVER = """
import array, fcntl, os, signal, sys, termios, time
from contract.build import workers
from test_build_workers import _hold

pool = workers.start(2, 2)  # one worker
held = pool.submit(_hold, sys.argv[1])
with open(sys.argv[1], "wb"):  # opened once the worker holds the FIFO: it reads no further job
    pool.submit(len, b"x" * 2**20)  # larger than a pipe holds: the pool's queue thread waits in its write
    reader = pool._call_queue._reader.fileno()
    # Full: every page of the pipe holds data (the message's header takes a page of its own). 1032: F_GETPIPE_SZ.
    full, waiting, guard = fcntl.fcntl(reader, 1032) - 4096, array.array("i", [0]), time.monotonic() + 60
    while waiting[0] <= full and time.monotonic() < guard:  # the guard only ends a hang
        fcntl.ioctl(reader, termios.FIONREAD, waiting)
        os.sched_yield()
    if sys.argv[2] == "killed":  # by the system, short of memory: the pool finds out, the build then stops it
        os.kill(*pool._processes, signal.SIGKILL)
        held.exception()
    workers.stop(pool)
print("stopped with the pipe full:", waiting[0] > full)
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_build_stopped_while_it_hands_a_worker_a_job_still_exits(tmp_path, how):
    # Found running the suite on Debian 12's Python (3.11.2): a build that failed or was interrupted, or whose worker
    # the system killed, while the pool's queue thread was writing a job (a contract, larger than a pipe holds) into
    # the pipe of a worker that will never read it, waited for that thread at exit for ever (CPython gh-94777, fixed
    # in 3.11.5).
    import subprocess
    import sys
    from pathlib import Path

    fifo = tmp_path / "hold"
    os.mkfifo(fifo)
    tests = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-c", _STOP_WHILE_A_JOB_IS_HANDED_OVER, str(fifo), how],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard: without the fix the process never ends
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(tests.parent), str(tests)))},
    )
    assert (done.returncode, done.stdout) == (0, "stopped with the pipe full: True\n"), done.stderr


def _die_halfway_through_a_result() -> None:
    """Write the start of a large result into the worker's result pipe, and die there (killed as it wrote a PDF)."""
    import gc
    import multiprocessing.queues
    import signal
    import struct

    (results,) = [o for o in gc.get_objects() if type(o) is multiprocessing.queues.SimpleQueue]
    os.write(results._writer.fileno(), struct.pack("!i", 2**20) + b"%PDF-1.7\n")  # 1 MiB announced, 9 bytes sent
    os.kill(os.getpid(), signal.SIGKILL)


_STOP_AFTER_A_WORKER_DIED_HALFWAY_THROUGH_A_RESULT = """
import os, time
from pathlib import Path
from contract.build import workers
from test_build_workers import _die_halfway_through_a_result

pool = workers.start(2, 2)  # one worker
pool.submit(_die_halfway_through_a_result)
(pid,) = pool._processes
guard = time.monotonic() + 60
while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < guard:
    os.sched_yield()  # until the worker is dead (a zombie: the pool's thread, which would reap it, is stuck)
workers.stop(pool)  # as a Ctrl-C would
print("stopped")
"""


@pytest.mark.slow
def test_a_build_stopped_after_a_worker_died_writing_its_pdf_back_still_exits(tmp_path):
    # Found running the suite on Debian 12's Python: a Ctrl-C that stopped a build while a worker was writing a PDF
    # back left the pool's thread waiting for the rest of that PDF, and the build waited for the thread at exit.
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-c", _STOP_AFTER_A_WORKER_DIED_HALFWAY_THROUGH_A_RESULT],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard: without the fix the process never ends
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(tests.parent), str(tests)))},
    )
    assert (done.returncode, done.stdout) == (0, "stopped\n"), done.stderr


def test_the_pools_pipes_the_remedies_need_are_where_they_are_looked_for():
    # Workers reaches them through private attributes of ProcessPoolExecutor (no public way), and does without them on a
    # Python that moved them: this fails loudly instead, so that the remedies are mended for that Python.
    pool = worker_pool.Workers(max_workers=1, mp_context=worker_pool.QuietContext())
    try:
        assert pool._spare_reader >= 0, "ProcessPoolExecutor._call_queue._reader is gone"
        assert pool._result_queue._writer.fileno() >= 0, "ProcessPoolExecutor._result_queue._writer is gone"
        assert pool._mp_context.listed == [], "ProcessPoolExecutor._mp_context is gone (worker_pool.started)"
        assert isinstance(pool._processes, dict), "ProcessPoolExecutor._processes is gone (worker_pool.started)"
    finally:
        pool.shutdown()
    assert pool._spare_reader == -1  # closed with the pool


_A_SECOND_SIGNAL_WHILE_STOPPING = """
import sys
from contract import interrupts
from contract.build import workers

pool = workers.start(3, 3)  # up to two workers
for done in [pool.submit(len, b"x") for _ in range(4)]:
    done.result()  # the workers are idle, waiting for a job
processes = list(pool._processes.values())
try:
    with interrupts.handling(), pool, workers.stopping(pool):
        raise KeyboardInterrupt  # the first Ctrl-C; the test sends the second while stop() is half done
except KeyboardInterrupt:
    pass
print(sorted({process.exitcode for process in processes}))
"""


@pytest.mark.slow
def test_a_second_signal_while_the_workers_are_stopped_still_kills_them_and_the_build_exits(tmp_path):
    # Found running the suite with three test processes on two cores: a SIGTERM and a Ctrl-C in a row (red team 22's
    # test) hung the build. The second signal cut stop() short after it had set a thread draining the job pipe and
    # before it killed the workers; the pool then sent each idle worker its order to stop through that pipe, the
    # drain read it instead, and the build waited at exit for workers waiting for a job, for ever.
    import signal
    import sys

    from processes import _default_ctrl_c, start_command_paused

    argv = [sys.executable, "-c", _A_SECOND_SIGNAL_WHILE_STOPPING]
    script, resume = start_command_paused(argv, "stopping-workers", _default_ctrl_c)
    try:
        script.send_signal(signal.SIGINT)
    finally:
        os.close(resume)
    try:
        out, err = script.communicate(timeout=120)  # a hang guard: without the fix it never ends
    finally:
        script.kill()
    assert (script.returncode, out) == (0, "[-9]\n"), err  # every worker killed, none waited for
