"""validate's translation checks: glossary terms, kept names, one Swedish sentence translated two ways."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Report
from ..model import Contract, Text, block_texts
from ..source.languages import language_name
from .glossary import Glossary, load_glossary

# Control characters and bidirectional overrides that would hide or reorder a note's words.
_NOTE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# A sentence ends at . ! ? (or a closing quote after one) before white space and a capital letter or digit.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"')]))\s+(?=[A-ZÅÄÖ0-9“”\"])")
_MIN_WORDS = 6  # shorter sentences ("Se nedan.") may well be translated differently in different places


def check(root: Path, contract: Contract, report: Report) -> None:
    """Record glossary and consistency warnings for the translations of a contract."""
    check_with(contract, glossary_of(root, contract, report), report)


def glossary_of(root: Path, contract: Contract, report: Report) -> Glossary:
    """Return the repository's glossary for a contract's languages; its own problems are reported once."""
    problems = Report()
    glossary = load_glossary(root, problems, contract.languages)
    report.items.extend(d for d in problems.items if d not in report.items)  # once, however many versions
    return glossary


def check_with(contract: Contract, glossary: Glossary, report: Report) -> None:
    """Record the glossary and consistency warnings of a contract's translations with a given glossary."""
    check_terms(contract, glossary, report)
    check_notes(contract, report)
    check_sentences(contract, report)


def check_terms(contract: Contract, glossary: Glossary, report: Report) -> None:
    """Warn where a translation misses the glossary's rendering of a term its source uses, in every language."""
    for lang in contract.translations:
        for text in contract.texts():
            target = text.get(lang)
            if target is None or text.status(lang) != "current":
                continue  # missing and stale translations are reported as such
            _check_text(text, lang, target, glossary, report)


def _check_text(text: Text, lang: str, target: str, glossary: Glossary, report: Report) -> None:
    """Warn about one translation's terms and kept names."""
    source, language = language_name(text.lang), language_name(lang)
    for term in glossary.terms_of(text.source, lang):
        wrong = term.wrongly_rendered(target)
        if not term.rendered(target) or wrong:
            allowed = " or ".join(f"'{e}'" for e in term.renderings)
            what = f"uses {wrong!r}" if wrong else "uses none of the glossary's renderings"
            report.warning(
                text.at(lang) or text.pos,
                f"glossary: the {source} says '{term.found_in(text.source)}' and the {language} {what} ({text.key})",
                f"write {allowed}, as glossary.yaml (term {term.id!r}) says",
                "glossary",
            )
    for name in glossary.kept_in(text.source, lang):
        if name not in target:
            report.warning(
                text.at(lang) or text.pos,
                f"glossary: the name '{name}' is kept as it is in {language}, but this {language} lacks it ({text.key})",
                f"write '{name}' unchanged, as glossary.yaml says under keep",
                "glossary",
            )


def check_notes(contract: Contract, report: Report) -> None:
    """Warn about translator's notes on texts where the site and the PDF do not show them."""
    shown = {id(s.title) for s in contract.walk()} | {id(t) for s in contract.walk() for t in block_texts(s.body)}
    shown |= {id(t) for t in block_texts(contract.preamble)} | (
        {id(t) for t in block_texts(contract.annex.body)} if contract.annex else set()
    )
    for text in contract.texts():
        for lang in text.languages:
            if text.translation(lang).note and id(text) not in shown:
                report.warning(
                    text.at(lang) or text.pos,
                    f"a translator's note here is not shown anywhere ({text.key})",
                    f"put note_{lang} on a section title, paragraph, heading or list item",
                    "translator-note",
                )


def check_sentences(contract: Contract, report: Report) -> None:
    """Warn where one source text or sentence is translated two ways in a version (per language, once per pair)."""
    for lang in contract.translations:
        first: dict[str, tuple[str, Text]] = {}
        warned: set[tuple[str, str]] = set()
        for text in contract.texts():
            target = text.get(lang)
            if target is None or text.status(lang) != "current":
                continue
            for sv, en in aligned(text.source, target):
                earlier = first.setdefault(sv, (en, text))
                if earlier[0] != en and earlier[1] is not text and (earlier[1].key, text.key) not in warned:
                    warned.add((earlier[1].key, text.key))
                    where = f" at {earlier[1].at(lang)}" if earlier[1].at(lang) else ""
                    report.warning(
                        text.at(lang) or text.pos,
                        f"the same {language_name(text.lang)} sentence is translated differently{where} "
                        f"({earlier[1].key}) and here ({text.key})",
                        f"use one translation: «{_cut(earlier[0])}»",
                        "inconsistent-translation",
                    )


def aligned(sv: str, en: str) -> list[tuple[str, str]]:
    """Return the whole text's (Swedish, English) pair, and its long sentences' pairs when both have as many."""
    whole = [(_norm(sv), _norm(en))]
    sv_parts, en_parts = sentences(sv), sentences(en)
    if len(sv_parts) != len(en_parts) or len(sv_parts) < 2:
        return whole
    return whole + [(_norm(s), _norm(e)) for s, e in zip(sv_parts, en_parts) if len(s.split()) >= _MIN_WORDS]


def sentences(text: str) -> list[str]:
    """Split a text into sentences."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
