"""Pass 1: text → lines with page numbers; page footers, page markers and running headers left out."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .form import Line

# A page footer or marker on a line of its own: "12", "- 12 -", "(3)", "Sida 3 av 30", "Page 3 of 30",
# "3/30", "viablecities.se 3".
_FOOTER = re.compile(
    r"^(?:[\w.-]+\.(?:se|com|org|eu|nu|net|fi|no|dk)\s+\d{1,3}|[-–]?\s*\d{1,3}\s*[-–]?|\(\d{1,3}\)|\d{1,3}\s*/\s*\d{1,3}"
    r"|(?:sida|page|s\.)\s*\d{1,3}(?:\s*(?:av|of|/)\s*\d{1,3})?)$",
    re.IGNORECASE,
)
# Invisible characters that PDF tools leave in text (word joiner, zero-width space, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u2060\u200b\ufeff"), None)


def normalise(text: str) -> str:
    """Return NFC text with LF line ends, tabs as spaces and no invisible characters."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def split_lines(text: str) -> tuple[list[Line], list[Line]]:
    """Return the lines of a text with their pages, and the footer/header lines left out."""
    lines, dropped = _paged(normalise(text))
    headers = _running_headers(lines)
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


def _paged(text: str) -> tuple[list[Line], list[Line]]:
    out: list[Line] = []
    dropped: list[Line] = []
    page, new_page = 1, True
    for number, raw in enumerate(text.split("\n"), start=1):
        if "\f" in raw:
            page, new_page = page + raw.count("\f"), True
            raw = raw.replace("\f", "")
        stripped = raw.strip()
        if stripped and _FOOTER.match(stripped):
            dropped.append(Line(stripped, number, page))
            page, new_page = page + 1, True
            continue
        # A page that the extractor did not mark: a line starting with exactly one space (pdftotext's habit).
        marked = raw.startswith(" ") and not raw.startswith("  ") and bool(stripped) and bool(out)
        if marked and not new_page:
            page += 1
        out.append(Line(stripped, number, page, (new_page or marked) and bool(stripped), raw.endswith(" ")))
        new_page = new_page and not stripped
    return _merge_page_starts(out), dropped


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
