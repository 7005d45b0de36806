"""A Word file's footnotes and endnotes: each note's text on one line, and the web addresses its links show."""

from __future__ import annotations

from .ooxml import Q, R, W, inside
from .styles import run_hidden

# Footnotes and endnotes: a note's key is its kind's prefix and its id in that part ("1", "e1").
NOTE_KINDS = {"footnote": "", "endnote": "e"}


def notes_of(root, kind: str, hidden: frozenset[str]) -> dict[str, str]:
    """Each note's text by its key, without what is hidden in it."""
    return {NOTE_KINDS[kind] + n.get(f"{{{W}}}id", ""): _note_text(n, hidden) for n in root.iter(f"{{{W}}}{kind}")}


def _note_text(note, hidden: frozenset[str]) -> str:
    """A note's words on one line: its paragraphs (a text box's too, once) apart, as Word shows them."""
    words: list[str] = []
    paragraph = None
    for t in note.iter(f"{{{W}}}t"):
        if run_hidden(t.getparent(), hidden) or _older_readers_copy(t, note):
            continue
        here = next(t.iterancestors(f"{{{W}}}p"), None)
        if here is not paragraph:  # a new paragraph, or a box's: "Första.Andra." was one word
            words.append(" ")
            paragraph = here
        words.append(t.text or "")
    return " ".join("".join(words).split())


def _older_readers_copy(element, note) -> bool:
    """Whether element is in the VML copy of a text box Word writes for older readers (mc:Fallback): read once."""
    return inside(element, note, "Fallback")


def links_of(root, links: dict[str, str], kind: str, hidden: frozenset[str]) -> dict[str, list[str]]:
    """Each note's web addresses by its key: those of its links that show words."""
    return {
        NOTE_KINDS[kind] + n.get(f"{{{W}}}id", ""): [
            links[h.get(f"{{{R}}}id", "")]
            for h in n.iter(f"{{{W}}}hyperlink")
            if h.get(f"{{{R}}}id", "") in links
            and not _older_readers_copy(h, n)
            and any(not run_hidden(r, hidden) for r in h.iter(f"{{{W}}}r") if r.find("w:t", Q) is not None)
        ]
        for n in root.iter(f"{{{W}}}{kind}")
    }
