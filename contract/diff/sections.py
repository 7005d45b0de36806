"""Build the change record of every section from the matching: kinds, numbers, links and redline."""

from __future__ import annotations

from typing import TypedDict, Unpack

from ..model import Contract, Section
from . import content
from .changeset import SectionChange
from .match import Matching
from .units import Side


class Builder:
    """Turns a matching of two versions into SectionChange records in document order."""

    def __init__(self, sides: tuple[Side, Side], matching: Matching, moved: set[str]) -> None:
        self.old, self.new = sides
        self.sides = sides
        self.matching = matching
        self.moved = moved
        self.consumed: dict[str, set[int]] = {}  # old id -> ids of its units now in split parts
        # The matching names only sections of the two versions, so these lookups cannot miss.
        self.old_sections = _by_id(self.old.contract)
        self.new_sections = _by_id(self.new.contract)
        self.merged_from: dict[str, list[Section]] = {}
        for old_id, new_id in sorted(matching.merged_into.items(), key=lambda kv: self._old_index(kv[0])):
            self.merged_from.setdefault(new_id, []).append(self.old_sections[old_id])

    def sections(self) -> tuple[SectionChange, ...]:
        """Return every section's change record: new document order, gone sections at their old place."""
        new_c = self.new.contract
        parts = self.matching.split_from.items()
        splits = {nid: self._split_part(self.new_sections[nid], self.old_sections[oid]) for nid, oid in parts}
        by_new = {n.id: self._pair(o, n, how, score) for o, n, how, score in self.matching.pairs}
        records = [
            (i, 0, 0, by_new.get(s.id) or splits.get(s.id) or self._added(s)) for i, s in enumerate(new_c.walk())
        ]
        records += self._gone(new_c)
        return tuple(r[-1] for r in sorted(records, key=lambda r: r[:3]))

    def _pair(self, old: Section, new: Section, how: str, score: float) -> SectionChange:
        spent = self.consumed.get(old.id, set())
        old_units = [u for u in self.old.body(old) if id(u) not in spent]
        for source in self.merged_from.get(new.id, []):
            old_units += self.old.body(source)
        found = content.compare(self.old.title(old), self.new.title(new), old_units, self.new.body(new), self.sides)
        split_into = tuple(sorted(n for n, o in self.matching.split_from.items() if o == old.id))
        merged_from = tuple(s.id for s in self.merged_from.get(new.id, []))
        kinds = [self._place(old, new)] if self._place(old, new) else []
        kinds += ["renamed"] * found.renamed + ["modified"] * (found.modified or bool(split_into or merged_from))
        return self._record(
            old, new, found, kinds, match=how, score=score, split_into=split_into, merged_from=merged_from
        )

    def _place(self, old: Section, new: Section) -> str:
        if new.id in self.moved:
            return "moved"
        return "renumbered" if old.number != new.number else ""

    def _split_part(self, new: Section, source: Section) -> SectionChange:
        """Compare a part split off a section with the blocks of the source it came from."""
        old_units = self.old.body(source)
        found = content.compare(
            self.old.title(source), self.new.title(new), old_units, self.new.body(new), self.sides, keep_deleted=False
        )
        self.consumed.setdefault(source.id, set()).update(id(u) for u in found.paired)
        return self._record(None, new, found, ["split"], split_from=(source.id,))

    def _added(self, new: Section) -> SectionChange:
        found = content.compare(None, self.new.title(new), [], self.new.body(new), self.sides)
        return self._record(None, new, found, ["added"])

    def _gone(self, new_c: Contract) -> list[tuple[int, int, int, SectionChange]]:
        """Return records of the old sections with no partner, placed after their old predecessor."""
        paired = {o.id for o, _, _, _ in self.matching.pairs}
        where = {s.id: i for i, s in enumerate(new_c.walk())}
        old_to_new = self.matching.old_to_new()
        out: list[tuple[int, int, int, SectionChange]] = []
        anchor = -1
        for index, section in enumerate(self.old.contract.walk()):
            if section.id in paired:
                anchor = where[old_to_new[section.id]]
                continue
            out.append((anchor, 1, index, self._removed(section)))
        return out

    def _removed(self, old: Section) -> SectionChange:
        into = self.matching.merged_into.get(old.id)
        if into is not None:
            found = content.compare(self.old.title(old), None, [], [], self.sides)
            return self._record(old, None, found, ["merged"], merged_into=(into,))
        found = content.compare(self.old.title(old), None, self.old.body(old), [], self.sides)
        return self._record(old, None, found, ["removed"])

    def _record(
        self,
        old: Section | None,
        new: Section | None,
        found: content.Content,
        kinds: list[str],
        **links: Unpack[_Links],
    ) -> SectionChange:
        either = _either(old, new)
        return SectionChange(
            id=either.id,
            old_id=old.id if old else None,
            new_id=new.id if new else None,
            old_number=old.number if old else None,
            new_number=new.number if new else None,
            depth=either.depth,
            kinds=tuple(kinds),
            title=found.title,
            blocks=found.blocks,
            references=found.references,
            flags=found.flags,
            **links,
        )

    def _old_index(self, old_id: str) -> int:
        return next(i for i, s in enumerate(self.old.contract.walk()) if s.id == old_id)


class _Links(TypedDict, total=False):
    """How a section's record links to its partners (the optional fields of SectionChange)."""

    match: str
    score: float
    split_from: tuple[str, ...]
    split_into: tuple[str, ...]
    merged_from: tuple[str, ...]
    merged_into: tuple[str, ...]


def _by_id(contract: Contract) -> dict[str, Section]:
    """Return the sections by id (the first of a repeated id, as Contract.section finds it)."""
    found: dict[str, Section] = {}
    for section in contract.walk():
        found.setdefault(section.id, section)
    return found


def _either(old: Section | None, new: Section | None) -> Section:
    """Return the section a record is known by: the new one, else the old one."""
    if new is not None:
        return new
    if old is None:
        raise ValueError("a section record needs an old or a new section")
    return old
