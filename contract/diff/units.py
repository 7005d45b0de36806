"""Texts of one side of a comparison as units (title, paragraphs, list items, footnotes), tokenised."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Annex, BulletList, Contract, Heading, Paragraph, Section, Text
from .tokens import Numbers, Token, tokenise


@dataclass(frozen=True)
class Unit:
    """One text of a section with its tokens in both languages."""

    kind: str  # title | paragraph | heading | item | footnote | document
    text: Text
    sv: tuple[Token, ...]
    en: tuple[Token, ...] | None  # None when the English is missing
    group: int = 0
    label: str = ""

    @property
    def en_shown(self) -> bool:
        """Return whether an English reader sees English here (not the Swedish stand-in)."""
        return self.text.en is not None and self.text.en_status == "current"

    def shown(self, lang: str) -> tuple[tuple[Token, ...], bool]:
        """Return the tokens a reader of this language sees, and whether they are the Swedish stand-in."""
        if lang == "sv" or not self.en_shown:
            return self.sv, lang != "sv"
        return self.en, False

    def keys(self, lang: str) -> tuple[str, ...] | None:
        tokens = self.sv if lang == "sv" else self.en
        return None if tokens is None else tuple(t.key for t in tokens)


class Side:
    """One version in a comparison: its reference numbers and the units of its sections."""

    def __init__(self, contract: Contract, keys: dict[str, str] | None = None):
        self.contract = contract
        shown = {s.id: s.number for s in contract.walk()}
        notes = {n.id: n.number for n in contract.footnotes()}
        self.numbers = Numbers(shown, {**shown, **(keys or {})}, notes)

    def unit(self, kind: str, text: Text, group: int = 0, label: str = "", url: str | None = None) -> Unit:
        """Tokenise one text into a unit."""
        en = tokenise(text.en, self.numbers, url) if text.en is not None else None
        return Unit(kind, text, tokenise(text.sv, self.numbers, url), en, group, label)

    def title(self, section: Section) -> Unit:
        return self.unit("title", section.title)

    def body(self, section: Section) -> list[Unit]:
        """Return the units of a section's body and footnotes, in reading order."""
        units = self.blocks(section.body)
        units += [self.unit("footnote", n.text, label=str(n.number)) for n in section.footnotes]
        return units

    def blocks(self, blocks) -> list[Unit]:
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
