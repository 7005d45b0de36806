"""Translator exchange, whatever the file format: the units handed out, and the checks on what comes back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Diagnostic
from ..model import Contract, Pos, Text
from ..translations import fingerprint
from .glossary import Glossary


@dataclass(frozen=True)
class Unit:
    """One text as a translator sees it: key, Swedish source, current English, state, notes and glossary terms."""

    key: str
    sv: str
    en: str
    state: str  # missing | stale | current
    location: str  # file:line:column of the English in the YAML
    note: str = ""  # the translator's note (note_en)
    terms: tuple[str, ...] = ()  # "Swedish term -> allowed English" lines


@dataclass(frozen=True)
class Incoming:
    """One unit read back from a translator's file, with where it stands in that file."""

    key: str
    sv: str
    en: str
    pos: Pos


def units(contract: Contract, glossary: Glossary, everything: bool = False) -> list[Unit]:
    """Return the units to hand to a translator: texts needing work, or every text."""
    return [_unit(t, glossary) for t in contract.texts() if everything or t.en_status != "current"]


def _unit(text: Text, glossary: Glossary) -> Unit:
    terms = tuple(f"{t.found_in(text.sv)} -> {' | '.join(t.en)}" for t in glossary.terms_of(text.sv))
    terms += tuple(f"{name} -> {name} (keep as is)" for name in glossary.kept_in(text.sv))
    return Unit(
        text.key, text.sv, text.en or "", text.en_status, str(text.en_pos or text.pos or ""), text.en_note or "", terms
    )


# C0 and C1 controls (tabs and line breaks aside: they become spaces), and the bidirectional overrides
# and isolates that reorder what a reader sees.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|\]\((?:[^()\s]|\([^()\s]*\))*\)")


def accept(contract: Contract, incoming: list[Incoming]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Check every incoming unit against the contract; return the English to write (key -> text) and the problems."""
    texts = {t.key: t for t in contract.texts()}
    english: dict[str, str] = {}
    problems: list[Diagnostic] = []
    seen: dict[str, Pos] = {}
    for unit in incoming:
        problem = _problem(unit, texts, seen)
        seen.setdefault(unit.key, unit.pos)
        if problem:
            problems.append(Diagnostic(unit.pos, "error", problem[0], problem[1], "translation-import"))
        elif unit.en.strip() and " ".join(unit.en.split()) != texts[unit.key].en:
            english[unit.key] = " ".join(unit.en.split())
    return english, problems


def _problem(unit: Incoming, texts: dict[str, Text], seen: dict[str, Pos]) -> tuple[str, str] | None:
    text = texts.get(unit.key)
    if unit.key in seen:
        return f"text id {unit.key!r} appears twice (first at line {seen[unit.key].line})", "keep one unit per text"
    if text is None:
        return f"unknown text id {unit.key!r}", "export again to get the current ids; nothing was written"
    if fingerprint(unit.sv) != fingerprint(text.sv):
        return (
            f"the Swedish of {unit.key!r} changed since this file was exported",
            "export again and translate the new Swedish; nothing was written",
        )
    bad = _FORBIDDEN.search(unit.en)
    if bad:
        return (
            f"the English of {unit.key!r} holds the control character U+{ord(bad.group()):04X}",
            "remove it; nothing was written",
        )
    if unit.en.strip() and sorted(_MARKUP.findall(unit.en)) != sorted(_MARKUP.findall(text.sv)):
        want = ", ".join(sorted(_MARKUP.findall(text.sv))) or "none"
        return (
            f"the English of {unit.key!r} does not keep the Swedish's references, footnote marks and link addresses",
            f"keep exactly: {want}; nothing was written",
        )
    if unit.en.strip() and not _balanced(unit.en):
        return (
            f"the English of {unit.key!r} has broken markup (a brace outside a {{ref:…}} or {{fn:…}} mark)",
            "write \\{ or \\} for the character itself; nothing was written",
        )
    return None


def _balanced(text: str) -> bool:
    """Tell whether no brace is left once escapes and whole marks are taken out (a lone one is a broken mark)."""
    rest = re.sub(r"\{(?:ref|fn):[^{}\s]*\}", "", re.sub(r"\\.", "", text))
    return "{" not in rest and "}" not in rest
