"""Render a ChangeSet: plain text, Markdown (pull-request comment), an HTML fragment (site), JSON.

Every contract text is escaped for its target; interface strings come from the label catalogues.
Insertions and deletions are marked with more than colour: <ins>/<del> (or {+ +}/[- -] in text)
with visually hidden words for screen readers in HTML.
"""

from __future__ import annotations

import html
import re

from .. import inline
from ..diff.changeset import KINDS, BlockChange, ChangeSet, FieldChange, Redline, SectionChange, Segment
from . import labels
from . import markdown as md
from .labels import label

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


def title(change: SectionChange, lang: str) -> str:
    """Return a section's title as a reader of this language sees it (new, else old)."""
    if not change.title:
        return label(lang, change.id) if change.id in ("preamble", "annex") else change.id
    line = change.title.get(lang) or next(iter(change.title.values()))
    return line.new_text() if change.new_id else line.old_text()


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
            out.append(label(lang, f"diff_flag_{flag.code}", section=flag.number or flag.target))
    for ref in change.references:
        target = cs.find(ref.target)
        name = title(target, lang) if target else ref.target
        out.append(label(lang, "diff_reference", title=name, old=ref.old, new=ref.new))
    return out


def _names(cs: ChangeSet, ids: tuple[str, ...], lang: str, old: bool = False) -> str:
    names = []
    for sid in ids:
        change = cs.find(sid)
        num = (change.old_number if old else change.new_number) if change else ""
        names.append(f"{num} {title(change, lang)}".strip() if change else sid)
    return ", ".join(names)


def stand_in(change: SectionChange, lang: str) -> bool:
    """Return whether a translation's reader sees the source anywhere in this section's redline."""
    lines = [change.title.get(lang), *(b.redline(lang) for b in change.blocks)]
    return any(line.stand_in for line in lines if line is not None)


def count_line(cs: ChangeSet, lang: str) -> list[tuple[str, int]]:
    """Return (kind, count) for every kind that occurs, then the unchanged sections."""
    counts = cs.counts()
    rows = [(label(lang, k), counts[k]) for k in KINDS if counts[k]]
    return rows + [(label(lang, "unchanged"), counts["unchanged"])]


def translation_notes(cs: ChangeSet, lang: str) -> list[str]:
    """Return sentences counting sections whose English translation came or went."""
    out = []
    for code, key in (
        ("translation_added", "diff_translations_added"),
        ("translation_removed", "diff_translations_removed"),
    ):
        count = sum(any(f.code == code for f in s.flags) for s in cs.sections)
        if count:
            out.append(label(lang, key, count=count))
    return out


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


# ---------------------------------------------------------------- text


def to_text(cs: ChangeSet, lang: str) -> str:
    """Render the change set as plain text; insertions as {+...+}, deletions as [-...-]."""
    head = label(lang, "redline_between", old=cs.old_label, new=cs.new_label)
    lines = [head, "=" * len(head), ""]
    if cs.empty:
        return "\n".join(lines + [label(lang, "diff_no_changes"), ""])
    counts = ", ".join(f"{name} {n}" for name, n in count_line(cs, lang))
    lines += [f"{label(lang, 'diff_summary')}: {counts}"] + translation_notes(cs, lang)
    lines += [f"{label(lang, 'diff_terms')}: {term(t, lang)}" for t in cs.terms if t.lang == lang]
    lines += _text_fields(cs, lang) + _text_places(cs, lang)
    sections = listed(cs, content_only=True)
    if sections:
        lines += ["", label(lang, "diff_sections"), ""]
        for change in sections:
            lines += _text_section(cs, change, lang) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def term(term, lang: str) -> str:
    """Return a term change as a sentence part: "Avtalet" -> "Kontraktet" (6 places)."""
    return label(lang, "diff_term", old=term.old, new=term.new, count=term.count)


def _text_fields(cs: ChangeSet, lang: str) -> list[str]:
    if not cs.fields:
        return []
    lines = ["", label(lang, "diff_fields")]
    for change in cs.fields:
        what, old, new = field_line(change, lang)
        lines.append(f"- {what}: {old} → {new}" if old or new else f"- {what}")
    return lines


def _text_places(cs: ChangeSet, lang: str) -> list[str]:
    rows = place_rows(cs, lang)
    if not rows:
        return []
    return ["", label(lang, "diff_numbers")] + [
        f"- {old or '–'} → {new or '–'}  {name}  ({what})" for what, old, new, name in rows
    ]


def _text_section(cs: ChangeSet, change: SectionChange, lang: str) -> list[str]:
    lines = [f"{number(change, lang)} {title(change, lang)}".strip() + f"  [{kinds(change, lang)}]"]
    lines += [f"  ! {note}" for note in notes(cs, change, lang)]
    if stand_in(change, lang):
        lines.append(f"  ! {label(lang, 'diff_stand_in')}")
    if "renamed" in change.kinds:
        lines.append(f"  {label(lang, 'diff_col_title')}: {_text_line(change.title[lang], lang)}")
    for block in shown_blocks(change, keep_equal=False):
        lines.append("  " + (_text_block(block, lang) if block else label(lang, "diff_unchanged_blocks")))
    return lines


def _text_block(block: BlockChange, lang: str) -> str:
    prefix = {"item": "- ", "footnote": f"[{block.label}] "}.get(block.kind, "")
    return prefix + _text_line(block.redline(lang), lang)


def _text_line(line: Redline, lang: str) -> str:
    out = []
    for op, segs in runs(line.segments):
        body = "".join(_text_segment(s, lang) for s in segs)
        out.append({"insert": f"{{+{body}+}}", "delete": f"[-{body}-]"}.get(op, body))
    return "".join(out)


def _text_segment(seg: Segment, lang: str) -> str:
    if seg.style == "fn":
        return f"[{seg.text}]"
    if seg.was:
        return f"{seg.text} ({label(lang, 'diff_was', number=seg.was)})"
    return seg.text


# ---------------------------------------------------------------- markdown


def to_markdown(cs: ChangeSet, lang: str) -> str:
    """Render the change set as a pull-request comment (GitHub Markdown; contract text escaped)."""
    lines = [f"## {md.escape(label(lang, 'redline_between', old=cs.old_label, new=cs.new_label))}", ""]
    if cs.empty:
        return "\n".join(lines + [md.escape(label(lang, "diff_no_changes")), ""])
    counts = " · ".join(f"{md.escape(name)} {n}" for name, n in count_line(cs, lang))
    lines += [f"**{md.escape(label(lang, 'diff_summary'))}:** {counts}", ""]
    lines += [md.escape(note) + "\n" for note in translation_notes(cs, lang)]
    terms = [md.escape(term(t, lang)) for t in cs.terms if t.lang == lang]
    if terms:
        lines += [f"**{md.escape(label(lang, 'diff_terms'))}:** " + "; ".join(terms), ""]
    lines += _md_fields(cs, lang) + _md_places(cs, lang)
    sections = listed(cs, content_only=True)
    if sections:
        lines += [f"### {md.escape(label(lang, 'diff_sections'))}", ""]
        for change in sections:
            lines += _md_section(cs, change, lang)
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_fields(cs: ChangeSet, lang: str) -> list[str]:
    if not cs.fields:
        return []
    lines = [f"**{md.escape(label(lang, 'diff_fields'))}**", ""]
    for change in cs.fields:
        what, old, new = field_line(change, lang)
        tail = f": <del>{md.escape(old)}</del> → <ins>{md.escape(new)}</ins>" if old or new else ""
        lines.append(f"- {md.escape(what)}{tail}")
    return lines + [""]


def _md_places(cs: ChangeSet, lang: str) -> list[str]:
    rows = place_rows(cs, lang)
    if not rows:
        return []
    cols = [md.escape(label(lang, k)) for k in ("diff_col_change", "diff_col_old", "diff_col_new", "diff_col_title")]
    lines = [f"### {md.escape(label(lang, 'diff_numbers'))}", "", "| " + " | ".join(cols) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(md.escape(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _md_section(cs: ChangeSet, change: SectionChange, lang: str) -> list[str]:
    lines = [f"#### {md.escape(f'{number(change, lang)} {title(change, lang)}'.strip())}", ""]
    lines += [f"*{md.escape(kinds(change, lang))}*", ""]
    extra = notes(cs, change, lang) + ([label(lang, "diff_stand_in")] if stand_in(change, lang) else [])
    lines += [f"> {md.escape(note)}" + ("  " if i < len(extra) - 1 else "") for i, note in enumerate(extra)]
    lines += [""] if extra else []
    if "renamed" in change.kinds:
        lines += [f"{md.escape(label(lang, 'diff_col_title'))}: {_md_line(change.title[lang], lang)}", ""]
    for block in shown_blocks(change, keep_equal=False):
        lines += [_md_block(block, lang) if block else md.escape(label(lang, "diff_unchanged_blocks")), ""]
    return lines


def _md_block(block: BlockChange, lang: str) -> str:
    prefix = {"item": "- ", "heading": "", "footnote": f"<sup>{md.escape(block.label)}</sup> "}.get(block.kind, "")
    body = md.line_start(_md_line(block.redline(lang), lang))
    return prefix + (f"**{body}**" if block.kind == "heading" else body)


def _quiet(text: str) -> str:
    """Keep GitHub from turning "@name" and "#123" in contract text into mentions and issue links."""
    return text.replace("@", "@\u200b").replace("#", "#\u200b")


def _md_line(line: Redline, lang: str) -> str:
    out = []
    for url, stretch in links(line.segments):
        body = "".join(_md_run(op, segs, lang) for op, segs in runs(stretch))
        out.append(md.link(body, url) if url else body)
    return "".join(out)


def _md_run(op: str, segs: list[Segment], lang: str) -> str:
    body = "".join(_md_segment(s, lang) for s in segs)
    return {"insert": f"<ins>{body}</ins>", "delete": f"<del>{body}</del>"}.get(op, body)


def _md_segment(seg: Segment, lang: str) -> str:
    text = _quiet(md.escape(seg.text))
    if seg.style == "emph" and seg.text.strip():
        return f"<em>{text}</em>"
    if seg.style == "fn":
        return f"<sup>{text}</sup>"
    if seg.was:
        return f"{text} <em>({md.escape(label(lang, 'diff_was', number=seg.was))})</em>"
    return text


# ---------------------------------------------------------------- html


def to_html(cs: ChangeSet, lang: str) -> str:
    """Render the change set as an HTML fragment for the site (all contract text escaped)."""
    e = _esc
    parts = [f'<section class="redline" lang="{lang}" aria-labelledby="redline-title">']
    parts.append(f'<h2 id="redline-title">{e(label(lang, "redline_between", old=cs.old_label, new=cs.new_label))}</h2>')
    if cs.empty:
        return "\n".join(parts + [f"<p>{e(label(lang, 'diff_no_changes'))}</p>", "</section>"]) + "\n"
    parts += _html_summary(cs, lang) + _html_fields(cs, lang)
    sections = listed(cs)
    parts += _html_list(sections, lang)
    parts.append(f'<h3 id="redline-sections">{e(label(lang, "diff_sections"))}</h3>')
    for change in sections:
        parts += _html_section(cs, change, lang)
    return "\n".join(parts + ["</section>"]) + "\n"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_summary(cs: ChangeSet, lang: str) -> list[str]:
    e = _esc
    items = "".join(f"<li>{e(name)}: {n}</li>" for name, n in count_line(cs, lang))
    parts = [
        f'<h3 id="redline-summary">{e(label(lang, "diff_summary"))}</h3>',
        f'<ul class="redline-counts">{items}</ul>',
    ]
    parts += [f'<p class="redline-note">{e(note)}</p>' for note in translation_notes(cs, lang)]
    terms = [t for t in cs.terms if t.lang == lang]
    if terms:
        parts.append(f"<p>{e(label(lang, 'diff_terms'))}:</p>")
        parts.append('<ul class="redline-terms">' + "".join(f"<li>{e(term(t, lang))}</li>" for t in terms) + "</ul>")
    return parts


def _html_fields(cs: ChangeSet, lang: str) -> list[str]:
    if not cs.fields:
        return []
    items = []
    for change in cs.fields:
        what, old, new = field_line(change, lang)
        tail = (
            f": {_html_mark('delete', _esc(old), lang)} → {_html_mark('insert', _esc(new), lang)}" if old or new else ""
        )
        items.append(f"<li>{_esc(what)}{tail}</li>")
    return [
        f'<h3 id="redline-fields">{_esc(label(lang, "diff_fields"))}</h3>',
        '<ul class="redline-fields">' + "".join(items) + "</ul>",
    ]


def _html_list(sections: list[SectionChange], lang: str) -> list[str]:
    e = _esc
    items = []
    for change in sections:
        name = f"{number(change, lang)} {title(change, lang)}".strip()
        items.append(f'<li><a href="#{e(_anchor(change))}">{e(name)}</a> — {e(kinds(change, lang))}</li>')
    return [
        '<nav class="redline-changes" aria-labelledby="redline-list">',
        f'<h3 id="redline-list">{e(label(lang, "diff_change_list"))}</h3>',
        "<ol>" + "".join(items) + "</ol>",
        "</nav>",
    ]


def _anchor(change: SectionChange) -> str:
    # A section that is gone keeps its old id; ids are never reused, so anchors stay unique.
    return change.id


def _html_section(cs: ChangeSet, change: SectionChange, lang: str) -> list[str]:
    e = _esc
    anchor = e(_anchor(change))
    name = f"{number(change, lang)} {title(change, lang)}".strip()
    parts = [f'<article class="redline-section" id="{anchor}" aria-labelledby="{anchor}-title">']
    parts.append(f'<h4 id="{anchor}-title">{e(name)}</h4>')
    parts.append(f'<p class="redline-kinds">{e(kinds(change, lang))}</p>')
    extra = notes(cs, change, lang) + ([label(lang, "diff_stand_in")] if stand_in(change, lang) else [])
    parts += [f'<p class="redline-note">{e(note)}</p>' for note in extra]
    if "renamed" in change.kinds:
        line = change.title[lang]
        parts.append(
            f'<p class="redline-title"{_lang_attr(line, lang)}>{e(label(lang, "diff_col_title"))}: {_html_line(line, lang)}</p>'
        )
    parts += _html_blocks(change, lang)
    return parts + ["</article>"]


def _lang_attr(line: Redline, lang: str) -> str:
    return f' lang="{line.stand_in}"' if line.stand_in else ""


def _html_blocks(change: SectionChange, lang: str) -> list[str]:
    """Render a section's blocks: all of a changed body, only the renumbered references otherwise."""
    parts: list[str] = []
    open_group = None
    for block in shown_blocks(change, keep_equal="modified" in change.kinds):
        group = block.group if block and block.kind == "item" else None
        if open_group is not None and group != open_group:
            parts.append("</ul>")
        if group is not None and group != open_group:
            parts.append('<ul class="redline-list-block">')
        open_group = group
        parts.append(
            _html_block(block, lang)
            if block
            else f'<p class="redline-skipped">{_esc(label(lang, "diff_unchanged_blocks"))}</p>'
        )
    return parts + (["</ul>"] if open_group is not None else [])


def _html_block(block: BlockChange, lang: str) -> str:
    line = block.redline(lang)
    body = _html_line(line, lang)
    attrs = f' class="redline-{block.status}"{_lang_attr(line, lang)}'
    if block.kind == "item":
        return f"<li{attrs}>{body}</li>"
    if block.kind == "heading":
        return f"<p{attrs}><strong>{body}</strong></p>"
    if block.kind == "footnote":
        return f"<p{attrs}><sup>{_esc(block.label)}</sup> {body}</p>"
    return f"<p{attrs}>{body}</p>"


def _html_line(line: Redline, lang: str) -> str:
    out = []
    for url, stretch in links(line.segments):
        body = "".join(
            _html_mark(op, "".join(_html_segment(s, lang) for s in segs), lang) for op, segs in runs(stretch)
        )
        out.append(f'<a href="{_esc(url)}">{body}</a>' if url else body)
    return "".join(out)


def _html_mark(op: str, body: str, lang: str) -> str:
    """Wrap a run in <ins>/<del> with hidden words that screen readers announce."""
    if op == "equal":
        return body
    tag, start, end = ("ins", "inserted", "inserted_end") if op == "insert" else ("del", "deleted", "deleted_end")
    # The cues are in the page's language even inside Swedish standing in for missing English.
    hide = (
        '<span class="visually-hidden">{}</span>'
        if lang == labels.source()
        else f'<span class="visually-hidden" lang="{lang}">{{}}</span>'
    )
    return f"<{tag}>{hide.format(_esc(label(lang, start)) + ': ')}{body}{hide.format(' (' + _esc(label(lang, end)) + ')')}</{tag}>"


def _html_segment(seg: Segment, lang: str) -> str:
    text = _esc(seg.text)
    if seg.style == "emph" and seg.text.strip():
        return f"<em>{text}</em>"
    if seg.style == "fn":
        return f"<sup>{text}</sup>"
    if seg.was:
        return f'{text}<span class="redline-was"> ({_esc(label(lang, "diff_was", number=seg.was))})</span>'
    return text


# ---------------------------------------------------------------- json


def to_json(cs: ChangeSet) -> dict:
    """Return the change set as the structure documented in schema/changeset.schema.json."""
    return {
        "format": FORMAT,
        "old": {"label": cs.old_label, "version": cs.old_version},
        "new": {"label": cs.new_label, "version": cs.new_version},
        "counts": cs.counts(),
        "terms": [{"lang": t.lang, "old": t.old, "new": t.new, "count": t.count} for t in cs.terms],
        "fields": [_json_field(f) for f in cs.fields],
        "sections": [_json_section(s) for s in cs.sections],
    }


def _json_field(change: FieldChange) -> dict:
    names = dict(change.names) if change.scope != "meta" else None
    return {"scope": change.scope, "field": change.field, "old": change.old, "new": change.new, "party": names}


def _json_section(change: SectionChange) -> dict:
    return {
        "id": change.id,
        "old_id": change.old_id,
        "new_id": change.new_id,
        "old_number": change.old_number,
        "new_number": change.new_number,
        "depth": change.depth,
        "numbered": change.numbered,
        "kinds": list(change.kinds),
        "match": change.match,
        "score": change.score,
        "split_from": list(change.split_from),
        "split_into": list(change.split_into),
        "merged_from": list(change.merged_from),
        "merged_into": list(change.merged_into),
        "references": [{"target": r.target, "old": r.old, "new": r.new} for r in change.references],
        "flags": [{"code": f.code, "target": f.target, "number": f.number} for f in change.flags],
        "title": {lang: _json_line(line) for lang, line in change.title.items()},
        "blocks": [_json_block(b) for b in change.blocks],
    }


def _json_block(block: BlockChange) -> dict:
    return {
        "kind": block.kind,
        "status": block.status,
        "group": block.group,
        "label": block.label,
        **{lang: _json_line(line) for lang, line in block.redlines.items()},
    }


def _json_line(line: Redline) -> dict:
    return {"stand_in": bool(line.stand_in), "segments": [_json_segment(s) for s in line.segments]}


def _json_segment(seg: Segment) -> dict:
    out = {"op": seg.op, "text": seg.text}
    for key in ("style", "url", "target", "was"):
        if getattr(seg, key):
            out[key] = getattr(seg, key)
    return out
