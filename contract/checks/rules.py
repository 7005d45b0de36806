"""Checks across a loaded contract: ids, references, footnotes, parties, metadata."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from .. import ids, inline
from ..errors import Report, excerpt, excerpt_text
from ..model import Contract, Pos, Section, Text, block_texts
from ..source.languages import language_name
from .meta import at as _at
from .meta import check_meta


def check(contract: Contract, report: Report) -> None:
    """Record every problem of a loaded contract in the report."""
    check_meta(contract, report)
    _check_unique_ids(contract, report)
    _check_depth(contract, report)
    _check_parties(contract, report)
    _check_references(contract, report)
    _check_footnotes(contract, report)
    _check_english(contract, report)
    _check_marks(contract, report)
    _check_annex_titles(contract, report)
    _check_broken_links(contract, report)
    _check_to_be_written(contract, report)
    _check_errata(contract, report)


RESERVED_IDS = ids.RESERVED_IDS


def _check_unique_ids(contract: Contract, report: Report) -> None:
    for section in contract.walk():
        why = ids.reserved(section.id)
        if why:
            report.error(
                _at(section.pos, contract),
                f"the id {excerpt(section.id)} is reserved: {why}",
                "choose another id for this section",
                "reserved-id",
            )
    _duplicates(((s.id, _at(s.pos, contract)) for s in contract.walk()), "section id", report)
    _duplicates(((n.id, _at(n.pos, contract)) for s in contract.walk() for n in s.footnotes), "footnote id", report)
    _duplicates(((p.id, _at(p.pos, contract)) for p in contract.parties), "party id", report)


# The signed contract nests sections three deep (3.2.1); headings have six levels on the site and in the PDF.
MAX_SECTION_DEPTH = 6


def _check_depth(contract: Contract, report: Report) -> None:
    for section in contract.walk():
        if section.depth == MAX_SECTION_DEPTH + 1:
            report.error(
                _at(section.pos, contract),
                f"section {section.number} is nested {section.depth} levels deep; the limit is {MAX_SECTION_DEPTH}",
                "move it up a level, or make it a heading inside its parent's body",
                "too-deep",
            )


def _duplicates(items: Iterator[tuple[str, Pos]], what: str, report: Report) -> None:
    first: dict[str, Pos] = {}
    for ident, pos in items:
        if ident in first:
            report.error(
                pos,
                f"duplicate {what} {excerpt(ident)} (first used at line {first[ident].line})",
                "every id must be unique within a version; choose another",
                "duplicate-id",
            )
        else:
            first[ident] = pos


def _check_parties(contract: Contract, report: Report) -> None:
    ids = {p.id for p in contract.parties}
    if contract.meta.municipality not in ids:
        known = ", ".join(sorted(ids))
        report.error(
            _at(contract.meta.pos, contract),
            f"municipality {excerpt(contract.meta.municipality)} is not one of the parties",
            f"use a party id: {known}",
            "unknown-party",
        )
    kinds = Counter(p.kind for p in contract.parties)
    if kinds["municipality"] != 1:
        report.error(
            _at(contract.meta.pos, contract),
            f"a contract has exactly one party of kind municipality, found {kinds['municipality']}",
            "check the kind of each party",
            "municipality-count",
        )


def _all_texts(contract: Contract) -> Iterator[tuple[Section | None, Text]]:
    owned = {}
    for section in contract.walk():
        for text in section.texts():
            owned[id(text)] = section
    for text in contract.texts():
        yield owned.get(id(text)), text


def _check_references(contract: Contract, report: Report) -> None:
    # With a file unread, a section or number not found may be in it: only what is found here can be judged.
    ids = {s.id: s.number for s in contract.walk()} if not contract.unread else None
    numbers = {s.number: s.id for s in contract.walk()}
    for owner, text in _all_texts(contract):
        for _, source, pos in _sources(text):
            for node in inline.walk(inline.parse(source)):
                _check_node(node, owner, pos, ids, numbers, report)


def _sources(text: Text) -> Iterator[tuple[str, str, Pos]]:
    """Yield the source, the translations and the translator's notes of a text: which, what it says, where it is."""
    for kind, source, pos in text.written():
        if source and pos is not None:
            yield kind, source, pos


_MARKS = (inline.Ref, inline.FootnoteRef)


def _check_node(node, owner: Section | None, pos: Pos, ids, numbers, report: Report) -> None:
    if isinstance(node, inline.Link) and not inline.SAFE_URL.match(node.url):
        report.error(
            pos,
            f"link address {excerpt(node.url)} is not allowed",
            "links must start with https://, http:// or mailto:",
            "unsafe-link",
        )
    if isinstance(node, inline.Link) and any(isinstance(n, _MARKS) for n in inline.walk(node.label)):
        # A reference or footnote mark is itself a link on the site: inside a link it showed as "[2](#id)".
        hint = "put the {ref:…} or {fn:…} after the link's closing parenthesis"
        report.error(pos, "a link's text holds a reference or footnote mark", hint, "mark-in-link")
    if not isinstance(node, inline.Ref) or ids is None or node.target in ids:  # None: a file of the version is unread
        return
    if node.by_number:
        _check_number_ref(node.target, owner, pos, numbers, report)
    else:
        report.error(
            pos,
            f"reference to unknown section {excerpt(node.target)}",
            "write {ref:ID} with the id of an existing section",
            "unknown-ref",
        )


# "[text](" that the link syntax did not take: an address with a space or an unbalanced parenthesis.
_BROKEN_LINK = re.compile(r"\[[^\[\]]*\]\(")


def _check_broken_links(contract: Contract, report: Report) -> None:
    for _, text in _all_texts(contract):
        for _, source, pos in _sources(text):
            broken = next((m for part in inline.unmatched(source) for m in _BROKEN_LINK.finditer(part)), None)
            if broken:
                start = source.find(broken.group(0))
                shown = excerpt(source[start : source.find(")", start) + 1 or len(source)])
                message = (
                    f"{shown} is shown as written, not as a link: "
                    "the address holds a space or an unbalanced parenthesis"
                )
                hint = (
                    "write a space in an address as %20 and a parenthesis as %28 or %29; "
                    "to show brackets write \\[ and \\]"
                )
                report.warning(pos, message, hint, "not-a-link")


def _check_number_ref(target: str, owner: Section | None, pos: Pos, numbers, report: Report) -> None:
    if target in numbers:
        hint = f"write {{ref:{numbers[target]}}} so the number follows renumbering"
        report.warning(pos, f"reference by number to section {target}", hint, "ref-by-number")
    elif owner is not None and target in owner.acknowledged_refs:
        report.add(
            pos,
            "note",
            f"reference to section {target}, which this contract does not have (acknowledged as signed)",
            code="acknowledged-ref",
        )
    else:
        hint = f'correct the reference, or list "{target}" under acknowledged_refs of the section to keep it as signed'
        report.error(
            pos,
            f"reference to section {excerpt_text(target)}, which this contract does not have",
            hint,
            "unresolved-ref",
        )


def _check_footnotes(contract: Contract, report: Report) -> None:
    defined = {n.id: n for s in contract.walk() for n in s.footnotes}
    # Footnote marks belong in the running text of sections: not in titles, the contents or the cover.
    allowed = {id(t) for s in contract.walk() for t in block_texts(s.body)}
    used: set[str] = set()
    for _, text in _all_texts(contract):
        for kind, source, pos in _sources(text):
            for node in inline.walk(inline.parse(source)):
                if not isinstance(node, inline.FootnoteRef):
                    continue
                used.add(node.target)
                if kind.startswith("note_"):
                    hint = "put the mark in the text the note is about"
                    report.error(
                        pos, f"footnote mark {{fn:{node.target}}} in a translator's note", hint, "footnote-place"
                    )
                elif id(text) not in allowed:
                    report.error(
                        pos,
                        f"footnote mark {{fn:{node.target}}} outside a section's text",
                        "put the mark in a paragraph or list item of the section",
                        "footnote-place",
                    )
                elif node.target not in defined and not contract.unread:  # it may be defined in the unread file
                    report.error(
                        pos,
                        f"footnote {excerpt(node.target)} is referenced but not defined",
                        "add it under 'footnotes:' of the section, or correct the id",
                        "undefined-footnote",
                    )
    for fid, note in defined.items():
        if fid not in used and not contract.unread:  # it may be referenced in the unread file
            report.error(
                _at(note.pos, contract),
                f"footnote {fid!r} is defined but never referenced",
                f"reference it with {{fn:{fid}}} in a text, or remove it",
                "unused-footnote",
            )


def _check_english(contract: Contract, report: Report) -> None:
    year = contract.meta.version
    for lang in contract.translations:
        name = language_name(lang)
        for text in contract.texts():
            where = _at(text.at(lang), contract)
            if text.status(lang) == "missing":
                report.warning(
                    where,
                    f"{name} translation missing ({text.key})",
                    f"add '{lang}:' with the translation",
                    f"missing-{code_name(lang)}",
                )
            elif text.status(lang) == "stale":
                hint = f"update the {name}, then run: klimatkontrakt translations {year} --lang {lang} --confirm {text.key}"
                if lang == contract.translations[0]:
                    hint = hint.replace(f" --lang {lang}", "")  # the default language needs no --lang
                report.warning(
                    where,
                    f"{name} translation is stale or unconfirmed: the {language_name(text.lang)} changed since it was "
                    f"confirmed ({text.key})",
                    hint,
                    f"stale-{code_name(lang)}",
                )


def code_name(lang: str) -> str:
    """Return the diagnostic code's word for a language: english keeps the codes that CI annotations know."""
    return "english" if lang == "en" else lang


def _check_marks(contract: Contract, report: Report) -> None:
    """Record where a text's source and a translation differ in footnote marks (an error) or references (a warning)."""
    for lang in contract.translations:
        for text in contract.texts():
            pos = text.at(lang)
            if text.get(lang) is None or pos is None:
                continue
            names = language_name(text.lang), language_name(lang)
            differs = _marks_differ(text, lang, inline.FootnoteRef, "fn")
            if differs:  # a footnote marked in one language only is left out of the other language's PDF and site
                report.error(
                    pos,
                    f"the {names[0]} and the {names[1]} differ in footnote marks: {differs}",
                    "write the same {fn:…} marks in both languages",
                    "marks-differ",
                )
            differs = _marks_differ(text, lang, inline.Ref, "ref")
            if differs:
                report.warning(
                    pos,
                    f"the {names[0]} and the {names[1]} differ in references: {differs}",
                    "write the same {ref:…} in both languages, so both show the same numbers",
                    "marks-differ",
                )


def _marks_differ(text: Text, lang: str, kind: type, name: str) -> str:
    """Return 'only the Swedish has {fn:a}' for marks of a kind in one language only, or ''."""
    sv, en = (
        Counter(n.target for n in inline.walk(inline.parse(s or "")) if isinstance(n, _MARKS) and isinstance(n, kind))
        for s in (text.source, text.get(lang))
    )
    names = language_name(text.lang), language_name(lang)
    only = [(lang, sorted(c)) for lang, c in ((names[0], sv - en), (names[1], en - sv)) if c]
    return "; ".join(f"only the {lang} has " + ", ".join(f"{{{name}:{t}}}" for t in targets) for lang, targets in only)


def _check_annex_titles(contract: Contract, report: Report) -> None:
    """Record an error for a link or reference in an annex document's title (itself the link to the document)."""
    for doc in contract.annex.documents if contract.annex else ():
        for _, source, pos in doc.title.written():
            nodes = inline.walk(inline.parse(source or ""))
            if pos is not None and any(isinstance(n, (inline.Link, inline.Ref)) for n in nodes):
                message = "an annex document's title holds a link or reference, but the title is itself the link to the document"
                report.error(pos, message, "write the title as plain text; the address goes under url:", "mark-in-link")


def _check_to_be_written(contract: Contract, report: Report) -> None:
    for section in contract.walk():
        if not section.to_be_written:
            continue
        if section.body:
            report.error(
                _at(section.pos, contract),
                f"section {section.number} has text but is still marked to_be_written",
                "remove the line 'to_be_written: true'",
                "to-be-written",
            )
        elif contract.meta.status == "signed":
            report.error(
                _at(section.pos, contract),
                f"section {section.number} is still to be written, but the version is signed",
                "write the section, or set status: draft",
                "to-be-written",
            )
        else:
            report.warning(
                _at(section.pos, contract),
                f"section {section.number} is still to be written",
                "write its text under 'body:' and remove 'to_be_written: true'",
                "to-be-written",
            )


def _check_errata(contract: Contract, report: Report) -> None:
    for erratum in contract.meta.errata:
        if erratum.section and contract.section(erratum.section) is None and not contract.unread:
            report.error(
                _at(erratum.pos, contract),
                f"erratum names unknown section {excerpt(erratum.section)}",
                "use the id of the corrected section",
                "unknown-ref",
            )
