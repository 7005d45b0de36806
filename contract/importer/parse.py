"""Pass 3: body lines → blocks in the section tree: paragraphs, lists, subheadings, footnotes, links, annex."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import inline
from . import words
from .form import AnnexDraft, BlockDict, Line, Node, Note
from .join import Joiner
from .outline import Outline

BULLET = re.compile(r"^(?:[•●▪◦‣∙·○■□➢►✓]|[-–*](?=\s))\s*(.*)$")
URL = re.compile(r"^(https?://\S+)$")
_URL_TAIL = re.compile(r"^[\w%./~?=&:#+@-]+$")
_FOOTNOTE = re.compile(r"^(\d{1,2})(?:\s+|(?=[^\W\d_]))(\S.*)$")  # "1 Text", or "1Text" as PDFs glue it
SENTENCE_END = re.compile(r"[.!?:”\"’)]\s*$")


@dataclass
class Parse:
    """Everything the body pass collects, in document order."""

    lines: list[Line]
    outline: Outline
    joiner: Joiner
    preamble: list[BlockDict] = field(default_factory=list)
    annex: AnnexDraft | None = None
    notes: list[Note] = field(default_factory=list)
    urls: list[tuple[Line, str]] = field(default_factory=list)
    placed: list[tuple[int, BlockDict, Node | None, int]] = field(default_factory=list)  # (page, block, owner, line)
    problems: list[str] = field(default_factory=list)
    annex_urls: list[str] = field(default_factory=list)
    note_end: int = -1  # the line after the last footnote read: a next footnote may follow at once

    @property
    def owner_blocks(self) -> list[BlockDict]:
        if self.annex is not None:
            return self.annex.body
        return self.outline.current.blocks if self.outline.current else self.preamble

    def add(self, block: BlockDict, line: Line) -> None:
        self.owner_blocks.append(block)
        self.placed.append((line.page, block, self.outline.current if self.annex is None else None, line.number))


def parse(state: Parse) -> Parse:
    """Read every body line into the state."""
    i = 0
    while i < len(state.lines):
        i = _step(state, i)
    return state


def _step(state: Parse, i: int) -> int:
    line = state.lines[i]
    if not line.text:
        return i + 1
    if URL.match(line.text):
        return _read_url(state, i)
    if (
        state.annex is None
        and state.outline.roots
        and words.pattern("annex", "^", r"\b").match(line.text)
        and _short_title(line.text)
    ):
        state.annex = AnnexDraft(inline.escape(line.text), line.number)
        return i + 1
    # A footnote's line can look like a heading ("3 Boverket, …"); the mark above it decides.
    if _is_footnote(state, i):
        return _read_footnote(state, i)
    heading = state.outline.heading(line) if state.annex is None else None
    if heading:
        return _read_heading(state, i, *heading)
    if _is_bullet(state, i):
        return _read_bullet(state, i)
    if _is_subheading(state, i):
        state.add({"heading": inline.escape(line.text)}, line)
        return i + 1
    return _read_paragraph(state, i)


def _short_title(text: str) -> bool:
    return len(text) <= 90 and not SENTENCE_END.search(text)


def _read_heading(state: Parse, i: int, number: str, title: str) -> int:
    j, prev = i + 1, state.lines[i]
    # A heading wrapped over two lines: the first ends inside a word or with a dash.
    listed = state.outline.toc.get(number, "")
    while (
        j < len(state.lines)
        and state.lines[j].text
        and (
            title.endswith(("-", "\u00ad"))
            or _wrapped_title(state, j)
            or _completes(title, state.lines[j].text, listed)
        )
    ):
        title, prev, j = state.joiner.join(title, state.lines[j], prev), state.lines[j], j + 1
    state.outline.open(number, inline.escape(" ".join(title.split())), state.lines[i].number)
    return j


def _completes(title: str, nxt: str, listed: str) -> bool:
    # The contents give the whole title of a heading that wraps onto the line after it.
    joined = " ".join(f"{title} {nxt}".split())
    return len(title) < len(listed) and listed.startswith(joined)


def _wrapped_title(state: Parse, j: int) -> bool:
    line = state.lines[j]
    return (
        line.text[:1].islower()
        and len(line.text) < 60
        and not SENTENCE_END.search(line.text)
        and (j + 1 >= len(state.lines) or not state.lines[j + 1].text)
    )


def _read_url(state: Parse, i: int) -> int:
    url, j = state.lines[i].text, i + 1
    while (k := _url_tail(state, j, url)) is not None:
        url, j = url + state.lines[k].text, k + 1
    if state.annex is not None:
        state.annex_urls.append(url)
    else:
        state.urls.append((state.lines[i], url))
    return j


def _url_tail(state: Parse, j: int, url: str) -> int | None:
    # A long link wraps: its tail has no spaces and the break fell at an escape, a dash or a slash.
    k = j + 1 if j < len(state.lines) and not state.lines[j].text else j
    if k >= len(state.lines) or not _URL_TAIL.match(state.lines[k].text) or URL.match(state.lines[k].text):
        return None
    tail = state.lines[k].text
    cut = url.endswith(("%20", "%", "-", "/", "_", "=")) or re.search(r"%[0-9A-F]{0,2}$", url) is not None
    return k if cut or re.search(r"%[0-9A-F]{2}|\.(?:pdf|html?|aspx?|php)$", tail) else None


def _gather(state: Parse, i: int, first: str, stop_at_page: bool = True, dashes: bool = False) -> tuple[str, int]:
    text, prev, j = first, state.lines[i], i + 1
    while j < len(state.lines):
        line = state.lines[j]
        if (
            not line.text
            or (stop_at_page and line.page_start)
            or URL.match(line.text)
            or _starts_item(line.text, dashes or _introduces_list(text))
            or is_row(line.text)  # each row of a table is a paragraph of its own
            or is_row(first)
        ):
            break
        if state.annex is None and state.outline.heading(line):
            break
        text, prev, j = state.joiner.join(text, line, prev), line, j + 1
    return text, j


def _introduces_list(text: str) -> bool:
    """Tell whether a paragraph ends as one that introduces a list ("Syftet är att:"): a dash after it is an item."""
    return text.rstrip().endswith(":")


def _starts_item(text: str, dashes: bool = False) -> bool:
    # A dash inside a paragraph may start a line; in a list of dashed items it starts the next item.
    return BULLET.match(text) is not None and (dashes or text[:1] not in "-–*")


def _clean(text: str) -> str:
    return inline.escape(" ".join(text.replace("\u00ad", "").split()))


def _read_paragraph(state: Parse, i: int) -> int:
    first = state.lines[i]
    text, j = _gather(state, i, first.text)
    last = state.owner_blocks[-1] if state.owner_blocks else None
    if first.page_start and last is not None and "p" in last and not SENTENCE_END.search(str(last["p"])):
        last["p"] = f"{last['p']} {_clean(text)}"  # a paragraph cut by a page break
    elif first.page_start and last is not None and "list" in last and first.text[:1].islower():
        items = last["list"]
        assert isinstance(items, list)
        items[-1] = f"{items[-1]} {_clean(text)}"  # a list item cut by a page break
    elif _clean(text) in words.every("to_be_written") and state.outline.current is not None and state.annex is None:
        state.outline.current.to_be_written = True  # the rendering of a section still to be written
    else:
        state.add({"p": _clean(text)}, first)
    return j


def _is_bullet(state: Parse, i: int) -> bool:
    line = state.lines[i]
    if not BULLET.match(line.text):
        return False
    if line.text[:1] in "-–*":  # a dash starts a list item after a gap, another item, or before one
        prev = state.lines[i - 1] if i else None
        last = state.owner_blocks[-1] if state.owner_blocks else None
        nxt = state.lines[i + 1].text if i + 1 < len(state.lines) else ""
        dashed_next = BULLET.match(nxt) is not None and nxt[:1] == line.text[:1]
        introduced = prev is not None and _introduces_list(prev.text)
        return prev is None or not prev.text or (last is not None and "list" in last) or dashed_next or introduced
    return True


def _read_bullet(state: Parse, i: int) -> int:
    match = BULLET.match(state.lines[i].text)
    assert match is not None
    text, j = _gather(state, i, match.group(1), stop_at_page=False, dashes=state.lines[i].text[:1] in "-–*")
    text = _clean(text)
    if state.annex is not None:
        state.annex.documents.append({"title": text})
        return j
    last = state.owner_blocks[-1] if state.owner_blocks else None
    if last is not None and "list" in last:
        items = last["list"]
        assert isinstance(items, list)
        items.append(text)
    else:
        state.add({"list": [text]}, state.lines[i])
    return j


def _is_subheading(state: Parse, i: int) -> bool:
    line = state.lines[i]
    prev_blank = i == 0 or not state.lines[i - 1].text or line.page_start
    nxt = next((n for n in state.lines[i + 1 : i + 3] if n.text), None)
    return (
        prev_blank
        and nxt is not None
        and bool(nxt.text)
        and (nxt.text[:1].isupper() or bool(BULLET.match(nxt.text)))
        and len(line.text) <= 60
        and line.text[:1].isupper()
        and not SENTENCE_END.search(line.text)
        and not line.text.endswith((",", "-", ";"))
        and not is_row(line.text)
        and (state.outline.current is not None or state.annex is not None)
    )


def is_row(text: str) -> bool:
    """Tell whether a line is a table's row, its cells joined by " | " (as the import writes a Word table's)."""
    return " | " in text


# ---------------------------------------------------------------- footnotes


def marker(number: int) -> re.Pattern[str]:
    """The pattern of a footnote mark in running text: digits glued to the word before them, or superscript digits
    after a number and its punctuation ("2030.¹": a mark that stays superscript, see lines._superscript_marks)."""
    superscript = str(number).translate(_TO_SUPERSCRIPT)
    digits = rf"(?<=[^\s\d])(?<!\d\.)(?<!\d,){number}(?!\d)(?=[\s.,;:)”\"’]|$)"
    return re.compile(rf"{digits}|(?<=\d[.,]){superscript}(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")


_TO_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def marked_blocks(state: Parse, number: int, page: int, before: int) -> list[tuple[BlockDict, str | int, Node | None]]:
    """Return the blocks on this page (or the one before), above line `before`, that carry the mark of a footnote."""
    pattern = marker(number)
    found: list[tuple[int, BlockDict, str | int, Node | None]] = []
    for block_page, block, owner, line in state.placed:
        if block_page not in (page, page - 1) or line >= before:
            continue
        for key in ("p", "heading"):
            if key in block and pattern.search(str(block[key])):
                found.append((block_page, block, key, owner))
        for index, item in enumerate(block.get("list", [])):
            if pattern.search(item):
                found.append((block_page, block, index, owner))
    same = [f for f in found if f[0] == page]
    return [(b, k, o) for _, b, k, o in (same or found)]


def _is_footnote(state: Parse, i: int) -> bool:
    line = state.lines[i]
    match = _FOOTNOTE.match(line.text)
    if not match or int(match.group(1)) != len(state.notes) + 1 or state.annex is not None:
        return False
    prev_blank = i == 0 or not state.lines[i - 1].text
    glued = not line.text[len(match.group(1)) :][:1].isspace()
    return (prev_blank or glued or state.note_end == i) and marked_blocks(
        state, int(match.group(1)), line.page, line.number
    ) != []


def _read_footnote(state: Parse, i: int) -> int:
    match = _FOOTNOTE.match(state.lines[i].text)
    assert match is not None
    text, prev, j = match.group(2), state.lines[i], i + 1
    while (
        j < len(state.lines)
        and state.lines[j].text
        and not state.lines[j].page_start
        and not URL.match(state.lines[j].text)
    ):
        following = _FOOTNOTE.match(state.lines[j].text)
        if following and int(following.group(1)) == len(state.notes) + 2:
            break
        text, prev, j = state.joiner.join(text, state.lines[j], prev), state.lines[j], j + 1
    state.notes.append(Note(int(match.group(1)), _clean(text), state.lines[i]))
    state.note_end = j
    return j
