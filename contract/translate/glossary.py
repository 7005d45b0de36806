"""The translation glossary (glossary.yaml): source-language terms, the renderings allowed per translation language,
the renderings that are wrong, and names kept as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import Report
from ..model import DEFAULT_LANGUAGES, Contract, Pos, Text
from ..source.schema import validate
from ..source.yamlfile import Document, checked, read
from .glossary_file import entries_of, kept_of

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Term:
    """A term's forms in the source language, and its renderings (allowed and wrong) in one translation language."""

    id: str
    forms: tuple[str, ...]  # in the source language: whole words, any letter case
    renderings: tuple[str, ...]  # in lang: matched at the start of a word
    wrong: tuple[str, ...] = ()
    exact_case: bool = False
    note: str = ""
    pos: Pos | None = None
    allowed_names: tuple[str, ...] = ()  # names in which a wrong rendering is right ("Local Authorities")
    lang: str = ""  # the translation language of the renderings

    def found_in(self, text: str) -> str | None:
        """Return the form of the term a source text uses (whole words, any case), or None."""
        lowered = _lowered_words(text)
        if not any(head in lowered for head in self._heads):
            return None  # a cheap test first: most texts use few terms
        found = _words(self.forms, re.IGNORECASE).search(words(text))
        return found.group(0) if found else None

    @cached_property
    def _heads(self) -> tuple[str, ...]:
        """The first word of each source form, in lower case: a text without any of them cannot use the term."""
        return tuple(form.split()[0].lower() for form in self.forms if form.split())

    def in_source(self, text: str) -> bool:
        """Tell whether a source text uses the term in one of its forms."""
        return self.found_in(text) is not None

    def rendered(self, text: str) -> bool:
        """Tell whether a translation uses an allowed rendering (at the start of a word)."""
        return _starts(self.renderings, 0 if self.exact_case else re.IGNORECASE).search(words(text)) is not None

    def wrongly_rendered(self, text: str) -> str | None:
        """Return a wrong rendering the translation uses, or None."""
        text = words(text)
        for name in self.allowed_names:
            text = text.replace(name, " ")
        found = _starts(self.wrong, re.IGNORECASE).search(text) if self.wrong else None
        return found.group(0) if found else None


@dataclass(frozen=True)
class Glossary:
    """Every term's rules (one Term per term and translation language) and the names kept per language."""

    terms: tuple[Term, ...] = ()
    keep: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (language, names kept as they are in it)
    file: str = GLOSSARY_FILE
    ids: tuple[str, ...] = ()  # every term's id in the file's order, with or without renderings in a language

    def for_lang(self, lang: str) -> list[Term]:
        """Return the terms with renderings in a translation language (the others are not checked in it)."""
        return [t for t in self.terms if t.lang == lang]

    def terms_of(self, source: str, lang: str) -> list[Term]:
        """Return the terms a source text uses that have renderings in lang."""
        return [t for t in self.for_lang(lang) if t.in_source(source)]

    def kept(self, lang: str) -> tuple[str, ...]:
        """Return the names kept as they are in a translation language."""
        return dict(self.keep).get(lang, ())

    def kept_in(self, source: str, lang: str) -> list[str]:
        """Return the names kept in lang that a source text uses."""
        plain = words(source)
        return [name for name in self.kept(lang) if name in plain and _words((name,), 0).search(plain)]

    def forms(self, term_id: str) -> tuple[str, ...]:
        """Return a term's source forms."""
        return next((t.forms for t in self.terms if t.id == term_id), ())


_MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|(?<=\])\((?:[^()\s]|\([^()\s]*\))*\)")


@lru_cache(maxsize=4096)
def words(text: str) -> str:
    """Return a text without the markup that is not words: references, footnote marks, link addresses."""
    return _MARKUP.sub(" ", text)


@lru_cache(maxsize=4096)
def _lowered_words(text: str) -> str:
    return words(text).lower()


NO_GLOSSARY = Glossary()  # the repository has none, or it has errors (reported where it is read)


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


def load_glossary(root: Path, report: Report, languages: tuple[str, ...] | None = None) -> Glossary:
    """Read glossary.yaml at the repository root (an empty glossary when there is none); problems go to the report.

    languages are the repository's, the source first (read from klimatkontrakt.yaml when not given).
    """
    file = root / GLOSSARY_FILE
    if not file.exists():
        return NO_GLOSSARY
    doc = read(file, GLOSSARY_FILE, report)
    if doc is None or not validate(doc, root / "schema", "glossary.schema.json", report):
        return NO_GLOSSARY
    langs = languages or _languages(root)
    # Built once per text and languages: the same object each time, so checks with it can be kept (checks.validate).
    glossary: Glossary = checked(
        doc, ("glossary", langs), lambda read_doc, found: _terms(read_doc, langs, found), report
    )
    return glossary


def _terms(doc: Document, langs: tuple[str, ...], report: Report) -> Glossary:
    """Return the glossary of a valid file: every term per translation language and the kept names."""
    before = len(report.errors)
    entries = entries_of(doc, langs, report)
    keep = kept_of(doc, langs, report)
    if len(report.errors) > before:
        return NO_GLOSSARY
    terms = tuple(
        Term(e.id, e.forms, r.allowed, r.wrong, e.exact_case, e.note, e.pos, r.allowed_names, r.lang)
        for e in entries
        for r in e.renderings
    )
    return Glossary(terms, keep, ids=tuple(e.id for e in entries))


def _languages(root: Path) -> tuple[str, ...]:
    """Return the repository's languages; the defaults when klimatkontrakt.yaml is unusable (validate reports it)."""
    from ..source.languages import read_languages

    found = read_languages(root, Report())
    return found.all if found is not None else DEFAULT_LANGUAGES


def usage(contract: Contract, glossary: Glossary, lang: str) -> dict[str, list[Text]]:
    """Return, per term id and name kept in lang, the texts of a contract whose source uses it."""
    used: dict[str, list[Text]] = {name: [] for name in [*glossary.ids, *glossary.kept(lang)]}
    forms = {term_id: Term(term_id, glossary.forms(term_id), ()) for term_id in glossary.ids}
    for text in contract.texts():
        for term_id, term in forms.items():
            if term.in_source(text.source):
                used[term_id].append(text)
        for name in glossary.kept_in(text.source, lang):
            used[name].append(text)
    return used
