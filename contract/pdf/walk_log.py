"""The record of one walk through a PDF revision's objects, and what a later revision's walk may repeat of it.

Bookkeeping for the map pyhanko_adapter.preload_reverse_xref_caches builds: nothing here touches pyHanko.
An arrival is the walk reaching a reference (its key: object number and generation) by a path from the
trailer, past other references (the walk's cycle guard). The arrivals it leads to follow it in the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WalkLog:
    """One walk's arrivals in visiting order, each with where the arrivals it led to end."""

    keys: list[tuple[int, int]] = field(default_factory=list)
    paths: list[tuple] = field(default_factory=list)
    seens: list[tuple] = field(default_factory=list)  # the references passed on the way there
    ends: list[int] = field(default_factory=list)  # index just after the last arrival made from this one

    def arrive(self, key: tuple[int, int], path: tuple, seen: tuple) -> int:
        index = len(self.keys)
        self.keys.append(key)
        self.paths.append(path)
        self.seens.append(seen)
        self.ends.append(index + 1)
        return index

    def copy(self, other: WalkLog, start: int, end: int) -> None:
        """Append the arrivals other[start:end], their ends moved to where they land here."""
        shift = len(self.keys) - start
        self.keys += other.keys[start:end]
        self.paths += other.paths[start:end]
        self.seens += other.seens[start:end]
        self.ends += [i + shift for i in other.ends[start:end]]

    def touching(self, changed: frozenset[int]) -> set[int]:
        """Return the arrivals from which the walk reached an object in `changed` (or which are one)."""
        parents: list[int] = []
        within: list[int] = []  # the arrivals whose walk the current one is part of
        for index in range(len(self.keys)):
            while within and self.ends[within[-1]] <= index:
                within.pop()
            parents.append(within[-1] if within else -1)
            within.append(index)
        touched: set[int] = set()
        for index in (i for i, key in enumerate(self.keys) if key[0] in changed):
            while index >= 0 and index not in touched:
                touched.add(index)
                index = parents[index]
        return touched


class Replay:
    """An earlier revision's walk, and the object numbers changed since: the parts a later walk may repeat.

    Valid only between revisions with the same page and structure trees (the walk's turns depend on them).
    """

    def __init__(self, log: WalkLog, changed: frozenset[int]):
        self.log = log
        self.touched = log.touching(changed)
        self.at = {arrival: index for index, arrival in enumerate(zip(log.keys, log.paths, strict=True))}

    def repeat(self, key: tuple[int, int], path: tuple, seen: tuple, log: WalkLog, collected: dict) -> bool:
        """Copy what the earlier walk found from the same arrival into `log` and `collected`, if nothing changed.

        The same reference reached by the same path past the same references, in a revision with the same
        page and structure trees, leads to the same objects: unless one of them changed, the same arrivals follow.
        """
        index = self.at.get((key, path))
        if index is None or index in self.touched or self.log.seens[index] != seen:
            return False
        start, end = index + 1, self.log.ends[index]
        log.copy(self.log, start, end)
        for found, by in zip(self.log.keys[start:end], self.log.paths[start:end], strict=True):
            collected[found].add(by)
        return True
