"""A ChangeSet as an HTML fragment: <ins>/<del> with visually hidden words for screen readers."""

from __future__ import annotations

import html
import re

from ..diff.changeset import BlockChange, ChangeSet, FieldChange, Redline, SectionChange, Segment
from . import labels
from .labels import label
from .redline import (
    all_notes,
    count_line,
    field_line,
    kinds,
    links,
    listed,
    number,
    runs,
    shown_blocks,
    term,
    title,
    title_language,
    translation_notes,
)


def to_html(cs: ChangeSet, lang: str) -> str:
    """Render the change set as an HTML fragment for the site (all contract text escaped)."""
    e = esc
    parts = [f'<section class="redline" lang="{lang}" aria-labelledby="redline-title">']
    parts.append(f'<h2 id="redline-title">{e(label(lang, "redline_between", old=cs.old_label, new=cs.new_label))}</h2>')
    if cs.empty:
        return "\n".join(parts + [f"<p>{e(label(lang, 'diff_no_changes'))}</p>", "</section>"]) + "\n"
    parts += html_summary(cs, lang) + html_fields(cs, lang)
    sections = listed(cs)
    parts += _html_list(sections, lang)
    parts.append(f'<h3 id="redline-sections">{e(label(lang, "diff_sections"))}</h3>')
    for change in sections:
        parts += _html_section(cs, change, lang)
    return "\n".join(parts + ["</section>"]) + "\n"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def html_summary(cs: ChangeSet, lang: str) -> list[str]:
    e = esc
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


def html_fields(cs: ChangeSet, lang: str) -> list[str]:
    if not cs.fields:
        return []
    items = []
    for change in cs.fields:
        what, old, new = field_line(change, lang)
        # A text field of one language ("name.sv") holds that language's words, whatever the page's.
        field, _, code = change.field.rpartition(".")
        code = code if field and re.fullmatch("[a-z]{2,3}", code) and code != lang else ""
        shown = f": {_html_mark('delete', _in(old, code), lang)} → {_html_mark('insert', _in(new, code), lang)}"
        tail = shown if old or new else ""
        items.append(f"<li>{_field_what(change, what, lang)}{tail}</li>")
    return [
        f'<h3 id="redline-fields">{esc(label(lang, "diff_fields"))}</h3>',
        '<ul class="redline-fields">' + "".join(items) + "</ul>",
    ]


def name_html(change: SectionChange, lang: str, shown_number: str | None = None) -> str:
    """Return a section's number (shown_number, else both when it changed) and title as HTML, the title marked with
    its language where it stands in."""
    shown, stand_in = esc(title(change, lang)), title_language(change, lang)
    shown = f'<span lang="{stand_in}">{shown}</span>' if stand_in and shown else shown
    return f"{esc(number(change, lang) if shown_number is None else shown_number)} {shown}".strip()


def _in(value: str, code: str) -> str:
    """Return a value as HTML, marked with its language when that is not the page's (code, else "")."""
    return f'<span lang="{code}">{esc(value)}</span>' if code and value else esc(value)


def _field_what(change: FieldChange, what: str, lang: str) -> str:
    """Return what changed as HTML: a party's name marked with its language where it stands in for this one."""
    name, stand_in = change.names.get(lang, ""), change.stand_ins.get(lang, "")
    if not (stand_in and name and what.startswith(name)):
        return esc(what)
    return f'<span lang="{stand_in}">{esc(name)}</span>{esc(what[len(name) :])}'


def _html_list(sections: list[SectionChange], lang: str) -> list[str]:
    e = esc
    items = []
    for change in sections:
        items.append(
            f'<li><a href="#{e(_anchor(change))}">{name_html(change, lang)}</a> — {e(kinds(change, lang))}</li>'
        )
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
    e = esc
    anchor = e(_anchor(change))
    parts = [f'<article class="redline-section" id="{anchor}" aria-labelledby="{anchor}-title">']
    parts.append(f'<h4 id="{anchor}-title">{name_html(change, lang)}</h4>')
    parts.append(f'<p class="redline-kinds">{e(kinds(change, lang))}</p>')
    extra = all_notes(cs, change, lang)
    parts += [f'<p class="redline-note">{e(note)}</p>' for note in extra]
    if "renamed" in change.kinds:
        line = change.title[lang]
        parts.append(
            f'<p class="redline-title"{lang_attr(line, lang)}>{e(label(lang, "diff_col_title"))}: {html_line(line, lang)}</p>'
        )
    parts += html_blocks(change, lang)
    return parts + ["</article>"]


def lang_attr(line: Redline, lang: str) -> str:
    return f' lang="{line.stand_in}"' if line.stand_in else ""


def html_blocks(change: SectionChange, lang: str) -> list[str]:
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
            else f'<p class="redline-skipped">{esc(label(lang, "diff_unchanged_blocks"))}</p>'
        )
    return parts + (["</ul>"] if open_group is not None else [])


def _html_block(block: BlockChange, lang: str) -> str:
    line = block.redline(lang)
    body = html_line(line, lang)
    attrs = f' class="redline-{block.status}"{lang_attr(line, lang)}'
    if block.kind == "item":
        return f"<li{attrs}>{body}</li>"
    if block.kind == "heading":
        return f"<p{attrs}><strong>{body}</strong></p>"
    if block.kind == "footnote":
        return f"<p{attrs}><sup>{esc(block.label)}</sup> {body}</p>"
    return f"<p{attrs}>{body}</p>"


def html_line(line: Redline, lang: str) -> str:
    out = []
    for url, stretch in links(line.segments):
        body = "".join(
            _html_mark(op, "".join(_html_segment(s, lang) for s in segs), lang) for op, segs in runs(stretch)
        )
        out.append(f'<a href="{esc(url)}">{body}</a>' if url else body)
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
    return f"<{tag}>{hide.format(esc(label(lang, start)) + ': ')}{body}{hide.format(' (' + esc(label(lang, end)) + ')')}</{tag}>"


def _html_segment(seg: Segment, lang: str) -> str:
    text = esc(seg.text)
    if seg.style == "emph" and seg.text.strip():
        return f"<em>{text}</em>"
    if seg.style == "fn":
        return f"<sup>{text}</sup>"
    if seg.was:
        return f'{text}<span class="redline-was"> ({esc(label(lang, "diff_was", number=seg.was))})</span>'
    return text
