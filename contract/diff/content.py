"""Compare the texts of one section across two versions: title, blocks, references, bilingual flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..inline import SECTION_NUMBER
from ..model import LANGS
from . import words
from .align import align
from .changeset import BlockChange, Flag, Redline, RefUpdate
from .tokens import Token
from .units import Side, Unit

Pair = tuple[Unit | None, Unit | None]  # a block in two versions; None where it has no partner


@dataclass(frozen=True)
class Content:
    """The compared texts of a section and what the comparison found."""

    title: dict[str, Redline]  # lang -> redline of the title
    blocks: tuple[BlockChange, ...]
    renamed: bool
    modified: bool
    references: tuple[RefUpdate, ...]
    flags: tuple[Flag, ...]
    paired: tuple[Unit, ...]  # the old units that found a partner


def compare(
    old_title: Unit | None,
    new_title: Unit | None,
    old: list[Unit],
    new: list[Unit],
    sides: tuple[Side, Side],
    keep_deleted: bool = True,
) -> Content:
    """Compare a section's title and body units; deleted blocks are left out when keep_deleted is False.

    A body whose texts are plainly the same (same source, no references) gets no blocks at all:
    there is nothing to show, and most sections of a year's revision are like that.
    """
    untouched = len(old) == len(new) and all(a.plainly_same(b) for a, b in zip(old, new))
    pairs: list[Pair] = [] if untouched else [p for p in align(old, new) if keep_deleted or p[1] is not None]
    title = _block(old_title, new_title)
    blocks = tuple(_block(a, b) for a, b in pairs)
    everything = [(old_title, new_title), *pairs]
    modified = any(b.status != "equal" for b in blocks)
    references = _references([title, *blocks])
    return Content(
        title={lang: getattr(title, lang) for lang in LANGS},
        blocks=blocks if modified or references else (),  # nothing to show in an unchanged body
        renamed=title.status != "equal",
        modified=modified,
        references=references,
        flags=_flags(everything, sides),
        paired=tuple(a for a, b in pairs if a is not None and b is not None),
    )


def _block(a: Unit | None, b: Unit | None) -> BlockChange:
    """Compare two versions of one block (either may be missing)."""
    if a is None:
        if b is None:
            return BlockChange("title", "equal", Redline(), Redline())
        return BlockChange(b.kind, "inserted", words.inserted(b.sv), _whole(b, words.inserted), b.group, b.label)
    if b is None:
        return BlockChange(a.kind, "deleted", words.deleted(a.sv), _whole(a, words.deleted), a.group, a.label)
    sv = words.redline(a.sv, b.sv)
    changed = sv.changed or _en_changed(a, b)
    return BlockChange(b.kind, "modified" if changed else "equal", sv, _english(a, b, sv), b.group, b.label)


def _whole(unit: Unit, make: Callable[[tuple[Token, ...]], Redline]) -> Redline:
    tokens, stand_in = unit.shown("en")
    return replace(make(tokens), stand_in=stand_in)


def _english(a: Unit, b: Unit, sv: Redline) -> Redline:
    """Return the redline an English reader sees: of the English, or of the Swedish stand-in."""
    a_tokens, a_in = a.shown("en")
    b_tokens, b_in = b.shown("en")
    if b_in:
        return replace(sv, stand_in=True)  # the reader sees the Swedish, so show the Swedish changes
    if not a_in:
        return words.redline(a_tokens, b_tokens)
    return words.same(b_tokens)  # a translation arrived: not an edit (flagged translation_added)


def _en_changed(a: Unit, b: Unit) -> bool:
    return a.en is not None and b.en is not None and a.keys("en") != b.keys("en")


def _references(blocks: list[BlockChange]) -> tuple[RefUpdate, ...]:
    found: dict[str, RefUpdate] = {}
    for block in blocks:
        for redline in (block.sv, block.en):
            for seg in redline.segments:
                # Only a reference keeps its old number, and a reference always has a target.
                if seg.was is not None and seg.target is not None and seg.target not in found:
                    found[seg.target] = RefUpdate(seg.target, seg.was, seg.text)
    return tuple(found.values())


def _flags(pairs: list[Pair], sides: tuple[Side, Side]) -> tuple[Flag, ...]:
    """Return the bilingual and reference flags of a section, each code once, in a fixed order."""
    codes: list[Flag] = []
    for a, b in pairs:
        if a is not None and b is not None:
            codes += [Flag(code) for code in _bilingual(a, b)]
        if b is not None:
            codes += _dangling(b, sides)
    order = ("sv_only", "en_only", "translation_added", "translation_removed", "dangling_ref")
    unique = {(f.code, f.target): f for f in codes}
    return tuple(sorted(unique.values(), key=lambda f: (order.index(f.code), f.target)))


def _bilingual(a: Unit, b: Unit) -> list[str]:
    sv_changed = a.keys("sv") != b.keys("sv")
    if a.en is None or b.en is None:
        if a.en is None and b.en is not None:
            return ["translation_added"]
        return ["translation_removed"] if b.en is None and a.en is not None else []
    en_changed = a.keys("en") != b.keys("en")
    if sv_changed and not en_changed:
        return ["sv_only"]
    return ["en_only"] if en_changed and not sv_changed else []


def _dangling(unit: Unit, sides: tuple[Side, Side]) -> list[Flag]:
    """Flag references to section ids the new version does not have."""
    old, new = sides
    flags = []
    for token in (*unit.sv, *(unit.en or ())):
        if token.kind != "ref" or token.target is None:  # every reference token has a target
            continue
        if not SECTION_NUMBER.match(token.target) and token.target not in new.numbers.shown:
            flags.append(Flag("dangling_ref", token.target, old.numbers.shown.get(token.target, "")))
    return flags
