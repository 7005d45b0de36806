"""Red team 23b: who renders each PDF (the claims folder), and what a build publishes.

Every published folder must hold exactly the files its mark (.klimatkontrakt-output) lists, none of the build's own
bookkeeping (.claims, .claims.closed, staging, temporary files), and the next build must accept it. The red team's
other probes (errata with 2 to 4 workers, workers stopped for a moment, builds killed at a step, two builds at once,
some 140 builds in all) found nothing; this module keeps the one on the defect's own path.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
from pathlib import Path

import pytest
from build_helpers import copy_repo, leftovers, run_process
from processes import children, start_paused

from contract.output.guard import owned

BOOKKEEPING = (".claims", "staging", ".tmp", ".building", ".old")


def _unlisted(out: Path) -> list[str]:
    """Return what out holds that its mark does not list, its bookkeeping, and what a build left beside it."""
    names = owned(out)
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()}
    stray = sorted(files - names)
    folders = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if any(b in p.name for b in BOOKKEEPING))
    beside = sorted(p.name for p in out.parent.glob(f".{out.name}.*") if p.name != f".{out.name}.lock")
    return stray + folders + beside


def _workers(build: subprocess.Popen) -> list[int]:
    return [p for p in children(build.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _wait_for_claims(folder: Path, count: int) -> None:
    """Block until folder holds count claim files (inotify: no polling, no sleep); fail after 300 s without news."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    assert fd >= 0 and libc.inotify_add_watch(fd, os.fsencode(folder), 0x100) >= 0  # IN_CREATE
    try:
        while len(os.listdir(folder)) < count:
            ready, _, _ = select.select([fd], [], [], 300)
            assert ready, f"the build claimed {sorted(os.listdir(folder))} of {count} jobs"
            os.read(fd, 4096)
    finally:
        os.close(fd)


@pytest.mark.slow
def test_a_worker_stopped_until_the_build_has_claimed_every_job_reaches_them_after_and_leaves_nothing(
    built_repo, tmp_path
):
    # The defect's own path: the build renders the queued jobs itself while its workers are stopped; resumed, the
    # workers reach those jobs (still queued: never cancelled), their claims fail, and the claims folder is closed.
    root = copy_repo(built_repo.root, tmp_path / "repo")
    for cached in (root / ".cache" / "build").glob("*.pdf"):
        cached.unlink()  # every PDF renders again: 6 jobs, 2 workers
    build, resume = start_paused(root, "rendering", "--drafts", "--jobs", "3")
    try:
        workers = _workers(build)
        assert len(workers) == 2, workers
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        claims = root / ".site.staging" / ".claims"
    finally:
        os.close(resume)
    try:
        _wait_for_claims(claims, 6)  # the workers' first jobs, claimed before they stopped, and the build's
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    out, err = build.communicate(timeout=600)
    assert build.returncode == 0 and "6 PDFs rendered" in out, out + err
    assert _unlisted(root / "site") == [] and leftovers(root) == []
    again = run_process(root, "--drafts", "--jobs", "3")
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr
