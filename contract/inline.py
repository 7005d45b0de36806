"""The inline language of contract texts, parsed into typed nodes.

Only five constructs are special; everything else is literal text that every
renderer escapes for its output:

    {ref:section-id}     a cross-reference, rendered as the section's number
    {ref:1.7}            a reference by number to a section this contract lacks
    {fn:footnote-id}     a footnote reference
    [text](https://...)  a link (http, https and mailto only)
    *text*               emphasis
    \\x                   the character x, literally, for x one of \\ { } [ ] *;
                         before any other character the backslash is itself text (\\newpage stays)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
SECTION_NUMBER = re.compile(r"^\d+(\.\d+)*$")
SAFE_URL = re.compile(r"^(https?://[^\s<>\"]+|mailto:[^\s<>\"]+)$", re.IGNORECASE)

_TOKEN = re.compile(
    r"\\(?P<escaped>[\\{}\[\]*])"
    r"|\{(?P<kind>ref|fn):(?P<target>[^{}\s]*)\}"
    r"|\[(?P<label>(?:\\.|[^\[\]\\])+)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)\)"
    r"|\*(?P<emph>[^\s*](?:(?:\\.|[^*\\])*[^\s*\\])?)\*",
    re.DOTALL,
)
TOKEN = _TOKEN  # every mark and escape, for checks that look for what is left outside them


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Ref:
    target: str  # a section id, or a section number the contract lacks

    @property
    def by_number(self) -> bool:
        return bool(SECTION_NUMBER.match(self.target))


@dataclass(frozen=True)
class FootnoteRef:
    target: str


@dataclass(frozen=True)
class Link:
    label: tuple[Inline, ...]
    url: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


Inline = Literal | Ref | FootnoteRef | Link | Emphasis


@lru_cache(maxsize=4096)  # the checks, the renderers and the differ parse the same texts; the nodes are immutable
def parse(source: str) -> tuple[Inline, ...]:
    """Parse a text into inline nodes; unknown markup stays literal text."""
    nodes: list[Inline] = []
    pos = 0
    for match in _TOKEN.finditer(source):
        _append_literal(nodes, source[pos : match.start()])
        _append_node(nodes, match)
        pos = match.end()
    _append_literal(nodes, source[pos:])
    return tuple(nodes)


def _append_node(nodes: list[Inline], match: re.Match[str]) -> None:
    if match.group("escaped") is not None:
        _append_literal(nodes, match.group("escaped"))
    elif match.group("kind") == "ref":
        nodes.append(Ref(match.group("target")))
    elif match.group("kind") == "fn":
        nodes.append(FootnoteRef(match.group("target")))
    elif match.group("label") is not None:
        nodes.append(Link(parse(match.group("label")), match.group("url")))
    else:
        nodes.append(Emphasis(parse(match.group("emph"))))


def _append_literal(nodes: list[Inline], text: str) -> None:
    if not text:
        return
    if nodes and isinstance(nodes[-1], Literal):
        nodes[-1] = Literal(nodes[-1].text + text)
    else:
        nodes.append(Literal(text))


def unmatched(source: str) -> Iterator[str]:
    """Yield the stretches of a text, as written, that no construct (escape, reference, link, emphasis) took."""
    pos = 0
    for match in _TOKEN.finditer(source):
        yield source[pos : match.start()]
        pos = match.end()
    yield source[pos:]


def walk(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    """Yield every node, depth first."""
    for node in nodes:
        yield node
        if isinstance(node, Link):
            yield from walk(node.label)
        elif isinstance(node, Emphasis):
            yield from walk(node.children)


def plain(nodes: tuple[Inline, ...], numbers: dict[str, str], notes: dict[str, int]) -> str:
    """Render nodes as plain text: references as numbers, footnotes as their number."""
    out = []
    for node in nodes:
        if isinstance(node, Literal):
            out.append(node.text)
        elif isinstance(node, Ref):
            out.append(numbers.get(node.target, node.target))
        elif isinstance(node, FootnoteRef):
            out.append(str(notes.get(node.target, "?")))
        elif isinstance(node, Link):
            out.append(plain(node.label, numbers, notes))
        else:
            out.append(plain(node.children, numbers, notes))
    return "".join(out)


def escape(text: str) -> str:
    """Escape literal text so that it parses back as itself."""
    return re.sub(r"([\\{}\[\]*])", r"\\\1", text)
