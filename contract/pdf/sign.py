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
    reader, layout = structure.read(origin, data)
    out = []
    if layout.facts.get("status") == "draft":
        out.append(
            _diagnostic(
                origin,
                f"this is the draft of version {layout.facts.get('version')}: drafts are not signed",
                "sign the PDF of the version once its status is 'signed' in contract.yaml",
                "draft",
            )
        )
    if layout.facts.get("lang") != ORIGINAL_LANG:
        out.append(
            _diagnostic(
                origin,
                "this is a translation: only the Swedish original is signed",
                "sign the PDF made by 'klimatkontrakt pdf YEAR --lang sv'",
                "translation",
            )
        )
    out += [
        _diagnostic(
            origin,
            problem,
            "sign only the PDF made by 'klimatkontrakt pdf', as signed by the parties before you",
            "structure",
        )
        for problem in layout.problems
    ]
    if party not in layout.fields:
        out.append(
            _diagnostic(
                origin,
                f"this PDF has no signature field for party {party!r}",
                f"use one of: {', '.join(layout.parties)}",
                "unknown-party",
            )
        )
        return out, layout
    current = {name: value is not None for name, value, _ in fields.enumerate_sig_fields(reader)}
    if current.get(party):
        out.append(
            _diagnostic(
                origin,
                f"the field of party {party!r} is already signed",
                "each party signs once; 'klimatkontrakt verify' shows who signed",
                "already-signed",
            )
        )
    out += [
        _diagnostic(
            creds.subject,
            f"this certificate may not sign: {p}",
            "use the party's valid signing certificate",
            "certificate",
        )
        for p in identity.unfit(creds.cert, now)
    ]
    required = identity.required_subject(layout.fields[party])
    if not required:
        out.append(
            _diagnostic(
                origin,
                f"the contract names no certificate identity for party {party!r}",
                "add certificate_subject to the party in contract.yaml and rebuild the PDF",
                "identity",
            )
        )
    out += [
        _diagnostic(
            creds.subject,
            f"this certificate is not {party!r}'s: {p}",
            f"sign with a certificate issued to the party (see 'klimatkontrakt parties {layout.facts.get('version')}')",
            "identity",
        )
        for p in identity.mismatches(creds.cert, required)
    ]
    return out, layout


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
        meta, signer=creds.signer(), stamp_style=stamp.style(ORIGINAL_LANG), timestamper=timestamper
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
