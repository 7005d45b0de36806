"""The typed contract model: frozen dataclasses, no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

DEFAULT_LANGUAGES = ("sv", "en")  # without klimatkontrakt.yaml: Swedish source, English translation

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
        # A file name may hold a line break or a terminal escape: shown escaped, it stays one line of text.
        file = printable(self.file)
        return f"{file}:{self.line}:{self.column}" if self.line else file


def printable(name: str) -> str:
    """Return a file name as a message shows it: one line of text, whatever bytes the name holds."""
    return name if name.isprintable() else "".join(map(_printable, name))


def _printable(char: str) -> str:
    # Control and format characters (bidi overrides, zero-width ones) and line separators escaped; a byte that is not
    # UTF-8 (Python's surrogate escape) as \xNN.
    if 0xDC80 <= ord(char) <= 0xDCFF:
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs") else char


@dataclass(frozen=True)
class Translation:
    """One language's translation of a text: its text (None when missing), status and translator's note."""

    text: str | None = None
    pos: Pos | None = None  # where the translation is written (the text's mapping when it is missing)
    status: str = "current"  # current | stale | missing (see contract.translate.translations)
    note: str | None = None  # a translator's note, shown beside this translation only (never in the source)
    note_pos: Pos | None = None  # where the translator's note is written


@dataclass(frozen=True)
class Text:
    """A text in the source language and its translations (language code -> Translation)."""

    key: str
    source: str
    translations: tuple[tuple[str, Translation], ...] = ()  # in the repository's language order
    pos: Pos | None = None  # where the source text is written
    path: tuple[str | int, ...] = ()  # where the text's mapping sits in its YAML file (keys and indexes)
    lang: str = "sv"  # the source language

    def translation(self, lang: str) -> Translation:
        """Return one language's translation (a missing one when the text has none in that language)."""
        return next((t for code, t in self.translations if code == lang), _MISSING)

    def get(self, lang: str) -> str | None:
        """Return the text in one language (None when that language is missing)."""
        return self.source if lang == self.lang else self.translation(lang).text

    def status(self, lang: str) -> str:
        """Return current, stale or missing for one language (the source is always current)."""
        return "current" if lang == self.lang else self.translation(lang).status

    def at(self, lang: str) -> Pos | None:
        """Return where one language's text is written (None for a text built in code)."""
        return self.pos if lang == self.lang else self.translation(lang).pos

    # The stand-in rule, decided here only: renderers format its answer.
    def shown(self, lang: str) -> tuple[str, bool]:
        """Return what a reader of this language sees, and whether it is the source standing in for it."""
        return (self.source, True) if self.stand_in(lang) else (self.get(lang) or self.source, False)

    def stand_in(self, lang: str) -> str | None:
        """Return why a reader of this language sees the source instead (missing or stale), or None."""
        if lang == self.lang:
            return None
        found = self.translation(lang)
        if found.text is None:
            return "missing"
        return None if found.status == "current" else "stale"

    def note(self, lang: str) -> str | None:
        """Return the translator's note a reader of this language sees (never beside a stand-in)."""
        return None if lang == self.lang or self.stand_in(lang) else self.translation(lang).note

    def with_translation(self, lang: str, translation: Translation) -> Text:
        """Return a copy with one language's translation replaced (or added)."""
        if lang in self.languages:
            pairs = tuple((code, translation if code == lang else t) for code, t in self.translations)
        else:
            pairs = (*self.translations, (lang, translation))
        return replace(self, translations=pairs)

    def written(self) -> Iterator[tuple[str, str, Pos | None]]:
        """Yield every string of the text: the source, each translation and translator's note (which, what, where)."""
        yield self.lang, self.source, self.pos
        for code, found in self.translations:
            if found.text is not None:
                yield code, found.text, found.pos
            if found.note is not None:
                yield f"note_{code}", found.note, found.note_pos or found.pos

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages this text has a translation entry for."""
        return tuple(code for code, _ in self.translations)


_MISSING = Translation(status="missing")


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


Block = Paragraph | Heading | BulletList


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
    children: tuple[Section, ...] = ()
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

    def walk(self) -> Iterator[Section]:
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
    previous_pos: Pos | None = None  # where 'previous:' is written


@dataclass(frozen=True)
class Contract:
    meta: Meta
    parties: tuple[Party, ...]
    preamble: tuple[Block, ...]
    sections: tuple[Section, ...]
    annex: Annex | None
    folder: str = ""
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the source first, then the translations (the repository's)
    # The version's files that could not be read (their errors are reported): what they hold is missing here.
    unread: tuple[str, ...] = ()
    # The fingerprint of the signed content of the files it was read from (source.signed_content), "" when unknown.
    signed_content: str = ""

    @property
    def translations(self) -> tuple[str, ...]:
        """Return the translation languages."""
        return self.languages[1:]

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
