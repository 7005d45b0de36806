"""The result of comparing two contract versions: what changed, where, and how (no I/O)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# Kinds of section change, in the order summaries list them.
KINDS = ("added", "removed", "modified", "renamed", "renumbered", "moved", "split", "merged")
OPS = ("equal", "insert", "delete")


@dataclass(frozen=True)
class Segment:
    """A run of text with one diff operation and one inline style."""

    op: str  # equal | insert | delete
    text: str  # what the reader sees (references resolved to numbers)
    style: str = ""  # "" | emph | link | ref | fn
    url: str | None = None  # for style link
    target: str | None = None  # for style ref: the section id (or number) referred to
    was: str | None = None  # for an equal ref: its number in the old version, when renumbering changed it


@dataclass(frozen=True)
class Redline:
    """A word-level comparison of one text in one language."""

    segments: tuple[Segment, ...] = ()
    stand_in: str = ""  # the source language when a translation's reader sees the source (translation missing or stale)

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)

    def old_text(self) -> str:
        """Return the text as it read in the old version."""
        return "".join(s.was or s.text for s in self.segments if s.op != "insert")

    def new_text(self) -> str:
        """Return the text as it reads in the new version."""
        return "".join(s.text for s in self.segments if s.op != "delete")


@dataclass(frozen=True)
class BlockChange:
    """One block of a section body (paragraph, heading, list item, footnote, annex document)."""

    kind: str  # paragraph | heading | item | footnote | document
    status: str  # equal | modified | inserted | deleted
    redlines: dict[str, Redline]  # language -> what its reader sees, the source language first
    group: int = 0  # blocks of one list share a group number
    label: str = ""  # footnote number, shown before a footnote's text

    @property
    def source(self) -> Redline:
        """Return the redline of the source text."""
        return next(iter(self.redlines.values()))

    def redline(self, lang: str) -> Redline:
        """Return what a reader of a language sees (the source, marked as a stand-in, for a language not compared)."""
        return self.redlines.get(lang) or Redline(self.source.segments, stand_in=next(iter(self.redlines)))


@dataclass(frozen=True)
class RefUpdate:
    """A cross-reference whose shown number changed only because its target was renumbered."""

    target: str
    old: str
    new: str


@dataclass(frozen=True)
class Flag:
    """Something a reviewer must look at: bilingual drift or a reference to a vanished section."""

    code: str  # sv_only | en_only | translation_added | translation_removed | dangling_ref
    target: str = ""  # for dangling_ref: the section id referred to
    number: str = ""  # for dangling_ref: the target's number in the old version, if it had one
    lang: str = ""  # for the translation flags: the translation language they speak of
    source: str = ""  # for the translation flags: the source language


@dataclass(frozen=True)
class SectionChange:
    """One section seen across two versions: its numbers, how it changed, and its redline."""

    id: str  # the new id, or the old id of a section that is gone
    old_id: str | None
    new_id: str | None
    old_number: str | None
    new_number: str | None
    depth: int
    kinds: tuple[str, ...] = ()  # empty when unchanged; members of KINDS
    title: dict[str, Redline] = field(default_factory=dict)  # lang -> Redline of the title
    blocks: tuple[BlockChange, ...] = ()
    match: str = ""  # how the sections were paired: id | text | similarity | "" (unpaired)
    score: float = 0.0  # similarity of a pair found by the fallback
    split_from: tuple[str, ...] = ()
    split_into: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()
    merged_into: tuple[str, ...] = ()
    references: tuple[RefUpdate, ...] = ()
    flags: tuple[Flag, ...] = ()
    numbered: bool = True  # False for the preamble and the annex

    @property
    def listed(self) -> bool:
        """Return whether a summary should mention this section at all."""
        return bool(self.kinds or self.references or self.flags)

    def number(self) -> str:
        """Return the number a reader knows the section by (new, else old)."""
        return self.new_number or self.old_number or ""


@dataclass(frozen=True)
class FieldChange:
    """A changed field of the metadata or of a party."""

    scope: str  # meta | party:<id>
    field: str  # e.g. signed_on, name.sv, signatory.role.en, party (the party itself added/removed)
    old: str | None
    new: str | None
    names: dict[str, str] = dataclasses.field(
        default_factory=dict
    )  # for a party: language -> its name there (new, else old)
    # For a party: language -> the language its name is shown in there when the source stands in (else none).
    stand_ins: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class TermChange:
    """A word or phrase replaced by the same other one in several places."""

    lang: str
    old: str
    new: str
    count: int


@dataclass(frozen=True)
class ChangeSet:
    """Everything that changed between two versions, in the new version's document order."""

    old_label: str  # e.g. "2023" or "main:2024"
    new_label: str
    old_version: str
    new_version: str
    sections: tuple[SectionChange, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    terms: tuple[TermChange, ...] = ()

    def counts(self) -> dict[str, int]:
        """Return how many sections show each kind of change, plus the unchanged ones."""
        counts = {kind: sum(kind in s.kinds for s in self.sections) for kind in KINDS}
        counts["unchanged"] = sum(not s.kinds for s in self.sections)
        return counts

    def changed(self) -> tuple[SectionChange, ...]:
        """Return the sections a summary lists: changed, consequentially updated or flagged."""
        return tuple(s for s in self.sections if s.listed)

    @property
    def empty(self) -> bool:
        return not (self.changed() or self.fields)

    def find(self, section_id: str) -> SectionChange | None:
        """Return the change record of a section by its new or old id."""
        return next((s for s in self.sections if section_id in (s.new_id, s.old_id)), None)
