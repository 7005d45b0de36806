"""Build the model of one version from its parsed files: the YAML's shapes become frozen dataclasses, with positions."""

from __future__ import annotations

import re
from typing import Any

from ..errors import Report
from ..ids import TextKey
from ..model import (
    GROUPS,
    Annex,
    AnnexDocument,
    Block,
    BulletList,
    Contract,
    Erratum,
    Footnote,
    Heading,
    Meta,
    Paragraph,
    Party,
    Section,
    Signatory,
    Text,
    Translation,
)
from . import numbering
from .yamlfile import Document

_WRAP = re.compile(r"[ \t\r\n]+")
_LANG_KEY = re.compile(r"^(?:note_)?([a-z]{2,3})$")


def build_contract(docs: dict[str, Document], display: str, report: Report, langs: tuple[str, ...]) -> Contract:
    """Build a version's model from its parsed files (each valid against its schema); numbering problems go to report."""
    meta_doc = docs["contract.yaml"]
    sections: list[Section] = []
    for group in GROUPS:
        doc = docs.get(f"{group}.yaml")
        if doc is not None and group not in ("preamble", "annex"):
            sections += [_section(doc, langs, s, ("sections", i), group, 1) for i, s in enumerate(doc.data["sections"])]
    preamble = docs.get("preamble.yaml")
    annex = docs.get("annex.yaml")
    return Contract(
        meta=_meta(meta_doc, langs),
        parties=tuple(_party(meta_doc, langs, p, i) for i, p in enumerate(meta_doc.data["parties"])),
        preamble=_blocks(preamble, langs, preamble.data["body"], ("body",), "preamble") if preamble else (),
        sections=numbering.number(sections, report),
        annex=_annex(annex, langs) if annex else None,
        folder=display,
        languages=langs,
    )


def _meta(doc: Document, langs: tuple[str, ...]) -> Meta:
    data = doc.data
    return Meta(
        version=str(data["version"]),
        valid_for=str(data["valid_for"]),
        status=data["status"],
        municipality=data["municipality"],
        title=_text(doc, langs, data["title"], ("title",), str(TextKey.title("meta"))),
        signed_on=data.get("signed_on"),
        previous=data.get("previous"),
        errata=tuple(_erratum(doc, langs, e, i) for i, e in enumerate(data.get("errata", ()))),
        pos=doc.pos(("version",)),
        previous_pos=doc.pos(("previous",)) if "previous" in data else None,
    )


def _erratum(doc: Document, langs: tuple[str, ...], data: Any, index: int) -> Erratum:
    path = ("errata", index)
    return Erratum(
        date=data["date"],
        section=data.get("section"),
        what=_text(doc, langs, data["what"], path + ("what",), str(TextKey.erratum(index, "what"))),
        why=_text(doc, langs, data["why"], path + ("why",), str(TextKey.erratum(index, "why"))),
        pos=doc.pos(path),
    )


def _party(doc: Document, langs: tuple[str, ...], data: Any, index: int) -> Party:
    path = ("parties", index)
    signatory = data.get("signatory") or {}
    role = signatory.get("role")
    return Party(
        id=data["id"],
        kind=data["kind"],
        name=_text(doc, langs, data["name"], path + ("name",), str(TextKey.party(data["id"], "name"))),
        signatory=Signatory(
            name=(signatory.get("name") or None),
            role=_text(doc, langs, role, path + ("signatory", "role"), str(TextKey.party(data["id"], "role")))
            if role
            else None,
        ),
        pos=doc.pos(path),
        certificate_subject={str(k): str(v) for k, v in (data.get("certificate_subject") or {}).items()},
    )


def _section(
    doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], group: str, depth: int
) -> Section:
    sid = data["id"]
    return Section(
        id=sid,
        number=str(data.get("number", "")),
        pinned="number" in data,
        gap_reason=data.get("gap_reason"),
        acknowledged_refs=tuple(data.get("acknowledged_refs", ())),
        to_be_written=bool(data.get("to_be_written", False)),
        title=_text(doc, langs, data["title"], path + ("title",), str(TextKey.title(sid))),
        group=group,
        depth=depth,
        body=_blocks(doc, langs, data.get("body", ()), path + ("body",), sid),
        footnotes=tuple(
            _footnote(doc, langs, n, path + ("footnotes", i)) for i, n in enumerate(data.get("footnotes", ()))
        ),
        children=tuple(
            _section(doc, langs, child, path + ("sections", i), group, depth + 1)
            for i, child in enumerate(data.get("sections", ()))
        ),
        pos=doc.pos(path + ("id",)),
    )


def _footnote(doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...]) -> Footnote:
    return Footnote(
        id=data["id"],
        number=0,
        text=_text(doc, langs, data["text"], path + ("text",), str(TextKey.footnote(data["id"]))),
        pos=doc.pos(path + ("id",)),
    )


def _blocks(
    doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], owner: str
) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for i, block in enumerate(data):
        here, key = path + (i,), TextKey.block(owner, i)
        if "p" in block:
            blocks.append(Paragraph(_text(doc, langs, block["p"], here + ("p",), str(key))))
        elif "heading" in block:
            blocks.append(Heading(_text(doc, langs, block["heading"], here + ("heading",), str(key))))
        else:
            items = block["list"]
            blocks.append(
                BulletList(
                    tuple(
                        _text(doc, langs, t, here + ("list", j), str(TextKey.block(owner, i, j)))
                        for j, t in enumerate(items)
                    )
                )
            )
    return tuple(blocks)


def _annex(doc: Document, langs: tuple[str, ...]) -> Annex:
    data = doc.data
    return Annex(
        title=_text(doc, langs, data["title"], ("title",), str(TextKey.title("annex"))),
        body=_blocks(doc, langs, data.get("body", ()), ("body",), "annex"),
        documents=tuple(
            AnnexDocument(
                _text(doc, langs, d["title"], ("documents", i, "title"), str(TextKey.annex_document(i))),
                d["url"],
                doc.pos(("documents", i)),
            )
            for i, d in enumerate(data.get("documents", ()))
        ),
        pos=doc.pos(()),
    )


def _text(doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], key: str) -> Text:
    """Build a text: the source (langs[0]), then each language's translation; keys of other languages follow,
    so that `_check_languages` can report them."""
    found = (m.group(1) for k in data if (m := _LANG_KEY.match(str(k))))
    source, others = langs[0], list(dict.fromkeys(code for code in found if code not in langs))
    translations = tuple((code, _translation(doc, data, path, code)) for code in (*langs[1:], *others))
    value = data.get(source)
    return Text(
        key=key,
        source=_clean(value) if isinstance(value, str) else "",
        translations=translations,
        pos=doc.pos(path + (source,)) if source in data else doc.pos(path),
        path=path,
        lang=source,
    )


def _translation(doc: Document, data: Any, path: tuple[str | int, ...], code: str) -> Translation:
    value, note = data.get(code), data.get(f"note_{code}")
    return Translation(
        text=_clean(value) if value and value.strip() else None,
        pos=doc.pos(path + (code,)) if code in data else doc.pos(path),
        note=_clean(note) if note else None,
        note_pos=doc.pos(path + (f"note_{code}",)) if f"note_{code}" in data else None,
    )


def _clean(text: str) -> str:
    # A text is one paragraph: line breaks are wrapping. Non-breaking spaces are kept.
    return _WRAP.sub(" ", text).strip()
