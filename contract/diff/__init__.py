"""Compare two contract versions (loaded models, never rendered text) into a ChangeSet.

Stages: match sections (stable id, then the similarity fallback), tell moves from renumbering,
compare each section's texts word by word in both languages, compare metadata and parties as fields,
and name repeated term replacements once.
"""

from __future__ import annotations

from ..model import Contract
from . import content, fields, terms
from .changeset import (
    KINDS,
    BlockChange,
    ChangeSet,
    FieldChange,
    Flag,
    Redline,
    RefUpdate,
    SectionChange,
    Segment,
    TermChange,
)
from .match import match
from .moves import moved
from .sections import Builder
from .units import Side

__all__ = [
    "compare",
    "KINDS",
    "BlockChange",
    "ChangeSet",
    "FieldChange",
    "Flag",
    "Redline",
    "RefUpdate",
    "SectionChange",
    "Segment",
    "TermChange",
]


def compare(old: Contract, new: Contract, old_label: str | None = None, new_label: str | None = None) -> ChangeSet:
    """Return everything that changed from old to new; labels name the inputs (default: their versions)."""
    matching = match(old, new)
    old_to_new = matching.old_to_new()
    numbers = {s.id: s.number for s in new.walk()}
    # Old references compare by their target's new number, so renumbering alone is no edit.
    sides = (Side(old, {o: numbers[n] for o, n in old_to_new.items()}), Side(new))
    builder = Builder(sides, matching, moved(old, new, old_to_new))
    sections = (*_preamble(sides), *builder.sections(), *_annex(sides))
    return ChangeSet(
        old_label=old_label or old.meta.version,
        new_label=new_label or new.meta.version,
        old_version=old.meta.version,
        new_version=new.meta.version,
        sections=sections,
        fields=fields.compare(old, new),
        terms=terms.find(sections),
    )


def _preamble(sides: tuple[Side, Side]) -> tuple[SectionChange, ...]:
    old, new = sides
    if not old.contract.preamble and not new.contract.preamble:
        return ()
    found = content.compare(None, None, old.blocks(old.contract.preamble), new.blocks(new.contract.preamble), sides)
    return (_part("preamble", found),)


def _annex(sides: tuple[Side, Side]) -> tuple[SectionChange, ...]:
    old, new = sides
    a, b = old.contract.annex, new.contract.annex
    if a is None and b is None:
        return ()
    old_title = old.unit("title", a.title) if a else None
    new_title = new.unit("title", b.title) if b else None
    found = content.compare(old_title, new_title, old.annex(a), new.annex(b), sides)
    return (_part("annex", found, (a is not None, b is not None)),)


def _part(name: str, found: content.Content, present: tuple[bool, bool] = (True, True)) -> SectionChange:
    """Return the record of an unnumbered part (preamble, annex)."""
    kinds: tuple[str, ...]
    if present != (True, True):
        kinds = ("added",) if present[1] else ("removed",)
    else:
        kinds = ("renamed",) * found.renamed + ("modified",) * found.modified
    title = found.title if any(r.segments for r in found.title.values()) else {}
    old_id, new_id = (name if present[0] else None), (name if present[1] else None)
    return SectionChange(
        id=name,
        old_id=old_id,
        new_id=new_id,
        old_number=None,
        new_number=None,
        depth=1,
        kinds=kinds,
        title=title,
        blocks=found.blocks,
        references=found.references,
        flags=found.flags,
        numbered=False,
    )
