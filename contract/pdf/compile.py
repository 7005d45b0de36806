"""Typst source → PDF/A-2b + PDF/UA-1 bytes, and where the layout put each signature box.

Typst compiles with only the fonts we ship (bundled with the `typst` package, plus Source Sans Pro
from the `font-source-sans-pro` package), so every font is embedded and the output does not depend
on the machine. The timestamp comes from the source commit, so the same input gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import font_source_sans_pro
import typst

from ..errors import ContractError, Diagnostic
from ..render import typst as typst_render

FONT_DIR = Path(font_source_sans_pro.font_directory)
STAMP_FONT = FONT_DIR / "SourceSansPro-Regular.ttf"
FIELD_LABEL = "kk-signature-field"
MAIN = "document.typ"  # what Typst compiles: it lays out the generated source it is given


@dataclass(frozen=True)
class SignatureBox:
    """Where the layout put one party's signature box (PDF user space, origin bottom left)."""

    party: str
    page: int  # 0-based page index
    rect: tuple[float, float, float, float]


# ---------------------------------------------------------------- Typst


@contextmanager
def compiler(source: str) -> Iterator[typst.Compiler]:
    """Yield a Typst compiler for a generated source, which can `#import "/klimatkontrakt.typ" as kk` (our layout).

    The compiled file is the fixed MAIN, which evaluates the source handed to it as an input: a real file, so a
    query after compiling reuses the compiled document (typst-py queries fail on a source given as bytes), and
    nothing is written for a render, so a killed build leaves no temporary folder behind.
    """
    yield typst.Compiler(
        str(typst_render.TEMPLATES / MAIN),
        root=str(typst_render.TEMPLATES),
        font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True,
        sys_inputs={"source": source},
    )


def compile_typst(source: str, timestamp: int) -> bytes:
    """Compile Typst source to PDF/A-2b + PDF/UA-1 bytes at a fixed creation time.

    The source may `#import "/klimatkontrakt.typ" as kk` to use the contract's layout.
    """
    with compiler(source) as comp:
        return compile_with(comp, timestamp)


def compile_with(comp: typst.Compiler, timestamp: int) -> bytes:
    try:
        pdf = comp.compile(format="pdf", pdf_standards=["a-2b", "ua-1"], timestamp=timestamp)
    except typst.TypstError as exc:
        raise _typst_error(exc) from None
    if not isinstance(pdf, bytes):  # one PDF is asked for; a list or nothing would be Typst's fault
        raise TypeError(f"typst returned {type(pdf).__name__} instead of one PDF")
    return pdf


def _typst_error(exc: typst.TypstError) -> ContractError:
    hints = "; ".join(getattr(exc, "hints", []) or [])
    message = f"Typst could not compile the PDF: {getattr(exc, 'message', str(exc))}"
    hint = hints or "this is a bug in the PDF template (contract/templates/); please report it with the input"
    return ContractError([Diagnostic(None, "error", message, hint, "typst")])


def signature_boxes(comp: typst.Compiler) -> list[SignatureBox]:
    """Return the signature boxes the compiled layout placed, in document order."""
    try:
        found = json.loads(comp.query(f"<{FIELD_LABEL}>", field="value", format="json"))
    except typst.TypstError as exc:
        raise _typst_error(exc) from None
    boxes = []
    for item in found:
        top = item["page-height"] - item["y"]
        rect = (item["x"], top - item["height"], item["x"] + item["width"], top)
        boxes.append(SignatureBox(item["party"], item["page"] - 1, tuple(round(v, 3) for v in rect)))
    return boxes


_compiler = compiler  # the name tests and benchmarks used before the split
