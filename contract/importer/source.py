"""Read an input file into text: a PDF through pdftotext, a Word file's paragraphs, or a text file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos

SUFFIXES = (".pdf", ".txt", ".text", ".docx")


def read_text(file: Path) -> str:
    """Return the text of a .pdf, .docx or text file, or raise a located error."""
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise _error(file, f"cannot import a {suffix or 'file without a suffix'}", "give a .pdf, .docx or .txt file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _error(file, f"cannot read the file: {exc.strerror}", "check the path") from None
    if suffix == ".pdf":
        return _pdf(file, data)
    if suffix == ".docx":
        return _docx(file, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(file), data[: exc.start].count(b"\n") + 1, 1),
                    "error",
                    f"the file is not UTF-8 text (byte {exc.start})",
                    "save or export the text as UTF-8",
                )
            ]
        ) from None


def _error(file: Path, message: str, hint: str) -> ContractError:
    return ContractError([Diagnostic(Pos(str(file)), "error", message, hint)])


def _pdf(file: Path, data: bytes) -> str:
    from .pdftext import PdfTextError, pdf_text

    if not data.startswith(b"%PDF"):
        raise _error(file, "the file is not a PDF", "give the signed PDF itself, or its text as .txt")
    try:
        text = pdf_text(data)
    except PdfTextError as exc:
        hint = "install poppler-utils" if exc.missing_tool else "the PDF may be damaged: open and save it again"
        raise _error(file, f"cannot read the PDF's text: {exc}", f"{hint}, or give its text as .txt") from None
    if not text.strip("\f\n "):
        raise _error(file, "the PDF has no text layer (a scan?)", "run OCR on it first, or give its text as .txt")
    return text


def _docx(file: Path, data: bytes) -> str:
    from lxml import etree

    from ..word.read import read

    try:
        document = read(data)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise _error(file, f"the file is not a Word document ({exc})", "save it from Word as .docx") from None
    numbered = any(re.match(r"^\d+(\.\d+)*\.?\s", p.text) for p in document.paras if p.kind == "heading")
    counters: list[int] = []
    out: list[str] = []
    marks = [0]
    for para in document.paras:
        text, notes = _docx_text(para, document, marks)
        if text.strip():
            out.append(_docx_line(para.kind, para.level if not numbered else 0, " ".join(text.split()), counters))
            out += notes
    return "\n\n".join(out) + "\n"


def _docx_text(para, document, marks: list[int]) -> tuple[str, list[str]]:
    """A paragraph as PDF text shows it: footnote numbers glued to the word, the notes and links after it."""
    text, after = "", []
    for atom in para.atoms:
        if atom.kind == "fn":
            marks[0] += 1
            number = marks[0]
            text += str(number)
            after.append(f"{number} {document.notes.get(atom.text, '')}")
            after += document.note_links.get(atom.text, [])
        else:
            text += atom.text
            if atom.kind == "link" and para.kind == "item":
                after.append(atom.url)
    return text, after


def _docx_line(kind: str, level: int, text: str, counters: list[int]) -> str:
    if kind == "heading" and level and text not in ("Klimatkontrakt 2030", "Climate City Contract 2030"):
        del counters[level:]
        counters.extend([0] * (level - len(counters)))
        counters[level - 1] += 1
        return f"{'.'.join(map(str, counters))}{'.' if level == 1 else ''} {text}"
    if kind == "item":
        return f"• {text}"
    return text
