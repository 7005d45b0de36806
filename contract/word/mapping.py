"""Map a Word file's paragraphs to the parts of a version: preamble, each section by its bookmark, the annex."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Contract
from .export import ANNEX, TITLE, bookmark
from .read import Document, Para

PREAMBLE = "preamble"


@dataclass
class Part:
    """The Word paragraphs of one part of the contract: its heading and its body paragraphs."""

    key: str  # a section id, PREAMBLE or ANNEX
    heading: Para | None = None
    body: list[Para] = field(default_factory=list)


@dataclass
class Mapped:
    parts: dict[str, Part] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def map_document(doc: Document, contract: Contract) -> Mapped:
    """Give each paragraph to its part; report headings that are no section and sections with no heading."""
    ids = {bookmark(s.id): s.id for s in contract.walk()}
    mapped = Mapped()
    current: Part | None = None
    for para in doc.paras:
        anchors = set(para.anchors)
        if TITLE in anchors:
            current = mapped.parts.setdefault(PREAMBLE, Part(PREAMBLE))
            continue
        if current is None:
            continue  # a note before the title (a language stand-in notice)
        if para.kind == "heading":
            current = _heading(para, anchors, ids, mapped)
        elif current.key == PREAMBLE and not current.body and re.match(r"^VERSION \S+$", para.text.strip()):
            continue
        elif current.key != "":
            current.body.append(para)
        else:
            mapped.problems.append(
                f"paragraph {para.place} ({_quote(para.text)}): it follows a heading that is not a "
                "section of this version, so it has no place"
            )
    if not mapped.parts:
        mapped.problems = [
            (
                "the file has none of the bookmarks 'klimatkontrakt docx' puts in: export the version "
                "with 'klimatkontrakt docx', edit that file, and apply it"
            )
        ]
        return mapped
    missing = set(ids.values()) - set(mapped.parts)
    _drop_absorbing(contract, mapped, missing)
    return mapped


def _drop_absorbing(contract: Contract, mapped: Mapped, missing: set[str]) -> None:
    """Report deleted headings; the part before one took its paragraphs, so it is not applied either."""
    previous = PREAMBLE
    for section in contract.walk():
        if section.id not in missing:
            previous = section.id
            continue
        mapped.problems.append(
            f"section {section.number} ({section.id}): its heading is not in the Word file "
            "(deleted?); delete sections in the YAML, not in Word"
        )
        if mapped.parts.pop(previous, None) is not None:
            mapped.problems.append(
                f"{'the preamble' if previous == PREAMBLE else 'section ' + previous}: not applied, "
                f"since the text after it may belong to section {section.number}"
            )


def _heading(para: Para, anchors: set[str], ids: dict[str, str], mapped: Mapped) -> Part:
    if ANNEX in anchors:
        return mapped.parts.setdefault(ANNEX, Part(ANNEX, para))
    known = sorted(ids[a] for a in anchors if a in ids)
    if not known:
        mapped.problems.append(
            f"paragraph {para.place} ({_quote(para.text)}): a heading that is no section of this "
            "version (a new section?); add new sections in the YAML, then export again"
        )
        return Part("")
    if known[0] in mapped.parts:
        mapped.problems.append(
            f"paragraph {para.place} ({_quote(para.text)}): a second heading for section {known[0]}; keep one"
        )
        return Part("")
    part = Part(known[0], para)
    mapped.parts[known[0]] = part
    return part


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 50 else text[:47] + "...")


def title_atoms(para: Para, number: str) -> list:
    """The atoms of a heading without its printed number ("3.1 Title" → "Title")."""
    atoms = list(para.atoms)
    while atoms and (atoms[0].text.strip() in ("", number, number + ".")):
        atoms.pop(0)
    return atoms
