"""Results of pure steps, kept for the next call with the same inputs in this process, with what they reported.

A build reads klimatkontrakt.yaml and the glossary in several steps, `serve` rebuilds from mostly unchanged files,
and one process of the tests runs hundreds of commands on the same texts: each step that depends only on its inputs
is run once per input. Keys hold their inputs by identity where an input is a kept result itself (a parsed file),
so an entry stays valid as long as it is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..errors import Report

T = TypeVar("T")


class Kept:
    """At most `limit` results by weight (each weighs 1 unless weigh says otherwise); the least recently used go first."""

    def __init__(self, limit: int, weigh: Callable[[Any], int] = lambda _: 1) -> None:
        self.limit = limit
        self.weigh = weigh
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()  # serve's rebuild thread and a request may read at once

    def get(self, key: Hashable) -> Any | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            if key not in self.entries:
                self.size += self.weigh(key)
            self.entries[key] = value
            while self.size > self.limit and len(self.entries) > 1:
                dropped, _ = self.entries.popitem(last=False)
                self.size -= self.weigh(dropped)


def replayed(kept: Kept, key: Hashable, run: Callable[[Report], T], report: Report) -> T:
    """Return run's result for key, running it with a report of its own only the first time; report what it found."""
    entry = kept.get(key)
    if entry is None:
        found = Report()
        entry = (run(found), tuple(found.items))
        kept.put(key, entry)
    result: T = entry[0]
    report.items.extend(entry[1])
    return result
