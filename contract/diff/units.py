"""Texts of one side of a comparison as units (title, paragraphs, list items, footnotes), tokenised."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..model import Annex, Block, BulletList, Contract, Heading, Paragraph, Section, Text
from .tokens import Numbers, Token, tokenise, words


@dataclass(eq=False)
class Unit:
    """One text of a section; its tokens in each language are made when first needed."""

    kind: str  # title | paragraph | heading | item | footnote | document
    text: Text
    numbers: Numbers
    group: int = 0
    label: str = ""
    url: str | None = None
    _tokens: dict[str, tuple[Token, ...] | None] = field(default_factory=dict, repr=False)
    _keys: dict[str, tuple[str, ...] | None] = field(default_factory=dict, repr=False)

    @cached_property
    def source(self) -> tuple[Token, ...]:
        """Return the source text's tokens."""
        return self.tokens(self.text.lang) or ()

    def tokens(self, lang: str) -> tuple[Token, ...] | None:
        """Return the tokens of one language's text (None when that language is missing), made once."""
        if lang not in self._tokens:
            value = self.text.get(lang)
            self._tokens[lang] = None if value is None else tokenise(value, self.numbers, self.url)
        return self._tokens[lang]

    def plainly_same(self, other: Unit) -> bool:
        """Return whether two units have the same texts in every language and no references (no tokens needed)."""
        a, b = self.text, other.text
        return (self.kind, self.url, _texts(a)) == (other.kind, other.url, _texts(b)) and not any(
            "{ref:" in value for _, value, _ in a.written()
        )

    def shown(self, lang: str) -> tuple[tuple[Token, ...], bool]:
        """Return the tokens a reader of this language sees, and whether they are the source standing in."""
        if self.text.stand_in(lang):
            return self.source, True
        return self.tokens(lang) or self.source, False

    def keys(self, lang: str) -> tuple[str, ...] | None:
        """Return the comparison keys of the tokens in a language (None when that language is missing)."""
        if lang not in self._keys:
            tokens = self.tokens(lang)
            self._keys[lang] = None if tokens is None else tuple(t.key for t in tokens)
        return self._keys[lang]

    @cached_property
    def word_set(self) -> frozenset[str]:
        """Return the set of the source's comparison words (for pairing similar blocks)."""
        return frozenset(words(self.source))


def _texts(text: Text) -> tuple[str, tuple[str | None, ...]]:
    return text.source, tuple(text.get(lang) for lang in text.languages)


class Side:
    """One version in a comparison: its reference numbers and the units of its sections."""

    def __init__(self, contract: Contract, keys: dict[str, str] | None = None) -> None:
        self.contract = contract
        shown = {s.id: s.number for s in contract.walk()}
        notes = {n.id: n.number for n in contract.footnotes()}
        self.numbers = Numbers(shown, {**shown, **(keys or {})}, notes)
        # The same Unit objects on every call: split sections tell the units they took by identity.
        self._titles: dict[str, Unit] = {}
        self._bodies: dict[str, tuple[Unit, ...]] = {}

    def unit(self, kind: str, text: Text, group: int = 0, label: str = "", url: str | None = None) -> Unit:
        """Return one text as a unit."""
        return Unit(kind, text, self.numbers, group, label, url)

    def title(self, section: Section) -> Unit:
        """Return the unit of a section's title."""
        if section.id not in self._titles:
            self._titles[section.id] = self.unit("title", section.title)
        return self._titles[section.id]

    def body(self, section: Section) -> list[Unit]:
        """Return the units of a section's body and footnotes, in reading order."""
        if section.id not in self._bodies:
            notes = [self.unit("footnote", n.text, label=str(n.number)) for n in section.footnotes]
            self._bodies[section.id] = tuple(self.blocks(section.body) + notes)
        return list(self._bodies[section.id])

    def blocks(self, blocks: tuple[Block, ...]) -> list[Unit]:
        """Return the units of body blocks; items of one list share a group number."""
        units: list[Unit] = []
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                units.append(self.unit("paragraph", block.text))
            elif isinstance(block, Heading):
                units.append(self.unit("heading", block.text))
            elif isinstance(block, BulletList):
                units += [self.unit("item", item, group=index + 1) for item in block.items]
        return units

    def annex(self, annex: Annex | None) -> list[Unit]:
        """Return the units of the annex: its body, then one unit per linked document."""
        if annex is None:
            return []
        units = self.blocks(annex.body)
        return units + [self.unit("document", d.title, url=d.url) for d in annex.documents]
