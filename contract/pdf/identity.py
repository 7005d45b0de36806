"""Party ↔ certificate: the subject a party's certificate must carry, and what a certificate may sign.

The contract PDF carries each party's required subject in its signature field's seed value
(`/SV /Cert /SubjectDN`, ISO 32000-2 12.7.5.5), written when the PDF is built from the contract
data. `sign` and `verify` read it back from the first revision, never from a later one.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier
from pyhanko.pdf_utils import generic

# Attribute short names a party may require (JSON Schema and `parties` use these), with their OIDs.
ATTRIBUTES: dict[str, ObjectIdentifier] = {
    "O": NameOID.ORGANIZATION_NAME,
    "organizationIdentifier": ObjectIdentifier("2.5.4.97"),  # ETSI EN 319 412-1: NTRSE-<organisationsnummer>
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "C": NameOID.COUNTRY_NAME,
    "L": NameOID.LOCALITY_NAME,
    "CN": NameOID.COMMON_NAME,
    "serialNumber": NameOID.SERIAL_NUMBER,
}
# In the PDF the short names ISO 32000 knows stay short; others are written as dotted OIDs.
_PDF_KEYS = {"organizationIdentifier": "2.5.4.97", "serialNumber": "2.5.4.5"}
_FROM_PDF = {v: k for k, v in _PDF_KEYS.items()}

# Extended key usages fit for signing a document (when a certificate restricts its purposes).
_SIGNING_EKUS = {
    "1.3.6.1.5.5.7.3.4",  # emailProtection (qualified and e-ID signing certificates)
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
    "2.5.29.37.0",  # anyExtendedKeyUsage
    "1.3.6.1.5.5.7.3.2",  # clientAuth: card-based e-identities carry it with signing
}


def seed_value(
    required: Mapping[str, str], reason: str | None = None, location: str | None = None
) -> generic.DictionaryObject:
    """Return a seed value dictionary naming the subject a signer's certificate must carry."""
    name = generic.pdf_name
    dn = generic.DictionaryObject(
        {name("/" + _PDF_KEYS.get(k, k)): generic.TextStringObject(v) for k, v in required.items()}
    )
    sv = generic.DictionaryObject(
        {
            name("/Type"): name("/SV"),
            name("/Cert"): generic.DictionaryObject(
                {name("/Type"): name("/SVCert"), name("/SubjectDN"): generic.ArrayObject([dn])}
            ),
        }
    )
    if reason:
        sv[name("/Reasons")] = generic.ArrayObject([generic.TextStringObject(reason)])
    if location:
        sv[name("/KKLocation")] = generic.TextStringObject(location)
    return sv


def required_subject(field: generic.DictionaryObject) -> dict[str, str]:
    """Return the subject a signature field requires (empty when the field names none)."""
    try:
        dns = field["/SV"]["/Cert"]["/SubjectDN"]
    except (KeyError, TypeError):
        return {}
    required: dict[str, str] = {}
    for dn in dns:
        for key, value in dn.get_object().items():
            short = key[1:]
            required[_FROM_PDF.get(short, short)] = str(value)
    return required


def field_texts(field: generic.DictionaryObject) -> tuple[str | None, str | None]:
    """Return the signing reason and location the contract data put in a field's seed value."""
    sv = field.get("/SV")
    if sv is None:
        return None, None
    sv = sv.get_object()
    reasons = sv.get("/Reasons")
    location = sv.get("/KKLocation")
    return (str(reasons[0]) if reasons else None), (str(location) if location is not None else None)


def _norm(value: str) -> str:
    # Exact after NFC and collapsed spaces: case folding would let lookalikes match (the Kelvin sign folds to 'k').
    return " ".join(unicodedata.normalize("NFC", value).split())


def mismatches(cert: x509.Certificate, required: Mapping[str, str]) -> list[str]:
    """Return how the certificate's subject fails the required attributes (empty when it matches)."""
    problems = []
    for short, wanted in required.items():
        oid = ATTRIBUTES.get(short)
        found = [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)] if oid else []
        if len(found) > 1:
            # Two organisations in one subject: the certificate could stand for either, so it stands for neither.
            problems.append(f"the certificate carries {short} more than once ({', '.join(repr(v) for v in found)})")
        elif not found or _norm(found[0]) != _norm(wanted):
            has = ", ".join(repr(v) for v in found) or "nothing"
            problems.append(f"{short} must be {wanted!r}, the certificate has {has}")
    return problems


def unfit(cert: x509.Certificate, moment: datetime.datetime) -> list[str]:
    """Return why a certificate may not sign a contract at this moment (empty when it may)."""
    problems = []
    if moment < cert.not_valid_before_utc:
        problems.append(f"the certificate is not valid yet (valid from {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC)")
    if moment > cert.not_valid_after_utc:
        problems.append(f"the certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    return problems + unfit_use(cert)


def unfit_use(cert: x509.Certificate) -> list[str]:
    """Return why a certificate is not one that signs documents at all (a CA's, a web server's; empty when it is)."""
    problems = []
    if _extension(cert, x509.BasicConstraints) and _extension(cert, x509.BasicConstraints).ca:
        problems.append("it is a CA certificate, made to issue certificates, not to sign documents")
    usage = _extension(cert, x509.KeyUsage)
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        kinds = [
            n for n in ("key_agreement", "key_encipherment", "data_encipherment", "key_cert_sign") if getattr(usage, n)
        ]
        problems.append(
            "its key usage does not allow signing (it allows only "
            f"{', '.join(k.replace('_', ' ') for k in kinds) or 'other uses'})"
        )
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    if ekus is not None and not {oid.dotted_string for oid in ekus} & _SIGNING_EKUS:
        names = ", ".join(getattr(o, "_name", o.dotted_string) for o in ekus)
        problems.append(f"its extended key usage ({names}) does not include document signing")
    return problems


def _extension(cert: x509.Certificate, kind):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
