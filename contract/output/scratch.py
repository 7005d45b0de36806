"""A temporary folder of a command's own that goes however the command ends."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .. import interrupts
from .files import alive


@contextlib.contextmanager
def scratch_folder(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """Yield a new temporary folder (in parent, default the system's); remove it after the block, also on Ctrl-C.

    The name is new and unique (mkdtemp), so the folder removed is always the one made here, never someone's.
    A block that renamed the folder away leaves nothing to remove.

    tempfile.TemporaryDirectory owns its folder only once mkdtemp has returned, and its removal stops at a second
    Ctrl-C: either way an empty folder stayed behind. Both steps here finish first, then the interruption is raised.
    """
    holder: tempfile.TemporaryDirectory | None = None
    try:
        # Called as a library, the stop is raised as this block ends: the folder is made by then, and goes below.
        with interrupts.deferred():
            holder = tempfile.TemporaryDirectory(prefix=prefix, dir=parent)  # its clean-up copes with read-only entries
        interrupts.check()
        yield Path(holder.name)
    finally:
        with interrupts.deferred():
            if holder is not None:
                holder.cleanup()
        interrupts.check()


def with_pid(prefix: str) -> str:
    """Return prefix with this process's id: a folder named so can be told abandoned once its maker is gone."""
    return f"{prefix}{os.getpid()}-"


def drop_abandoned(parent: Path, prefix: str) -> list[str]:
    """Remove the folders scratch_folder(with_pid(P), parent) left in parent when killed, P matching the regular
    expression prefix; return their names.

    Only what is provably such a leftover: named exactly P<pid>-<mkdtemp's 8 characters>, a real folder of this
    user, and its process gone (SIGKILL, a power cut: no clean-up ran). A live run's folder, or anyone else's, stays.
    """
    pattern = re.compile(prefix + r"(?P<pid>[1-9][0-9]{0,9})-[a-z0-9_]{8}")
    dropped = []
    for entry in sorted(os.scandir(parent), key=lambda e: e.name):
        match = pattern.fullmatch(entry.name)
        if match is None or alive(int(match["pid"])):
            continue
        status = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid():
            with contextlib.suppress(OSError):  # what cannot be removed now is left for a later run
                _remove(Path(entry.path))
                dropped.append(entry.name)
    return dropped


def _remove(folder: Path) -> None:
    """Remove a folder of the tool's own, also where a copied folder kept its source's read-only permissions."""
    for top, dirs, _ in os.walk(folder):  # never follows a link
        for name in dirs:
            path = Path(top) / name
            if not path.is_symlink():
                os.chmod(path, 0o700)
    os.chmod(folder, 0o700)
    shutil.rmtree(folder)
