"""A ChangeSet as plain text ({+ +}/[- -]) and as Markdown for a pull-request comment."""

from __future__ import annotations

from ..diff.changeset import BlockChange, ChangeSet, Redline, SectionChange, Segment
from . import markdown as md
from .labels import label
from .redline import (
    all_notes,
    count_line,
    field_line,
    kinds,
    links,
    listed,
    number,
    place_rows,
    runs,
    shown_blocks,
    term,
    title,
    translation_notes,
)


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
    lines += [f"  ! {note}" for note in all_notes(cs, change, lang)]
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
    extra = all_notes(cs, change, lang)
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
