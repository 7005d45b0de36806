"""Red-team session 20: the result caches (source.kept, yamlfile, load, validate, glossary) and the PDF job hand-back.

What was attacked, and what was found, is listed in the session's report.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from contract.build import workers


def _hold_then_die(arrived: str, fifo: str) -> bytes:
    """Say the worker has this job, keep it busy until the test writes to the FIFO, then die as a crash would."""
    with open(arrived, "wb") as here:
        here.write(b"x")
    with open(fifo, "rb") as held:
        held.read()
    os._exit(1)


@pytest.mark.slow  # a spawned worker loads the PDF toolchain (workers.start warms it)
def test_a_worker_dying_after_jobs_were_taken_back_fails_its_jobs_without_a_thread_traceback(tmp_path, monkeypatch):
    # A worker crash after the hand-back: the jobs run here keep their PDFs, the worker's fail with BrokenProcessPool.
    # The hand-back cancelled futures at first: Python 3.11's pool then stopped with InvalidStateError, printed as a
    # thread traceback, when a cancelled job was still among its pending items as the worker died. Jobs are claimed
    # now, never cancelled.
    crashed: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashed.append(args.exc_value))
    fifo, arrived, claims = str(tmp_path / "hold"), str(tmp_path / "arrived"), tmp_path / "claims"
    os.mkfifo(fifo)
    os.mkfifo(arrived)
    claims.mkdir()
    pool = workers.start(2, 10)  # --jobs 2: one worker, warmed, and this process
    assert not isinstance(pool, (workers.InProcess, workers.Deferred))
    with pool:
        held = pool.submit(_hold_then_die, arrived, fifo)
        with open(arrived, "rb") as here:  # the worker has the held job: the jobs below wait for it
            here.read()
        texts = [b"a" * n for n in range(1, 7)]
        jobs: list[tuple[Future | workers.Done, tuple]] = [(held, ())]
        jobs += [(pool.submit(workers.claimed, str(claims), i, len, t), (t,)) for i, t in enumerate(texts, start=1)]
        workers.Claims(str(claims)).take(0)  # the held job is the worker's, as a claimed job it had started would be
        try:
            holders = workers.render_rest(jobs, workers.Claims(str(claims)), run=len)
        finally:
            with open(fifo, "wb") as release:
                release.write(b"go")
        assert [isinstance(h, workers.Done) for h in holders] == [False] + [True] * len(texts)
        assert [h.result() for h in holders[1:]] == [len(t) for t in texts]
        with pytest.raises(BrokenProcessPool):
            held.result()
        for future, _ in jobs[1:]:  # the worker died before it reached them: they fail, nobody reads them
            with pytest.raises(BrokenProcessPool):
                future.result()
    assert crashed == []
