"""Exports of a whole version: outline rows, a documented JSON structure, readable Markdown."""

from __future__ import annotations

from ..model import Annex, Block, BulletList, Contract, Heading, Paragraph, Section, Text
from ..source.provenance import Source
from . import markdown as md
from .plain import Resolver, plain

JSON_FORMAT = "klimatkontrakt-export/1"


def outline(contract: Contract, lang: str) -> list[dict[str, str | int]]:
    """Return one row per numbered section: id, number, title, depth."""
    resolver = Resolver.of(contract)
    return [
        {"id": s.id, "number": s.number, "title": plain(s.title, lang, resolver), "depth": s.depth}
        for s in contract.walk()
    ]


def to_json(contract: Contract, source: Source | None = None) -> dict[str, object]:
    """Return the whole model as the structure documented in schema/export.schema.json."""
    meta = contract.meta
    return {
        "format": JSON_FORMAT,
        "source": {"commit": source.commit, "date": source.date, "modified": source.dirty} if source else None,
        "version": meta.version,
        "valid_for": meta.valid_for,
        "status": meta.status,
        "signed_on": meta.signed_on,
        "previous": meta.previous,
        "municipality": meta.municipality,
        "title": _text(meta.title),
        "parties": [
            {
                "id": p.id,
                "kind": p.kind,
                "name": _text(p.name),
                "signatory": {"name": p.signatory.name, "role": _text(p.signatory.role) if p.signatory.role else None},
            }
            for p in contract.parties
        ],
        "preamble": _blocks(contract.preamble),
        "sections": [_section(s) for s in contract.sections],
        "annex": _annex(contract.annex) if contract.annex else None,
        "errata": [
            {"date": e.date, "section": e.section, "what": _text(e.what), "why": _text(e.why)} for e in meta.errata
        ],
    }


def _text(text: Text) -> dict[str, str | None]:
    out: dict[str, str | None] = {"key": text.key, text.lang: text.source}
    for lang in text.languages:
        out[lang] = text.get(lang)
        note = text.translation(lang).note
        out |= {f"note_{lang}": note} if note else {}
    return out


def _blocks(blocks: tuple[Block, ...]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append({"type": "paragraph", "text": _text(block.text)})
        elif isinstance(block, Heading):
            out.append({"type": "heading", "text": _text(block.text)})
        elif isinstance(block, BulletList):
            out.append({"type": "list", "items": [_text(t) for t in block.items]})
    return out


def _section(section: Section) -> dict[str, object]:
    return {
        "id": section.id,
        "number": section.number,
        "pinned": section.pinned,
        "to_be_written": section.to_be_written,
        "group": section.group,
        "depth": section.depth,
        "title": _text(section.title),
        "body": _blocks(section.body),
        "footnotes": [{"id": n.id, "number": n.number, "text": _text(n.text)} for n in section.footnotes],
        "sections": [_section(c) for c in section.children],
    }


def _annex(annex: Annex) -> dict[str, object]:
    return {
        "title": _text(annex.title),
        "body": _blocks(annex.body),
        "documents": [{"title": _text(d.title), "url": d.url} for d in annex.documents],
    }


def to_markdown(contract: Contract, lang: str) -> str:
    """Return the readable text of one language as Markdown, headings numbered."""
    resolver = Resolver.of(contract)
    parts = [f"# {md.text(contract.meta.title, lang, resolver)}", f"VERSION {md.escape(contract.meta.version)}"]
    parts += md.blocks(contract.preamble, lang, resolver)
    for section in contract.walk():
        hashes = "#" * min(section.depth + 1, 6)
        parts.append(f"{hashes} {md.escape(section.number)} {md.text(section.title, lang, resolver)}")
        parts += md.blocks(section.body, lang, resolver)
    if contract.annex:
        parts.append(f"## {md.text(contract.annex.title, lang, resolver)}")
        parts += md.blocks(contract.annex.body, lang, resolver)
        parts.append(
            "\n".join(f"- {md.link(md.text(d.title, lang, resolver), d.url)}" for d in contract.annex.documents)
        )
    notes = [f"[^{n.number}]: {md.text(n.text, lang, resolver)}" for n in contract.footnotes()]
    return "\n\n".join(parts + notes) + "\n"
