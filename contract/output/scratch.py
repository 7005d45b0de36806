"""A temporary folder of a command's own that goes however the command ends."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .. import interrupts


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
