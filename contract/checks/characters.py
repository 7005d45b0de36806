"""Characters a contract text may hold: printable, direction-neutral, and shown by the PDF font.

A text that passes these checks renders in every output; one that fails would crash the PDF step,
show different words than were written (bidi overrides), or carry invisible data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

import font_source_sans_pro

from .. import inline
from ..errors import Report
from ..model import Pos
from ..source.yamlfile import Document

WHITESPACE = "\t\n\r"  # line breaks and tabs inside a text are wrapping (contract.load joins the lines)
# Embeddings, overrides and isolates change the order the words are shown in, not the words themselves.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FONT_NAME = "Source Sans Pro"
FONT_DIR = Path(font_source_sans_pro.font_directory)  # the fonts the PDF embeds (contract.pdf)
# The weights the PDF layout (contract/templates/klimatkontrakt.typ) sets; emphasis takes the italics.
UPRIGHT = ("Regular", "Semibold", "Bold")
ITALIC = ("It", "SemiboldIt", "BoldIt")

_PROBLEMS = {
    "Cc": (
        "is a control character, which no output can show",
        "remove it; it usually comes from copying text out of another program",
    ),
    "Cs": ("is half of a surrogate pair, not a character", "remove it and type the character again"),
    "Co": ("is a private-use character with no agreed meaning", "remove it, or write the character it stands for"),
    "Cn": ("is not a character Unicode defines", "remove it"),
    "bidi": (
        "changes the direction of the text, so the PDF would show other words than are written",
        "remove it; the text direction follows from the letters themselves",
    ),
    "font": (
        f"cannot be shown: the PDF font {FONT_NAME} has no glyph for it",
        "write it with a character the font has, or in words",
    ),
}


@lru_cache(maxsize=1)
def font_coverage() -> tuple[frozenset[int], frozenset[int]]:
    """Return the code points every upright and every italic weight of the PDF font can show."""

    def cover(styles: tuple[str, ...]) -> frozenset[int]:
        return frozenset(set.intersection(*(_code_points(style) for style in styles)))

    return cover(UPRIGHT), cover(ITALIC)


def _code_points(style: str) -> set[int]:
    """Return the code points one weight of the PDF font has a glyph for."""
    from fontTools.ttLib import TTFont  # here: a build with nothing changed validates nothing and never needs it

    # Closed, not left to the garbage collector: a Ctrl-C that lands in a file's finalizer is lost (contract/interrupts.py).
    with TTFont(FONT_DIR / f"SourceSansPro-{style}.ttf", lazy=True) as font:
        return set(font["cmap"].getBestCmap())


@cache  # asked for every distinct character of every text; a contract has a few hundred
def problem(char: str, italic: bool = False) -> str | None:
    """Return the kind of problem a character has ('Cc', 'bidi', 'font', ...), or None when it is fine."""
    if char in WHITESPACE:
        return None
    if char in BIDI_CONTROLS:
        return "bidi"
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Co", "Cn"):
        return category
    upright, slanted = font_coverage()
    return None if ord(char) in (slanted if italic else upright) else "font"


def describe(char: str) -> str:
    """Return 'U+202E RIGHT-TO-LEFT OVERRIDE' (or the category when the character has no name)."""
    name = unicodedata.name(char, "") or {"Cc": "<control>", "Cs": "<surrogate>", "Co": "<private use>"}.get(
        unicodedata.category(char), "<unassigned>"
    )
    return f"U+{ord(char):04X} {name}"


def check_document(doc: Document, report: Report) -> None:
    """Record an error for every character in the file's texts that an output cannot show faithfully."""
    for value, start, end in doc.strings:
        for char, message, hint in bad_characters(value):
            report.error(_position(doc, char, start, end), message, hint, "bad-character")


def bad_characters(value: str) -> list[tuple[str, str, str]]:
    """Return (character, message, hint) for each character of a text an output cannot show faithfully, once each.

    validate and translations --import both ask here, so that what one accepts the other never refuses.
    """
    found: dict[tuple[str, bool], tuple[str, str, str]] = {}
    for char, italic in _characters(value):
        kind = problem(char, italic)
        if kind is None or (char, italic) in found:
            continue
        message, hint = _PROBLEMS[kind]
        where = "in emphasis " if kind == "font" and italic else ""
        found[(char, italic)] = (char, f"the character {describe(char)} {where}{message}", hint)
    return list(found.values())


def _characters(value: str) -> Iterator[tuple[str, bool]]:
    """Yield each character of a text with whether it is set in italics (inside *emphasis*)."""
    if not any(problem(char) for char in set(value)) and not _might_be_italic(value):
        return
    for node in inline.parse(value) if "*" in value else (inline.Literal(value),):
        yield from _node_characters(node, False)


def _might_be_italic(value: str) -> bool:
    return "*" in value and any(problem(char, True) for char in set(value))


def _node_characters(node: inline.Inline, italic: bool) -> Iterator[tuple[str, bool]]:
    if isinstance(node, inline.Literal):
        yield from ((char, italic) for char in node.text)
    elif isinstance(node, inline.Emphasis):
        for child in node.children:
            yield from _node_characters(child, True)
    elif isinstance(node, inline.Link):
        for child in node.label:
            yield from _node_characters(child, italic)
        yield from ((char, False) for char in node.url)
    else:
        yield from ((char, False) for char in node.target)


# What the YAML reader counts as a line break, so that positions agree with its own (CR and NEL files exist).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# YAML's one-letter escapes in double-quoted text ("\0", "\e", ...), by the character they stand for.
_SHORT_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\v": "\\v",
    "\f": "\\f",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _position(doc: Document, char: str, start: int, end: int) -> Pos:
    r"""Return where a character is written: as itself, or as a double-quoted escape ("\u202e")."""
    code = ord(char)
    escapes = [re.escape(_SHORT_ESCAPES[char])] if char in _SHORT_ESCAPES else []
    escapes += [rf"\\x{code:02x}" if code < 256 else "", rf"\\u{code:04x}" if code < 65536 else "", rf"\\U{code:08x}"]
    literal = doc.source.find(char, start, end)
    match = re.compile("|".join(e for e in escapes if e), re.IGNORECASE).search(doc.source, start, end)
    found = [i for i in (literal, match.start() if match else -1) if i >= 0]
    index = min(found) if found else start
    breaks = list(_LINE_BREAK.finditer(doc.source, 0, index))
    return Pos(doc.path, len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1)
