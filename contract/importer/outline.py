"""Numbered headings: which numbered lines are headings, and where each new section goes in the tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .form import Line, Node, TocEntry, walk

HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(\.?)\s+(\S.*)$")
_SENTENCE_END = re.compile(r"[.!?:;,]\s*$")


@dataclass
class Outline:
    """The section tree being built and the numbering style of the document."""

    dotted_top: bool  # top-level headings read "1. Title" (second generation) rather than "1 Title"
    toc: dict[str, str] = field(default_factory=dict)  # number → title from the contents
    roots: list[Node] = field(default_factory=list)
    stack: list[Node] = field(default_factory=list)

    @property
    def current(self) -> Node | None:
        return self.stack[-1] if self.stack else None

    def heading(self, line: Line) -> tuple[str, str] | None:
        """Return (number, title) if this line is the next numbered heading, else None."""
        match = HEADING.match(line.text)
        if not match or len(match.group(3)) > 120:
            return None
        number, dot, title = match.groups()
        listed = self.toc.get(number)
        if listed is not None and _same_start(listed, title):
            return (number, title) if self._successor(number) else None
        if "." not in number and not dot and self.dotted_top:
            return None
        if _SENTENCE_END.search(title) or not (title[0].isupper() or title[0].isdigit()):
            return None
        return (number, title) if self._successor(number) else None

    def _successor(self, number: str) -> bool:
        parts = [int(p) for p in number.split(".")]
        current = [int(p) for p in self.current.number.split(".")] if self.current else []
        if not current:
            return len(parts) == 1 and 1 <= parts[0] <= 3
        candidates = [current + [1]]
        for depth in range(len(current), 0, -1):
            candidates.append(current[: depth - 1] + [current[depth - 1] + 1])
        if parts in candidates:
            return True
        # A signed original may skip a number (7 followed by 9): pinned later.
        for depth in range(min(len(parts), len(current)), 0, -1):
            if (
                parts[: depth - 1] == current[: depth - 1]
                and len(parts) == depth
                and 1 < parts[-1] - current[depth - 1] <= 3
            ):
                return True
        return False

    def open(self, number: str, title: str, line: int) -> Node:
        """Start a section and put it in its place in the tree."""
        node = Node(number, title, line)
        depth = number.count(".") + 1
        while len(self.stack) >= depth:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)
        return node


def _same_start(listed: str, title: str) -> bool:
    a, b = listed.split(), title.split()
    return bool(a) and bool(b) and a[0].lower() == b[0].lower()


def dotted_top(lines: list[Line], toc: list[TocEntry]) -> bool:
    """Tell the numbering style: "1. Title" if any top-level heading or contents entry is written so."""
    dotted = sum(bool(re.match(r"^[1-9]\.\s+[^\W\d]", line.text)) for line in lines)
    plain = sum(bool(re.match(r"^[1-9]\s+[^\W\d]\S*(\s\S+){0,8}$", line.text)) for line in lines)
    return dotted >= 2 or dotted > 0 and dotted >= plain // 3


def cross_check(toc: list[TocEntry], roots: list[Node]) -> tuple[list[TocEntry], list[Node]]:
    """Return contents entries without a heading, and numbered headings without a contents entry."""
    numbered = [e for e in toc if e.number]
    found = {n.number: n for n in walk(roots)}
    missing = [e for e in numbered if e.number not in found or not _same_start(e.title, found[e.number].title)]
    listed = {e.number for e in numbered}
    unlisted = [n for n in walk(roots) if n.number not in listed] if numbered else []
    return missing, unlisted
