"""Building blocks of the signature attacks: what an attacker does with pyHanko, outside our `sign`.

Each function takes PDF bytes and returns the attacked PDF bytes, so every attack in
tests/test_signature_attacks.py reads as the steps the issue describes.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from contract.pdf.credentials import Credentials

name = generic.pdf_name
HIDDEN, PRINT = 2, 4  # annotation flags


def raw_sign(data: bytes, field: str, creds: Credentials) -> bytes:
    """Sign a field with pyHanko as any tool would, none of our checks applied."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=creds.signer()).sign_pdf(writer, output=out)
    return out.getvalue()


def _page_one(writer: IncrementalPdfFileWriter):
    return writer.find_page_for_modification(0)[0]


def plant_text_field(data: bytes, hidden: bool, value: str = "") -> bytes:
    """Add a page-covering text field (hidden or not) in an incremental update: the shadow attack's setup."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page_ref = writer.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    widget = generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Widget"),
            name("/FT"): name("/Tx"),
            name("/T"): generic.TextStringObject("overlay"),
            name("/V"): generic.TextStringObject(value),
            name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 595, 842)]),
            name("/F"): generic.NumberObject(HIDDEN if hidden else PRINT),
            name("/P"): page_ref,
            name("/DA"): generic.TextStringObject("/Helv 24 Tf 0 g"),
        }
    )
    ref = writer.add_object(widget)
    _append_annot(writer, page, ref)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(ref)
    writer.update_container(form["/Fields"])
    writer.update_container(form)
    return _written(writer)


def plant_annotation(data: bytes, hidden: bool) -> bytes:
    """Add a page-covering FreeText annotation (hidden or not) in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page_ref = writer.find_page_for_modification(0)[0]
    annot = generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/FreeText"),
            name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 595, 842)]),
            name("/Contents"): generic.TextStringObject("AMENDED: Vinnova shall pay 100 MSEK"),
            name("/F"): generic.NumberObject(HIDDEN if hidden else PRINT),
            name("/DA"): generic.TextStringObject("/Helv 24 Tf 0 g"),
        }
    )
    _append_annot(writer, page_ref.get_object(), writer.add_object(annot))
    return _written(writer)


def reveal_and_fill(data: bytes, text: str) -> bytes:
    """After signatures: fill the planted field and make it (or a planted annotation) visible."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page = writer.find_page_for_modification(0)[0].get_object()
    for ref in page["/Annots"]:
        annot = ref.get_object()
        if annot.get("/Subtype") in ("/FreeText",) or annot.get("/FT") == "/Tx":
            annot[name("/F")] = generic.NumberObject(PRINT)
            if annot.get("/FT") == "/Tx":
                annot[name("/V")] = generic.TextStringObject(text)
            writer.update_container(annot)
    return _written(writer)


def remove_field(data: bytes, field: str) -> bytes:
    """Remove a party's signature field and its widget in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.root["/AcroForm"]
    kept = generic.ArrayObject([r for r in form["/Fields"] if r.get_object().get("/T") != field])
    form[name("/Fields")] = kept
    writer.update_container(form)
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page = writer.find_page_for_modification(index)[0].get_object()
        annots = page.get("/Annots")
        if annots is None:
            continue
        left = generic.ArrayObject([r for r in annots if r.get_object().get("/T") != field])
        if len(left) != len(annots):
            page[name("/Annots")] = left
            writer.update_container(page)
    return _written(writer)


def rewrite_metadata(data: bytes, title: str, keywords: str) -> bytes:
    """Rewrite the document info title and keywords (and the XMP) in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    info = writer.trailer["/Info"]
    old_title, old_keywords = str(info["/Title"]), str(info["/Keywords"])
    info[name("/Title")] = generic.TextStringObject(title)
    info[name("/Keywords")] = generic.TextStringObject(keywords)
    writer.update_container(info)
    xmp = writer.root["/Metadata"]
    packet = xmp.data.replace(old_title.encode(), title.encode()).replace(old_keywords.encode(), keywords.encode())
    stream = generic.StreamObject(
        {name("/Type"): name("/Metadata"), name("/Subtype"): name("/XML")}, stream_data=packet
    )
    writer.root[name("/Metadata")] = writer.add_object(stream)
    writer.update_root()
    return _written(writer)


def _append_annot(writer, page, ref) -> None:
    annots = page.get("/Annots")
    if annots is None:
        page[name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots = annots.get_object()
        annots.append(ref)
        writer.update_container(annots)
    writer.update_container(page)


def _written(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def updated(data: bytes, change) -> bytes:
    """Return data with one incremental update made by change(writer)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    return _written(writer)
