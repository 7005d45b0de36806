"""The entries of glossary.yaml checked against the repository's languages: forms under the source language's code,
renderings under each translation language's code, and per-language 'not', 'except' and 'keep'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Report
from ..model import Pos
from ..source.languages import CONFIG_NAME, language_name
from ..source.yamlfile import Document

FIELDS = ("id", "not", "except", "exact_case", "note")  # a term's other keys are language codes
PER_LANGUAGE = ("not", "except")  # a list (the term's one rendering language) or a mapping by language


@dataclass(frozen=True)
class Rendering:
    """What a term may and may not be in one translation language."""

    lang: str
    allowed: tuple[str, ...]
    wrong: tuple[str, ...] = ()
    allowed_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One term of the file: its source forms and its renderings per translation language."""

    id: str
    forms: tuple[str, ...]
    renderings: tuple[Rendering, ...]
    exact_case: bool = False
    note: str = ""
    pos: Pos | None = None


def entries_of(doc: Document, langs: tuple[str, ...], report: Report) -> list[Entry]:
    """Return the file's terms (schema-valid); a located error for each that does not fit the languages."""
    entries: list[Entry] = []
    seen: dict[str, Pos] = {}
    for index, data in enumerate(doc.data.get("terms") or ()):
        entry = _entry(doc, ("terms", index), data, langs, report)
        if entry.id in seen:
            report.error(
                entry.pos,
                f"duplicate glossary term id {entry.id!r} (first used at line {seen[entry.id].line})",
                "give every term its own id",
                "glossary",
            )
        seen.setdefault(entry.id, entry.pos or Pos(doc.path))
        entries.append(entry)
    return entries


def kept_of(doc: Document, langs: tuple[str, ...], report: Report) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the names kept per translation language: a list keeps them in every one, a mapping says which."""
    keep = doc.data.get("keep") or []
    if isinstance(keep, list):
        return tuple((lang, tuple(keep)) for lang in langs[1:])
    for code in keep:
        _known(doc, ("keep", code), str(code), langs, report)
    return tuple((str(code), tuple(names)) for code, names in keep.items() if code in langs[1:])


def _entry(
    doc: Document, path: tuple[str | int, ...], data: dict[str, Any], langs: tuple[str, ...], report: Report
) -> Entry:
    """Return one term; a located error where it lacks its source forms or renderings, or names a wrong language."""
    pos = doc.pos(path)
    codes = [str(k) for k in data if k not in FIELDS]
    for code in codes:
        _known(doc, path + (code,), code, langs, report)
    source = langs[0]
    if source not in data:
        report.error(
            pos,
            f"the term {data['id']!r} has no forms in the source language ({language_name(source)}, {source})",
            f"add a line '{source}: [...]' with the term's forms",
            "glossary",
        )
    targets = [c for c in codes if c in langs[1:]]
    if not targets and all(c in langs for c in codes):
        listed = ", ".join(langs[1:]) or "none"
        report.error(
            pos,
            f"the term {data['id']!r} has no renderings in a translation language (this repository's: {listed})",
            f"add a line such as '{(langs[1:] or ('en',))[0]}: [...]' with the renderings allowed",
            "glossary",
        )
    per = {field: _per_language(doc, path, field, data.get(field), targets, langs, report) for field in PER_LANGUAGE}
    renderings = tuple(Rendering(c, tuple(data[c]), per["not"].get(c, ()), per["except"].get(c, ())) for c in targets)
    return Entry(
        data["id"],
        tuple(data.get(source) or ()),
        renderings,
        bool(data.get("exact_case", False)),
        data.get("note", ""),
        pos,
    )


def _per_language(
    doc: Document,
    path: tuple[str | int, ...],
    field: str,
    value: list[str] | dict[str, list[str]] | None,
    targets: list[str],
    langs: tuple[str, ...],
    report: Report,
) -> dict[str, tuple[str, ...]]:
    """Return a per-language rule by language: a list belongs to the term's one rendering language."""
    if not value:
        return {}
    if isinstance(value, list):
        if len(targets) == 1:
            return {targets[0]: tuple(value)}
        if targets:  # no renderings at all is reported on its own
            report.error(
                doc.pos(path + (field,)),
                f"'{field}' is a list, but the term has renderings in several languages ({', '.join(targets)})",
                f"say which language's they are: {field}: {{{targets[0]}: [...]}}",
                "glossary",
            )
        return {}
    for code in value:
        if _known(doc, path + (field, code), str(code), langs, report) and code not in targets:
            report.error(
                doc.pos(path + (field, code), key=True),
                f"{field}.{code}: the term has no {language_name(str(code))} renderings, so this is never checked",
                f"add a line '{code}: [...]' with the renderings allowed, or remove {field}.{code}",
                "glossary",
            )
    return {str(code): tuple(names) for code, names in value.items()}


def _known(doc: Document, path: tuple[str | int, ...], code: str, langs: tuple[str, ...], report: Report) -> bool:
    """Record a located error for a language code the repository does not have (or the source where it cannot be)."""
    if code in langs[1:] or (code == langs[0] and path[0] == "terms" and len(path) == 3):
        return True
    what = "the source language, which has no renderings" if code == langs[0] else "not a language of this repository"
    report.error(
        doc.pos(path, key=True),
        f"glossary: {code!r} is {what} (its languages: {', '.join(langs)}; the source is {langs[0]})",
        f"add {code!r} to languages.translations in {CONFIG_NAME}, or remove the line"
        if code != langs[0]
        else "give renderings under a translation language's code",
        "unknown-language",
    )
    return False
