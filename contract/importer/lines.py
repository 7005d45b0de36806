"""Pass 1: text → lines with page numbers; page footers, page markers and running headers left out."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..errors import ContractError, Diagnostic
from ..model import Pos, printable
from .form import Line

# A page footer or marker on a line of its own: "12", "- 12 -", "(3)", "Sida 3 av 30", "Page 3 of 30",
# "3/30", "viablecities.se 3".
_FOOTER = re.compile(
    r"^(?:[\w.-]+\.(?:se|com|org|eu|nu|net|fi|no|dk)\s+\d{1,3}|[-–]?\s*\d{1,3}\s*[-–]?|\(\d{1,3}\)|\d{1,3}\s*/\s*\d{1,3}"
    r"|(?:sida|page|s\.)\s*\d{1,3}(?:\s*(?:av|of|/)\s*\d{1,3})?)$",
    re.IGNORECASE,
)
# "3 (32)": page 3 of 32, bare or after a name ("Borås Stad 3 (32)"); with a name only when it repeats.
_OF_PAGES = re.compile(r"^(?:(?P<name>\S.{0,60}?)\s+)?(?P<page>\d{1,3})\s*\(\s*(?P<pages>\d{1,3})\s*\)$")
# Footnotes numbered with superscript digits ("omställningen¹" and a note "¹ Omställningen …").
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT = re.compile(f"[{_SUPERSCRIPTS}]+")
_TO_DIGITS = str.maketrans(_SUPERSCRIPTS, "0123456789")
# Invisible characters that PDF tools and word processors leave in text (zero-width spaces and joiners, direction
# marks, word joiner, invisible operators, BOM), and control characters that stand for no text (a bell, a NUL;
# tabs, line ends and form feeds stay: they are layout).
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)]
_INVISIBLE = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"), *_CONTROLS]
)
# Line breaks inside a paragraph (a vertical tab is Word's Shift+Enter in its text export): a space, as joined.
_SOFT_BREAKS = dict.fromkeys(map(ord, "\x0b\x85\u2028\u2029"), " ")
# The non-breaking hyphen (Word's Ctrl+Shift+-) that the PDF font lacks: a hyphen, as printed.
_HYPHENS = {0x2011: "-"}
# The bullet of a list that Word set in its Symbol or Wingdings font, as pdftotext gives it at a line's start: a
# private-use character (Symbol's bullet U+F0B7; Wingdings' square U+F0A7, arrowhead U+F0D8, diamonds U+F076). Other
# private-use characters (a check mark, a cross) mean something else and are refused where they stand.
_PRIVATE_BULLET = re.compile("(?m)^([ \f]*)[\uf0b7\uf0a7\uf0d8\uf076](?=[ \u00a0])")
# Typographic ligatures (ﬁ, ﬂ, …) that some PDFs give as one character: the letters they stand for.
_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}


def normalise(text: str) -> str:
    """Return NFC text with LF line ends, tabs as spaces, no invisible characters and no ligatures.

    A soft hyphen only matters at a line end (a word hyphenated there); inside a line it is invisible.
    """
    text = (
        unicodedata.normalize("NFC", text)
        .translate(_INVISIBLE)
        .translate(_LIGATURES)
        .translate(_HYPHENS)
        .translate(_SOFT_BREAKS)
    )
    text = _PRIVATE_BULLET.sub("\\1•", text)
    text = _superscript_marks(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return re.sub("\u00ad(?![ \u00a0]*(?:\n|$))", "", text)


def _superscript_marks(text: str) -> str:
    """Write superscript footnote numbers as digits, the way PDF text gives them, where a note has that number.

    A power is no mark and stays: after a unit of length ("m²", "km²") or right after a digit ("10³"). A mark after
    a number and its punctuation ("år 2030.¹") stays a superscript too, since as digits it would read as part of the
    number ("2030.1"); parse.marker knows that form.
    """
    notes = {m.group(1) for m in re.finditer(f"(?m)^[ \f]*([{_SUPERSCRIPTS}]+)[ \u00a0]", text)}
    if not notes:
        return text

    def digits(match: re.Match[str]) -> str:
        mark, before = match.group(0), text[max(0, match.start() - 3) : match.start()]
        kept = _POWER.search(before) or re.search(r"\d[.,]$", before)  # a power, or a mark after a number
        if mark not in notes or (kept and not _at_line_start(text, match.start())):
            return mark
        return mark.translate(_TO_DIGITS)

    return _SUPERSCRIPT.sub(digits, text)


# What comes before a superscript that is a power, not a footnote mark: a digit ("10³") or a unit of length ("m²").
_POWER = re.compile(r"(?:\d|(?:^|[^\w])[kcdm]?m)$")


def _at_line_start(text: str, index: int) -> bool:
    return text[text.rfind("\n", 0, index) + 1 : index].strip(" \f") == ""


def split_lines(text: str, paged: bool = True) -> tuple[list[Line], list[Line]]:
    """Return the lines of a text with their pages, and the footer/header lines left out (none when not paged)."""
    lines, dropped = _paged(normalise(text), paged)
    headers = _running_headers(lines) if paged else set()
    kept: list[Line] = []
    for line in lines:
        (dropped if line.text and id(line) in headers else kept).append(line)
    return _mark_page_starts(kept), dropped


def _mark_page_starts(lines: list[Line]) -> list[Line]:
    seen: set[int] = set()
    for line in lines:
        line.page_start = bool(line.text) and line.page not in seen and line.page > 1
        if line.text:
            seen.add(line.page)
    return lines


def _paged(text: str, paged: bool) -> tuple[list[Line], list[Line]]:
    out: list[Line] = []
    dropped: list[Line] = []
    page, new_page = 1, True
    raws = text.split("\n")
    footers = _named_footers(raws)
    for number, raw in enumerate(raws, start=1):
        if "\f" in raw:
            page, new_page = page + raw.count("\f"), True
            raw = raw.replace("\f", "")
        stripped = raw.strip()
        if paged and stripped and (_FOOTER.match(stripped) or _footer_of_pages(stripped, footers)):
            dropped.append(Line(stripped, number, page))
            page, new_page = page + 1, True
            continue
        # A page that the extractor did not mark: a line starting with exactly one space (pdftotext's habit).
        marked = raw.startswith(" ") and not raw.startswith("  ") and bool(stripped) and bool(out)
        if marked and not new_page:
            page += 1
        trailing = raw[-1:].isspace()  # a no-break space too: the words on either side stay apart
        out.append(Line(stripped, number, page, (new_page or marked) and bool(stripped), trailing))
        new_page = new_page and not stripped
    return _merge_page_starts(out), dropped


def _named_footers(raws: list[str]) -> set[tuple[str, str]]:
    """The (name, page count) of "NAME 3 (32)" lines that repeat: a footer, not a sentence ending so."""
    seen = Counter((m["name"], m["pages"]) for raw in raws if (m := _OF_PAGES.match(raw.replace("\f", "").strip())))
    return {key for key, count in seen.items() if key[0] and count >= 2}


def _footer_of_pages(stripped: str, footers: set[tuple[str, str]]) -> bool:
    match = _OF_PAGES.match(stripped)
    return match is not None and (not match["name"] or (match["name"], match["pages"]) in footers)


def _merge_page_starts(lines: list[Line]) -> list[Line]:
    # A form feed followed by a footer both start a page: count each page once.
    pages = sorted({line.page for line in lines})
    renumber = {page: index for index, page in enumerate(pages, start=1)}
    for line in lines:
        line.page = renumber[line.page]
    return lines


def _running_headers(lines: list[Line]) -> set[int]:
    """Return the ids of lines that repeat at the top of many pages (a running header)."""
    tops: dict[int, list[Line]] = {}
    for line in lines:
        if line.text and len(tops.setdefault(line.page, [])) < 3:
            tops[line.page].append(line)
    pages = len(tops)
    counts = Counter(text for top in tops.values() for text in {line.text for line in top})
    repeated = {text for text, n in counts.items() if n >= 3 and n * 2 >= pages}
    found: set[int] = set()
    for top in tops.values():
        seen: set[str] = set()
        for line in top:
            if line.text not in repeated or line.text in seen:
                break
            seen.add(line.text)
            found.add(id(line))
    return found


def check_characters(text: str, name: str, located: bool) -> None:
    """Refuse the characters of a text that validate would refuse in the YAML: an error for each, once per line.

    located: the text's lines are the input file's own (a text file); a PDF's or Word file's are not, so the
    error quotes the words around the character instead of a line the user never sees.
    """
    from ..checks.characters import bad_characters  # validate's own check: import never writes what it refuses

    found: list[Diagnostic] = []
    # Line by line as the file has them (normalise keeps the line ends), each line normalised alone: the column is
    # the character's in the file, before invisible characters were dropped.
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = normalise(raw.replace("\f", ""))
        for char, message, hint in bad_characters(line):
            column = (raw.index(char) if char in raw else line.index(char)) + 1
            pos, where = Pos(name, number, column), ""
            if not located:
                around = " ".join(line[max(0, line.index(char) - 30) : line.index(char) + 30].split())
                pos, where = Pos(name), f" (in “{printable(around)}”)"
            how = "" if located else "; save the text as .txt, correct it there and import the .txt"
            found.append(Diagnostic(pos, "error", f"{message}{where}", f"{hint}{how}", "import-character"))
    if found:
        raise ContractError(found)
