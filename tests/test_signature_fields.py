"""The signature fields the build writes are pyHanko's own, byte for byte, without loading pyHanko's signing stack."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from contract.pdf import signature_fields
from contract.pdf.compile import SignatureBox, compile_typst, compiler, signature_boxes
from contract.pdf.document import render_pdf
from contract.pdf.identity import seed_value
from contract.pdf.pyhanko_adapter import FieldWriter
from contract.render import typst as typst_render
from contract.source.load import load
from contract.source.provenance import source

ROOT = Path(__file__).resolve().parents[1]


def with_pyhanko(pdf: bytes, boxes: list[SignatureBox], tooltips: dict[str, str], seeds: dict) -> bytes:
    """The fields as pyHanko's append_signature_field makes them (what the build did before), untagged."""
    writer = FieldWriter(io.BytesIO(pdf))
    for box in boxes:
        spec = fields.SigFieldSpec(
            sig_field_name=box.party,
            on_page=box.page,
            box=box.rect,  # type: ignore[arg-type]
            readable_field_name=tooltips.get(box.party, box.party),
        )
        fields.append_signature_field(writer, spec)
        if box.party in seeds:
            found = next(ref for name, _, ref in fields.enumerate_sig_fields(writer) if name == box.party)
            found.get_object()[generic.pdf_name("/SV")] = writer.add_object(seeds[box.party])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def ours_untagged(pdf: bytes, boxes: list[SignatureBox], tooltips: dict[str, str], seeds: dict) -> bytes:
    """Our fields, without the structure-tree tagging that pyHanko does not do."""
    writer = FieldWriter(io.BytesIO(pdf))
    for box in boxes:
        ref = signature_fields._append_field(writer, box, tooltips.get(box.party, box.party))
        if box.party in seeds:
            ref.get_object()[generic.pdf_name("/SV")] = writer.add_object(seeds[box.party])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def layout() -> tuple[bytes, list[SignatureBox], dict, dict]:
    """The Swedish contract as Typst lays it out, with its boxes, tooltips and seed values."""
    contract, src = load(ROOT, "2023"), source(ROOT)
    with compiler(typst_render.document(contract, "sv", src)) as comp:
        from contract.pdf.compile import compile_with

        pdf, boxes = compile_with(comp, src.timestamp), signature_boxes(comp)
    tooltips = {p.id: f"Signatur: {p.name.source}" for p in contract.parties}
    seeds = {p.id: seed_value(p.certificate_subject) for p in contract.parties if p.certificate_subject}
    return pdf, boxes, tooltips, seeds


def test_the_contracts_fields_are_pyhankos_byte_for_byte(layout):
    pdf, boxes, tooltips, seeds = layout
    assert len(boxes) == 8
    assert ours_untagged(pdf, boxes, tooltips, seeds) == with_pyhanko(pdf, boxes, tooltips, seeds)


@pytest.mark.parametrize(
    "rects",
    [
        [(10.0, 20.0, 110.0, 70.0)],  # one field
        [(0.123456, 1.99999, 300.00001, 400.5)],  # coordinates rounded as pyHanko rounds them
        [(50.0, 50.0, 50.0, 90.0), (10.0, 10.0, 60.0, 10.0)],  # no width, no height: no appearance
        [(200.0, 300.0, 100.0, 250.0)],  # corners given the wrong way round
    ],
)
def test_odd_boxes_give_pyhankos_fields(rects):
    pdf = compile_typst('#set document(title: [T])\n#set text(lang: "sv")\nEtt.\n#pagebreak()\nTvå.', 0)
    boxes = [SignatureBox(f"part-{i}", i % 2, rect) for i, rect in enumerate(rects)]
    tooltips = {"part-0": "Signatur: Å Ä Ö – \u00e9"}  # the others fall back to their names
    assert ours_untagged(pdf, boxes, tooltips, {}) == with_pyhanko(pdf, boxes, tooltips, {})


def test_a_field_name_the_pdf_has_already_is_refused_like_pyhanko(layout):
    pdf, boxes, tooltips, seeds = layout
    once = signature_fields.add_signature_fields(pdf, boxes[:1], tooltips, seeds)
    with pytest.raises(ValueError, match=boxes[0].party):
        signature_fields.add_signature_fields(once, boxes[:1], tooltips, seeds)


def test_the_rendered_contracts_fields_are_found_by_pyhanko(layout):
    contract = load(ROOT, "2023")
    pdf = render_pdf(contract, "sv", source(ROOT))
    found = {name: ref.get_object() for name, _, ref in fields.enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)))}
    assert sorted(found) == sorted(p.id for p in contract.parties)
    for party in contract.parties:
        assert found[party.id]["/FT"] == "/Sig" and "/V" not in found[party.id]
        assert ("/SV" in found[party.id]) == bool(party.certificate_subject)


def test_rendering_a_pdf_loads_no_signing_code():
    """The point of writing the fields here: a build never imports pyhanko.sign (nor its HTTP clients).

    Nor pyHanko's font engine and fontTools' subsetter, which only the signature stamp needs (0.14 s of imports).
    """
    signing = ("pyhanko.sign", "aiohttp", "pyhanko.pdf_utils.font", "fontTools.subset")
    code = (
        "import sys; from pathlib import Path; from contract.source.load import load; "
        "from contract.source.provenance import source; from contract.pdf.document import render_pdf; "
        f"root = Path({str(ROOT)!r}); render_pdf(load(root, '2023'), 'sv', source(root)); "
        f"print(sorted(m for m in sys.modules if m.startswith({signing!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
