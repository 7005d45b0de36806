"""Digital signatures: each party fills its own field (PAdES baseline B-B, one incremental update);
anyone verifies every field, including what changed after each signature (pyHanko)."""
from __future__ import annotations

import datetime
import functools
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from fontTools import subset
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import DocumentMetadata
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import labels, pdf
from .errors import ContractError, Diagnostic
from .model import Pos

# pyHanko logs tracebacks it also reports in its results (e.g. an untrusted chain); only the CLI
# prints, so keep them off the terminal unless the application configures logging.
for _name in ("pyhanko", "pyhanko_certvalidator", "pypdf"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

# Modifications after a signature that leave it standing: none, archival updates, filling fields.
ALLOWED_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


def _error(origin: str, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(origin), "error", message, hint, code)])


# ---------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """A signer's private key, its certificate and the certificates that lead to its CA."""

    key: object  # a cryptography private key
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()


def load_p12(path: str, data: bytes, passphrase: bytes | None) -> Credentials:
    """Read a PKCS#12 file (.p12/.pfx) holding key, certificate and chain."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        problem = "wrong passphrase" if passphrase else "it needs a passphrase"
        raise _error(path, f"cannot open the PKCS#12 file: {problem}, or it is not a PKCS#12 file",
                     "give the passphrase with --passphrase-file FILE (a file holding only the passphrase)",
                     "p12") from None
    if key is None or cert is None:
        raise _error(path, "the PKCS#12 file holds no private key with its certificate",
                     "export the signing certificate together with its private key", "p12")
    return _checked(path, Credentials(key, cert, tuple(chain or ())))


def load_pem(key_path: str, key_data: bytes, cert_path: str, cert_data: bytes,
             chain_data: bytes = b"", passphrase: bytes | None = None) -> Credentials:
    """Read a PEM (or DER) private key, its certificate and an optional PEM chain."""
    key = _load_key(key_path, key_data, passphrase)
    cert = load_certificates(cert_path, cert_data)[0]
    chain = tuple(load_certificates("--chain", chain_data)) if chain_data.strip() else ()
    return _checked(cert_path, Credentials(key, cert, chain), key_path)


def _load_key(path: str, data: bytes, passphrase: bytes | None):
    loaders = (serialization.load_pem_private_key, serialization.load_der_private_key)
    for load in loaders:
        try:
            return load(data, password=passphrase)
        except TypeError:
            raise _error(path, "the private key is encrypted and no passphrase was given",
                         "give the passphrase with --passphrase-file FILE", "key") from None
        except ValueError as exc:
            if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
                raise _error(path, "cannot decrypt the private key: wrong passphrase",
                             "check the file given with --passphrase-file", "key") from None
    raise _error(path, "not a private key (PEM or DER)", "give the key file with --key", "key")


def load_certificates(path: str, data: bytes) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise _error(path, "not an X.509 certificate (PEM or DER)", "give the signer's certificate with --cert", "cert") from None


def _checked(origin: str, creds: Credentials, key_origin: str | None = None) -> Credentials:
    """Refuse a key that does not belong to the certificate (the signature would never verify)."""
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    mine = creds.key.public_key().public_bytes(serialization.Encoding.DER, public)
    theirs = creds.cert.public_key().public_bytes(serialization.Encoding.DER, public)
    if mine != theirs:
        raise _error(key_origin or origin, f"the private key does not belong to the certificate of {creds.subject}",
                     "give the key and the certificate of the same signer", "key-mismatch")
    return creds


def _signer(creds: Credentials) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key = creds.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    certs = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in creds.chain]
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(creds.cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


# ---------------------------------------------------------------- signing


def signature_fields(origin: str, data: bytes) -> dict[str, bool]:
    """Return our signature fields (party id -> already signed); refuse a PDF that is not ours."""
    if not data.startswith(b"%PDF-"):
        raise _error(origin, "this file is not a PDF", "give the PDF made by 'klimatkontrakt pdf YEAR --lang sv|en'", "not-pdf")
    if not pdf.facts(data):
        raise _error(origin, "this PDF was not made by klimatkontrakt (no klimatkontrakt metadata)",
                     "sign the PDF made by 'klimatkontrakt pdf YEAR --lang sv|en'", "not-ours")
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = {name: value is not None for name, value, _ in fields.enumerate_sig_fields(reader)}
    if not found:
        raise _error(origin, "this PDF has no signature fields", "sign the PDF made by 'klimatkontrakt pdf'", "not-ours")
    return found


def sign(origin: str, data: bytes, party: str, creds: Credentials) -> bytes:
    """Return the PDF with the party's field signed (PAdES B-B) in one incremental update."""
    found = signature_fields(origin, data)
    if party not in found:
        raise _error(origin, f"this PDF has no signature field for party {party!r}",
                     f"use one of: {', '.join(found)}", "unknown-party")
    if found[party]:
        raise _error(origin, f"the field of party {party!r} is already signed",
                     "each party signs once; 'klimatkontrakt verify' shows who signed", "already-signed")
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # pyHanko reads the clock once for the document info and once for the XMP metadata; one
    # reading for both keeps them equal, which PDF/A requires.
    writer._meta = _OneClock()
    meta = signers.PdfSignatureMetadata(field_name=party, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    signer = signers.PdfSigner(meta, signer=_signer(creds), stamp_style=_stamp(pdf.facts(data).get("lang", "sv")))
    out = io.BytesIO()
    signer.sign_pdf(writer, output=out)
    return out.getvalue()


class _OneClock(DocumentMetadata):
    """Document metadata whose 'now' is one instant, read once."""

    def __setattr__(self, name, value):
        if name == "last_modified" and value == "now":
            value = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        super().__setattr__(name, value)


def _stamp(lang: str) -> TextStampStyle:
    """Return the visible stamp: signer and time, in an embedded OpenType font (PDF/A)."""
    text = labels.label(lang, "signature_stamp", signer="%(signer)s", time="%(ts)s")
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(_stamp_font())), font_size=9),
        border_width=0,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )


# Latin, Greek, Cyrillic, general punctuation and the euro sign: what signer names are written in.
_STAMP_CHARACTERS = [*range(0x20, 0x250), *range(0x370, 0x400), *range(0x400, 0x530), *range(0x2000, 0x2070), 0x20AC]


@functools.lru_cache(maxsize=1)
def _stamp_font() -> Path:
    """Return the stamp font without its layout tables, made once and kept in the temp folder.

    Embedding subsets the font on every signature; without the large GSUB/GPOS tables that takes
    a few milliseconds instead of a third of a second.
    """
    source = pdf.STAMP_FONT
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"klimatkontrakt-stamp-{digest}.ttf"
    if not target.exists():
        options = subset.Options(layout_features=[], hinting=False, name_IDs=["*"], name_languages=["*"])
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_STAMP_CHARACTERS)
        subsetter.subset(font)
        scratch = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        subset.save_font(font, str(scratch), options)
        scratch.replace(target)
    return target


# ---------------------------------------------------------------- verification


@dataclass
class PartyResult:
    """What verification found for one party's field."""

    party: str
    signed: bool = False
    signer: str | None = None
    signing_time: str | None = None
    intact: bool | None = None
    valid: bool | None = None
    trusted: bool | None = None
    coverage: str | None = None
    modification: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        """Return a JSON-ready dictionary."""
        return {**{k: v for k, v in self.__dict__.items()}, "ok": self.ok}


@dataclass
class Verification:
    """What verification found for the whole file."""

    parties: list[PartyResult]
    facts: dict[str, str]
    metadata_problems: list[str]

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parties)

    def as_dict(self) -> dict:
        """Return a JSON-ready dictionary."""
        return {
            "ok": self.ok,
            "document": self.facts,
            "metadata_problems": self.metadata_problems,
            "parties": [p.as_dict() for p in self.parties],
        }


def verify(origin: str, data: bytes, trust: list[x509.Certificate] | None = None) -> Verification:
    """Validate every party's signature, including pyHanko's analysis of later modifications."""
    found = signature_fields(origin, data)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    embedded = {sig.field_name: sig for sig in reader.embedded_signatures}
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust or []]
    results = []
    original = _original_fields(reader)
    for party in found:
        sig = embedded.get(party)
        result = _check(party, sig, roots, bool(trust)) if sig else PartyResult(party)
        if party not in original:
            result.problems.append("this signature field was added after the contract PDF was made; it is no party's field")
        results.append(result)
    return Verification(results, pdf.facts(data), pdf.metadata_disagreements(data))


def _original_fields(reader: PdfFileReader) -> list[str]:
    """Return the signature fields of the first revision that has any: those 'klimatkontrakt pdf' made."""
    for revision in range(reader.xrefs.total_revisions):
        names = [name for name, _, _ in fields.enumerate_sig_fields(reader.get_historical_resolver(revision))]
        if names:
            return names
    return []


def _check(party: str, sig, roots: list, need_trust: bool) -> PartyResult:
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    result = PartyResult(party, signed=True)
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # a damaged signature cannot even be parsed: report it, never crash
        result.valid = result.intact = False
        result.problems.append(f"the signature cannot be read: {exc}")
        return result
    result.signer = status.signing_cert.subject.human_friendly
    result.signing_time = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    result.intact, result.valid, result.trusted = status.intact, status.valid, status.trusted
    result.coverage = status.coverage.name if status.coverage else None
    result.modification = status.modification_level.name if status.modification_level else None
    result.problems = _problems(status, need_trust)
    return result


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
        problems.append(f"the document was changed after this signature beyond filling signature fields ({level})")
    if need_trust and not status.trusted:
        problems.append("the signer's certificate does not chain to a certificate given with --trust")
    return problems
