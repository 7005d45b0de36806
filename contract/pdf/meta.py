"""What a contract PDF says about itself: the klimatkontrakt keywords, document info and XMP."""

from __future__ import annotations

import datetime
import io
import re
from xml.etree import ElementTree

KEYWORD_PREFIX = "klimatkontrakt-"
ORIGINAL_LANG = "sv"  # the original of a PDF that does not name its source language (made before they did)


def facts(pdf: bytes) -> dict[str, str]:
    """Return the klimatkontrakt facts in a PDF's keywords (version, status, lang, commit), or {}."""
    try:
        info: dict[str, object] = dict(_reader(pdf).metadata or {})
    except Exception:
        return {}
    words = [w.strip() for w in str(info.get("/Keywords", "")).split(",")]
    return dict(w[len(KEYWORD_PREFIX) :].split(":", 1) for w in words if w.startswith(KEYWORD_PREFIX) and ":" in w)


# What the commands put on a page: link annotations (Typst) and the signature fields' widgets (pyHanko).
_OWN_ANNOTATIONS = {"/Link", "/Widget"}


def annotated(pdf: bytes) -> bool:
    """Whether someone added annotations to a PDF (comments, highlights, drawings): any but links and form fields.

    A PDF that cannot be read counts as annotated: the question is whether a file may be thrown away.
    """
    try:
        for page in _reader(pdf).pages:
            for annotation in page.get("/Annots") or []:
                if str(annotation.get_object().get("/Subtype")) not in _OWN_ANNOTATIONS:
                    return True
    except Exception:
        return True
    return False


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
    return _xmp_of(_reader(pdf))


def _xmp_of(reader) -> dict[str, str]:
    metadata = reader.root_object.get("/Metadata")
    if metadata is None:
        return {}
    return xmp_packet_properties(metadata.get_object().get_data())


def xmp_packet_properties(packet: bytes) -> dict[str, str]:
    """Return the simple properties of an XMP packet (first item of an Alt/Seq/Bag) by prefixed name."""
    try:
        root = ElementTree.fromstring(packet)
    except ElementTree.ParseError:
        return {"(unreadable)": packet.decode("latin-1")}
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
    reader = _reader(pdf)  # parsed once for both
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    xmp = _xmp_of(reader)
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
        return _pdf_date(pdf_date) == datetime.datetime.fromisoformat(xmp_date)
    except ValueError:
        return False


def _pdf_date(value: str) -> datetime.datetime:
    match = re.match(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?", value)
    if not match:
        raise ValueError(value)
    moment = datetime.datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
    zone = (match.group(2) or "Z").replace("'", "")
    if zone == "Z":
        return moment.replace(tzinfo=datetime.UTC)
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return moment.replace(tzinfo=datetime.timezone(offset if zone[0] == "+" else -offset))


def _reader(pdf: bytes):
    """Return a pypdf reader of pdf (pypdf loads here: rendering a PDF needs ORIGINAL_LANG, not a reader)."""
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))
