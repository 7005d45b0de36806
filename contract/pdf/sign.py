"""Signing: one party fills its own field (PAdES B-B, or B-T with a timestamp) in one incremental update.

Before anything is written, every reason to refuse is collected and reported at once: a draft or a
translation, a PDF whose structure the contract does not allow, a field that is not the party's or
already signed, a certificate that may not sign or does not carry the party's identity.
"""

from __future__ import annotations

import datetime
import io

from cryptography.x509.oid import NameOID
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper

from ..errors import ContractError, Diagnostic
from ..model import Pos
from . import identity, stamp, structure
from .credentials import Credentials
from .meta import ORIGINAL_LANG
from .pyhanko_adapter import KeepMetadataWriter


def _diagnostic(origin: str, message: str, hint: str, code: str) -> Diagnostic:
    return Diagnostic(Pos(origin), "error", message, hint, code)


def refusals(origin: str, data: bytes, party: str, creds: Credentials, now: datetime.datetime) -> list[Diagnostic]:
    """Return every reason this party may not sign this PDF with these credentials (empty: it may)."""
    return _refusals(origin, data, party, creds, now)[0]


def _refusals(
    origin: str, data: bytes, party: str, creds: Credentials, now: datetime.datetime
) -> tuple[list[Diagnostic], structure.Layout]:
    """Return every reason to refuse, in the order a signer fixes them: the document, the field, the certificate."""
    reader, layout = structure.read(origin, data)
    out = _document_refusals(origin, layout)
    if party not in layout.fields:
        hint = f"use one of: {', '.join(layout.parties)}"
        out.append(_diagnostic(origin, f"this PDF has no signature field for party {party!r}", hint, "unknown-party"))
        return out, layout
    signed = {name: value is not None for name, value, _ in fields.enumerate_sig_fields(reader)}
    if signed.get(party):
        hint = "each party signs once; 'klimatkontrakt verify' shows who signed"
        out.append(_diagnostic(origin, f"the field of party {party!r} is already signed", hint, "already-signed"))
    return out + _certificate_refusals(origin, layout, party, creds, now), layout


def original_language(layout: structure.Layout) -> str:
    """Return the language of the contract's original, which is signed: the PDF names it (earlier PDFs: Swedish)."""
    return layout.facts.get("source", ORIGINAL_LANG)


def _document_refusals(origin: str, layout: structure.Layout) -> list[Diagnostic]:
    """Refuse a draft, a translation, and a PDF whose structure the contract does not allow."""
    out = []
    if layout.facts.get("status") == "draft":
        message = f"this is the draft of version {layout.facts.get('version')}: drafts are not signed"
        hint = "sign the PDF of the version once its status is 'signed' in contract.yaml"
        out.append(_diagnostic(origin, message, hint, "draft"))
    source = original_language(layout)
    if layout.facts.get("lang") != source:
        hint = f"sign the PDF made by 'klimatkontrakt pdf YEAR --lang {source}'"
        what = f"this is a translation: only the original (language {source}) is signed"
        out.append(_diagnostic(origin, what, hint, "translation"))
    hint = "sign only the PDF made by 'klimatkontrakt pdf', as signed by the parties before you"
    return out + [_diagnostic(origin, problem, hint, "structure") for problem in layout.problems]


def _certificate_refusals(
    origin: str, layout: structure.Layout, party: str, creds: Credentials, now: datetime.datetime
) -> list[Diagnostic]:
    """Refuse a certificate that may not sign, or that does not carry the identity the party's field requires."""
    # The certificate is no file to point at: its subject is named in the message instead.
    whose = f" (the certificate of {creds.subject})"
    out = [
        Diagnostic(
            None,
            "error",
            f"this certificate may not sign: {p}{whose}",
            "use the party's valid signing certificate",
            "certificate",
        )
        for p in identity.unfit(creds.cert, now)
    ]
    required = identity.required_subject(layout.fields[party])
    if not required:
        message = f"the contract names no certificate identity for party {party!r}"
        hint = "add certificate_subject to the party in contract.yaml and rebuild the PDF"
        out.append(_diagnostic(origin, message, hint, "identity"))
    hint = f"sign with a certificate issued to the party (see 'klimatkontrakt parties {layout.facts.get('version')}')"
    return out + [
        Diagnostic(None, "error", f"this certificate is not {party!r}'s: {p}{whose}", hint, "identity")
        for p in identity.mismatches(creds.cert, required)
    ]


def sign(origin: str, data: bytes, party: str, creds: Credentials, tsa_url: str | None = None) -> bytes:
    """Return the PDF with the party's field signed in one incremental update; refuse with every reason."""
    problems, layout = _refusals(origin, data, party, creds, datetime.datetime.now(datetime.UTC))
    if problems:
        raise ContractError(problems)
    reason, location = identity.field_texts(layout.fields[party])
    meta = signers.PdfSignatureMetadata(
        field_name=party,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    timestamper = HTTPTimeStamper(tsa_url, timeout=30) if tsa_url else None
    signer = signers.PdfSigner(
        meta, signer=creds.signer(), stamp_style=stamp.style(original_language(layout)), timestamper=timestamper
    )
    writer = KeepMetadataWriter(io.BytesIO(data), strict=False)
    organisation = ", ".join(str(a.value) for a in creds.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
    out = io.BytesIO()
    try:
        signer.sign_pdf(writer, output=out, appearance_text_params={"organisation": organisation})
    except (SigningError, OSError) as exc:
        where = tsa_url or origin
        raise ContractError(
            [
                _diagnostic(
                    where,
                    f"signing failed: {exc}",
                    "check the time-stamping service address (--tsa) and the token",
                    "sign",
                )
            ]
        ) from None
    return out.getvalue()
