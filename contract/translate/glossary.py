"""The translation glossary (glossary.yaml): Swedish terms, the English renderings allowed, names kept as is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import Report
from ..model import Contract, Pos, Text
from ..source.schema import validate
from ..source.yamlfile import read

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Term:
    """A Swedish term with its forms, the English renderings allowed and those that are wrong."""

    id: str
    sv: tuple[str, ...]
    en: tuple[str, ...]
    wrong: tuple[str, ...] = ()
    exact_case: bool = False
    note: str = ""
    pos: Pos | None = None
    allowed_names: tuple[str, ...] = ()  # English names in which a wrong rendering is right ("Local Authorities")

    def found_in(self, text: str) -> str | None:
        """Return the form of the term a Swedish text uses (whole words, any case), or None."""
        lowered = _lowered_words(text)
        if not any(head in lowered for head in self._heads):
            return None  # a cheap test first: most texts use few terms
        found = _words(self.sv, re.IGNORECASE).search(words(text))
        return found.group(0) if found else None

    @cached_property
    def _heads(self) -> tuple[str, ...]:
        """The first word of each Swedish form, in lower case: a text without any of them cannot use the term."""
        return tuple(form.split()[0].lower() for form in self.sv if form.split())

    def in_swedish(self, text: str) -> bool:
        """Tell whether a Swedish text uses the term in one of its forms."""
        return self.found_in(text) is not None

    def rendered(self, text: str) -> bool:
        """Tell whether an English text uses an allowed rendering (at the start of a word)."""
        return _starts(self.en, 0 if self.exact_case else re.IGNORECASE).search(words(text)) is not None

    def wrongly_rendered(self, text: str) -> str | None:
        """Return a wrong rendering the English text uses, or None."""
        text = words(text)
        for name in self.allowed_names:
            text = text.replace(name, " ")
        found = _starts(self.wrong, re.IGNORECASE).search(text) if self.wrong else None
        return found.group(0) if found else None


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    keep: tuple[str, ...] = ()
    file: str = GLOSSARY_FILE

    def terms_of(self, sv: str) -> list[Term]:
        """Return the terms a Swedish text uses."""
        return [t for t in self.terms if t.in_swedish(sv)]

    def kept_in(self, sv: str) -> list[str]:
        """Return the kept names a Swedish text uses."""
        plain = words(sv)
        return [name for name in self.keep if name in plain and _words((name,), 0).search(plain)]


_MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|(?<=\])\((?:[^()\s]|\([^()\s]*\))*\)")


@lru_cache(maxsize=4096)
def words(text: str) -> str:
    """Return a text without the markup that is not words: references, footnote marks, link addresses."""
    return _MARKUP.sub(" ", text)


@lru_cache(maxsize=4096)
def _lowered_words(text: str) -> str:
    return words(text).lower()


def _words(forms: tuple[str, ...], flags: int) -> re.Pattern:
    return _compile(tuple(forms), flags, True)


def _starts(forms: tuple[str, ...], flags: int) -> re.Pattern:
    return _compile(tuple(forms), flags, False)


_CACHE: dict[tuple, re.Pattern] = {}


def _compile(forms: tuple[str, ...], flags: int, whole: bool) -> re.Pattern:
    key = (forms, flags, whole)
    if key not in _CACHE:
        # Longest forms first, so "myndigheterna" is not cut at "myndighet"; spaces match any white space.
        alts = "|".join(r"\s+".join(map(re.escape, f.split())) for f in sorted(forms, key=len, reverse=True))
        _CACHE[key] = re.compile(rf"(?<!\w)(?:{alts})" + (r"(?!\w)" if whole else ""), flags)
    return _CACHE[key]


def load_glossary(root: Path, report: Report) -> Glossary:
    """Read glossary.yaml at the repository root (an empty glossary when there is none); problems go to the report."""
    file = root / GLOSSARY_FILE
    if not file.exists():
        return Glossary()
    doc = read(file, GLOSSARY_FILE, report)
    if doc is None or not validate(doc, root / "schema", "glossary.schema.json", report):
        return Glossary()
    terms = tuple(
        Term(
            id=t["id"],
            sv=tuple(t["sv"]),
            en=tuple(t["en"]),
            wrong=tuple(t.get("not", ())),
            exact_case=bool(t.get("exact_case", False)),
            note=t.get("note", ""),
            pos=doc.pos(("terms", i)),
            allowed_names=tuple(t.get("except", ())),
        )
        for i, t in enumerate(doc.data.get("terms") or ())
    )
    seen: dict[str, Pos] = {}
    for term in terms:
        if term.id in seen:
            report.error(
                term.pos or Pos(GLOSSARY_FILE),
                f"duplicate glossary term id {term.id!r} (first used at line {seen[term.id].line})",
                "give every term its own id",
                "glossary",
            )
        seen.setdefault(term.id, term.pos or Pos(GLOSSARY_FILE))
    return Glossary(terms, tuple(doc.data.get("keep") or ()))


def usage(contract: Contract, glossary: Glossary) -> dict[str, list[Text]]:
    """Return, per term id and kept name, the texts of a contract whose Swedish uses it."""
    used: dict[str, list[Text]] = {name: [] for name in [t.id for t in glossary.terms] + list(glossary.keep)}
    for text in contract.texts():
        for term in glossary.terms_of(text.source):
            used[term.id].append(text)
        for name in glossary.kept_in(text.source):
            used[name].append(text)
    return used
