"""Import a contract (its signed PDF, a text or a Word file) into a version folder of YAML.

Small passes over a typed intermediate form (contract.importer.form): lines → front matter set aside →
blocks in the section tree → footnotes and links → ids, pins and references. The result is a first draft
to check against the report, never a signed text by itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import DEFAULT_LANGUAGES, Pos
from ..render import labels
from . import notes, refs
from .form import ImportResult, Line, Node, walk
from .front import split_front
from .join import Joiner
from .lines import check_characters, split_lines
from .links import link_long_addresses
from .outline import Outline, dotted_top, paren_top
from .parse import Parse, parse
from .source import read_text
from .words import pattern

__all__ = ["ImportResult", "Node", "import_file", "import_text", "walk"]


def import_file(
    file: Path,
    version: str,
    municipality: str,
    lang: str = DEFAULT_LANGUAGES[0],
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
) -> ImportResult:
    """Read a .pdf, .docx or text file and return the contract found in it."""
    kind = file.suffix.lower()
    # A Word file's body has no pages, so nothing in it is a page footer; only a text file's lines are the file's own.
    paged, located = kind != ".docx", kind not in (".pdf", ".docx")
    return import_text(read_text(file), version, municipality, str(file), lang, languages, paged, located)


def import_text(
    text: str,
    version: str,
    municipality: str,
    name: str = "<text>",
    lang: str = DEFAULT_LANGUAGES[0],
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
    paged: bool = True,
    located: bool = True,
) -> ImportResult:
    """Turn a contract's text (written in lang) into an ImportResult for a repository of these languages.

    languages are the repository's, the source first: the texts are stored under lang and the source. paged: the
    text has pages (and so page footers); located: its line numbers are the input file's own.
    """
    check_characters(text, name, located)
    lines, dropped = split_lines(text, paged)
    lines, notes_aside = _without_translator_notes(lines, lang)
    front = split_front(lines, lang)
    toc = {e.number: e.title for e in front.toc if e.number}
    outline = Outline(dotted_top(front.body, front.toc), toc, paren_top=paren_top(front.body))
    state = parse(Parse(front.body, outline, Joiner.of(front.body)))
    if not state.outline.roots:
        raise _no_headings(name)
    notes.place_footnotes(state)
    notes.place_urls(state)
    refs.assign_ids(state.outline.roots)
    problems = refs.mark_pins(state.outline.roots) + state.problems + refs.convert_references(state.outline.roots)
    problems += _cover_version(front.set_aside, version)
    set_aside = [(line.number, why) for line, why in front.set_aside] + [
        (line.number, "page footer") for line in dropped
    ]
    set_aside += [(line.number, "translator's note") for line in notes_aside]
    result = ImportResult(
        version,
        municipality,
        lang,
        front.title,
        state.preamble,
        state.outline.roots,
        state.annex,
        problems,
        front.toc,
        _words(front.body),
        set_aside,
        languages,
    )
    result.notes += link_long_addresses(result, {id(block): line for _, block, _, line in state.placed})
    return result


def _no_headings(name: str) -> ContractError:
    """The error for a text in which no numbered section heading was found."""
    message = "no numbered section headings found"
    hint = 'headings must look like "1. Title", "1 Title" or "3.2.1 Title"'
    return ContractError([Diagnostic(Pos(name, 1, 1), "error", message, hint)])


def _without_translator_notes(lines: list[Line], lang: str) -> tuple[list[Line], list[Line]]:
    """Set aside the translator's notes a translation shows after a text: they are not the contract's text."""
    label = labels.label(lang, "translator_note")
    kept: list[Line] = []
    aside: list[Line] = []
    inside = False
    for line in lines:
        inside = line.text.startswith(label) or (inside and bool(line.text))
        (aside if inside else kept).append(line)
    return kept, aside


def _cover_version(set_aside: list[tuple[Line, str]], version: str) -> list[str]:
    """Say when the cover names another version than the one given."""
    for line, _why in set_aside:
        match = pattern("version", "^", r"\s+(\d{4})$").match(line.text)  # "VERSION 2024"
        if match and match.group(1) != version:
            return [
                f"{line.number}: the cover says VERSION {match.group(1)}, but --version is {version}; check which is right"
            ]
    return []


def _words(lines: list[Line]) -> list[str]:
    """The words of the body as printed: hyphenated words joined, footnote marks and short numbers left out."""
    text = "\n".join(line.text for line in lines).replace("\u00ad\n", "").replace("\u00ad", "")
    text = re.sub(r"-\n", "-", re.sub(r"https?://\S+", " ", text))  # "utveck-ling": two pieces the report forgives
    # A footnote mark glued to a word ("omställningen1", "2030.¹") is no word of its own.
    words = (re.sub(r"(?<=[^\W\d])\d{1,2}$|[⁰¹²³⁴⁵⁶⁷⁸⁹]+$", "", w) for w in re.findall(r"\w+", text))
    return [w for w in words if w and not re.fullmatch(r"\d{1,2}", w)]
