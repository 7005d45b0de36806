"""Typst source of the contract PDF: the model through our template, every text a Typst string.

Contract text can contain anything Typst reads as code or markup (#, $, *, _, <, @, \\, ], `).
So no contract text is ever written as markup: every literal becomes a Typst string literal
("..." with backslash and quote escaped), which Typst shows exactly as written. Only structure we
build ourselves from the parsed inline nodes (emphasis, links, footnotes, references) is code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2

from .. import inline
from ..model import BulletList, Contract, Footnote, Heading, Paragraph, Section, Text, block_texts
from ..resources import TEMPLATES
from ..source.provenance import Source
from . import labels
from .plain import Resolver

DOCUMENT_TEMPLATE = "contract.typ.j2"


class Code(str):
    """Typst code written by this module (never contract text)."""


NONE = Code("none")


def string(value: object) -> Code:
    """Return a Typst string literal that shows value exactly, whatever characters it holds."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return Code(f'"{text}"')


def _finalize(value: object) -> Code:
    """Pass our own code through; make every other template value a Typst string literal."""
    if value is None:
        return NONE
    return value if isinstance(value, Code) else string(value)


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    finalize=_finalize,
    autoescape=False,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass
class _Context:
    """What rendering one document needs: language, numbers, labels, footnotes already placed."""

    contract: Contract
    lang: str
    resolver: Resolver
    labels: dict[str, str] = field(default_factory=dict)  # section id -> Typst label name
    notes: dict[str, Footnote] = field(default_factory=dict)  # footnote id -> Footnote
    placed: set[str] = field(default_factory=set)  # footnote ids already set as footnotes
    in_note: bool = False

    @classmethod
    def of(cls, contract: Contract, lang: str) -> _Context:
        sections = {s.id: f"kk-sec-{i}" for i, s in enumerate(contract.walk(), 1)}
        notes = {n.id: n for n in contract.footnotes()}
        return cls(contract, lang, Resolver.of(contract), sections, notes)


# ---------------------------------------------------------------- inline text


def content(nodes: tuple, ctx: _Context) -> Code:
    """Return a Typst content block for parsed inline nodes."""
    return Code("[" + "".join(_node(node, ctx) for node in nodes) + "]")


def _node(node, ctx: _Context) -> str:
    if isinstance(node, inline.Literal):
        return "#" + string(node.text)
    if isinstance(node, inline.Ref):
        return _ref(node, ctx)
    if isinstance(node, inline.FootnoteRef):
        return _footnote(node, ctx)
    if isinstance(node, inline.Link):
        label = content(node.label, ctx)
        return f"#link({string(node.url)}){label}" if inline.SAFE_URL.match(node.url) else f"#{label}"
    return f"#emph{content(node.children, ctx)}"


def _ref(node: inline.Ref, ctx: _Context) -> str:
    number = string(ctx.resolver.numbers.get(node.target, node.target))
    target = ctx.labels.get(node.target)
    return f"#link(<{target}>)[#{number}]" if target else f"#{number}"


def _footnote(node: inline.FootnoteRef, ctx: _Context) -> str:
    note = ctx.notes.get(node.target)
    if note is None or ctx.in_note:  # the validator reports unknown notes; never nest footnotes
        return "#super(" + string(ctx.resolver.notes.get(node.target, "?")) + ")"
    label = f"kk-fn-{note.number}"
    if note.id in ctx.placed:
        return f"#footnote(<{label}>)"
    ctx.placed.add(note.id)
    ctx.in_note = True
    body = text(note.text, ctx)
    ctx.in_note = False
    # The model numbers footnotes; show its number rather than trusting Typst's counter.
    return f"#footnote(numbering: _ => {string(note.number)}, {body})<{label}>"


def text(value: Text, ctx: _Context) -> Code:
    """Return a content block for a text; the source standing in for a translation is marked with its language."""
    shown, stand_in = value.shown(ctx.lang)
    body = content(inline.parse(shown), ctx)
    return Code(f"text(lang: {string(value.lang)}, region: {region(value.lang)}){body}") if stand_in else body


def region(lang: str) -> Code:
    """Return a language's region as a Typst value (none when no region is likely)."""
    found = labels.region(lang)
    return Code(string(found) if found else "none")


def plain(value: Text, ctx: _Context) -> str:
    """Return a text as plain words (for metadata)."""
    shown, _ = value.shown(ctx.lang)
    return inline.plain(inline.parse(shown), ctx.resolver.numbers, ctx.resolver.notes)


# ---------------------------------------------------------------- blocks and sections


def blocks(items: tuple, level: int, ctx: _Context) -> list[str]:
    """Return Typst markup lines for body blocks; inner headings sit one level below the section."""
    out = []
    for block in items:
        if isinstance(block, Paragraph):
            out.append(f"#par({text(block.text, ctx)})")
        elif isinstance(block, Heading):
            out.append(f"#kk.inner-heading({level}, {text(block.text, ctx)})")
        elif isinstance(block, BulletList):
            out.append("#list(" + ", ".join(text(item, ctx) for item in block.items) + ")")
        out += translator_notes(list(block.items) if isinstance(block, BulletList) else [block.text], ctx)
    return out


def translator_notes(texts: list[Text], ctx: _Context) -> list[str]:
    """Return the translator's notes of texts shown in translation (never on the source or a stand-in)."""
    label = string(labels.label(ctx.lang, "translator_note"))
    shown = [t.note(ctx.lang) for t in texts]
    return [f"#kk.translator-note({label}, {content(inline.parse(note), ctx)})" for note in shown if note]


def section(item: Section, ctx: _Context) -> list[str]:
    """Return the markup of one section, its stand-in note and its subsections."""
    heading = (
        f"#kk.section-heading({item.depth}, {string(item.number)}, {text(item.title, ctx)})<{ctx.labels[item.id]}>"
    )
    out = [heading] + translator_notes([item.title], ctx)
    note = labels.stand_in_note(list(item.texts()), ctx.lang)
    if note:
        out.append(f"#kk.stand-in({string(note)})")
    if item.to_be_written:
        out.append(f"#kk.stand-in({string(labels.label(ctx.lang, 'to_be_written'))})")
    out += blocks(item.body, item.depth + 1, ctx)
    for child in item.children:
        out += section(child, ctx)
    return out


def _preamble(ctx: _Context) -> list[str]:
    contract = ctx.contract
    if not contract.preamble:
        return []
    out = [f"#heading(level: 1, numbering: none, {text(contract.meta.title, ctx)})"]
    note = labels.stand_in_note(list(block_texts(contract.preamble)), ctx.lang)
    if note:
        out.append(f"#kk.stand-in({string(note)})")
    return out + blocks(contract.preamble, 2, ctx)


def _annex(ctx: _Context) -> list[str]:
    annex = ctx.contract.annex
    if annex is None:
        return []
    out = ["#pagebreak(weak: true)", f"#heading(level: 1, numbering: none, {text(annex.title, ctx)})"]
    note = labels.stand_in_note(list(annex.texts()), ctx.lang)
    if note:
        out.append(f"#kk.stand-in({string(note)})")
    out += blocks(annex.body, 2, ctx)
    safe = [d for d in annex.documents if inline.SAFE_URL.match(d.url)]
    if safe:
        pairs = ", ".join(f"({text(d.title, ctx)}, {string(d.url)})" for d in safe)
        out.append(f"#kk.documents(({pairs},))")
    return out


def _errata(ctx: _Context) -> list[str]:
    """Return the corrections made after signing, each with date, section, what and why."""
    errata = ctx.contract.meta.errata
    if not errata:
        return []
    out = [f"#heading(level: 1, numbering: none, {string(labels.label(ctx.lang, 'errata'))})"]
    items = []
    for erratum in errata:
        where = ctx.resolver.numbers.get(erratum.section or "", "")
        lead = string(f"{labels.date(erratum.date, ctx.lang)}{', ' + where if where else ''}: ")
        why = string(labels.label(ctx.lang, "erratum_why"))
        items.append(f"[#{lead}#{text(erratum.what, ctx)} #{why} #{text(erratum.why, ctx)}]")
    return out + ["#list(" + ", ".join(items) + ")"]


def body(ctx: _Context) -> Code:
    """Return the markup of preamble, numbered sections, annex and errata."""
    lines = _preamble(ctx)
    for item in ctx.contract.sections:
        lines += section(item, ctx)
    lines += _annex(ctx)
    lines += _errata(ctx)
    return Code("\n\n".join(lines))


# ---------------------------------------------------------------- the document


def keywords(contract: Contract, lang: str, source: Source) -> list[str]:
    """Return the PDF keywords: machine-readable facts pdf.py and sign.py recognise the file by."""
    meta = contract.meta
    return [
        "Klimatkontrakt 2030",
        f"klimatkontrakt-version:{meta.version}",
        f"klimatkontrakt-status:{meta.status}",
        f"klimatkontrakt-lang:{lang}",
        f"klimatkontrakt-source:{contract.languages[0]}",  # the original's language: its PDF is the one signed
        f"klimatkontrakt-commit:{source.label}",
        f"klimatkontrakt-parties:{';'.join(p.id for p in contract.parties)}",
        # Which signed content the PDF was made from: `lock --pdf` compares it with the repository's.
        *([f"klimatkontrakt-content:{contract.signed_content}"] if contract.signed_content else []),
    ]


def _parties(ctx: _Context) -> list[dict]:
    lang = ctx.lang
    out = []
    for party in ctx.contract.parties:
        role = party.signatory.role
        out.append(
            {
                "id": party.id,
                "heading": _around(lang, "signature_for", "party", text(party.name, ctx)),
                "person": party.signatory.name or None,
                "role": text(role, ctx) if role and role.source else None,
                "field": Code(
                    "true" if lang == ctx.contract.languages[0] else "false"
                ),  # a translation is never signed
            }
        )
    return out


def _signatures_intro(contract: Contract, lang: str) -> str:
    """Return the sentence above the signature blocks: electronic signing, complete with every signature."""
    intro = labels.label(lang, "signature_intro", count=len(contract.parties))
    return (
        intro
        if lang == contract.languages[0]
        else f"{labels.label(lang, 'signature_translation', source=labels.language_in(contract.languages[0], lang))} {intro}"
    )


def _around(lang: str, key: str, name: str, value: Code) -> Code:
    """Return a catalogue label as content with our content in place of its {name} field."""
    before, _, after = labels.label(lang, key, **{name: "\0"}).partition("\0")
    return Code(f"[#{string(before)}#{value}#{string(after)}]")


def _description(contract: Contract, lang: str, source: Source, title: str) -> str:
    meta = contract.meta
    status = labels.label(lang, f"status_{meta.status}")
    built = labels.label(lang, "built_from", commit=source.label, date=source.date)
    notice = (
        f" {labels.label(lang, 'translation_notice', source=labels.language_in(contract.languages[0], lang))}"
        if lang != contract.languages[0]
        else ""
    )
    return f"{title}, {labels.label(lang, 'version_label', version=meta.version)}. {status}. {built}.{notice}"


def _cover_note(ctx: _Context) -> str | None:
    cover_texts = [ctx.contract.meta.title, *(p.name for p in ctx.contract.parties)]
    return labels.stand_in_note(cover_texts, ctx.lang)


def document(contract: Contract, lang: str, source: Source) -> str:
    """Return the Typst source of one version in one language."""
    ctx = _Context.of(contract, lang)
    meta = contract.meta
    title = plain(meta.title, ctx)
    version_line = labels.label(lang, "version_label", version=meta.version)
    draft = meta.status == "draft"
    values = {
        "folder": contract.folder or meta.version,
        "doc_title": f"{title} – {version_line}",
        "header_title": title,
        "header_version": version_line + (f" · {labels.label(lang, 'status_draft')}" if draft else ""),
        "authors": [plain(p.name, ctx) for p in contract.parties],
        "description": _description(contract, lang, source, title),
        "keywords": keywords(contract, lang, source),
        "lang": lang,
        "region": labels.region(lang),
        "page_of": labels.label(lang, "page_of", page="{page}", total="{total}"),
        "draft": labels.label(lang, "draft_watermark") if draft else None,
        "title": text(meta.title, ctx),
        "version_line": version_line,
        "between": labels.cover_line(contract, lang),
        "status": labels.label(lang, "status_draft") if draft else None,
        "cover_note": _cover_note(ctx),
        "translation_notice": labels.label(
            lang, "translation_notice", source=labels.language_in(contract.languages[0], lang)
        )
        if lang != contract.languages[0]
        else None,
        "contents_title": labels.label(lang, "contents"),
        "body": body(ctx),
        "signatures_title": labels.label(lang, "signatures"),
        "signatures_intro": _signatures_intro(contract, lang),
        "parties": _parties(ctx),
    }
    return _ENV.get_template(DOCUMENT_TEMPLATE).render(**values)
