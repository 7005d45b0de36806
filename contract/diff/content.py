"""Compare the texts of one section across two versions: title, blocks, references, bilingual flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..inline import SECTION_NUMBER
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
    langs = sides[1].contract.languages
    title = _block(old_title, new_title, langs)
    blocks = tuple(_block(a, b, langs) for a, b in pairs)
    everything = [(old_title, new_title), *pairs]
    modified = any(b.status != "equal" for b in blocks)
    references = _references([title, *blocks])
    return Content(
        title=dict(title.redlines),
        blocks=blocks if modified or references else (),  # nothing to show in an unchanged body
        renamed=title.status != "equal",
        modified=modified,
        references=references,
        flags=_flags(everything, sides, langs),
        paired=tuple(a for a, b in pairs if a is not None and b is not None),
    )


def _block(a: Unit | None, b: Unit | None, langs: tuple[str, ...]) -> BlockChange:
    """Compare two versions of one block (either may be missing), in every language."""
    source, translations = langs[0], langs[1:]
    if a is None:
        if b is None:
            return BlockChange("title", "equal", {lang: Redline() for lang in langs})
        lines = {source: words.inserted(b.source)} | {lang: _whole(b, lang, words.inserted) for lang in translations}
        return BlockChange(b.kind, "inserted", lines, b.group, b.label)
    if b is None:
        lines = {source: words.deleted(a.source)} | {lang: _whole(a, lang, words.deleted) for lang in translations}
        return BlockChange(a.kind, "deleted", lines, a.group, a.label)
    ours = words.redline(a.source, b.source)
    changed = ours.changed or any(_translation_changed(a, b, lang) for lang in translations)
    lines = {source: ours} | {lang: _translated(a, b, ours, lang) for lang in translations}
    return BlockChange(b.kind, "modified" if changed else "equal", lines, b.group, b.label)


def _whole(unit: Unit, lang: str, make: Callable[[tuple[Token, ...]], Redline]) -> Redline:
    tokens, stand_in = unit.shown(lang)
    return replace(make(tokens), stand_in=unit.text.lang if stand_in else "")


def _translated(a: Unit, b: Unit, source: Redline, lang: str) -> Redline:
    """Return the redline a reader of a translation sees: of the translation, or of the source standing in."""
    a_tokens, a_in = a.shown(lang)
    b_tokens, b_in = b.shown(lang)
    if b_in:
        return replace(source, stand_in=b.text.lang)  # the reader sees the source, so show the source's changes
    if not a_in:
        return words.redline(a_tokens, b_tokens)
    return words.same(b_tokens)  # a translation arrived: not an edit (flagged translation_added)


def _translation_changed(a: Unit, b: Unit, lang: str) -> bool:
    return a.tokens(lang) is not None and b.tokens(lang) is not None and a.keys(lang) != b.keys(lang)


def _references(blocks: list[BlockChange]) -> tuple[RefUpdate, ...]:
    found: dict[str, RefUpdate] = {}
    for block in blocks:
        for redline in block.redlines.values():
            for seg in redline.segments:
                # Only a reference keeps its old number, and a reference always has a target.
                if seg.was is not None and seg.target is not None and seg.target not in found:
                    found[seg.target] = RefUpdate(seg.target, seg.was, seg.text)
    return tuple(found.values())


def _flags(pairs: list[Pair], sides: tuple[Side, Side], langs: tuple[str, ...]) -> tuple[Flag, ...]:
    """Return the translation and reference flags of a section, each code once, in a fixed order."""
    codes: list[Flag] = []
    for a, b in pairs:
        if a is not None and b is not None:  # each translation language drifts (or comes and goes) on its own
            codes += [Flag(code, lang=lang, source=langs[0]) for lang in langs[1:] for code in _bilingual(a, b, lang)]
        if b is not None:
            codes += _dangling(b, sides)
    order = ("sv_only", "en_only", "translation_added", "translation_removed", "dangling_ref")
    unique = {(f.code, f.lang, f.target): f for f in codes}
    return tuple(
        sorted(unique.values(), key=lambda f: (order.index(f.code), langs.index(f.lang or langs[0]), f.target))
    )


def _bilingual(a: Unit, b: Unit, lang: str) -> list[str]:
    """Return the flags of one translation language: source or translation changed alone, translation added/removed."""
    sv_changed = a.keys(a.text.lang) != b.keys(b.text.lang)
    if a.tokens(lang) is None or b.tokens(lang) is None:
        if a.tokens(lang) is None and b.tokens(lang) is not None:
            return ["translation_added"]
        return ["translation_removed"] if b.tokens(lang) is None and a.tokens(lang) is not None else []
    en_changed = a.keys(lang) != b.keys(lang)
    if sv_changed and not en_changed:
        return ["sv_only"]
    return ["en_only"] if en_changed and not sv_changed else []


def _dangling(unit: Unit, sides: tuple[Side, Side]) -> list[Flag]:
    """Flag references to section ids the new version does not have."""
    old, new = sides
    flags = []
    for token in (*unit.source, *(t for lang in unit.text.languages for t in unit.tokens(lang) or ())):
        if token.kind != "ref" or token.target is None:  # every reference token has a target
            continue
        if not SECTION_NUMBER.match(token.target) and token.target not in new.numbers.shown:
            flags.append(Flag("dangling_ref", token.target, old.numbers.shown.get(token.target, "")))
    return flags
