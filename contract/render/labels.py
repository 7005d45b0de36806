"""Interface strings and dates per language, from one catalogue per language (contract/i18n/)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date as _babel_date
from ruamel.yaml import YAML

from ..model import Contract, Text
from ..resources import CATALOGUES
from ..source.languages import language_in as language_in  # the notes name languages through labels

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
REGIONS = {"sv": "SE", "en": "GB"}  # the region a language is written for here (British English)
# A repository's own catalogues (i18n/<code>.yaml), registered when its languages are read; the package's otherwise.
_FILES: dict[str, Path] = {}
_SOURCE = ["sv"]  # the repository's source language, registered with its catalogues


def use(catalogues: Iterable[tuple[str, Path]]) -> None:
    """Take the interface strings of these languages (the source first) from these files (a repository's config)."""
    pairs = list(catalogues)
    _FILES.clear()  # the repository last read: another repository's own labels must not linger
    _read.cache_clear()  # nor an earlier reading of a file edited since (serve, builds in one process)
    _FILES.update(pairs)
    _SOURCE[0] = pairs[0][0] if pairs else _SOURCE[0]


def registered() -> list[tuple[str, Path]]:
    """Return the catalogues taken from a repository, the source first (for a worker process to use them too)."""
    return sorted(_FILES.items(), key=lambda item: item[0] != _SOURCE[0])


def source() -> str:
    """Return the source language of the repository last read (Swedish until one is read)."""
    return _SOURCE[0]


def region(lang: str) -> str | None:
    """Return the region a language is written for (SE, GB, FI), or None when no one is likely."""
    if lang in REGIONS:
        return REGIONS[lang]
    likely = get_global("likely_subtags").get(lang, "")
    parts = likely.split("_")
    return parts[-1] if len(parts) > 1 and parts[-1].isupper() else None


def native_name(code: str) -> str:
    """Return a language's name in itself for the language switch ("Svenska", "English", "Suomi")."""
    file = _FILES.get(code, CATALOGUES / f"{code}.yaml")
    own = _read(file).get("site_language_name") if file.is_file() else None  # a catalogue may name its language
    if own:
        return own
    try:
        return str(Locale.parse(code).get_display_name(code) or code).capitalize()
    except (UnknownLocaleError, ValueError):
        return code


def language(code: str, lang: str) -> str:
    """Return the name of a language as a reader of lang writes it ("engelska", "English"), or its code."""
    known = catalogue(lang).get(f"site_lang_{code}")
    if known:
        return known
    try:
        return str(Locale.parse(code).get_display_name(locale(lang)) or code)
    except (UnknownLocaleError, ValueError):
        return code


@lru_cache(maxsize=16)
def _read(file: Path) -> dict[str, str]:
    return _parse(file.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _parse(text: str) -> dict[str, str]:
    # By text: each repository read clears _read, and most builds of a process read the same catalogues again.
    return dict(YAML(typ="safe").load(text))


def catalogue(lang: str) -> dict[str, str]:
    """Return the interface strings of a language."""
    return _read(_FILES.get(lang, CATALOGUES / f"{lang}.yaml"))


def locale(lang: str) -> str:
    """Return the Babel locale that writes dates for a language; English for a language Babel does not know."""
    if lang in LOCALES:
        return LOCALES[lang]
    try:
        return str(Locale.parse(lang))
    except (UnknownLocaleError, ValueError):
        return LOCALES["en"]


def label(lang: str, key: str, **fields: object) -> str:
    """Return one interface string, its {fields} filled in."""
    return catalogue(lang)[key].format(**fields)


def date(value: str | datetime.date, lang: str) -> str:
    """Format an ISO date the way the language writes it (8 december 2023 / 8 December 2023)."""
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return _babel_date(day, format="long", locale=locale(lang))


def cover_line(contract: Contract, lang: str) -> str:
    """Return the cover's line naming the parties, e.g. "Mellan Borås Stad och myndigheterna … samt Viable Cities"."""

    def listed(kind: str) -> str:
        found = [p.name.shown(lang)[0] for p in contract.parties if p.kind == kind]
        return list_separator(found).join(found)

    groups = {"municipality": listed("municipality"), "agencies": listed("agency"), "programme": listed("programme")}
    # The catalogue's sentence has a place per group; a group with no party drops its place with the words that lead
    # into it ("och myndigheterna ", "samt "), so a contract without agencies reads "Mellan Borås Stad samt Viable
    # Cities", not "… och myndigheterna  samt …".
    pieces = label(lang, "cover_between", **{group: f"\0{group}\0" for group in groups}).split("\0")
    line = pieces[0]  # the words before the first group
    for index in range(1, len(pieces) - 1, 2):  # pieces: words, group, words, group, …, words
        if groups[pieces[index]]:
            line += (pieces[index - 1] if index > 1 else "") + groups[pieces[index]]
    return line + pieces[-1]


# Separators from the weakest, each with the marks a name must not hold for it to keep every name whole: a comma
# among names with commas ("Forskningsrådet för miljö, areella näringar och samhällsbyggande") read as more parties,
# and a semicolon among commas is the stronger break.
_SEPARATORS = ((", ", ",;"), ("; ", ";"), (" · ", "·"), (" / ", "/"), (" | ", "|"))


def list_separator(names: list[str]) -> str:
    """What joins names in a list so that each reads as one: the weakest separator no name holds a mark of."""
    for separator, marks in _SEPARATORS[:-1]:
        if not any(mark in name for name in names for mark in marks):
            return separator
    return _SEPARATORS[-1][0]  # names holding all of these marks: the last, the least likely inside a name


def stand_in_notes(texts: Iterable[Text], lang: str) -> tuple[str, ...]:
    """Return the notes a reader needs where the source stands in for a missing or stale translation (missing first).

    The notes name the source language ({source}): the catalogue cannot know which language a repository writes in.
    """
    found = {t.stand_in(lang): t.lang for t in texts}
    return tuple(
        label(lang, f"translation_{reason}", source=language_in(found[reason], lang))
        for reason in ("missing", "stale")
        if reason in found
    )


def stand_in_note(texts: Sequence[Text], lang: str) -> str | None:
    """Return the one note for texts where the source stands in, or None when none does.

    Where some of the texts are missing and others out of date, the note says both (a cover that said only "out of
    date" hid that parts were never translated).
    """
    notes = stand_in_notes(texts, lang)
    if len(notes) > 1:
        source = next(t.lang for t in texts if t.stand_in(lang))
        return label(lang, "diff_stand_in", source=language_in(source, lang))
    return notes[0] if notes else None
