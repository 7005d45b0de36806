"""Where outputs come from: the git commit and date the build used (the git command)."""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """The commit an output was built from, its date, and whether the tree had uncommitted changes."""

    commit: str  # short hash, or "unknown" outside a git checkout
    date: str  # ISO date of the commit (or of SOURCE_DATE_EPOCH)
    timestamp: int  # seconds since the epoch: the fixed time for reproducible outputs
    dirty: bool

    @property
    def label(self) -> str:
        """Return the commit as shown in outputs, e.g. "c84fdde" or "c84fdde (modified)"."""
        return f"{self.commit}+modified" if self.dirty else self.commit


def source(root: Path, version: str | None = None) -> Source:
    """Return the commit and time of the repository at root; SOURCE_DATE_EPOCH overrides the time.

    With a version, "modified" means that version's own folder has uncommitted changes, so the outputs
    of the other versions keep their label (and their cached renderings).
    """
    paths = [f"years/{version}"] if version else ["years", "schema"]
    commit, stamp, dirty = _git(root, paths)
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        stamp = int(os.environ["SOURCE_DATE_EPOCH"])
    day = datetime.datetime.fromtimestamp(stamp, datetime.UTC).date().isoformat()
    return Source(commit, day, stamp, dirty)


def _git(root: Path, paths: list[str]) -> tuple[str, int, bool]:
    """Return the short commit, its time and whether paths have changes; ("unknown", 0, False) outside git.

    Two git commands rather than GitPython: importing it costs more than a no-op build may take.
    """
    base = Path(root).resolve()
    head = _run_git(base, "log", "-1", "--format=%H %ct")
    if head is None or len(head.split()) != 2:  # not a checkout, no commit yet, or no git at all
        return "unknown", 0, False
    commit, committed = head.split()
    status = _run_git(base, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--", *paths)
    return commit[:7], int(committed), bool(status)


def _run_git(cwd: Path, *args: str) -> str | None:
    """Return what a git command printed, or None when it failed or git is missing."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None
