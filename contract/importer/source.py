"""Read an input file into text: a PDF through pdftotext, a Word file's paragraphs, or a text file."""
from __future__ import annotations

import io
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
        raise ContractError([Diagnostic(Pos(str(file), data[: exc.start].count(b"\n") + 1, 1), "error",
                                        f"the file is not UTF-8 text (byte {exc.start})", "save or export the text as UTF-8")]) from None


def _error(file: Path, message: str, hint: str) -> ContractError:
    return ContractError([Diagnostic(Pos(str(file)), "error", message, hint)])


def _pdf(file: Path, data: bytes) -> str:
    from .pdftext import PdfTextError, pdf_text

    if not data.startswith(b"%PDF"):
        raise _error(file, "the file is not a PDF", "give the signed PDF itself, or its text as .txt")
    try:
        text = pdf_text(data)
    except PdfTextError as exc:
        raise _error(file, f"cannot read the PDF's text: {exc}", "install poppler-utils, or export the text as .txt") from None
    if not text.strip("\f\n "):
        raise _error(file, "the PDF has no text layer (a scan?)", "run OCR on it first, or give its text as .txt")
    return text


def _docx(file: Path, data: bytes) -> str:
    import docx  # python-docx: only for Word files

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _error(file, f"the file is not a Word document ({exc})", "save it from Word as .docx") from None
    counters: list[int] = []
    out: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if text:
            out.append(_docx_line(paragraph.style.name if paragraph.style is not None else "", text, counters))
    return "\n\n".join(out) + "\n"


def _docx_line(style: str, text: str, counters: list[int]) -> str:
    level = re.match(r"Heading (\d)", style)
    if level and not re.match(r"^\d+(\.\d+)*\.?\s", text) and counters is not None:
        depth = int(level.group(1))
        del counters[depth:]
        counters.extend([0] * (depth - len(counters)))
        counters[depth - 1] += 1
        return f"{'.'.join(map(str, counters))}{'.' if depth == 1 else ''} {text}"
    if "List" in style and not text.startswith("•"):
        return f"• {text}"
    return text
