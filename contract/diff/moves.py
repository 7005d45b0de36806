"""Tell moved sections from renumbered ones.

A section moved when it has a different parent, or when, among the sections that stayed siblings,
it lies outside the longest run whose old order is kept (the longest increasing subsequence of old
positions). The sections a moved one jumped over keep their relative order: they are only renumbered.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from ..model import Contract, Section


def moved(old: Contract, new: Contract, old_to_new: dict[str, str]) -> set[str]:
    """Return the new ids of the paired sections that moved."""
    old_parent, old_index = _family(old.sections)
    new_parent, _ = _family(new.sections)
    new_to_old = {n: o for o, n in old_to_new.items()}
    result: set[str] = set()
    for siblings in _sibling_groups(new.sections):
        stayed = []
        for section in siblings:
            source = new_to_old.get(section.id)
            if source is None:
                continue
            parent = old_parent[source]
            if (old_to_new.get(parent) if parent else None) == new_parent[section.id]:
                stayed.append((old_index[source], section.id))
            else:
                result.add(section.id)
        keep = set(_increasing([i for i, _ in stayed]))
        result.update(sid for k, (_, sid) in enumerate(stayed) if k not in keep)
    return result


def _family(sections: tuple[Section, ...]) -> tuple[dict[str, str | None], dict[str, int]]:
    """Return each section's parent id and its index among its siblings."""
    parent: dict[str, str | None] = {}
    index: dict[str, int] = {}

    def visit(children: tuple[Section, ...], owner: str | None) -> None:
        for i, child in enumerate(children):
            parent[child.id], index[child.id] = owner, i
            visit(child.children, child.id)

    visit(sections, None)
    return parent, index


def _sibling_groups(sections: tuple[Section, ...]) -> Iterator[tuple[Section, ...]]:
    yield sections
    for section in sections:
        for child in section.walk():
            if child.children:
                yield child.children


def _increasing(values: list[int]) -> list[int]:
    """Return the positions of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []  # value at the end of the best run of each length
    ends: list[int] = []  # position of that value
    back: list[int] = [-1] * len(values)
    for pos, value in enumerate(values):
        k = bisect_left(tails, value)
        back[pos] = ends[k - 1] if k else -1
        if k == len(tails):
            tails.append(value)
            ends.append(pos)
        else:
            tails[k], ends[k] = value, pos
    run, pos = [], ends[-1] if ends else -1
    while pos != -1:
        run.append(pos)
        pos = back[pos]
    return run[::-1]
