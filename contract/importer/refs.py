"""Pass 5: ids for sections, pins for printed numbers that position alone would not give, {ref:} links."""

from __future__ import annotations

import re
import unicodedata

from .form import Node, rewrite_texts, walk

_TEXT_REF = re.compile(
    r"(?P<lead>\b(?:avsnitt|se|under|kapitel|section|chapter)\s+|\()(?P<num>\d+(?:\.\d+)+)(?=[.)\s,;]|$)", re.IGNORECASE
)


def assign_ids(roots: list[Node]) -> None:
    """Give every section a unique slug of its title (its parent's first word before it on a clash)."""
    used: set[str] = set()
    parents = {id(c): n for n in walk(roots) for c in n.children}
    for node in walk(roots):
        base = slug(node.title) or f"avsnitt-{node.number.replace('.', '-')}"
        candidate = base
        if candidate in used and id(node) in parents:
            candidate = f"{slug(parents[id(node)].title).split('-')[0]}-{base}"
        suffix = 2
        while candidate in used or candidate in RESERVED:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        node.id = candidate
        used.add(candidate)


RESERVED = ("meta", "party", "preamble", "annex", "fn", "erratum")


def mark_pins(nodes: list[Node], parent: str = "") -> list[str]:
    """Pin numbers that position would not give; return a note for each (a skipped or missing number)."""
    notes, last = [], 0
    for node in nodes:
        own = int(node.number.rsplit(".", 1)[-1])
        expected_parent = node.number.rpartition(".")[0]
        node.pinned = own != last + 1 or expected_parent != parent
        if node.pinned:
            notes.append(
                f"{node.line}: section {node.number} follows {parent + '.' if parent else ''}{last or 'nothing'}: "
                f"a number is missing; the printed number is pinned"
            )
        last = own
        notes += mark_pins(node.children, node.number)
    return notes


def convert_references(roots: list[Node]) -> list[str]:
    """Turn "avsnitt 3.2" into "avsnitt {ref:id}"; return a note for each number the text does not have."""
    by_number = {n.number: n.id for n in walk(roots)}
    notes: list[str] = []

    def replace(match: re.Match[str]) -> str:
        number = match.group("num")
        if number not in by_number:
            notes.append(f"a reference to section {number}, which the text does not have; kept as plain text")
            return match.group(0)
        return match.group("lead") + "{ref:" + by_number[number] + "}"

    for node in walk(roots):
        rewrite_texts(node.blocks, lambda text: _TEXT_REF.sub(replace, text), ("p", "heading"))
    return notes


def short_slug(text: str, limit: int = 32) -> str:
    """Return a slug of a text's first words, at most about `limit` characters."""
    words = slug(text).split("-")
    out = words[0]
    for word in words[1:3]:
        if len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}"
    return out


def slug(text: str) -> str:
    """Return a lowercase ASCII slug of a text (starting with a letter)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text)
    result = "-".join(words)[:60].strip("-")
    return result if result[:1].isalpha() else (f"s-{result}" if result else "")
