"""Words too wide for a line of the PDF: Typst cannot break them, so they would run off the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .. import inline
from ..errors import Report, excerpt
from ..model import Contract, Pos, Text
from .characters import FONT_DIR

# Widths in em of the widest weight (Bold), from the layout in contract/templates/klimatkontrakt.typ:
# the cover title is 51 pt (Typst's title element at 1.7 x 30 pt), unhyphenated, on a 448 pt column; a party's
# name and its signatory sit in a 207 pt column at 11.5 pt; everything else is at most 17 pt (a chapter
# heading) on the full column. The slow test in tests/test_input_attacks.py renders the widest words allowed.
COVER_EM = 8.5
SIGNATURE_EM = 16.0
TEXT_EM = 24.0
# Where a line may break inside a run without spaces: after a hyphen or a dash.
_RUN = re.compile(r"[^\s\-\u2010\u2013\u2014]+[\-\u2010\u2013\u2014]?")


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, int], float]:
    from fontTools.ttLib import TTFont  # here: a build with nothing changed validates nothing and never needs it

    with TTFont(FONT_DIR / "SourceSansPro-Bold.ttf", lazy=True) as font:  # closed: see contract/interrupts.py
        metrics, cmap = font["hmtx"], font.getBestCmap()
        return {code: metrics[glyph][0] for code, glyph in cmap.items()}, float(font["head"].unitsPerEm)


@lru_cache(maxsize=1)
def _widest_em() -> float:
    """Return the widest character's width in em (a missing glyph counts 1 em): no run of n is wider than n times it."""
    advances, units = _advances()
    return max(max(advances.values()), units) / units


def width_em(run: str) -> float:
    """Return the width of a run of characters in em, set in the bold weight (a missing glyph counts 1 em)."""
    advances, units = _advances()
    return sum(advances.get(ord(char), units) for char in run) / units


def check(contract: Contract, report: Report) -> None:
    """Record an error for every text with a word that no line of the PDF can hold."""
    for text, limit in _texts(contract):
        for _, source, pos in text.written():
            if source and pos is not None:
                _check(inline.plain(inline.parse(source), {}, {}), limit, pos, report)
    for party in contract.parties:
        if party.signatory.name and party.pos is not None:
            _check(party.signatory.name, SIGNATURE_EM, party.pos, report)


def _texts(contract: Contract) -> Iterator[tuple[Text, float]]:
    narrow = {id(p.name): SIGNATURE_EM for p in contract.parties}
    narrow |= {id(p.signatory.role): SIGNATURE_EM for p in contract.parties if p.signatory.role}
    narrow[id(contract.meta.title)] = COVER_EM
    for text in contract.texts():
        yield text, narrow.get(id(text), TEXT_EM)


def _check(plain: str, limit: float, pos: Pos, report: Report) -> None:
    shortest = limit / _widest_em()  # a run this short fits whatever its characters: no need to measure it
    for run in _RUN.findall(plain):
        if len(run) > shortest and width_em(run) > limit:
            hint = "put spaces or hyphens in it, or shorten it; a long address belongs in a link: [text](https://…)"
            message = f"the word {excerpt(run)} is too long for a line of the PDF, which cannot break it"
            report.error(pos, message, hint, "long-word")
            return
