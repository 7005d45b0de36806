"""Section numbers derived from order, explicit pins, and footnote numbers."""

from __future__ import annotations

from dataclasses import replace

from .. import inline
from ..errors import Report
from ..model import Pos, Section


def number(sections: list[Section], report: Report) -> tuple[Section, ...]:
    """Number sections by position (honouring pins), then footnotes by first reference."""
    numbered = _number_level(sections, "", report)
    return _number_footnotes(numbered)


def _number_level(sections: list[Section] | tuple[Section, ...], prefix: str, report: Report) -> tuple[Section, ...]:
    out: list[Section] = []
    last = 0
    for section in sections:
        expected = last + 1
        current = _pinned_component(section, prefix, expected, report) if section.pinned else expected
        if current > expected and not section.gap_reason:
            report.warning(
                _where(section),
                f"section number {prefix}{current} leaves a gap: {prefix}{expected} is missing",
                "remove the pin to number it by position, or give 'gap_reason' when the signed original has the gap",
                "numbering-gap",
            )
        last = current
        full = f"{prefix}{current}"
        out.append(replace(section, number=full, children=_number_level(section.children, full + ".", report)))
    return tuple(out)


def _where(section: Section) -> Pos:
    """Return where to report a section's number: its source position, or its id when built in code."""
    return section.pos or Pos(section.id)


def _pinned_component(section: Section, prefix: str, expected: int, report: Report) -> int:
    pin = section.number
    head, _, tail = pin.rpartition(".")
    if (head + "." if head else "") != prefix:
        report.error(
            _where(section),
            f"pinned number {pin!r} does not fit its place: sections here are numbered {prefix}N",
            f"write {prefix}{expected} or remove the pin",
            "bad-pin",
        )
        return expected
    if int(tail) < expected:
        report.error(
            _where(section),
            f"pinned number {pin!r} is lower than {prefix}{expected}, the next number in order",
            "numbers must increase; remove the pin or correct it",
            "bad-pin",
        )
        return expected
    return int(tail)


def _number_footnotes(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    order: dict[str, int] = {}
    for section in (s for top in sections for s in top.walk()):
        for text in (t.source for t in section.texts()):
            for node in inline.walk(inline.parse(text)):
                if isinstance(node, inline.FootnoteRef) and node.target not in order:
                    order[node.target] = len(order) + 1
    defined = [n.id for top in sections for s in top.walk() for n in s.footnotes]
    for fid in defined:
        order.setdefault(fid, len(order) + 1)
    return tuple(_apply_footnotes(s, order) for s in sections)


def _apply_footnotes(section: Section, order: dict[str, int]) -> Section:
    return replace(
        section,
        footnotes=tuple(replace(n, number=order[n.id]) for n in section.footnotes),
        children=tuple(_apply_footnotes(c, order) for c in section.children),
    )
