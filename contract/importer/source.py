"""Read an input file into text: a PDF through pdftotext, a Word file's paragraphs, or a text file."""

from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..inputs import read_file
from ..model import Pos

SUFFIXES = (".pdf", ".txt", ".text", ".docx")
_TITLES = ("Klimatkontrakt 2030", "Climate City Contract 2030")  # a heading that is the title, not a chapter
# A typed section number before the heading's first word: "1. Syftet", "2.3 Cykling", "1.Syftet" (not "1,5 grader").
_TYPED = re.compile(r"^(\d{1,2}(?:\.\d+)*\.?)\s*(?=[^\W\d_]|\()")


def read_text(file: Path) -> str:
    """Return the text of a .pdf, .docx or text file, or raise a located error."""
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        word = suffix in (".doc", ".docm", ".dotx", ".dotm", ".odt", ".rtf")
        hint = "save it from Word as .docx (a document without macros)" if word else "give a .pdf, .docx or .txt file"
        raise _error(file, f"cannot import a {suffix or 'file without a suffix'}", hint)
    # Bounded, and judged by what was opened: a file swapped for a pipe after the command looked is refused too.
    data = read_file(file, "contract", "give the contract's PDF, Word file or text")
    actual = ".pdf" if data.startswith(b"%PDF") else ".docx" if data.startswith(b"PK\x03\x04") else ""
    if actual and actual != suffix:
        kind = "a PDF" if actual == ".pdf" else "a Word file (or another zip archive)"
        raise _error(file, f"the file is {kind} named {suffix}", f"rename it to end in {actual}")
    if suffix == ".pdf":
        return _pdf(file, data)
    if suffix == ".docx":
        return _docx(file, data)
    return _decode(file, data)


def _decode(file: Path, data: bytes) -> str:
    """UTF-8 (with or without its mark) or UTF-16 with its mark (Notepad's "Unicode"); else a located error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _error(file, "the file starts like UTF-16 text but is not", "save the text as UTF-8") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", "replace")
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        hint = "save or export the text as UTF-8 (a file saved as Windows-1252 or 'ANSI' gives this error)"
        raise ContractError(
            [Diagnostic(Pos(str(file), line, column), "error", f"the file is not UTF-8 text (byte {exc.start})", hint)]
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
        if exc.locked:
            hint = "save a copy without the password (open it with the password, print or export to PDF)"
        raise _error(file, f"cannot read the PDF's text: {exc}", f"{hint}, or give its text as .txt") from None
    if not text.strip("\f\n "):
        raise _error(file, "the PDF has no text layer (a scan?)", "run OCR on it first, or give its text as .txt")
    return text


def _docx(file: Path, data: bytes) -> str:

    from ..word.read import WordFileError, read

    try:
        document = read(data)
    except WordFileError as exc:
        raise _error(file, str(exc), exc.hint or "save it from Word as .docx") from None
    numbered = _typed_numbers(document.paras)
    top = min((p.level for p in _chapter_headings(document.paras)), default=1)  # all chapters Heading 2: level 1
    counters: list[int] = []
    out: list[str] = []
    marks = [0]
    for row, paras in itertools.groupby(document.paras, key=lambda para: para.row or -para.place):
        if row > 0:  # a table's row: the contract has no tables, so its cells become one paragraph, in order
            cells = [_docx_text(para, document, marks) for para in paras]
            out.append(" | ".join(" ".join(text.split()) for text, _ in cells if text.strip()))
            out += [note for _, notes in cells for note in notes]
            continue
        for para in paras:
            text, notes = _docx_text(para, document, marks)
            if text.strip():
                level = 0 if numbered or not para.level else max(1, para.level - top + 1)
                text = _TYPED.sub(r"\1 ", " ".join(text.split()), 1) if numbered and para.kind == "heading" else text
                out.append(_docx_line(para.kind, level, " ".join(text.split()), counters))
                out += notes
    return "\n\n".join(line for line in out if line) + "\n"


def _chapter_headings(paras) -> list:
    """The headings that name chapters or sections: not the title, not an empty heading paragraph."""
    return [p for p in paras if p.kind == "heading" and p.text.strip() and p.text not in _TITLES]


def _typed_numbers(paras) -> bool:
    """Whether the chapters' numbers are typed in ("1. Syftet", "1.Syftet"), not Word's own heading numbering.

    Most headings, or most top-level ones, must open with a number: one heading that opens with a year or a count
    ("2030 års mål", "12 kommuner visar vägen") left the others without the numbers Word shows them with, and one
    unnumbered cover heading above typed chapters gave them two numbers each.
    """
    headings = _chapter_headings(paras)
    top = [p for p in headings if p.level == min((h.level for h in headings), default=0)]
    return any(sum(bool(_TYPED.match(p.text)) for p in group) * 2 > len(group) for group in (headings, top))


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
            elif atom.kind == "link" and para.kind != "heading" and _shown(atom.url) not in _shown(atom.text):
                # In running text the address follows its words, in brackets: a link's words without it would point
                # nowhere (an address too long for a line then becomes a link named by its site, as in any text).
                text += f" ({atom.url})"
    return text, after


def _shown(address: str) -> str:
    """An address as a text may show it: without its scheme and a closing slash."""
    return re.sub(r"^(https?://|mailto:)", "", address.strip().lower()).rstrip("/")


def _docx_line(kind: str, level: int, text: str, counters: list[int]) -> str:
    if kind == "heading" and level and text not in _TITLES:
        del counters[level:]
        counters.extend([0] * (level - len(counters)))
        counters[level - 1] += 1
        return f"{'.'.join(map(str, counters))}{'.' if level == 1 else ''} {text}"
    if kind == "item":
        return f"• {text}"
    return text
