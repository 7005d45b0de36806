"""Whether a file is in git's keeping: a command's output never replaces one (nor its uncommitted changes)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Variables that would point git at another repository, index or pathspec syntax than the folder's own.
_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES", "GIT_COMMON_DIR")


@dataclass(frozen=True)
class Kept:
    """A git repository's claim on a file: it tracks it, or git could not say (then the file counts as tracked)."""

    repository: Path
    unknown: str = ""  # git's own words when it could not tell


def keeper(path: Path) -> Kept | None:
    """Return the first git repository containing path that tracks it (or cannot tell), or None.

    Every repository the file lies in counts, the innermost first: a folder of one repository may sit inside
    another's working tree. The index counts too, so a file added but never committed is tracked.
    """
    named = path.absolute().parent.resolve() / path.name  # the folder's links resolved, not the file's
    for where in dict.fromkeys([named, path.resolve()]):
        for top in (folder for folder in where.parents if (folder / ".git").exists()):
            kept = _ask(top, where.relative_to(top))
            if kept is not None:
                return kept
    return None


def in_git_folder(path: Path) -> Path | None:
    """Return the .git folder path lies in (git's own files: hooks, config, the index), or None."""
    named = path.absolute().parent.resolve() / path.name
    return next((folder for folder in [named, *named.parents] if folder.name == ".git"), None)


def _ask(top: Path, relative: Path) -> Kept | None:
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTS}
    command = ["git", "--literal-pathspecs", "-C", str(top), "-c", "core.fsmonitor=false"]
    try:
        done = subprocess.run(
            [*command, "ls-files", "--error-unmatch", "--", relative.as_posix()],
            check=False,
            capture_output=True,
            env=env,
            timeout=60,
        )
    except FileNotFoundError:  # no git here: nobody commits with it either
        return None
    except (OSError, subprocess.SubprocessError) as exc:
        return Kept(top, str(exc))
    if done.returncode == 0:
        return Kept(top)
    if done.returncode == 1:  # --error-unmatch: not in the index
        return None
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()  # the first line says why ("fatal: ...")
    return Kept(top, said[0].strip() if said else f"git ls-files ended with {done.returncode}")
