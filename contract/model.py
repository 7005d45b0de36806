"""The typed contract model: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

LANGS = ("sv", "en")

# Section groups in the order they appear in a contract, each with the file that holds it.
GROUPS = (
    "preamble",
    "purpose",
    "parties",
    "municipality",
    "programme",
    "agencies",
    "projects",
    "updates",
    "clause",
    "annex",
)


@dataclass(frozen=True)
class Pos:
    """A position in a source file (1-based line and column)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


@dataclass(frozen=True)
class Text:
    """A bilingual text: Swedish source, English translation (None when missing)."""

    key: str
    sv: str
    en: str | None = None
    pos: Pos | None = None
    en_pos: Pos | None = None
    en_status: str = "current"  # current | stale | missing (see contract.translations)
    path: tuple[str | int, ...] = ()  # where the text's mapping sits in its YAML file (keys and indexes)
    en_note: str | None = None  # a translator's note, shown beside the English only (never in the Swedish)

    def get(self, lang: str) -> str | None:
        """Return the text in one language (None when that language is missing)."""
        return self.sv if lang == "sv" else self.en

    def shown(self, lang: str) -> tuple[str, bool]:
        """Return what a reader of this language sees, and whether it is the Swedish stand-in."""
        if lang == "sv":
            return self.sv, False
        # A text built without English keeps the default status "current": it is still a stand-in.
        if self.en is not None and self.en_status == "current":
            return self.en, False
        return self.sv, True


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class Heading:
    """An unnumbered heading inside a section body."""

    text: Text


@dataclass(frozen=True)
class BulletList:
    items: tuple[Text, ...]


Block = Union[Paragraph, Heading, BulletList]


@dataclass(frozen=True)
class Footnote:
    id: str
    number: int
    text: Text
    pos: Pos | None = None


@dataclass(frozen=True)
class Section:
    id: str
    number: str
    title: Text
    group: str
    depth: int
    body: tuple[Block, ...] = ()
    children: tuple["Section", ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    pinned: bool = False
    gap_reason: str | None = None
    acknowledged_refs: tuple[str, ...] = ()
    to_be_written: bool = False
    pos: Pos | None = None

    def texts(self) -> Iterator[Text]:
        """Yield this section's own texts: title, body, footnotes (not its subsections')."""
        yield self.title
        yield from block_texts(self.body)
        for note in self.footnotes:
            yield note.text

    def walk(self) -> Iterator["Section"]:
        """Yield this section and all its descendants in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Signatory:
    name: str | None = None
    role: Text | None = None


@dataclass(frozen=True)
class Party:
    id: str
    kind: str  # municipality | agency | programme
    name: Text
    signatory: Signatory = field(default_factory=Signatory)
    pos: Pos | None = None
    # What the party's signing certificate must carry in its subject: short name (O,
    # organizationIdentifier, ...) -> value. Empty when the contract data names nothing.
    certificate_subject: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnnexDocument:
    title: Text
    url: str
    pos: Pos | None = None


@dataclass(frozen=True)
class Annex:
    title: Text
    body: tuple[Block, ...] = ()
    documents: tuple[AnnexDocument, ...] = ()
    pos: Pos | None = None

    def texts(self) -> Iterator[Text]:
        """Yield the annex's texts: title, body, document titles."""
        yield self.title
        yield from block_texts(self.body)
        for doc in self.documents:
            yield doc.title


@dataclass(frozen=True)
class Erratum:
    """A correction made after signing: when, where, what and why."""

    date: str
    what: Text
    why: Text
    section: str | None = None
    pos: Pos | None = None


@dataclass(frozen=True)
class Meta:
    version: str
    valid_for: str
    status: str  # draft | signed
    municipality: str
    title: Text
    cover: Text | None = None
    signed_on: str | None = None
    previous: str | None = None
    errata: tuple[Erratum, ...] = ()
    pos: Pos | None = None


@dataclass(frozen=True)
class Contract:
    meta: Meta
    parties: tuple[Party, ...]
    preamble: tuple[Block, ...]
    sections: tuple[Section, ...]
    annex: Annex | None
    folder: str = ""

    def walk(self) -> Iterator[Section]:
        """Yield every numbered section in document order."""
        for section in self.sections:
            yield from section.walk()

    def section(self, section_id: str) -> Section | None:
        """Return the section with this id, or None."""
        return next((s for s in self.walk() if s.id == section_id), None)

    def footnotes(self) -> tuple[Footnote, ...]:
        """Return all footnotes ordered by number."""
        notes = [n for s in self.walk() for n in s.footnotes]
        return tuple(sorted(notes, key=lambda n: n.number))

    def texts(self) -> Iterator[Text]:
        """Yield every bilingual text of the contract in document order."""
        yield self.meta.title
        for party in self.parties:
            yield party.name
            if party.signatory.role:
                yield party.signatory.role
        yield from block_texts(self.preamble)
        for section in self.walk():
            yield from section.texts()
        if self.annex:
            yield from self.annex.texts()
        for erratum in self.meta.errata:
            yield erratum.what
            yield erratum.why


def block_texts(blocks: tuple[Block, ...]) -> Iterator[Text]:
    """Yield the texts of body blocks: a paragraph's or heading's text, each list item."""
    for block in blocks:
        if isinstance(block, BulletList):
            yield from block.items
        else:
            yield block.text
