"""A Word file of one version: pandoc from Markdown whose headings carry the section ids as bookmarks."""

from __future__ import annotations

import hashlib
import io
import zipfile

from ..model import Contract
from ..output.files import source_date_epoch
from ..output.scratch import scratch_folder
from ..render import labels
from ..render import markdown as md
from ..render.plain import Resolver
from ..source.provenance import Source

# Bookmarks that are not section ids: the contract's title and the annex.
TITLE, ANNEX = "klimatkontrakt-title", "klimatkontrakt-annex"


def bookmark(section_id: str) -> str:
    """The bookmark name of a section: its id, shortened with a hash to Word's limit of 40 characters."""
    if len(section_id) <= 40:
        return section_id
    return f"{section_id[:31]}-{hashlib.sha1(section_id.encode('utf-8')).hexdigest()[:8]}"


def to_markdown(contract: Contract, lang: str) -> str:
    """Return the text as Markdown whose headings name their section id ({#id}), as pandoc reads it."""
    resolver = Resolver.of(contract)
    parts = [
        f"# {md.text(contract.meta.title, lang, resolver)} {{#{TITLE}}}",
        f"VERSION {md.escape(contract.meta.version)}",
    ]
    parts += md.blocks(contract.preamble, lang, resolver)
    for section in contract.walk():
        hashes = "#" * min(section.depth + 1, 6)
        parts.append(
            f"{hashes} {md.escape(section.number)} {md.text(section.title, lang, resolver)} {{#{bookmark(section.id)}}}"
        )
        parts += md.blocks(section.body, lang, resolver)
    if contract.annex:
        parts.append(f"## {md.text(contract.annex.title, lang, resolver)} {{#{ANNEX}}}")
        parts += md.blocks(contract.annex.body, lang, resolver)
        parts.append(
            "\n".join(f"- {md.link(md.text(d.title, lang, resolver), d.url)}" for d in contract.annex.documents)
        )
    notes = [f"[^{n.number}]: {md.text(n.text, lang, resolver)}" for n in contract.footnotes()]
    return "\n\n".join(parts + notes) + "\n"


def render_docx(contract: Contract, lang: str, source: Source) -> bytes:
    """Return a Word file of one version in one language; each section heading is bookmarked with its id.

    Without pandoc's "smart" extension: quotes and dashes stay exactly as the contract writes them.
    """
    import pypandoc

    text = to_markdown(contract, lang)
    note = labels.stand_in_note(list(contract.texts()), lang)
    if note:  # the Swedish text stands in somewhere: say so before the text, visibly
        text = f"*{note}*\n\n{text}"
    with scratch_folder("klimatkontrakt-docx-") as folder, source_date_epoch(source.timestamp):
        output = folder / "contract.docx"
        region = labels.region(lang)
        pypandoc.convert_text(
            text,
            "docx",
            format="markdown-smart-auto_identifiers",
            outputfile=str(output),
            # In pandoc's sandbox: nothing in the text can make it read a file or fetch from the network.
            extra_args=[f"--metadata=lang:{lang}-{region}" if region else f"--metadata=lang:{lang}", "--sandbox"],
        )
        return _point_bookmarks(output.read_bytes())


def _point_bookmarks(data: bytes) -> bytes:
    """Make each heading's bookmark enclose the heading alone, not its whole section.

    pandoc's bookmarks span a section and its subsections; LibreOffice moves the start of such
    nested bookmarks to where they end, which would put a section's id on its last subsection.
    """
    from lxml import etree

    from .read import W

    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    body = root.find(f"{{{W}}}body")
    ends = {e.get(f"{{{W}}}id"): e for e in root.iter(f"{{{W}}}bookmarkEnd")}
    for start in list(body.iterchildren(f"{{{W}}}bookmarkStart")):
        paragraph = start.getnext()
        while paragraph is not None and paragraph.tag == f"{{{W}}}bookmarkStart":
            paragraph = paragraph.getnext()
        end = ends.get(start.get(f"{{{W}}}id"))
        if paragraph is None or paragraph.tag != f"{{{W}}}p" or end is None:
            continue
        props = paragraph.find(f"{{{W}}}pPr")
        paragraph.insert(0 if props is None else 1, start)
        paragraph.append(end)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(item, content)
    return out.getvalue()
