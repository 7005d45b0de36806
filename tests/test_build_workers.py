"""The build's PDF workers: this process renders what no worker has started once the site is built.

The pool is real (a spawned worker, real cancellation); the jobs are cheap stand-ins for renders, and the worker is
held on a FIFO so that what it can have started is known without any timing.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor

from contract.build import workers


def _hold(fifo: str) -> bytes:
    """Keep the pool's one worker busy until the test writes to the FIFO."""
    with open(fifo, "rb") as held:
        return held.read()


def _release(fifo: str) -> None:
    with open(fifo, "wb") as release:
        release.write(b"go")


def test_the_jobs_no_worker_has_started_are_run_here_from_the_last(tmp_path):
    fifo = str(tmp_path / "hold")
    os.mkfifo(fifo)
    with ProcessPoolExecutor(max_workers=1, mp_context=workers._QuietContext()) as pool:
        held = pool.submit(_hold, fifo)
        texts = [b"a" * n for n in range(1, 6)]
        jobs: list[tuple[Future | workers.Done, tuple]] = [(held, ())]
        jobs += [(pool.submit(len, text), (text,)) for text in texts]
        ran_here: list[bytes] = []
        try:
            holders = workers.render_rest(jobs, run=lambda text: ran_here.append(text) or len(text))
        finally:
            _release(fifo)  # whatever happened: the pool waits for its worker when it closes
        assert [h.result() for h in holders] == [b"go", 1, 2, 3, 4, 5]
    # The held worker can have been handed at most two jobs beyond the one it holds (its call queue): at least the
    # last three were run here, the last first, and exactly those were taken from the pool.
    here = [isinstance(h, workers.Done) for h in holders]
    assert here == sorted(here) and sum(here) >= 3  # a run here is a suffix: the worker's jobs come first
    assert ran_here == [
        t for t, h in zip(reversed(texts), reversed(holders[1:]), strict=True) if isinstance(h, workers.Done)
    ]
    assert [f.cancelled() for f, _ in jobs] == here


def test_a_single_waiting_job_is_left_to_its_worker(tmp_path):
    fifo = str(tmp_path / "hold")
    os.mkfifo(fifo)
    with ProcessPoolExecutor(max_workers=1, mp_context=workers._QuietContext()) as pool:
        held = pool.submit(_hold, fifo)
        waiting = pool.submit(len, b"abc")
        try:
            holders = workers.render_rest([(held, ()), (waiting, (b"abc",))], run=lambda _: 0)
        finally:
            _release(fifo)
        assert holders == [held, waiting] and [h.result() for h in holders] == [b"go", 3]
