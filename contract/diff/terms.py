"""Find terms replaced in several places ("Avtalet" -> "Kontraktet"), to name each once in a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .changeset import Redline, SectionChange, TermChange
from .tokens import normalise

MIN_COUNT = 2  # a replacement seen this often is a term change
MAX_WORDS = 3  # longer replacements are rewording, not a term


def find(sections: tuple[SectionChange, ...]) -> tuple[TermChange, ...]:
    """Return the repeated word replacements of each language, most frequent first."""
    found: list[TermChange] = []
    langs = next((tuple(s.title) for s in sections if s.title), ())  # the source first, as the differ made them
    for lang in langs:
        pairs = [p for s in sections for r in _redlines(s, lang) for p in _replacements(r)]
        found += _terms(lang, pairs)
    return tuple(found)


def _redlines(section: SectionChange, lang: str) -> Iterator[Redline]:
    for redline in [section.title.get(lang), *(b.redlines.get(lang) for b in section.blocks)]:
        if redline is not None and redline.changed and not redline.stand_in:
            yield redline


def _replacements(redline: Redline) -> list[tuple[str, str]]:
    """Return (deleted, inserted) phrases that replace each other directly."""
    out: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for seg in (*redline.segments, None):
        if seg is not None and seg.op == "delete" and not inserted:
            deleted.append(seg.text)
        elif seg is not None and seg.op == "insert":
            inserted.append(seg.text)
        else:
            if deleted and inserted:
                out.append((normalise("".join(deleted)), normalise("".join(inserted))))
            deleted, inserted = ([seg.text] if seg is not None and seg.op == "delete" else []), []
    return [(a, b) for a, b in out if a and b and len(a.split()) <= MAX_WORDS and len(b.split()) <= MAX_WORDS]


def _terms(lang: str, pairs: list[tuple[str, str]]) -> list[TermChange]:
    counts = Counter((a.casefold(), b.casefold()) for a, b in pairs)
    shown: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for a, b in pairs:
        shown.setdefault((a.casefold(), b.casefold()), Counter())[(a, b)] += 1
    terms = []
    for key, count in counts.items():
        if count >= MIN_COUNT:
            # Name the term as most often written (capitalised at a sentence start, say).
            (a, b), _ = min(shown[key].items(), key=lambda kv: (-kv[1], kv[0]))
            terms.append(TermChange(lang, a, b, count))
    return sorted(terms, key=lambda t: (-t.count, t.old.casefold(), t.new.casefold()))
