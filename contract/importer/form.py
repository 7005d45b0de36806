"""The importer's typed intermediate form: input lines, the section tree being built, and the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..model import DEFAULT_LANGUAGES

# A body block as the YAML writer takes it: {"p": text}, {"heading": text} or {"list": [texts]}.
BlockDict = dict[str, str | list[str]]


@dataclass
class Line:
    """One input line: its text without surrounding blanks, where it was, and how it ended."""

    text: str
    number: int  # 1-based line in the input
    page: int
    page_start: bool = False
    trailing_space: bool = False


@dataclass
class TocEntry:
    """An entry of the contents page: number (may be empty), title and page."""

    number: str
    title: str
    page: int
    line: int


@dataclass
class Note:
    """A footnote: its printed number, text, and the input line it starts on."""

    number: int
    text: str
    line: Line
    id: str = ""


@dataclass
class Node:
    """A numbered section being built: its number, title, body blocks, footnotes and children."""

    number: str
    title: str
    line: int
    blocks: list[BlockDict] = field(default_factory=list)
    footnotes: list[Note] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    id: str = ""
    pinned: bool = False
    to_be_written: bool = False


@dataclass
class AnnexDraft:
    """The annex being built: title, body, and documents (title and link)."""

    title: str
    line: int
    body: list[BlockDict] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import found: the contract's parts plus everything the report needs."""

    version: str
    municipality: str
    lang: str
    title: str
    preamble: list[BlockDict]
    sections: list[Node]
    annex: AnnexDraft | None
    notes: list[str] = field(default_factory=list)  # "LINE: message" for the user
    toc: list[TocEntry] = field(default_factory=list)
    input_words: list[str] = field(default_factory=list)
    set_aside: list[tuple[int, str]] = field(default_factory=list)  # (input line, why): cover, contents, footers
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the repository's, the source first

    @property
    def source(self) -> str:
        """Return the repository's source language, under which every text is stored (the schema requires it)."""
        return self.languages[0]

    @property
    def section_count(self) -> int:
        return sum(1 for _ in walk(self.sections))

    @property
    def footnote_count(self) -> int:
        return sum(len(n.footnotes) for n in walk(self.sections))


def walk(nodes: list[Node]) -> Iterator[Node]:
    """Yield every node of a tree in document order."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def rewrite_texts(blocks: Iterable[BlockDict], fn: Callable[[str], str], keys: tuple[str, ...] = ("p",)) -> None:
    """Apply fn to the texts of blocks: those under keys, and every list item."""
    for block in blocks:
        for key in keys:
            if key in block:
                block[key] = fn(str(block[key]))
        if "list" in block:
            block["list"] = [fn(item) for item in block["list"]]
