"""The build's PDF workers: once the site is built, this process renders the jobs no worker has claimed.

The pool is real (a spawned worker, real claims); the jobs are cheap stand-ins for renders, and the worker is held
on a FIFO, so what it can have claimed is known without any timing.
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


def test_the_jobs_no_worker_has_claimed_are_run_here_from_the_last_and_each_only_once(tmp_path):
    fifo, claims = str(tmp_path / "hold"), tmp_path / "claims"
    os.mkfifo(fifo)
    claims.mkdir()
    texts = [b"a" * n for n in range(1, 6)]
    with ProcessPoolExecutor(max_workers=1, mp_context=workers._QuietContext()) as pool:
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
    with ProcessPoolExecutor(max_workers=1, mp_context=workers._QuietContext()) as pool:
        held = pool.submit(_hold, fifo)
        waiting = pool.submit(workers.claimed, str(claims), 0, len, b"abc")
        try:
            holders = workers.render_rest([(held, ()), (waiting, (b"abc",))], workers.Claims(str(claims)), run=len)
        finally:
            _release(fifo)
        assert holders == [held, waiting] and [h.result() for h in holders] == [b"go", 3]


def test_a_claim_after_the_build_removed_its_claims_folder_is_refused(tmp_path):
    assert workers.claimed(str(tmp_path / "gone"), 3, len, b"abc") is None
