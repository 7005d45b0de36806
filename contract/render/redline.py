"""What a redline shows of each change, in any format: titles, numbers, kinds, notes, counts, runs of words.

The formats are redline_text (text, Markdown), redline_html (the site's fragment), redline_json and redline_pdf.
Insertions and deletions are marked with more than colour; every contract text is escaped for its target.
"""

from __future__ import annotations

import re

from .. import inline
from ..diff.changeset import KINDS, BlockChange, ChangeSet, FieldChange, Flag, SectionChange, Segment
from . import labels
from .labels import label, language_in

FORMAT = "klimatkontrakt-changeset/1"
PLACE_KINDS = ("renumbered", "moved", "renamed")  # listed in the table of old and new numbers
REVIEW_FLAGS = ("sv_only", "en_only", "dangling_ref")  # shown with the section; translation flags are counted
# Styles the HTML needs besides the site's own: hidden words for screen readers, marks not by colour alone.
CSS = """\
.redline .visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.redline ins{text-decoration:underline;text-decoration-thickness:2px}
.redline del{text-decoration:line-through}
"""


# ---------------------------------------------------------------- shared views


def title(change: SectionChange, lang: str, old: bool = False) -> str:
    """Return a section's title as a reader of this language sees it (new, else old; old only when asked)."""
    if not change.title:
        return label(lang, change.id) if change.id in ("preamble", "annex") else change.id
    line = change.title.get(lang) or next(iter(change.title.values()))
    return line.new_text() if change.new_id and not old else line.old_text()


def title_language(change: SectionChange, lang: str) -> str:
    """Return the language a section's title is shown in when it stands in for this one ("" when it is this one's)."""
    if not change.title:
        return ""
    line = change.title.get(lang)
    if line is None:
        shown = next(iter(change.title))
        return shown if shown != lang else ""
    return line.stand_in


def number(change: SectionChange, lang: str) -> str:
    """Return the number to show: both numbers when it changed ("4.2 (was 4.1)")."""
    if change.old_number and change.new_number and change.old_number != change.new_number:
        return f"{change.new_number} ({label(lang, 'diff_was', number=change.old_number)})"
    return change.number()


def kinds(change: SectionChange, lang: str) -> str:
    """Return the section's kinds of change as words, e.g. "moved, modified"."""
    return ", ".join(label(lang, k) for k in change.kinds) or label(lang, "unchanged")


def notes(cs: ChangeSet, change: SectionChange, lang: str) -> list[str]:
    """Return the sentences a reviewer needs beside a section: links, flags, consequential references."""
    out = []
    if change.split_from:
        out.append(label(lang, "diff_split_from", section=_names(cs, change.split_from, lang, old=True)))
    if change.split_into:
        out.append(label(lang, "diff_split_into", sections=_names(cs, change.split_into, lang)))
    if change.merged_from:
        out.append(label(lang, "diff_merged_from", sections=_names(cs, change.merged_from, lang, old=True)))
    if change.merged_into:
        out.append(label(lang, "diff_merged_into", section=_names(cs, change.merged_into, lang)))
    for flag in change.flags:
        if flag.code in REVIEW_FLAGS:
            out.append(
                label(lang, f"diff_flag_{flag.code}", section=flag.number or flag.target, **_languages(flag, lang))
            )
    for ref in change.references:
        target = cs.find(ref.target)
        name = title(target, lang) if target else ref.target
        out.append(label(lang, "diff_reference", title=name, old=ref.old, new=ref.new))
    return out


def _names(cs: ChangeSet, ids: tuple[str, ...], lang: str, old: bool = False) -> str:
    """Return the sections of ids by number and title, as the old version had them when old, else the new one."""
    names = []
    for sid in ids:
        # An id can be reused: look for it on the side it names, and show that side's number and title together.
        change = next((s for s in cs.sections if sid == (s.old_id if old else s.new_id)), None) or cs.find(sid)
        num = (change.old_number if old else change.new_number) if change else ""
        names.append(f"{num} {title(change, lang, old)}".strip() if change else sid)
    return ", ".join(names)


def all_notes(cs: ChangeSet, change: SectionChange, lang: str) -> list[str]:
    """Return notes() and, where a translation's reader sees the source in this section, the note naming it."""
    lines = [change.title.get(lang), *(b.redline(lang) for b in change.blocks)]
    source = next((line.stand_in for line in lines if line is not None and line.stand_in), None)
    stand_in = [label(lang, "diff_stand_in", source=language_in(source, lang))] if source else []
    return notes(cs, change, lang) + stand_in


def count_line(cs: ChangeSet, lang: str) -> list[tuple[str, int]]:
    """Return (kind, count) for every kind that occurs, then the unchanged sections."""
    counts = cs.counts()
    rows = [(label(lang, k), counts[k]) for k in KINDS if counts[k]]
    return rows + [(label(lang, "unchanged"), counts["unchanged"])]


def translation_notes(cs: ChangeSet, lang: str) -> list[str]:
    """Return sentences counting, per translation language, the sections whose translation came or went."""
    out = []
    for code, key in (
        ("translation_added", "diff_translations_added"),
        ("translation_removed", "diff_translations_removed"),
    ):
        by_lang: dict[str, list[Flag]] = {}  # each section once per translation language
        for section in cs.sections:
            for flag in {f.lang: f for f in section.flags if f.code == code}.values():
                by_lang.setdefault(flag.lang, []).append(flag)
        out += [label(lang, key, count=len(found), **_languages(found[0], lang)) for found in by_lang.values()]
    return out


def _languages(flag: Flag, lang: str) -> dict[str, str]:
    """Return a translation flag's source and translation language, named in the reader's language."""
    return {"source": language_in(flag.source, lang), "translation": language_in(flag.lang, lang)} if flag.lang else {}


def place_rows(cs: ChangeSet, lang: str) -> list[tuple[str, str, str, str]]:
    """Return (kinds, old number, new number, title) for renumbered, moved and renamed sections."""
    rows = []
    for change in cs.sections:
        shown = [k for k in change.kinds if k in PLACE_KINDS]
        if shown and change.numbered:
            names = ", ".join(label(lang, k) for k in shown)
            rows.append((names, change.old_number or "", change.new_number or "", title(change, lang)))
    return rows


def field_line(change: FieldChange, lang: str) -> tuple[str, str, str]:
    """Return (what, old, new) for a changed field, in words."""
    scope = label(lang, "diff_scope_meta") if change.scope == "meta" else change.names.get(lang, "")
    if change.field == "party":
        what = label(lang, "diff_party_added" if change.old is None else "diff_party_removed")
        return f"{scope}: {what}", "", ""
    name, _, code = change.field.rpartition(".")
    if not re.fullmatch("[a-z]{2,3}", code):
        name, code = change.field, ""
    text = label(lang, "diff_field_" + name.replace(".", "_"))
    suffix = f" ({labels.language(code, lang)})" if code else ""
    return f"{scope}: {text}{suffix}", _value(change.field, change.old, lang), _value(change.field, change.new, lang)


def _value(field: str, value: str | None, lang: str) -> str:
    """Return a field value as a reader of the language writes it (dates, status words)."""
    if value is None:
        return label(lang, "missing_value")
    if field == "status" and value in ("signed", "draft"):
        return label(lang, f"status_{value}")
    return labels.date(value, lang) if field == "signed_on" else value


def listed(cs: ChangeSet, content_only: bool = False) -> list[SectionChange]:
    """Return the sections to show; content_only leaves out those only renumbered or moved."""
    out = []
    for change in cs.sections:
        review = any(f.code in REVIEW_FLAGS for f in change.flags) or change.references
        content = [k for k in change.kinds if k not in ("renumbered", "moved")]
        if content or review or (change.kinds and not content_only):
            out.append(change)
    return out


def links(segments: tuple[Segment, ...]) -> list[tuple[str | None, tuple[Segment, ...]]]:
    """Split segments into stretches of one link target (None outside links), so a link stays whole."""
    out: list[tuple[str | None, list[Segment]]] = []
    for seg in segments:
        url = seg.url if seg.style == "link" and seg.url and inline.SAFE_URL.match(seg.url) else None
        if out and out[-1][0] == url:
            out[-1][1].append(seg)
        else:
            out.append((url, [seg]))
    return [(url, tuple(segs)) for url, segs in out]


def runs(segments: tuple[Segment, ...]) -> list[tuple[str, list[Segment]]]:
    """Group segments into runs of one operation (a run may mix styles)."""
    out: list[tuple[str, list[Segment]]] = []
    for seg in segments:
        if out and out[-1][0] == seg.op:
            out[-1][1].append(seg)
        else:
            out.append((seg.op, [seg]))
    return out


def shown_blocks(change: SectionChange, keep_equal: bool) -> list[BlockChange | None]:
    """Return the blocks to show; None marks skipped unchanged blocks when keep_equal is False."""
    out: list[BlockChange | None] = []
    for block in change.blocks:
        if keep_equal or block.status != "equal" or _has_was(block):
            out.append(block)
        elif out[-1:] != [None]:
            out.append(None)
    return out


def _has_was(block: BlockChange) -> bool:
    return any(s.was for s in block.source.segments)


def term(term, lang: str) -> str:
    """Return a term change as a sentence part: "Avtalet" -> "Kontraktet" (6 places)."""
    return label(lang, "diff_term", old=term.old, new=term.new, count=term.count)
