"""Read a Word file into paragraphs of atoms (words, emphasis, links, footnote marks) with their bookmarks."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_Q = {"w": W, "r": R}
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Atom:
    """One piece of a paragraph: a word or a space, emphasised words, a link, or a footnote mark."""

    kind: str  # text | em | link | fn
    text: str
    url: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return ("text" if self.kind == "text" else self.kind, self.text, self.url)


@dataclass
class Para:
    """A paragraph of the document: its kind, the bookmarks before or in it, its atoms, its place."""

    kind: str  # heading | p | item | bold
    level: int
    anchors: list[str]
    atoms: list[Atom]
    place: int  # 1-based paragraph number in the document

    @property
    def text(self) -> str:
        return "".join(a.text for a in self.atoms)


@dataclass
class Tracked:
    """A tracked change: inserted or deleted text, by whom, in which paragraph."""

    kind: str
    text: str
    author: str
    place: int


@dataclass
class Document:
    paras: list[Para] = field(default_factory=list)
    tracked: list[Tracked] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # footnote id in the file → its text
    language: str = ""  # the document's language as the file states it, e.g. "sv-SE"
    note_links: dict[str, list[str]] = field(default_factory=dict)  # footnote id → the web addresses it links


def read(data: bytes, accept: bool = True) -> Document:
    """Read the body of a .docx: tracked insertions kept and deletions dropped (accept), or the reverse."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = etree.fromstring(zf.read("word/document.xml")).find("w:body", _Q)
        names = zf.namelist()
        links = _relationships(
            zf.read("word/_rels/document.xml.rels") if "word/_rels/document.xml.rels" in names else b""
        )
        notes = _notes(zf.read("word/footnotes.xml")) if "word/footnotes.xml" in names else {}
        rels = "word/_rels/footnotes.xml.rels"
        note_links = (
            _note_links(zf.read("word/footnotes.xml"), _relationships(zf.read(rels) if rels in names else b""))
            if "word/footnotes.xml" in names
            else {}
        )
        core = zf.read("docProps/core.xml") if "docProps/core.xml" in names else b""
    doc, pending = Document(notes=notes, language=_language(core), note_links=note_links), []
    for element in body:
        if element.tag == f"{{{W}}}bookmarkStart":
            pending.append(element.get(f"{{{W}}}name", ""))
        elif element.tag == f"{{{W}}}p":
            para = _paragraph(element, len(doc.paras) + 1, links, accept, doc.tracked)
            para.anchors = pending + para.anchors
            pending = []
            if para.atoms or para.kind == "heading":
                doc.paras.append(para)
    return doc


def _language(core: bytes) -> str:
    if not core:
        return ""
    found = etree.fromstring(core).find("{http://purl.org/dc/elements/1.1/}language")
    return (found.text or "").strip() if found is not None else ""


def _notes(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data)
    return {
        n.get(f"{{{W}}}id", ""): " ".join("".join(t.text or "" for t in n.iter(f"{{{W}}}t")).split())
        for n in root.iter(f"{{{W}}}footnote")
    }


def _note_links(data: bytes, links: dict[str, str]) -> dict[str, list[str]]:
    root = etree.fromstring(data)
    return {
        n.get(f"{{{W}}}id", ""): [
            links[h.get(f"{{{R}}}id", "")] for h in n.iter(f"{{{W}}}hyperlink") if h.get(f"{{{R}}}id", "") in links
        ]
        for n in root.iter(f"{{{W}}}footnote")
    }


def _relationships(data: bytes) -> dict[str, str]:
    if not data:
        return {}
    root = etree.fromstring(data)
    return {rel.get("Id", ""): rel.get("Target", "") for rel in root}


def _paragraph(p, place: int, links: dict[str, str], accept: bool, tracked: list[Tracked]) -> Para:
    style = p.find("w:pPr/w:pStyle", _Q)
    name = style.get(f"{{{W}}}val", "") if style is not None else ""
    level = int(m.group(1)) if (m := re.match(r"Heading(\d)", name.replace(" ", ""))) else 0
    anchors = [b.get(f"{{{W}}}name", "") for b in p.iter(f"{{{W}}}bookmarkStart")]
    atoms = list(_atoms(p, links, accept, tracked, place))
    listed = p.find("w:pPr/w:numPr", _Q) is not None or name.startswith("List")
    kind = "heading" if level else "item" if listed else "p"
    if kind == "p" and atoms and all(a.kind == "bold" or not a.text.strip() for a in atoms):
        kind = "bold"
    atoms = [Atom("text", a.text) if a.kind == "bold" else a for a in atoms]
    return Para(kind, level, [a for a in anchors if not a.startswith("_")], _merge(atoms), place)


def _atoms(node, links: dict[str, str], accept: bool, tracked: list[Tracked], place: int) -> Iterator[Atom]:
    for child in node:
        tag = etree.QName(child).localname
        if tag == "r":
            yield from _run(child, accept)
        elif tag == "hyperlink":
            label = "".join(a.text for a in _atoms(child, links, accept, tracked, place))
            url = links.get(child.get(f"{{{R}}}id", ""), "")
            yield Atom("link", label, url) if url else Atom("text", label)
        elif tag in ("ins", "del"):
            text = "".join(t.text or "" for t in child.iter(f"{{{W}}}t", f"{{{W}}}delText"))
            tracked.append(
                Tracked("inserted" if tag == "ins" else "deleted", text, child.get(f"{{{W}}}author", "?"), place)
            )
            if (tag == "ins") == accept:
                yield from _atoms(child, links, accept, tracked, place) if tag == "ins" else _deleted(child)
        elif tag in ("smartTag", "customXml", "sdt", "sdtContent", "fldSimple"):
            yield from _atoms(child, links, accept, tracked, place)


def _deleted(node) -> Iterator[Atom]:
    # A refused deletion: its text stays.
    for run in node.iter(f"{{{W}}}r"):
        for t in run.iter(f"{{{W}}}delText"):
            yield Atom("text", t.text or "")


def _run(run, accept: bool) -> Iterator[Atom]:
    props = run.find("w:rPr", _Q)
    italic = props is not None and _on(props.find("w:i", _Q))
    bold = props is not None and _on(props.find("w:b", _Q))
    for child in run:
        tag = etree.QName(child).localname
        if tag == "t":
            yield Atom("em" if italic else "bold" if bold else "text", child.text or "")
        elif tag == "footnoteReference":
            yield Atom("fn", child.get(f"{{{W}}}id", ""))
        elif tag == "tab" or tag in ("br", "cr"):
            yield Atom("text", " ")


def _on(element) -> bool:
    return element is not None and element.get(f"{{{W}}}val", "true") not in ("0", "false")


def _merge(atoms: list[Atom]) -> list[Atom]:
    """Join neighbouring runs of one kind, then split plain text into words and spaces."""
    merged: list[Atom] = []
    for atom in atoms:
        if merged and atom.kind in ("text", "em") and merged[-1].kind == atom.kind:
            merged[-1] = Atom(atom.kind, merged[-1].text + atom.text)
        else:
            merged.append(atom)
    out: list[Atom] = []
    for atom in merged:
        if atom.kind == "text":
            out += [Atom("text", t) for t in _TOKENS.findall(atom.text)]
        else:
            out.append(atom)
    return out
