"""Texts of one side of a comparison as units (title, paragraphs, list items, footnotes), tokenised."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..model import Annex, Block, BulletList, Contract, Heading, Paragraph, Section, Text
from .tokens import Numbers, Token, tokenise, words


@dataclass(eq=False)
class Unit:
    """One text of a section; its tokens in both languages are made when first needed."""

    kind: str  # title | paragraph | heading | item | footnote | document
    text: Text
    numbers: Numbers
    group: int = 0
    label: str = ""
    url: str | None = None

    @cached_property
    def sv(self) -> tuple[Token, ...]:
        return tokenise(self.text.sv, self.numbers, self.url)

    @cached_property
    def en(self) -> tuple[Token, ...] | None:
        """Return the English tokens (None when the English is missing)."""
        return None if self.text.en is None else tokenise(self.text.en, self.numbers, self.url)

    def plainly_same(self, other: "Unit") -> bool:
        """Return whether two units have the same source text and no references (no tokens needed)."""
        a, b = self.text, other.text
        return (self.kind, a.sv, a.en, self.url) == (other.kind, b.sv, b.en, other.url) and "{ref:" not in a.sv + (
            a.en or ""
        )

    @property
    def en_shown(self) -> bool:
        """Return whether an English reader sees English here (not the Swedish stand-in)."""
        return self.text.en is not None and self.text.en_status == "current"

    def shown(self, lang: str) -> tuple[tuple[Token, ...], bool]:
        """Return the tokens a reader of this language sees, and whether they are the Swedish stand-in."""
        en = self.en if lang != "sv" and self.en_shown else None
        if en is None:
            return self.sv, lang != "sv"
        return en, False

    @cached_property
    def _sv_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.sv)

    @cached_property
    def _en_keys(self) -> tuple[str, ...] | None:
        return None if self.en is None else tuple(t.key for t in self.en)

    def keys(self, lang: str) -> tuple[str, ...] | None:
        """Return the comparison keys of the tokens in a language (None when that language is missing)."""
        return self._sv_keys if lang == "sv" else self._en_keys

    @cached_property
    def word_set(self) -> frozenset[str]:
        """Return the set of Swedish comparison words (for pairing similar blocks)."""
        return frozenset(words(self.sv))


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
