"""Verification: every party's signature, its identity, its time, its trust, and what changed after it.

The verdict is OK only when the contract's structure is intact, every present signature is intact,
trusted and made by its own party's certificate. Without a trust anchor nobody's identity can be
confirmed, and the verdict says so (UNVERIFIED) instead of OK.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import fields as pdf_fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import identity, structure, trust
from .meta import metadata_disagreements
from .pyhanko_adapter import preload_reverse_xref_caches

# Modifications after a signature that leave it standing: none, archival updates, filling fields.
ALLOWED_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)

OK, FAILED, UNVERIFIED = "OK", "NOT OK", "UNVERIFIED"
EXIT_CODES = {OK: 0, FAILED: 1, UNVERIFIED: 3}


@dataclass
class PartyResult:
    """What verification found for one party's field."""

    party: str
    signed: bool = False
    signer: str | None = None
    organisation: str | None = None
    identity: str | None = None  # "match", "mismatch" or "unverified" (no trust anchor)
    required: dict[str, str] = field(default_factory=dict)
    signing_time: str | None = None
    time_source: str | None = None  # "timestamp" or "signer's claim"
    intact: bool | None = None
    valid: bool | None = None
    trusted: bool | None = None
    trust_problem: str | None = None
    coverage: str | None = None
    modification: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {**dict(self.__dict__), "ok": self.ok}


@dataclass
class Verification:
    """What verification found for the whole file."""

    parties: list[PartyResult]
    facts: dict[str, str]
    structure_problems: list[str]
    metadata_problems: list[str]
    trust_anchor: bool
    contract: dict[str, Any] = field(default_factory=dict)  # the --against / lock comparison, when made
    seal: dict[str, Any] = field(default_factory=dict)
    layout: structure.Layout | None = field(default=None, repr=False)  # what was read, for the comparison

    @property
    def verdict(self) -> str:
        if self.structure_problems or any(not p.ok for p in self.parties) or self.contract.get("same") is False:
            return FAILED
        if self.seal.get("problems"):
            return FAILED
        return OK if self.trust_anchor else UNVERIFIED

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "verdict": self.verdict,
            "ok": self.ok,
            "exit_code": EXIT_CODES[self.verdict],
            "document": self.facts,
            "trust_anchor": self.trust_anchor,
            "structure_problems": self.structure_problems,
            "metadata_problems": self.metadata_problems,
            "contract": self.contract,
            "seal": self.seal,
            "parties": [p.as_dict() for p in self.parties],
        }


def verify(
    origin: str,
    data: bytes,
    roots: list[x509.Certificate] | None = None,
    moment: datetime.datetime | None = None,
    fetch: bool = False,
) -> Verification:
    """Validate the contract's structure and every party's signature, at `moment` (default: now)."""
    reader, layout = structure.read(origin, data)
    anchors = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots or []]
    settings = trust.Settings(anchors, moment, fetch, trust.embedded(reader))
    embedded = {sig.field_name: sig for sig in reader.embedded_regular_signatures}
    # pyHanko reviews every signed revision against each later one: map each such revision's objects at once.
    last = reader.xrefs.total_revisions - 1
    signed = [s.signed_revision for s in reader.embedded_signatures if s.signed_revision < last]
    preload_reverse_xref_caches(reader, signed)
    results = []
    for party in layout.parties:
        required = identity.required_subject(layout.fields[party]) if party in layout.fields else {}
        sig = embedded.get(party)
        result = _check(party, sig, settings, required) if sig else PartyResult(party, required=required)
        results.append(result)
    strays = [name for name in embedded if name not in layout.parties]
    problems = list(layout.problems) + [f"signature field {name!r} is no party's, yet it is signed" for name in strays]
    seal = trust.check_seal(reader, settings)
    disagreements = metadata_disagreements(data)
    return Verification(results, layout.facts, problems, disagreements, bool(anchors), seal=seal, layout=layout)


def _check(party: str, sig, settings: trust.Settings, required: dict[str, str]) -> PartyResult:
    result = PartyResult(party, signed=True, required=required)
    try:
        status = validate_pdf_signature(sig, settings.context_for(sig), settings.context_for(None))
    except Exception as exc:
        result.valid = result.intact = False
        result.problems.append(f"the signature cannot be read: {exc}")
        return result
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    result.signer = status.signing_cert.subject.human_friendly
    result.organisation = ", ".join(str(a.value) for a in cert.subject.get_attributes_for_oid(identity.ATTRIBUTES["O"]))
    _time(result, status)
    result.intact, result.valid, result.trusted = status.intact, status.valid, status.trusted
    result.coverage = status.coverage.name if status.coverage else None
    result.modification = status.modification_level.name if status.modification_level else None
    result.problems = _problems(status, bool(settings.anchors))
    mismatches = identity.mismatches(cert, required) if required else ["the contract names no identity for this party"]
    if mismatches:
        result.identity = "mismatch"
        result.problems += [f"not this party's certificate: {m}" for m in mismatches]
    else:
        result.identity = "match" if settings.anchors else "unverified"
    result.problems += _claim_problems(result, cert)
    # sign refuses such a certificate; a signature made with one by another tool is no party's signature either.
    result.problems += [f"the signer's certificate is not for signing documents: {p}" for p in identity.unfit_use(cert)]
    if settings.anchors and not status.trusted and status.intact and status.valid:
        result.trust_problem = trust.reason(status, sig, settings)
        result.problems.append(f"the signer's certificate is not trusted: {result.trust_problem}")
    return result


def _time(result: PartyResult, status) -> None:
    stamp = status.timestamp_validity
    if stamp is not None and stamp.intact and stamp.valid and stamp.trusted:
        result.signing_time, result.time_source = stamp.timestamp.isoformat(), "timestamp"
    elif status.signer_reported_dt:
        result.signing_time, result.time_source = status.signer_reported_dt.isoformat(), "signer's claim"


def _claim_problems(result: PartyResult, cert: x509.Certificate) -> list[str]:
    """Refuse a signing time the signer claims outside its own certificate's validity (no timestamp vouches for it)."""
    if result.time_source != "signer's claim" or result.signing_time is None:
        return []
    claimed = datetime.datetime.fromisoformat(result.signing_time)
    if cert.not_valid_before_utc <= claimed <= cert.not_valid_after_utc:
        return []
    return [
        f"the signer claims to have signed at {claimed:%Y-%m-%d %H:%M} UTC, when its certificate was not valid "
        f"(valid {cert.not_valid_before_utc:%Y-%m-%d %H:%M} to {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC)"
    ]


def _problems(status, need_trust: bool) -> list[str]:
    problems = []
    if not status.intact:
        problems.append("the signed bytes were changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature does not verify")
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        problems.append("the signature does not cover its whole revision")
    if status.modification_level not in ALLOWED_LEVELS:
        level = status.modification_level.name if status.modification_level else "unknown"
        problems.append(f"the document was changed after this signature beyond signing and sealing ({level})")
    stamp = status.timestamp_validity
    if stamp is not None and not (stamp.intact and stamp.valid):
        problems.append("the signature's timestamp does not verify")
    elif stamp is not None and need_trust and not stamp.trusted:
        # The signature is judged at its timestamp's time: an untrusted one could backdate it.
        problems.append(
            "the signature's timestamp is not from a trusted time-stamping service (give its root with --trust)"
        )
    return problems


def signature_fields(origin: str, data: bytes) -> dict[str, bool]:
    """Return the party fields of a contract PDF (party id -> already signed)."""
    reader, layout = structure.read(origin, data)
    current = {name: value is not None for name, value, _ in pdf_fields.enumerate_sig_fields(reader)}
    return {party: current.get(party, False) for party in layout.parties}
