"""Merge an edited paragraph back into its source text, keeping the markup of every unchanged word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .. import inline
from .read import Atom

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Token:
    """A token of plain text, the markup group it belongs to, and what to write for it."""

    key: tuple[str, str, str]
    source: str  # the source this token stands for (a group's source sits on its first token)
    group: int = -1  # index of a non-literal inline node (reference, footnote, link, emphasis), or -1


def old_tokens(source: str, numbers: dict[str, str]) -> list[Token]:
    """Tokens of a source text as Word shows it: references as numbers, footnotes as marks."""
    out: list[Token] = []
    for index, node in enumerate(inline.parse(source)):
        if isinstance(node, inline.Literal):
            out += [Token(("text", t, ""), inline.escape(t)) for t in _TOKEN.findall(node.text)]
        elif isinstance(node, inline.FootnoteRef):
            out.append(Token(("fn", node.target, ""), "{fn:" + node.target + "}", index))
        else:
            kind, url = _group(node)
            pieces = _TOKEN.findall(inline.plain((node,), numbers, {}))
            out += [Token((kind, t, url), _source(node) if k == 0 else "", index) for k, t in enumerate(pieces)]
    return out


def _group(node: inline.Inline) -> tuple[str, str]:
    """A group's token kind (a reference reads as plain text in Word) and its link address."""
    if isinstance(node, inline.Ref):
        return "text", ""
    if isinstance(node, inline.Link):
        return "link", node.url
    return "em", ""


def _source(node: inline.Inline) -> str:
    if isinstance(node, inline.Ref):
        return "{ref:" + node.target + "}"
    if isinstance(node, inline.Link):
        return f"[{_nodes_source(node.label)}]({node.url})"
    assert isinstance(node, inline.Emphasis)
    return f"*{_nodes_source(node.children)}*"


def _nodes_source(nodes: tuple[inline.Inline, ...]) -> str:
    return "".join(inline.escape(n.text) if isinstance(n, inline.Literal) else _source(n) for n in nodes)


def new_tokens(atoms: list[Atom], notes: dict[str, str]) -> list[Token]:
    """Tokens of a Word paragraph; footnote marks become the footnote ids they stand for."""
    out: list[Token] = []
    for atom in atoms:
        if atom.kind == "fn":
            target = notes.get(atom.text, "")
            if target:  # a note new in Word matches no footnote: its mark is not applied (apply says the note is new)
                out.append(Token(("fn", target, ""), "{fn:" + target + "}"))
        else:
            out += [Token((atom.kind, t, atom.url), "") for t in _TOKEN.findall(atom.text)]
    return out


def merge(old: list[Token], new: list[Token]) -> str:
    """Return the source of the new text: unchanged stretches keep their markup, new words are escaped."""
    matcher = difflib.SequenceMatcher(a=[t.key for t in old], b=[t.key for t in new], autojunk=False)
    spans: dict[int, tuple[int, int]] = {}
    for index, token in enumerate(old):
        if token.group >= 0:
            first, _ = spans.get(token.group, (index, index))
            spans[token.group] = (first, index)
    kept: dict[int, str] = {}  # new token → the old source it keeps
    for op, a1, a2, b1, _b2 in matcher.get_opcodes():
        for k in range(a2 - a1 if op == "equal" else 0):
            token = old[a1 + k]
            span = spans.get(token.group, (a1, a1))
            if token.group < 0 or (a1 <= span[0] and span[1] < a2):  # a reference, link or emphasis kept whole
                kept[b1 + k] = token.source
    out, k = [], 0
    while k < len(new):
        j = k
        while j < len(new) and j not in kept:
            j += 1
        out.append(_written(new[k:j]) if j > k else kept[k])
        k = max(j, k + 1)
    return "".join(out)


def _written(tokens: list[Token]) -> str:
    out, k = [], 0
    while k < len(tokens):
        kind, url = tokens[k].key[0], tokens[k].key[2]
        if kind in ("em", "link"):
            j = k
            while j < len(tokens) and tokens[j].key[0] == kind and tokens[j].key[2] == url:
                j += 1
            label = inline.escape("".join(t.key[1] for t in tokens[k:j]))
            lead, core, trail = re.match(r"^(\s*)(.*?)(\s*)$", label, re.DOTALL).groups()  # type: ignore[union-attr]
            out.append(f"{lead}*{core}*{trail}" if kind == "em" else f"{lead}[{core}]({url}){trail}")
            k = j
        elif kind == "fn":
            out.append(tokens[k].source)
            k += 1
        else:
            out.append(inline.escape(tokens[k].key[1]))
            k += 1
    return "".join(out)
