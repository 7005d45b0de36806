"""Where outputs come from: the git commit and date the build used (gitpython)."""

from __future__ import annotations

import datetime
import os
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
    try:
        import git

        repo = git.Repo(root, search_parent_directories=True)
        head = repo.head.commit
        base = Path(root).resolve()
        dirty = any(repo.is_dirty(untracked_files=True, path=str(base / p)) for p in paths)
        return head.hexsha[:7], int(head.committed_date), dirty
    except Exception:  # not a git checkout, or no commit yet: outputs say "unknown"
        return "unknown", 0, False
