"""contract/pdf/pyhanko_adapter.py overrides private pyHanko behaviour: fail loudly when pyHanko changes it."""

from __future__ import annotations

import inspect
import io
from importlib import metadata

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter

from contract.pdf import pyhanko_adapter

# The parameters each overridden member had when the adapter was written (pyHanko 0.38.0), without self/cls.
EXPECTED = {"_handle_id": ["prev"], "_update_meta": [], "create_font_engine": ["writer", "obj_stream"]}


def test_pyhanko_is_the_pinned_version():
    assert metadata.version("pyHanko") == "0.38.0", (
        "pyHanko changed: re-check contract/pdf/pyhanko_adapter.py, then the pin"
    )
    assert metadata.version("pyhanko-certvalidator") == "0.33.0"


def test_every_overridden_member_still_exists_with_the_same_parameters():
    for cls, names in pyhanko_adapter.OVERRIDDEN.items():
        for name in names:
            member = inspect.getattr_static(cls, name, None)
            assert member is not None, f"pyHanko's {cls.__name__}.{name} is gone: the adapter overrides nothing"
            function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
            assert params == EXPECTED[name], f"pyHanko's {cls.__name__}.{name} changed its parameters to {params}"


def _small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": "T", "/ModDate": "D:20200101000000Z"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _updated(cls) -> dict:
    writer = cls(io.BytesIO(_small_pdf()), strict=False)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return dict(PdfReader(io.BytesIO(out.getvalue())).metadata or {})


def test_the_metadata_override_takes_effect():
    """pyHanko's own writer stamps a new modification date; ours leave the document info as it was."""
    assert _updated(IncrementalPdfFileWriter).get("/ModDate") != "D:20200101000000Z"
    assert _updated(pyhanko_adapter.KeepMetadataWriter).get("/ModDate") == "D:20200101000000Z"
