"""Translator exchange, whatever the file format: the units handed out, and the checks on what comes back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from .. import ids, inline
from ..checks import characters
from ..errors import Diagnostic
from ..model import Contract, Pos, Text
from ..source.languages import language_name
from .glossary import Glossary
from .translations import Lock, fingerprint


@dataclass(frozen=True)
class Unit:
    """One text as a translator sees it: key, source, current translation, state, notes and glossary terms."""

    key: str
    source: str
    target: str
    state: str  # missing | stale | current
    location: str  # file:line:column of the translation in the YAML
    note: str = ""  # the translator's note (note_<lang>)
    terms: tuple[str, ...] = ()  # "source term -> allowed renderings" lines of the glossary, in this language


@dataclass(frozen=True)
class Incoming:
    """One unit read back from a translator's file, with where it stands in that file."""

    key: str
    source: str
    target: str
    pos: Pos
    version: str = ""  # the version the file says it was exported from, when it says
    draft: bool = False  # marked as not yet reviewed (a fuzzy PO entry): never written, as gettext never uses one


def units(contract: Contract, glossary: Glossary, lang: str, everything: bool = False) -> list[Unit]:
    """Return the units to hand to a translator into lang: texts needing work, or every text."""
    return [_unit(t, glossary, lang) for t in contract.texts() if everything or t.status(lang) != "current"]


def _unit(text: Text, glossary: Glossary, lang: str) -> Unit:
    terms = tuple(
        f"{t.found_in(text.source)} -> {' | '.join(t.renderings)}" for t in glossary.terms_of(text.source, lang)
    )
    terms += tuple(f"{name} -> {name} (keep as is)" for name in glossary.kept_in(text.source, lang))
    found = text.translation(lang)
    where = str(found.pos or text.pos or "")
    return Unit(text.key, text.source, found.text or "", text.status(lang), where, found.note or "", terms)


# C0 and C1 controls (tabs and line breaks aside: they become spaces), and the bidirectional overrides
# and isolates that reorder what a reader sees.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
# And the invisible marks that reorder or join text unseen: bidi marks (LRM, RLM, ALM), zero-width characters,
# word joiners, a byte order mark inside the text, and soft hyphens (U+00AD: Word and Trados carry them over from
# hyphenated sources; unseen, they split the words the glossary check looks for, and hyphenating is the layout's job).
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u2060-\u2064\ufeff]")
_MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|\]\((?:[^()\s]|\([^()\s]*\))*\)")


def is_language(tag: str, lang: str) -> bool:
    """Tell whether a language tag of a translator's file names this language (en, en-GB, EN_us for en)."""
    return tag.lower().replace("_", "-").split("-")[0] == lang


def unexportable(contract: Contract, lang: str) -> list[Diagnostic]:
    """Return an error for every text holding a control character, which no exchange format can carry as text."""
    problems = []
    for text in contract.texts():
        found = text.translation(lang)
        for what, value, pos in (
            (language_name(text.lang), text.source, text.pos),
            (language_name(lang), found.text, found.pos),
            ("translator's note", found.note, found.pos),
        ):
            bad = _FORBIDDEN.search(value or "")
            if bad:
                message = f"the {what} of {text.key!r} holds the control character U+{ord(bad.group()):04X}"
                hint = "remove it (validate reports it too); nothing was exported"
                problems.append(Diagnostic(pos, "error", message, hint, "translation-export"))
    return problems


# Line breaks and tabs are wrapping; non-breaking and other special spaces are meant, and kept (as the loader does).
_WRAP = re.compile("[ \t\r\n\x85\u2028\u2029]+")


def unwrap(text: str) -> str:
    """Return a text as one line: wrapping becomes one space, other spaces (U+00A0, U+202F) stay."""
    return _WRAP.sub(" ", text).strip()


def accept(contract: Contract, incoming: list[Incoming], lang: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """Check every incoming unit against the contract; return the translations to write (key -> text), problems."""
    other = next((u for u in incoming if u.version and u.version != contract.meta.version), None)
    if other is not None:  # the same ids may hold other Swedish and English in another year: nothing fits
        return {}, [
            Diagnostic(
                other.pos,
                "error",
                f"this file was exported from version {other.version}, not {contract.meta.version}",
                (
                    f"import it with 'klimatkontrakt translations {other.version} --import FILE', or export "
                    if ids.is_version_name(other.version)  # never a command that cannot run
                    else "export "
                )
                + f"{contract.meta.version} again; nothing was written",
                "translation-import",
            )
        ]
    texts = {t.key: t for t in contract.texts()}
    english: dict[str, str] = {}
    problems: list[Diagnostic] = []
    seen: dict[str, Pos] = {}
    for unit in incoming:
        # Decomposed text (macOS tools, a paste from a PDF) is written as the text it shows: composed (NFC).
        unit = replace(unit, target=unicodedata.normalize("NFC", unit.target))
        problem = _problem(unit, texts, seen, lang)
        seen.setdefault(unit.key, unit.pos)
        if problem:
            problems.append(Diagnostic(unit.pos, "error", problem[0], problem[1], "translation-import"))
        elif unit.target.strip() and unwrap(unit.target) != texts[unit.key].get(lang):
            english[unit.key] = unwrap(unit.target)
    return english, problems


def reverting(contract: Contract, english: dict[str, str], confirmed: Lock, lang: str) -> list[str]:
    """Return the keys whose incoming text is the translation last confirmed while the YAML now holds another.

    Such a unit came back untouched in a file exported before someone corrected the YAML: writing it would undo
    that correction unseen (a lost update), so the YAML's text is kept and the user told.
    """
    texts = {t.key: t for t in contract.texts()}
    kept = []
    for key, text in english.items():
        entry, now = confirmed.get((lang, key)), texts[key].get(lang)
        if entry is not None and now is not None and fingerprint(text) == entry.target != fingerprint(now):
            kept.append(key)
    return sorted(kept)


def _problem(unit: Incoming, texts: dict[str, Text], seen: dict[str, Pos], lang: str) -> tuple[str, str] | None:
    text = texts.get(unit.key)
    name = language_name(lang)
    if unit.key in seen:
        return f"text id {unit.key!r} appears twice (first at line {seen[unit.key].line})", "keep one unit per text"
    if text is None:
        return f"unknown text id {unit.key!r}", "export again to get the current ids; nothing was written"
    source = language_name(text.lang)
    if fingerprint(unit.source) != fingerprint(text.source):
        return (
            f"the {source} of {unit.key!r} changed since this file was exported",
            f"export again and translate the new {source}; nothing was written",
        )
    bad = _FORBIDDEN.search(unit.target) or _INVISIBLE.search(unit.target)
    if bad:
        kind = "control" if _FORBIDDEN.match(bad.group()) else "invisible formatting"
        return (
            f"the {name} of {unit.key!r} holds the {kind} character U+{ord(bad.group()):04X}",
            "remove it; nothing was written",
        )
    rejected = characters.bad_characters(unit.target)  # what validate would then reject, by its own check
    if rejected:
        return f"the {name} of {unit.key!r}: {rejected[0][1]}", f"{rejected[0][2]}; nothing was written"
    if unit.target.strip() and sorted(_MARKUP.findall(unit.target)) != sorted(_MARKUP.findall(text.source)):
        want = ", ".join(sorted(_MARKUP.findall(text.source))) or "none"
        return (
            f"the {name} of {unit.key!r} does not keep the {source}'s references, footnote marks and link addresses",
            f"keep exactly: {want}; nothing was written",
        )
    return _markup_problem(unit.key, unit.target, text.source, (source, name)) if unit.target.strip() else None


# What a character left outside every whole mark means: the renderers would show it as it is.
_STRAY = {
    "{": "a { outside a {ref:…} or {fn:…} mark",
    "}": "a } outside a {ref:…} or {fn:…} mark",
    "*": "a * outside *emphasis*",
    "\\": "a \\ that escapes nothing",
}


def _markup_problem(key: str, en: str, sv: str, names: tuple[str, str]) -> tuple[str, str] | None:
    """Return the problem of a translation whose emphasis or special characters do not match the source's markup."""
    stray = [c for c in _STRAY if c in _stray(en) and c not in _stray(sv)]
    if stray:
        return (
            f"the {names[1]} of {key!r} has broken markup ({_STRAY[stray[0]]})",
            f"write \\{stray[0]} for the character itself, or mend the mark; nothing was written",
        )
    if _emphases(en) != _emphases(sv):
        return (
            f"the {names[1]} of {key!r} adds or drops emphasis (*…*): the {names[0]} has {_emphases(sv)}",
            f"emphasise what the {names[0]} emphasises; write \\* for an asterisk itself; nothing was written",
        )
    return None


def _stray(text: str) -> str:
    """Return what is left of a text once escapes, references, footnote marks, links and emphasis are taken out."""
    return inline.TOKEN.sub(" ", text)


def _emphases(text: str) -> int:
    return sum(isinstance(node, inline.Emphasis) for node in inline.walk(inline.parse(text)))
