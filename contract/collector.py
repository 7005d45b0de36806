"""How often Python's cycle collector runs in a command and in a PDF worker."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

# Python's default (700, 10, 10) collects the youngest objects every 700 allocations and, now and then, walks every
# object alive: the loaded versions, their comparisons, MkDocs' pages. A build spent about 0.13 s of its 2 s doing so
# (measured with gc.callbacks), nearly all of it finding nothing, since a build makes little cyclic garbage. Rarer
# collections halve that; the little that is cyclic is still freed, a few thousand objects later.
THRESHOLDS = (20_000, 50, 50)
# Commands that run for hours keep Python's own setting: serve rebuilds in its process, and with rarer full
# collections its memory grew from 69 to 176 MiB over 80 rebuilds (red team 23), against about 80 MiB.
LONG_RUNNING = frozenset({"serve"})

_lock = threading.Lock()
_running = 0  # commands of this process inside fewer_collections(): the setting is the process's, not a thread's
_before = gc.get_threshold()


def fewer_collections_from_now() -> None:
    """Collect cycles less often for the rest of this process (a PDF worker)."""
    gc.set_threshold(*THRESHOLDS)


@contextlib.contextmanager
def fewer_collections(command: str | None = None) -> Iterator[None]:
    """Collect cycles less often while a command runs (not a long-running one); then as before.

    The tests run many commands in one process, some in threads at once: the first to start sets the thresholds,
    the last to end puts back what the process had.
    """
    if command in LONG_RUNNING:
        yield
        return
    global _running, _before
    entered = False
    try:
        with _lock:
            if _running == 0:
                _before = gc.get_threshold()
                gc.set_threshold(*THRESHOLDS)
            _running += 1
            entered = True
        yield
    finally:
        if entered:
            with _lock:
                _running -= 1
                if _running == 0:
                    gc.set_threshold(*_before)
