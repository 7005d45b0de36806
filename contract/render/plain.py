"""Plain-text rendering of model texts, with language fallback made explicit."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import inline
from ..model import Contract, Text


@dataclass
class Resolver:
    """What inline references resolve to in one contract: section numbers and footnote numbers."""

    numbers: dict[str, str] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, contract: Contract) -> Resolver:
        return cls(
            numbers={s.id: s.number for s in contract.walk()},
            notes={n.id: n.number for n in contract.footnotes()},
        )


def source(text: Text, lang: str) -> tuple[str, bool]:
    """Return the text in a language, the source where the translation is missing or stale; the flag says so."""
    return text.shown(lang)


def plain(text: Text, lang: str, resolver: Resolver) -> str:
    """Render a text as plain words in a language (the source where the translation is missing or stale)."""
    value, _ = source(text, lang)
    return inline.plain(inline.parse(value), resolver.numbers, resolver.notes)
