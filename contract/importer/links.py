"""Web addresses in running text too wide for a line of the PDF: made links named by their site, and said so."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..checks.wordwidth import TEXT_EM, width_em
from .form import BlockDict, ImportResult, rewrite_texts, walk

# An address as escaped text holds it (inline.escape puts a backslash before \ { } [ ] *): up to a space, without
# the sentence's closing punctuation. One already inside a link's (…) follows "](" and is left alone.
_ADDRESS = re.compile(r"(?<!\]\()https?://(?:\\.|[^\s\\])+?(?=[.,;:!?)]*(?:\s|$))")


def link_long_addresses(result: ImportResult, lines: dict[int, int]) -> list[str]:
    """Make each address no line of the PDF can hold a link named by its site; return a note for each ("LINE: …").

    lines: the input line each block starts on, by the block's id.
    """
    notes: list[str] = []
    for block in _blocks(result):
        rewrite_texts([block], _linking(lines.get(id(block), 1), notes))
    return notes


def _linking(line: int, notes: list[str]) -> Callable[[str], str]:
    """Return the rewrite of one block's texts, noting each address it makes a link (at the block's line)."""

    def replace(match: re.Match[str]) -> str:
        address = re.sub(r"\\(.)", r"\1", match.group(0))
        if width_em(address) <= TEXT_EM:  # it fits: shown as written
            return match.group(0)
        site = re.sub(r"^www\.", "", address.split("/")[2])
        notes.append(f"{line}: the address {address} is too long for a line of the PDF; it is a link named {site}")
        return f"[{site}]({address})"

    return lambda text: _ADDRESS.sub(replace, text)


def _blocks(result: ImportResult) -> Iterator[BlockDict]:
    yield from result.preamble
    for node in walk(result.sections):
        yield from node.blocks
    if result.annex is not None:
        yield from result.annex.body
