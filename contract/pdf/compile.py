"""The archival PDF: Typst source → PDF/A-2b + PDF/UA-1, then one empty signature field per party.

Typst compiles with only the fonts we ship (bundled with the `typst` package, plus Source Sans Pro
from the `font-source-sans-pro` package), so every font is embedded and the output does not depend
on the machine. The timestamp comes from the source commit, so the same input gives the same bytes.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.etree import ElementTree

import font_source_sans_pro
import typst
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from pypdf import PdfReader

from . import labels
from .files import source_date_epoch
from .errors import ContractError, Diagnostic
from .model import Contract, Pos
from .provenance import Source
from .render import typst as typst_render

FONT_DIR = Path(font_source_sans_pro.font_directory)
STAMP_FONT = FONT_DIR / "SourceSansPro-Regular.ttf"
PDF_STANDARDS = ["a-2b", "ua-1"]
FIELD_LABEL = "kk-signature-field"
LIBRARY = "klimatkontrakt.typ"
KEYWORD_PREFIX = "klimatkontrakt-"


@dataclass(frozen=True)
class SignatureBox:
    """Where the layout put one party's signature box (PDF user space, origin bottom left)."""

    party: str
    page: int  # 0-based page index
    rect: tuple[float, float, float, float]


# ---------------------------------------------------------------- Typst


@contextmanager
def _compiler(source: str) -> Iterator[typst.Compiler]:
    """Yield a Typst compiler for a source beside our layout library, in a scratch folder.

    The source sits in a real file (not bytes) so that a query after compiling reuses the compiled
    document instead of compiling it again.
    """
    with tempfile.TemporaryDirectory(prefix="klimatkontrakt-typst-") as folder:
        shutil.copy(typst_render.TEMPLATES / LIBRARY, folder)
        main = Path(folder) / "main.typ"
        main.write_text(source, encoding="utf-8")
        yield typst.Compiler(str(main), root=folder, font_paths=[str(FONT_DIR)], ignore_system_fonts=True)


def compile_typst(source: str, timestamp: int) -> bytes:
    """Compile Typst source to PDF/A-2b + PDF/UA-1 bytes at a fixed creation time.

    The source may `#import "/klimatkontrakt.typ" as kk` to use the contract's layout.
    """
    with _compiler(source) as comp:
        return _compile(comp, timestamp)


def _compile(comp: typst.Compiler, timestamp: int) -> bytes:
    try:
        return comp.compile(format="pdf", pdf_standards=PDF_STANDARDS, timestamp=timestamp)
    except typst.TypstError as exc:
        raise _typst_error(exc) from None


def _typst_error(exc: typst.TypstError) -> ContractError:
    hints = "; ".join(getattr(exc, "hints", []) or [])
    message = f"Typst could not compile the PDF: {getattr(exc, 'message', str(exc))}"
    hint = hints or "this is a bug in the PDF template (contract/templates/); please report it with the input"
    return ContractError([Diagnostic(Pos("<typst>"), "error", message, hint, "typst")])


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


# ---------------------------------------------------------------- the contract PDF


def render_pdf(contract: Contract, lang: str, source: Source) -> bytes:
    """Return the PDF of one version in one language, with an empty signature field per party."""
    with _compiler(typst_render.document(contract, lang, source)) as comp:
        pdf, boxes = _compile(comp, source.timestamp), signature_boxes(comp)
    tooltip = labels.label(lang, "signature_field")
    tooltips = {p.id: f"{tooltip}: {p.name.shown(lang)[0]}" for p in contract.parties}
    return add_signature_fields(pdf, boxes, tooltips)


def add_signature_fields(pdf: bytes, boxes: list[SignatureBox], tooltips: dict[str, str]) -> bytes:
    """Return the PDF with a visible, empty, tagged signature field over each box (one update)."""
    writer = _FieldWriter(io.BytesIO(pdf))
    for box in boxes:
        spec = fields.SigFieldSpec(
            sig_field_name=box.party,
            on_page=box.page,
            box=box.rect,
            readable_field_name=tooltips.get(box.party, box.party),  # /TU: what a screen reader says
        )
        fields.append_signature_field(writer, spec)
    _tag_widgets(writer, boxes)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _FieldWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, made reproducible: Typst's metadata kept, no random file ID."""

    @classmethod
    def _handle_id(cls, prev):
        first, second = (bytes(v.original_bytes) for v in prev.trailer["/ID"])
        derived = hashlib.sha256(first + second + b"klimatkontrakt signature fields").digest()[:16]
        return generic.ArrayObject([generic.ByteStringObject(first), generic.ByteStringObject(derived)])

    def _update_meta(self):
        """Keep the document info and XMP exactly as Typst wrote them (no clock, still in agreement)."""


def _tag_widgets(writer: IncrementalPdfFileWriter, boxes: list[SignatureBox]) -> None:
    """Put each widget in the structure tree as a Form element, as PDF/UA requires."""
    tree = writer.root["/StructTreeRoot"]
    kids = tree["/K"]
    document_ref = kids.raw_get(0) if isinstance(kids, generic.ArrayObject) else tree.raw_get("/K")
    nums = tree["/ParentTree"]["/Nums"]
    widgets = {name: ref for name, _, ref in fields.enumerate_sig_fields(writer, filled_status=False)}
    key = int(tree.get("/ParentTreeNextKey", len(nums) // 2))
    for box in boxes:
        page_ref = writer.find_page_for_modification(box.page)[0]
        form_ref = writer.add_object(_form_element(widgets[box.party], page_ref, document_ref))
        widget = widgets[box.party].get_object()
        widget[generic.pdf_name("/StructParent")] = generic.NumberObject(key)
        writer.update_container(widget)
        nums.extend([generic.NumberObject(key), form_ref])
        _append_kid(writer, document_ref.get_object(), form_ref)
        page = page_ref.get_object()
        page[generic.pdf_name("/Tabs")] = generic.pdf_name("/S")  # tab order follows the structure
        writer.update_container(page)
        key += 1
    tree[generic.pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key)
    writer.update_container(nums)
    writer.update_container(tree)


def _form_element(widget_ref, page_ref, parent_ref) -> generic.DictionaryObject:
    name = generic.pdf_name
    return generic.DictionaryObject({
        name("/Type"): name("/StructElem"),
        name("/S"): name("/Form"),
        name("/P"): parent_ref,
        name("/Pg"): page_ref,
        name("/Alt"): widget_ref.get_object()["/TU"],
        name("/K"): generic.DictionaryObject({name("/Type"): name("/OBJR"), name("/Obj"): widget_ref, name("/Pg"): page_ref}),
    })


def _append_kid(writer: IncrementalPdfFileWriter, element, kid_ref) -> None:
    kids = element["/K"]
    if not isinstance(kids, generic.ArrayObject):
        kids = generic.ArrayObject([element.raw_get("/K")])
        element[generic.pdf_name("/K")] = kids
    kids.append(kid_ref)
    writer.update_container(kids)
    writer.update_container(element)


# ---------------------------------------------------------------- what a PDF says about itself


def facts(pdf: bytes) -> dict[str, str]:
    """Return the klimatkontrakt facts in a PDF's keywords (version, status, lang, commit), or {}."""
    try:
        info = PdfReader(io.BytesIO(pdf)).metadata or {}
    except Exception:  # not a readable PDF: the caller says so
        return {}
    words = [w.strip() for w in str(info.get("/Keywords", "")).split(",")]
    return dict(w[len(KEYWORD_PREFIX) :].split(":", 1) for w in words if w.startswith(KEYWORD_PREFIX) and ":" in w)


_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# Document info keys and the XMP properties PDF/A requires to say the same.
_XMP_FIELDS = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
    "/CreationDate": "xmp:CreateDate",
    "/ModDate": "xmp:ModifyDate",
}


def xmp_properties(pdf: bytes) -> dict[str, str]:
    """Return the simple XMP properties of a PDF (first item of an Alt/Seq/Bag) by prefixed name."""
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None:
        return {}
    root = ElementTree.fromstring(metadata.get_object().get_data())
    names = {f"{{{uri}}}": prefix for prefix, uri in _NS.items()}
    found: dict[str, str] = {}
    for description in root.iter(f"{_RDF}Description"):
        for key, value in description.attrib.items():
            _keep(found, names, key, value)
        for child in description:
            items = [li.text or "" for li in child.iter(f"{_RDF}li")]
            _keep(found, names, child.tag, items[0] if items else (child.text or ""))
    return found


def _keep(found: dict[str, str], names: dict[str, str], tag: str, value: str) -> None:
    uri, _, local = tag.rpartition("}")
    prefix = names.get(uri + "}")
    if prefix and f"{prefix}:{local}" not in found:
        found[f"{prefix}:{local}"] = value


def metadata_disagreements(pdf: bytes) -> list[str]:
    """Return where the document info and the XMP metadata disagree (PDF/A needs them equal)."""
    info = PdfReader(io.BytesIO(pdf)).trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    xmp = xmp_properties(pdf)
    problems = []
    for key, prop in _XMP_FIELDS.items():
        if key not in info:
            continue
        value, found = str(info[key]), xmp.get(prop)
        same = _same_date(value, found) if key.endswith("Date") else value == found
        if not same:
            problems.append(f"{key[1:]}: document info says {value!r}, XMP says {found!r}")
    return problems


def _same_date(pdf_date: str, xmp_date: str | None) -> bool:
    if xmp_date is None:
        return False
    try:
        return _pdf_date(pdf_date) == datetime.datetime.fromisoformat(xmp_date.replace("Z", "+00:00"))
    except ValueError:
        return False


def _pdf_date(value: str) -> datetime.datetime:
    match = re.match(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?", value)
    if not match:
        raise ValueError(value)
    moment = datetime.datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
    zone = (match.group(2) or "Z").replace("'", "")
    if zone == "Z":
        return moment.replace(tzinfo=datetime.timezone.utc)
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return moment.replace(tzinfo=datetime.timezone(offset if zone[0] == "+" else -offset))


# ---------------------------------------------------------------- Word, for circulating drafts


def render_docx(contract: Contract, lang: str, source: Source) -> bytes:
    """Return a Word file of one version in one language, made by pandoc from the Markdown export.

    Without pandoc's "smart" extension: quotes and dashes stay exactly as the contract writes them.
    """
    import pypandoc

    from . import export

    text = export.to_markdown(contract, lang)
    note = typst_render.stand_in_note(list(contract.texts()), lang)
    if note:  # the Swedish text stands in somewhere: say so before the text, visibly
        text = f"*{note}*\n\n{text}"
    with tempfile.TemporaryDirectory(prefix="klimatkontrakt-docx-") as folder, source_date_epoch(source.timestamp):
        output = Path(folder) / "contract.docx"
        region = typst_render.REGIONS[lang]
        pypandoc.convert_text(text, "docx", format="markdown-smart", outputfile=str(output), extra_args=[f"--metadata=lang:{lang}-{region}"])
        return output.read_bytes()
