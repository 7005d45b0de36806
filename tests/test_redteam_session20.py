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
    # Not covered (a race this test cannot force without polling): Python 3.11's pool stops with InvalidStateError,
    # printed as a thread traceback, when a cancelled job is still in its pending items as the worker dies.
    crashed: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashed.append(args.exc_value))
    fifo, arrived = str(tmp_path / "hold"), str(tmp_path / "arrived")
    os.mkfifo(fifo)
    os.mkfifo(arrived)
    pool = workers.start(2, 10)  # --jobs 2: one worker, warmed, and this process
    assert not isinstance(pool, (workers.InProcess, workers.Deferred))
    with pool:
        held = pool.submit(_hold_then_die, arrived, fifo)
        with open(arrived, "rb") as here:  # the worker has the held job: the jobs below wait for it
            here.read()
        texts = [b"a" * n for n in range(1, 7)]
        jobs: list[tuple[Future | workers.Done, tuple]] = [(held, ())]
        jobs += [(pool.submit(len, text), (text,)) for text in texts]
        try:
            holders = workers.render_rest(jobs, run=len)
        finally:
            with open(fifo, "wb") as release:
                release.write(b"go")
        here = [isinstance(h, workers.Done) for h in holders]
        assert sum(here) >= 3  # the worker's call queue holds at most two more: the rest were taken back
        for holder, ran_here in zip(holders, here, strict=True):
            if ran_here:
                assert holder.result() in {len(t) for t in texts}
            else:
                with pytest.raises(BrokenProcessPool):
                    holder.result()
    assert crashed == []
