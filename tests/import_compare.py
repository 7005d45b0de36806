"""Compare two versions of a contract by section number: tree, titles, words, footnotes, annex links."""

from __future__ import annotations

import re

from contract.model import BulletList, Contract, Heading
from contract.render.plain import Resolver, plain


def shape(contract: Contract, lang: str) -> dict:
    """Return what an import must reproduce, keyed by section number (ids may differ)."""
    resolver = Resolver.of(contract)

    def say(text) -> str:
        value = text.source if lang == "sv" else (text.get("en") or text.source)
        return plain(type(text)(text.key, value), "sv", resolver)

    def blocks(body) -> list:
        out = []
        for block in body:
            kind = "list" if isinstance(block, BulletList) else "heading" if isinstance(block, Heading) else "p"
            texts = block.items if isinstance(block, BulletList) else (block.text,)
            out.append((kind, [_words(say(t)) for t in texts]))
        return out

    sections = {
        s.number: {
            "title": _words(say(s.title)),
            "children": [c.number for c in s.children],
            "body": blocks(s.body),
            "footnotes": [(n.number, _words(say(n.text)), _links(n.text, lang)) for n in s.footnotes],
        }
        for s in contract.walk()
    }
    annex = None
    if contract.annex:
        annex = {
            "title": _words(say(contract.annex.title)),
            "body": blocks(contract.annex.body),
            "documents": [(_words(say(d.title)), d.url) for d in contract.annex.documents],
        }
    return {
        "top": [s.number for s in contract.sections],
        "preamble": blocks(contract.preamble),
        "sections": sections,
        "annex": annex,
    }


def _words(text: str) -> list[str]:
    return text.split()


def _links(text, lang: str) -> list[str]:
    value = text.source if lang == "sv" else (text.get("en") or text.source)
    return re.findall(r"\]\((https?://[^)]+)\)", value)


def differences(expected: dict, actual: dict) -> list[str]:
    """Return readable differences between two shapes (empty when equal)."""
    problems = []
    for key in ("top", "preamble", "annex"):
        if expected[key] != actual[key]:
            problems.append(f"{key}: expected {expected[key]!r}\n   got {actual[key]!r}")
    for number in sorted(set(expected["sections"]) | set(actual["sections"])):
        a, b = expected["sections"].get(number), actual["sections"].get(number)
        if a is None or b is None:
            problems.append(f"section {number}: {'missing' if b is None else 'not in the source'}")
            continue
        for key in a:
            if a[key] != b[key]:
                problems.append(f"section {number} {key}: expected {a[key]!r}\n   got {b[key]!r}")
    return problems
