"""Trust: validation contexts (at the signature's timestamp when it has one), the real reason a chain
fails, and the seal (validation data and document timestamp) that keeps signatures verifiable."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext


@dataclass
class Embedded:
    """Validation data the file carries in its document security store (added by the seal)."""

    certs: list = field(default_factory=list)
    ocsps: list = field(default_factory=list)
    crls: list = field(default_factory=list)


def embedded(reader: PdfFileReader) -> Embedded:
    """Return the certificates, OCSP responses and CRLs in the file's DSS (empty without a seal)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # noqa: BLE001 - no DSS (or an unreadable one): nothing embedded
        return Embedded()
    return Embedded(list(dss.load_certs()), list(dss.ocsps), list(dss.crls))


@dataclass
class Settings:
    """How to validate: trust anchors, the moment to validate at, whether fetching revocation data is allowed."""

    anchors: list[asn1_x509.Certificate]
    moment: datetime.datetime | None
    fetch: bool
    data: Embedded

    def context_for(self, sig) -> ValidationContext:
        """Return a validation context; a signature with a timestamp is judged at the timestamp's time."""
        moment = signature_timestamp(sig) if sig is not None else None
        return ValidationContext(
            trust_roots=self.anchors,
            other_certs=self.data.certs,
            ocsps=[o.get_object().data for o in self.data.ocsps] if self.data.ocsps else None,
            crls=[c.get_object().data for c in self.data.crls] if self.data.crls else None,
            moment=moment or self.moment,
            retroactive_revinfo=True,
            allow_fetching=self.fetch,
            revocation_mode="hard-fail" if self.fetch else "soft-fail",
        )


def signature_timestamp(sig) -> datetime.datetime | None:
    """Return the time in a signature's RFC 3161 signature timestamp (PAdES B-T), or None."""
    attrs = sig.signer_info["unsigned_attrs"]
    if not attrs or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            token: cms.ContentInfo = attr["values"][0]
            info = token["content"]["encap_content_info"]["content"].parsed
            if isinstance(info, tsp.TSTInfo):
                return info["gen_time"].native
    return None


_REASONS: dict[Any, str] = {
    AdESIndeterminate.EXPIRED: "the certificate had expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "the certificate had expired (and no timestamp proves it was signed before)",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "the certificate had expired",
    AdESIndeterminate.NOT_YET_VALID: "the certificate was not valid yet",
    AdESFailure.NOT_YET_VALID: "the certificate was not valid yet",
    AdESFailure.REVOKED: "the certificate was revoked",
    AdESIndeterminate.REVOKED_NO_POE: "the certificate was revoked (and no timestamp proves it was signed before)",
    AdESIndeterminate.REVOKED_CA_NO_POE: "a CA certificate in its chain was revoked",
    AdESIndeterminate.TRY_LATER: "its revocation status could not be established",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "its algorithms are too weak",
}


def reason(status, sig, settings: Settings) -> str:
    """Return the real reason a signer's chain failed: expired, revoked, untrusted root, missing intermediate."""
    cert = status.signing_cert
    moment = signature_timestamp(sig) or settings.moment or datetime.datetime.now(datetime.UTC)
    if moment > cert.not_valid_after:
        return f"the certificate expired on {cert.not_valid_after:%Y-%m-%d} (checked at {moment:%Y-%m-%d %H:%M} UTC)"
    if moment < cert.not_valid_before:
        return f"the certificate was not valid yet at {moment:%Y-%m-%d %H:%M} UTC"
    revoked = getattr(status, "revocation_details", None)
    if revoked is not None:
        return f"the certificate was revoked on {revoked.revocation_date:%Y-%m-%d %H:%M} UTC"
    indic = status.trust_problem_indic
    if indic in _REASONS:
        return _REASONS[indic]
    return _chain_reason(cert, sig, settings)


def _chain_reason(cert: asn1_x509.Certificate, sig, settings: Settings) -> str:
    known = list(sig.signed_data["certificates"] or []) + settings.data.certs
    pool = [c.chosen if hasattr(c, "chosen") else c for c in known]
    current, seen = cert, set()
    while current.issuer != current.subject and current.sha256 not in seen:
        seen.add(current.sha256)
        issuer = next((c for c in pool if c.subject == current.issuer), None)
        if issuer is None:
            return (
                f"its issuer's certificate ({current.issuer.human_friendly}) is missing: an intermediate CA "
                "certificate is neither in the file nor among the trusted certificates"
            )
        current = issuer
    return (
        f"it chains to the root {current.subject.human_friendly}, which is not among the trusted certificates (--trust)"
    )


def check_seal(reader: PdfFileReader, settings: Settings) -> dict[str, Any]:
    """Return what the seal holds: validation data and document timestamps, each verified."""
    stamps = list(reader.embedded_timestamp_signatures)
    result: dict[str, Any] = {
        "sealed": bool(stamps),
        "validation_data": {
            "certificates": len(settings.data.certs),
            "ocsp": len(settings.data.ocsps),
            "crls": len(settings.data.crls),
        },
        "timestamps": [],
        "problems": [],
    }
    for stamp in stamps:
        try:
            status = validate_pdf_timestamp(stamp, settings.context_for(None))
        except Exception as exc:  # noqa: BLE001 - a damaged timestamp: report, never crash
            result["problems"].append(f"a document timestamp cannot be read: {exc}")
            continue
        entry = {
            "time": status.timestamp.isoformat(),
            "intact": status.intact,
            "valid": status.valid,
            "trusted": status.trusted,
        }
        result["timestamps"].append(entry)
        if not (status.intact and status.valid):
            result["problems"].append(f"the document timestamp of {entry['time']} does not verify")
        elif settings.anchors and not status.trusted:
            result["problems"].append(
                f"the document timestamp of {entry['time']} is not from a trusted time-stamping service"
            )
    return result
