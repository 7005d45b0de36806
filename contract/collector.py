"""How often Python's cycle collector runs in a command and in a PDF worker."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Python's default (700, 10, 10) collects the youngest objects every 700 allocations and, now and then, walks every
# object alive: the loaded versions, their comparisons, MkDocs' pages. A build spent about 0.13 s of its 2 s doing so
# (measured with gc.callbacks), nearly all of it finding nothing, since a build makes little cyclic garbage. Rarer
# collections halve that; the little that is cyclic is still freed, a few thousand objects later.
THRESHOLDS = (20_000, 50, 50)


def fewer_collections_from_now() -> None:
    """Collect cycles less often for the rest of this process (a PDF worker)."""
    gc.set_threshold(*THRESHOLDS)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often while a command runs; then as before (the tests run many commands in one process)."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
