"""Read a Word file into paragraphs of atoms (words, emphasis, links, footnote marks) with their bookmarks."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from .ooxml import Q, R, W, inside, on, parse
from .styles import heading_levels, hidden_styles, run_hidden
from .symbols import symbol

_TOKENS = re.compile(r"\s+|[^\s]+")
# A contract's document.xml is a few megabytes; more is a zip bomb or no contract.
MAX_PART = 64 * 1024 * 1024
_TEXT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")  # where boxes and tables are
# Content controls that hold no contract text: Word's table of contents and cover-page building blocks.
_NO_TEXT_GALLERIES = ("Table of Contents", "Cover Pages", "Bibliographies")


class WordFileError(ValueError):
    """A file the reader cannot or will not open as a Word document; the message says why, in a user's words."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint  # what to do instead; empty: the caller's own advice


# A Word file saved with a password (File > Info > Protect Document) is an OLE compound file, as an old .doc is.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# Footnotes and endnotes: a note's key is its kind's prefix and its id in that part ("1", "e1").
NOTE_KINDS = {"footnote": "", "endnote": "e"}


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

    kind: str  # heading | p | item | bold | note (a quote: the export's translator's notes)
    level: int
    anchors: list[str]
    atoms: list[Atom]
    place: int  # 1-based paragraph number in the document
    table: bool = False  # inside a table, which the contract does not have
    row: int = 0  # the table row it is in, counted through the document (0: not in a table)

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
    """Read the body of a .docx: tracked insertions kept and deletions dropped (accept), or the reverse.

    Raise WordFileError for anything that is not a Word document this reader can open.
    """
    if data.startswith(_COMPOUND_FILE):
        raise WordFileError(
            "the file is a password-protected (encrypted) Word document, or an old .doc",
            "save it from Word as .docx without a password (File > Info > Protect Document)",
        )
    last = ["word/document.xml"]  # the part read last: each is parsed as soon as it is read, so an XML error is in it
    try:
        return _read(data, accept, last)
    except zipfile.BadZipFile as exc:
        raise WordFileError(f"the file is not a Word document ({exc})") from None
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc) and last[0] in _TEXT_PARTS:  # libxml2's limit (256 levels)
            raise WordFileError(
                f"the Word file's content ({last[0]}) is nested too deeply to read (text boxes or tables inside one "
                "another, dozens deep)",
                "take the text out of the nested text boxes or tables in Word, then save it again as .docx",
            ) from None
        if "Excessive depth" in str(exc):  # a part without text: made by another program than Word, or damaged
            raise WordFileError(
                f"the Word file's part {last[0]} is nested too deeply to read; it holds no contract text, so the "
                "file was made by another program or is damaged",
                "open it in Word and save it again as .docx",
            ) from None
        raise WordFileError(f"the file is not a Word document ({str(exc).strip(chr(34))})") from None
    except KeyError as exc:  # a part missing
        raise WordFileError(f"the file is not a Word document ({str(exc).strip(chr(34))})") from None
    except NotImplementedError as exc:  # zipfile: a compression method it cannot unpack (Deflate64)
        raise WordFileError(
            f"the Word file is compressed in a way that cannot be unpacked here ({exc})",
            "open it in Word and save it again as .docx",
        ) from None
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
        if "encrypted" not in str(exc):
            raise
        raise WordFileError(
            f"the Word file's parts are encrypted ({exc})", "save it again from Word as .docx, without a password"
        ) from None


def _read(data: bytes, accept: bool, last: list[str]) -> Document:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()

        def part(name: str) -> bytes:
            last[0] = name
            size = zf.getinfo(name).file_size
            if size > MAX_PART:
                limit = MAX_PART // 2**20
                message = f"{name} unpacks to {size // 2**20} MB, more than a contract's {limit} MB"
                raise WordFileError(f"the Word file is too large to read: {message}", "give the contract's own .docx")
            return zf.read(name)

        body = parse(part("word/document.xml")).find("w:body", Q)
        if body is None:
            raise WordFileError("the file is not a Word document (word/document.xml has no body)")
        links = _relationships(part("word/_rels/document.xml.rels") if "word/_rels/document.xml.rels" in names else b"")
        styles = part("word/styles.xml") if "word/styles.xml" in names else b""
        levels, hidden = (heading_levels(styles), hidden_styles(styles)) if styles else ({}, frozenset())
        doc, pending = Document(), []
        for kind in NOTE_KINDS:  # endnotes (at the document's end) are notes as footnotes are, numbered with them
            name, rels = f"word/{kind}s.xml", f"word/_rels/{kind}s.xml.rels"
            if name in names:
                root, targets = parse(part(name)), _relationships(part(rels) if rels in names else b"")
                # Read as the body is (tabs, breaks, symbols, tracked changes, boxes once, hidden text); a note's
                # own tracked changes are applied but not listed with the body's.
                reading = _Reading(targets, accept, [], hidden)
                for note in root.iter(f"{{{W}}}{kind}"):
                    key = NOTE_KINDS[kind] + note.get(f"{{{W}}}id", "")
                    doc.notes[key], doc.note_links[key] = _note(note, reading, levels)
        doc.language = _language(part("docProps/core.xml") if "docProps/core.xml" in names else b"")
    reading = _Reading(links, accept, doc.tracked, hidden)
    for element, row in _body_elements(body, 0, itertools.count(1), accept, hidden):
        if element.tag == f"{{{W}}}bookmarkStart":
            pending.append(element.get(f"{{{W}}}name", ""))
        else:
            para = _paragraph(element, len(doc.paras) + 1, reading, levels)
            para.anchors, para.table, para.row = pending + para.anchors, bool(row), row
            pending = []
            if para.atoms or para.kind == "heading":
                doc.paras.append(para)
    return doc


def _note(note, reading: _Reading, levels: dict[str, int]) -> tuple[str, list[str]]:
    """A note's words on one line, its paragraphs (a text box's too) apart as Word shows them, and its links' addresses."""
    paras = [
        _paragraph(element, 0, reading, levels)
        for element, _ in _body_elements(note, 0, itertools.count(1), reading.accept, reading.hidden)
        if element.tag != f"{{{W}}}bookmarkStart"
    ]
    words = " ".join("".join(a.text for a in para.atoms if a.kind != "fn") for para in paras)
    return " ".join(words.split()), [a.url for para in paras for a in para.atoms if a.kind == "link"]


def _body_elements(
    node, row: int, rows: Iterator[int], accept: bool = True, hidden: frozenset[str] = frozenset()
) -> Iterator[tuple]:
    """Bookmarks and paragraphs in document order with their table row (0: none), also in tables and content controls."""
    for element in node:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "bookmarkStart":
            yield element, row
        elif tag == "p":
            yield element, row
            # A text box (Insert > Text Box) anchored in the paragraph: its paragraphs follow it. Word writes a box
            # twice, as a drawing (mc:Choice) and as VML for older readers (mc:Fallback): read once.
            for box in element.iter(f"{{{W}}}txbxContent"):
                if _box_shown(box, element, accept, hidden):
                    yield from _body_elements(box, row, rows, accept, hidden)
        elif tag == "sdt" and element.find("w:sdtPr/w:docPartObj/w:docPartGallery", Q) is not None:
            gallery = element.find("w:sdtPr/w:docPartObj/w:docPartGallery", Q).get(f"{{{W}}}val", "")
            if gallery not in _NO_TEXT_GALLERIES:
                yield from _body_elements(element, row, rows, accept, hidden)
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _body_elements(element, row, rows, accept, hidden)
        elif tag == "tr":
            yield from _body_elements(element, next(rows), rows, accept, hidden)
        elif tag in ("tbl", "tc"):
            yield from _body_elements(element, row, rows, accept, hidden)


def _box_shown(box, paragraph, accept: bool, hidden: frozenset[str]) -> bool:
    """Whether a text box in a paragraph is read there: once (not a box inside another box of the paragraph, read
    with that box; not the VML copy Word writes for older readers), and only if the document shows it (its run is
    not hidden, nor a tracked deletion accepted or an insertion refused)."""
    gone = ("del", "moveFrom") if accept else ("ins", "moveTo")
    for up in box.iterancestors():
        if up is paragraph:
            return True
        name = etree.QName(up).localname
        if name in ("txbxContent", "Fallback") or name in gone or (name == "r" and run_hidden(up, hidden)):
            return False
    return True


def _language(core: bytes) -> str:
    if not core:
        return ""
    found = parse(core).find("{http://purl.org/dc/elements/1.1/}language")
    return (found.text or "").strip() if found is not None else ""


def _relationships(data: bytes) -> dict[str, str]:
    if not data:
        return {}
    root = parse(data)
    return {rel.get("Id", ""): rel.get("Target", "") for rel in root}


@dataclass
class _Reading:
    """What reading a paragraph's runs needs: the file's links and hidden styles, and the paragraph's own context."""

    links: dict[str, str]
    accept: bool
    tracked: list[Tracked]
    hidden: frozenset[str]
    place: int = 0
    inherited: bool = False  # the paragraph's style hides its text: a run shows only if it says so itself


def _paragraph(p, place: int, reading: _Reading, levels: dict[str, int]) -> Para:
    style = p.find("w:pPr/w:pStyle", Q)
    name = style.get(f"{{{W}}}val", "") if style is not None else ""
    level = int(m.group(1)) if (m := re.match(r"Heading(\d)", name.replace(" ", ""))) else levels.get(name, 0)
    anchors = [b.get(f"{{{W}}}name", "") for b in p.iter(f"{{{W}}}bookmarkStart")]
    reading.place, reading.inherited = place, name in reading.hidden
    atoms = list(_atoms(p, reading))
    listed = p.find("w:pPr/w:numPr", Q) is not None or name.startswith("List")
    kind = "heading" if level else "item" if listed else "note" if name == "BlockText" else "p"
    if kind == "p" and atoms and all(a.kind == "bold" or not a.text.strip() for a in atoms):
        kind = "bold"
    atoms = [Atom("text", a.text) if a.kind == "bold" else a for a in atoms]
    return Para(kind, level, [a for a in anchors if not a.startswith("_")], _merge(atoms), place)


def _atoms(node, reading: _Reading) -> Iterator[Atom]:
    field: list[Atom] | None = None  # the shown words of a HYPERLINK field (Insert > Field), until its end
    instruction = ""
    for child in node:
        tag = etree.QName(child).localname
        if tag == "r":
            marks = [c.get(f"{{{W}}}fldCharType", "") for c in child.iter(f"{{{W}}}fldChar")]
            instruction += "".join(c.text or "" for c in child.iter(f"{{{W}}}instrText"))
            if "separate" in marks and _field_address(instruction):
                field = []
            if run_hidden(child, reading.hidden, reading.inherited):  # hidden text: not what the document shows
                pass
            elif field is not None:
                field += _run(child)
            else:
                yield from _run(child)
            if "end" in marks:
                if field is not None:
                    yield from _linked(field, _field_address(instruction))
                field, instruction = None, ""
        elif tag == "hyperlink":
            yield from _linked(list(_atoms(child, reading)), reading.links.get(child.get(f"{{{R}}}id", ""), ""))
        elif tag == "fldSimple" and _field_address(child.get(f"{{{W}}}instr", "")):
            yield from _linked(list(_atoms(child, reading)), _field_address(child.get(f"{{{W}}}instr", "")))
        elif tag in ("ins", "del", "moveTo", "moveFrom"):
            # A tracked move is a deletion at its old place (moveFrom, its text still in w:t) and an insertion at its
            # new one (moveTo): accepted, the text stands at the new place only; refused, at the old one only.
            inserted = tag in ("ins", "moveTo")
            words = (t.text or "" for t in child.iter(f"{{{W}}}t", f"{{{W}}}delText") if not _in_box(t, child))
            author = child.get(f"{{{W}}}author", "?")
            reading.tracked.append(
                Tracked("inserted" if inserted else "deleted", "".join(words), author, reading.place)
            )
            if inserted == reading.accept:
                kept = inserted or tag == "moveFrom"
                yield from _atoms(child, reading) if kept else _deleted(child, reading)
        elif tag in ("smartTag", "customXml", "sdt", "sdtContent", "fldSimple"):
            yield from _atoms(child, reading)


def _linked(inner: list[Atom], url: str) -> Iterator[Atom]:
    """A link's words as one link atom (plain words without an address), then the note marks at their end."""
    label = "".join(a.text for a in inner if a.kind != "fn")
    if label:  # a link whose words are all hidden shows nothing, not even its address
        yield Atom("link", label, url) if url else Atom("text", label)
    yield from (a for a in inner if a.kind == "fn")


def _field_address(instruction: str) -> str:
    """The address of a HYPERLINK field's instruction (`HYPERLINK "https://…"`), or "" for any other field."""
    found = re.match(r'\s*HYPERLINK\s+"([^"]+)"', instruction)
    return found.group(1) if found else ""


def _in_box(element, within) -> bool:
    """Whether an element lies in a text box inside within (the box's paragraphs are read, and tracked, on their own)."""
    return inside(element, within, "txbxContent")


def _deleted(node, reading: _Reading) -> Iterator[Atom]:
    """A refused deletion: what it deleted stays, as it was (emphasis, note marks; hidden text stays hidden)."""
    for run in node.iter(f"{{{W}}}r"):
        if not _in_box(run, node) and not run_hidden(run, reading.hidden, reading.inherited):
            yield from _run(run, deleted=True)


def _run(run, deleted: bool = False) -> Iterator[Atom]:
    props = run.find("w:rPr", Q)
    italic = props is not None and on(props.find("w:i", Q))
    bold = props is not None and on(props.find("w:b", Q))
    for child in run:
        tag = etree.QName(child).localname
        if tag == "t" or (deleted and tag == "delText"):
            yield Atom("em" if italic else "bold" if bold else "text", child.text or "")
        elif tag in ("footnoteReference", "endnoteReference"):
            yield Atom("fn", NOTE_KINDS[tag.removesuffix("Reference")] + child.get(f"{{{W}}}id", ""))
        elif tag == "tab" or tag in ("br", "cr"):
            yield Atom("text", " ")
        elif tag == "noBreakHyphen":  # Ctrl+Shift+-: a hyphen that keeps "EU-" on the line of its word
            yield Atom("text", "-")
        elif tag == "sym":  # Insert > Symbol: a character of a symbol font, given by its code in that font
            yield Atom("text", symbol(child.get(f"{{{W}}}font", ""), child.get(f"{{{W}}}char", "")))


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
