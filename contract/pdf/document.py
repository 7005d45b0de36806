"""The contract PDF: the Typst layout with one empty, tagged signature field per party (one update).

pyHanko (signature_fields) loads only for the Swedish original: a translation has no fields.
"""

from __future__ import annotations

from ..model import Contract, Party
from ..render import labels
from ..render import typst as typst_render
from ..render.plain import Resolver, plain
from ..source.provenance import Source
from .compile import compile_with, compiler, signature_boxes


def render_pdf(contract: Contract, lang: str, source: Source) -> bytes:
    """Return the PDF of one version in one language, with an empty signature field per party."""
    with compiler(typst_render.document(contract, lang, source)) as comp:
        pdf, boxes = compile_with(comp, source.timestamp), signature_boxes(comp)
    if lang != contract.languages[0]:  # a translation is never signed: no fields
        return pdf
    from .identity import seed_value
    from .signature_fields import add_signature_fields

    # The names as the layout shows them: the headings are found by that text, and a screen reader says the tooltip.
    names = {p.id: plain(p.name, lang, Resolver.of(contract)) for p in contract.parties}
    tooltip = labels.label(lang, "signature_field")
    tooltips = {p.id: f"{tooltip}: {names[p.id]}" for p in contract.parties}
    seeds = {
        p.id: seed_value(p.certificate_subject, *_reason_location(contract, p))
        for p in contract.parties
        if p.certificate_subject
    }
    headings = {p.id: labels.label(lang, "signature_for", party=names[p.id]) for p in contract.parties}
    return add_signature_fields(pdf, boxes, tooltips, seeds, headings)


def _reason_location(contract: Contract, party: Party) -> tuple[str, str | None]:
    """Return the signature's /Reason and /Location from the contract data (Swedish, the original)."""
    original, resolver = contract.languages[0], Resolver.of(contract)
    version = labels.label(original, "version_label", version=contract.meta.version)
    title = f"{plain(contract.meta.title, original, resolver)} – {version}"
    reason = labels.label(original, "signature_reason", party=plain(party.name, original, resolver), title=title)
    municipality = next((p for p in contract.parties if p.id == contract.meta.municipality), None)
    return reason, (plain(municipality.name, original, resolver) if municipality else None)
