"""What a contract PDF is made of: the contract the tool wrote (its first two revisions) and what came after.

`klimatkontrakt pdf` writes exactly two revisions: Typst's document, then one update adding one
signature field per party. Everything a reader may rely on (version, status, language, parties, the
identity each party must sign with) is read from those two revisions. After them only party
signatures and, once all have signed, the seal (validation data and a document timestamp) may follow.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as pdf_fields

from ..errors import ContractError, Diagnostic
from ..model import Pos
from . import meta

CONTRACT_REVISIONS = 2  # Typst's document + the update with the signature fields


@dataclass
class Layout:
    """The contract inside a PDF and the structural problems found around it."""

    contract: bytes  # the bytes of the first two revisions: the unsigned contract
    facts: dict[str, str]  # version, status, lang, commit, parties: from the contract's own metadata
    parties: list[str]  # party ids, in the order the contract lists them
    fields: dict[str, generic.DictionaryObject]  # party id -> its field as the contract wrote it
    problems: list[str] = field(default_factory=list)
    widgets: set = field(default_factory=set)  # (object number, generation) of the parties' widgets


def _error(origin: str, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(origin), "error", message, hint, code)])


def open_pdf(origin: str, data: bytes) -> PdfFileReader:
    """Return a pyHanko reader, or a clear error for a file that is not a readable PDF."""
    if not data.startswith(b"%PDF-"):
        raise _error(origin, "this file is not a PDF", "give the PDF made by 'klimatkontrakt pdf YEAR'", "not-pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018 - resolving the catalogue proves the cross-reference data is readable
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise _error(
            origin, f"this PDF cannot be read: {exc}", "give the PDF made by 'klimatkontrakt pdf YEAR'", "not-pdf"
        ) from None
    if reader.encrypted:  # the contract is never encrypted: an encrypted file was rewritten by someone else
        raise _error(
            origin,
            "this PDF is encrypted; a contract PDF never is",
            "give the PDF made by 'klimatkontrakt pdf YEAR'",
            "encrypted",
        )
    return reader


def revision_end(reader: PdfFileReader, data: bytes, revision: int) -> int:
    """Return the offset just after a revision's %%EOF marker (and its end of line)."""
    start = reader.xrefs.get_xref_container_info(revision).end_location
    end = data.find(b"%%EOF", start)
    if end < 0:
        return len(data)
    end += 5
    if data[end : end + 2] == b"\r\n":
        return end + 2
    return end + 1 if data[end : end + 1] in (b"\r", b"\n") else end


def read(origin: str, data: bytes) -> tuple[PdfFileReader, Layout]:
    """Return the reader and the layout of a contract PDF; refuse a PDF that is not a contract."""
    reader = open_pdf(origin, data)
    total = reader.xrefs.total_revisions
    if total < CONTRACT_REVISIONS:
        # A translation's PDF (one revision, no fields) names its original's language: point at the original's PDF.
        source = meta.facts(data).get("source", meta.ORIGINAL_LANG)
        raise _error(
            origin,
            "this PDF has no signature fields: it is not a contract PDF made for signing",
            f"sign the original's PDF, made by 'klimatkontrakt pdf YEAR --lang {source}'",
            "not-ours",
        )
    contract = data[: revision_end(reader, data, CONTRACT_REVISIONS - 1)]
    facts = meta.facts(contract)
    if not facts or "version" not in facts:
        raise _error(
            origin,
            "this PDF was not made by klimatkontrakt (no klimatkontrakt metadata in its first revisions)",
            "sign the PDF made by 'klimatkontrakt pdf YEAR' in the original's language (--lang)",
            "not-ours",
        )
    parties = [p for p in facts.get("parties", "").split(";") if p]
    first = reader.get_historical_resolver(CONTRACT_REVISIONS - 1)
    refs = {name: ref for name, _, ref in pdf_fields.enumerate_sig_fields(first)}
    found = {name: ref.get_object() for name, ref in refs.items()}
    layout = Layout(contract, facts, parties, {p: found[p] for p in parties if p in found})
    layout.widgets = {_ident(w) for name, ref in refs.items() if name in parties for w in _widget_refs(ref)}
    layout.problems += _contract_problems(parties, found, facts)
    layout.problems += _later_problems(reader, layout)
    ends = len(re.findall(rb"startxref\s+\d+\s+%%EOF", data))
    if ends != total:  # an update whose /Prev skips earlier updates hides them (incremental saving attack)
        layout.problems.append(
            f"the file holds {ends} revisions, but its cross-reference chain reaches only {total}: "
            "an update hides earlier ones"
        )
    if data[revision_end(reader, data, total - 1) :].strip(b"\x00\t\n\f\r "):
        layout.problems.append("bytes were appended after the file's last revision")
    return reader, layout


def _contract_problems(parties: list[str], found: dict, facts: dict[str, str]) -> list[str]:
    problems = []
    if not parties:
        problems.append(
            "the contract does not list its parties (no klimatkontrakt-parties keyword): it was not made by this tool"
        )
    for party in parties:
        if party not in found:
            problems.append(f"the contract has no signature field for party {party!r}: a party's field was removed")
    for name in found:
        if name not in parties:
            problems.append(f"the contract has a signature field {name!r} that is no party's")
    return problems


def _later_problems(reader: PdfFileReader, layout: Layout) -> list[str]:
    """Return what was added after the contract that the contract does not allow."""
    problems = _form_field_problems(reader.root, "the file") + _form_flag_problems(reader)
    problems += _certification_problems(reader) + _active_content_problems(reader)
    problems += _annotation_problems(reader, layout)
    now = {name for name, _, _ in pdf_fields.enumerate_sig_fields(reader)}
    problems += [
        f"the signature field of party {p!r} was removed after the contract was made"
        for p in layout.fields
        if p not in now
    ]
    signed = sorted(sig.signed_revision for sig in reader.embedded_signatures)
    if signed and layout.facts.get("status") == "draft":
        problems.append(
            f"this is the draft of version {layout.facts.get('version')}, yet it carries signatures: drafts are not signed"
        )
    if not signed and reader.xrefs.total_revisions > CONTRACT_REVISIONS:
        extra = reader.xrefs.total_revisions - CONTRACT_REVISIONS
        problems.append(f"{extra} update(s) follow the contract, yet nothing is signed: only signatures may follow it")
    if signed and signed[0] != CONTRACT_REVISIONS:
        problems.append(
            f"{signed[0] - CONTRACT_REVISIONS} revision(s) were added between the contract and the first signature"
        )
    if _metadata(reader.get_historical_resolver(CONTRACT_REVISIONS - 1)) != _metadata(reader):
        problems.append("the document metadata (title, keywords, XMP) was rewritten after the contract was made")
    return problems


def _form_flag_problems(reader: PdfFileReader) -> list[str]:
    """Refuse form settings that make viewers show something other than the signed pages and stamps."""
    form = reader.root.get("/AcroForm")
    form = form.get_object() if form is not None else {}
    problems = []
    if form.get("/NeedAppearances"):
        problems.append("the form asks viewers to redraw its fields (/NeedAppearances): the contract never sets it")
    if "/XFA" in form:
        problems.append("the form carries an XFA form (/XFA), which some viewers show instead of the signed pages")
    return problems


# Actions that run code, open other files or send data: Typst never writes them, a contract never has them.
_ACTIVE = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
}


def _active_content_problems(reader: PdfFileReader) -> list[str]:
    """Refuse what runs or fetches on opening or on a click (JavaScript, launch, submit), wherever it was put."""
    root, problems = reader.root, []
    opening = root.get("/OpenAction")
    opening = opening.get_object() if opening is not None else None
    if isinstance(opening, generic.DictionaryObject) and opening.get("/S") in _ACTIVE:
        problems.append(f"the document runs an action when opened (/OpenAction {opening.get('/S')})")
    if "/AA" in root:
        problems.append("the document carries additional actions (/AA) that run on opening, saving or printing")
    names = root.get("/Names")
    for tree in ("/JavaScript", "/EmbeddedFiles"):
        if names is not None and tree in names.get_object():
            problems.append(f"the document carries {tree[1:]} (/Names {tree}) that the contract never has")
    for number, page in enumerate(_pages(reader), 1):
        kinds = {a.get_object().get("/A", generic.DictionaryObject()).get_object().get("/S") for a in _annots(page)}
        if "/AA" in page or kinds & _ACTIVE:
            what = ", ".join(sorted(kinds & _ACTIVE)) or "/AA"
            problems.append(f"page {number} carries an action that runs code or opens something ({what})")
    return problems


def _certification_problems(reader: PdfFileReader) -> list[str]:
    """Refuse certification (DocMDP) signatures: each party approves; none may lock the contract for the others."""
    problems = [
        f"the signature of {sig.field_name!r} certifies the document (DocMDP): it would lock the contract "
        "against the other parties' signatures; parties sign with 'klimatkontrakt sign' (an approval signature)"
        for sig in reader.embedded_regular_signatures
        if sig.docmdp_level is not None
    ]
    perms = reader.root.get("/Perms")
    if not problems and perms is not None and "/DocMDP" in perms.get_object():
        problems.append("the document carries certification permissions (/Perms /DocMDP), which the contract never has")
    return problems


def _form_field_problems(root, where: str) -> list[str]:
    form = root.get("/AcroForm")
    if form is None:
        return []
    problems = []
    for ref in _walk_fields(form.get_object().get("/Fields", generic.ArrayObject())):
        found = ref.get_object()
        if found.get("/FT") != "/Sig":
            name = found.get("/T", "(no name)")
            problems.append(
                f"{where} has a form field {str(name)!r} of type {found.get('/FT', 'none')}: "
                "a contract PDF has signature fields only (a field can overlay text after signing)"
            )
    return problems


def _walk_fields(array) -> list:
    out = []
    for item in array:
        out.append(item)
        kids = item.get_object().get("/Kids")
        if kids is not None and not any("/Subtype" in k.get_object() for k in kids):
            out += _walk_fields(kids)
    return out


def _annotation_problems(reader: PdfFileReader, layout: Layout) -> list[str]:
    """Allow only Typst's links (first revision) and the widgets of the parties' fields."""
    widgets = layout.widgets | _seal_widgets(reader)
    original = reader.get_historical_resolver(0)
    links = {_ident(a) for page in _pages(original) for a in _annots(page)}
    problems = []
    for number, page in enumerate(_pages(reader), 1):
        for annot in _annots(page):
            kind = annot.get_object().get("/Subtype")
            if _ident(annot) in widgets or (_ident(annot) in links and kind == "/Link"):
                continue
            problems.append(f"page {number} has an annotation ({kind}) that the contract did not have")
    return problems


def _seal_widgets(reader: PdfFileReader) -> set:
    """Return the invisible widgets of document timestamps (the seal's field), which carry no text."""
    found = set()
    for _, value, ref in pdf_fields.enumerate_sig_fields(reader):
        if value is not None and value.get_object().get("/Type") == "/DocTimeStamp":
            for widget in _widget_refs(ref):
                rect = [float(v) for v in widget.get_object().get("/Rect", [0, 0, 0, 0])]
                if rect[2] - rect[0] == 0 or rect[3] - rect[1] == 0:
                    found.add(_ident(widget))
    return found


def _widget_refs(ref) -> list:
    kids = ref.get_object().get("/Kids")
    return list(kids) if kids is not None else [ref]


def _ident(ref) -> tuple[int, int] | None:
    ref = getattr(ref, "reference", ref)
    return (ref.idnum, ref.generation) if hasattr(ref, "idnum") else None


def _pages(handler) -> list:
    out, todo = [], [handler.root["/Pages"]]
    while todo:
        node = todo.pop(0).get_object()
        if node.get("/Type") == "/Pages":
            todo = list(node["/Kids"]) + todo
        else:
            out.append(node)
    return out


def _annots(page) -> list:
    annots = page.get("/Annots")
    if annots is None:
        return []
    annots = annots.get_object()
    return [annots.raw_get(i) for i in range(len(annots))]  # references, so identity can be compared


# What a signing tool may update when it adds a revision; everything else readers see must stay.
_VOLATILE = {"/ModDate", "/Producer", "xmp:ModifyDate", "xmp:MetadataDate", "pdf:Producer", "xmp:CreatorTool"}


def _metadata(handler) -> tuple:
    """Return the document info and XMP properties a reader sees (title, keywords, ...), minus dates and tools."""
    info = handler.trailer_view.get("/Info")
    info = {str(k): str(v) for k, v in info.get_object().items()} if info is not None else {}
    xmp = handler.root.get("/Metadata")
    props = meta.xmp_packet_properties(xmp.get_object().data) if xmp is not None else {}
    kept = {k: v for k, v in (*info.items(), *props.items()) if k not in _VOLATILE}
    return tuple(sorted(kept.items()))
