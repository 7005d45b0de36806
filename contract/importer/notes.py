"""Pass 4: footnotes to the sections that mark them, links to their footnotes, annex links checked."""

from __future__ import annotations

import re

from .form import Line, Node, Note, walk
from .parse import Parse, marked_blocks, marker
from .refs import short_slug


def place_footnotes(state: Parse) -> None:
    """Replace each footnote's mark with {fn:id} and give the footnote to the section that marks it."""
    used: set[str] = set()
    by_text: dict[str, str] = {}  # a note printed twice (a Word file repeats a note marked twice) is one note
    for note in state.notes:
        targets = marked_blocks(state, note.number, note.line.page, note.line.number)
        repeated = note.text in by_text and bool(targets)
        note.id = by_text[note.text] if repeated else _unique(short_slug(note.text) or f"fotnot-{note.number}", used)
        by_text.setdefault(note.text, note.id)
        # The nearest mark before the note: a page's notes follow its text, a Word file's follow their paragraph.
        for block, key, _owner in targets[-1:]:
            container = block["list"] if isinstance(key, int) else block
            container[key] = marker(note.number).sub("{fn:" + note.id + "}", str(container[key]), count=1)  # type: ignore[index]
        owner = targets[-1][2] if targets else None
        if repeated:
            continue
        if owner is None:
            owner = _first_section(state)
            state.problems.append(
                f"{note.line.number}: footnote {note.number} has no mark in a section's text; kept in section {owner.number}"
            )
        owner.footnotes.append(note)


def _first_section(state: Parse) -> Node:
    return state.outline.roots[0]


def _unique(base: str, used: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def place_urls(state: Parse) -> None:
    """Attach each free-standing link to the footnote that names its site, or report it."""
    for line, url in state.urls:
        if not _link_footnote(state, line, url):
            state.problems.append(f"{line.number}: the link {url} could not be placed; add it by hand")
    if state.annex is not None:
        _pair_annex(state)
        for doc in state.annex.documents:
            if not doc.get("url"):
                state.problems.append(
                    f"{state.annex.line}: the annex document {doc['title']!r} has no link; add its url by hand"
                )


def _link_footnote(state: Parse, line: Line, url: str) -> bool:
    host = re.sub(r"^www\.", "", url.split("/")[2]) if url.count("/") >= 2 else url
    notes: list[Note] = [n for s in walk(state.outline.roots) for n in s.footnotes if n.line.number < line.number]
    notes.sort(key=lambda n: n.line.number)
    if any(f"]({url})" in n.text for n in notes):
        return True  # the link of a note printed twice, placed already
    for note in reversed(notes):
        paren = f"({host})"
        if paren in note.text and f"]({url})" not in note.text:
            note.text = note.text.replace(paren, f"([{host}]({url}))", 1)
            return True
    if notes and line.number - notes[-1].line.number <= 4 and "](" not in notes[-1].text:
        notes[-1].text = f"[{notes[-1].text}]({url})"
        return True
    return False


def _pair_annex(state: Parse) -> None:
    """Give each annex document its link: the one under it, or the list of links after them, in order."""
    assert state.annex is not None
    docs, urls = state.annex.documents, state.annex_urls
    # A title wrapped over two lines may carry its link twice: drop repeats beyond the count.
    if len(urls) > len(docs):
        urls = [u for k, u in enumerate(urls) if k == 0 or u != urls[k - 1]]
    for doc, url in zip(docs, urls):
        doc["url"] = url
    for url in urls[len(docs) :]:
        state.problems.append(f"{state.annex.line}: the annex link {url} has no document title; add it by hand")
