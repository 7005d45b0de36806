"""The words the importer recognises, one table per language: contract/i18n/import-<code>.yaml.

A language the importer reads is a table, not code: its title, the cover's version word, the headings of the
contents and signature pages, the annex's words, the placeholder of a section still to be written, the words
placing chapters in their group files and the names of the national parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from ..resources import CATALOGUES

PREFIX = "import-"


@dataclass(frozen=True)
class Table:
    """One language's words for the importer."""

    lang: str
    title: tuple[str, ...]
    version: tuple[str, ...]
    contents: tuple[str, ...]
    signatures: tuple[str, ...]
    annex: tuple[str, ...]
    to_be_written: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (group, patterns of a chapter title)
    parties: tuple[tuple[str, str], ...]  # (party id, its name in this language)


@cache
def tables() -> tuple[Table, ...]:
    """Return every language's table, in the order the tables give (messages list the languages so)."""
    found = {path.stem[len(PREFIX) :]: YAML(typ="safe").load(path.read_text(encoding="utf-8")) for path in _files()}
    ordered = sorted(found, key=lambda code: (int(found[code].get("order", 0)), code))
    return tuple(_table(code, found[code]) for code in ordered)


def _files() -> list[Path]:
    return sorted(CATALOGUES.glob(f"{PREFIX}*.yaml"))


def clear() -> None:
    """Forget the tables read (a test adds one)."""
    for cached in (tables, every, pattern, group_patterns):
        cached.cache_clear()


def _table(lang: str, data: dict) -> Table:
    words = {key: tuple(str(w) for w in data.get(key) or ()) for key in ("title", "version", "contents")}
    words |= {key: tuple(str(w) for w in data.get(key) or ()) for key in ("signatures", "annex", "to_be_written")}
    return Table(
        lang,
        words["title"],
        words["version"],
        words["contents"],
        words["signatures"],
        words["annex"],
        words["to_be_written"],
        tuple((str(g), tuple(map(str, p))) for g, p in (data.get("groups") or {}).items()),
        tuple((str(i), str(n)) for i, n in (data.get("parties") or {}).items()),
    )


def languages() -> tuple[str, ...]:
    """Return the languages the importer reads: those with a table."""
    return tuple(t.lang for t in tables())


def table(lang: str) -> Table | None:
    """Return a language's table, or None when the importer cannot read that language."""
    return next((t for t in tables() if t.lang == lang), None)


@cache
def every(field: str) -> tuple[str, ...]:
    """Return a field's words in every table (an original may mix them: an English title on a Swedish cover)."""
    return tuple(dict.fromkeys(w for t in tables() for w in getattr(t, field)))


@cache
def pattern(field: str, before: str = "", after: str = "") -> re.Pattern[str]:
    """Return a case-insensitive pattern matching any table's words of a field, whole, between before and after."""
    alternatives = "|".join(re.escape(w) for w in sorted(every(field), key=len, reverse=True))
    return re.compile(f"{before}(?:{alternatives}){after}", re.IGNORECASE)


@cache
def group_patterns() -> tuple[tuple[str, str], ...]:
    """Return each section group in the files' order with one pattern joining every table's patterns for it."""
    from ..source.schema import SECTION_FILES  # the group files, in the order the contract's chapters follow

    joined = []
    for group in SECTION_FILES:
        patterns = dict.fromkeys(p for t in tables() for name, listed in t.groups if name == group for p in listed)
        joined.append((group, "|".join(f"(?:{p})" for p in patterns) or "(?!)"))  # "(?!)": a group no title names
    return tuple(joined)


def party_names(party_id: str) -> dict[str, str]:
    """Return a party's name in every language that has a table naming it."""
    return {t.lang: name for t in tables() for pid, name in t.parties if pid == party_id}


def chapters_placed(titles: list[str]) -> dict[str, list[str]]:
    """Return, per language with a table, the chapter titles only its group words place (what the titles are in).

    A title two languages' words place ("Viable Cities åtaganden" and "Viable Cities' commitments") tells nothing.
    """
    placing = {t.lang: [p for _, ps in t.groups for p in ps] for t in tables()}
    by = {
        title: [lang for lang, ps in placing.items() if any(re.search(p, title, re.IGNORECASE) for p in ps)]
        for title in titles
    }
    return {lang: [title for title in titles if by[title] == [lang]] for lang in placing}
