"""Pass 2: find the cover, the table of contents and the signature page, and set them apart from the body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import words
from .form import Line, TocEntry

# "3.1. Kommunens klimatmål . . . 5", "3.1 Kommunens klimatmål 5", "Klimatkontrakt 2030 ....... 5".
_ENTRY = re.compile(
    r"(?:(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?\s+)?(?P<title>[^\s.][^\n]*?)(?:\s*(?:[.·…_]\s*){2,}|\s+)(?P<page>(?<!\d)\d{1,3})"
    r"(?=\s+(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S|[^\W\d])|\s*$)"
)
_ENDS_IN_PAGE = re.compile(r"(?<![\d.,])\d{1,3}\s*$")
_SPACED = re.compile(r"^(?:\S ){4,}\S$")  # "1 1 D E C E M B E R 2 0 2 0"


@dataclass
class Front:
    """The body lines, the contract's title, the contents entries and what was set aside (with why)."""

    body: list[Line]
    title: str = ""
    toc: list[TocEntry] = field(default_factory=list)
    set_aside: list[tuple[Line, str]] = field(default_factory=list)


def toc_entries(text: str, line: int) -> list[TocEntry]:
    """Return the contents entries on one line (several may run together), or [] if it is not one."""
    if not _ENDS_IN_PAGE.search(text):
        return []  # every contents line ends in a page number (and the full pattern is slow on prose)
    found = list(_ENTRY.finditer(text))
    if (
        not found
        or found[0].start() != 0
        or "".join(m.group(0) for m in found).replace(" ", "") != text.replace(" ", "")
    ):
        return []
    return [TocEntry(m.group("num") or "", _clean_title(m.group("title")), int(m.group("page")), line) for m in found]


def _toc_heading() -> re.Pattern[str]:
    return words.pattern("contents", "^", "$")


def _clean_title(title: str) -> str:
    return " ".join(title.rstrip(" .·…_").split())


def split_front(lines: list[Line], lang: str) -> Front:
    """Set aside the cover, the contents and the signature page; return the body and the title found."""
    front = Front(list(lines))
    _cut_signatures(front)
    start = _toc_start(front.body)
    if start is not None:
        _read_toc(front, start)
    else:
        _cut_cover(front)
    _take_title(front, lang)
    _drop_decorations(front)
    return front


def _set_aside(front: Front, start: int, end: int, why: str) -> None:
    for line in front.body[start:end]:
        if line.text:
            front.set_aside.append((line, why))
    del front.body[start:end]


def _toc_start(lines: list[Line]) -> int | None:
    texts = [(i, line.text) for i, line in enumerate(lines) if line.text][:402]
    entries = [toc_entries(text, 0) for _, text in texts]
    for k, (i, text) in enumerate(texts[:400]):
        if _toc_heading().match(text):
            return i
        run = entries[k : k + 3]
        if len(run) == 3 and all(run) and any(e.number for r in run for e in r):
            return i
    return None


def _read_toc(front: Front, start: int) -> None:
    """Record the contents' entries from start and set them (and the cover before them) aside."""
    lines = front.body
    i = start + 1 if _toc_heading().match(lines[start].text) else start
    pending: Line | None = None
    while i < len(lines):
        line = lines[i]
        if not line.text:
            i += 1
            continue
        text = f"{pending.text} {line.text}" if pending else line.text
        entries = toc_entries(text, line.number)
        if entries:
            front.toc.extend(entries)
            pending, i = None, i + 1
            continue
        if pending is None and i + 1 < len(lines) and _continues_entry(line, lines[i + 1 :]):
            pending, i = line, i + 1
            continue
        break
    end = i - 1 if pending else i
    _set_aside(front, start, end, "table of contents")
    _set_aside(front, 0, start, "cover page")


def _continues_entry(line: Line, rest: list[Line]) -> bool:
    # A long title wraps: the first part has no page number, the rest does and starts without a number.
    nxt = next((n for n in rest if n.text), None)
    if nxt is None or not toc_entries(f"{line.text} {nxt.text}", 0):
        return False
    alone = toc_entries(nxt.text, 0)
    return not (alone and alone[0].number)


def _cut_cover(front: Front) -> None:
    # Without contents, a first page of short lines that holds the title is a cover.
    lines = front.body
    first_page = [i for i, line in enumerate(lines) if line.page == lines[0].page] if lines else []
    texts = [lines[i].text for i in first_page if lines[i].text]
    has_next_page = any(line.page > lines[0].page for line in lines)
    prose = any(len(t) > 80 or re.search(r"[.!?:]$", t) for t in texts)
    if has_next_page and texts and len(texts) <= 12 and not prose:
        _set_aside(front, 0, first_page[-1] + 1, "cover page")


def _take_title(front: Front, lang: str) -> None:
    """The contract's title: the first body line naming it, before any text; a cover's title if not."""
    names = set(words.every("title"))  # the title in every language the importer reads
    for index, line in enumerate(front.body):
        if not line.text:
            continue
        if line.text in names:
            front.title = line.text
            del front.body[index]
        break
    if not front.title:
        cover = " ".join(line.text for line, why in front.set_aside if why == "cover page")
        front.title = next((t for t in names if t in " ".join(cover.split())), "")


def _drop_decorations(front: Front) -> None:
    for line in list(front.body):
        if (
            line.text
            and (_SPACED.match(line.text) or words.pattern("version", "^", r"\s+\d{4}$").match(line.text))
            and len(line.text) < 60
        ):
            front.set_aside.append((line, "cover or page decoration"))
            front.body.remove(line)


def _cut_signatures(front: Front) -> None:
    for index, line in enumerate(front.body):
        if words.pattern("signatures", "^", "$").match(line.text) and index > len(front.body) // 2:
            _set_aside(front, index, len(front.body), "signature page")
            return
