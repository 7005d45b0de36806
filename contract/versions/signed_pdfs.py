"""The signed PDFs `lock --pdf` records: each must be this version's contract, signed only by its own parties."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import inputs
from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..source.signed_content import fingerprint

if TYPE_CHECKING:
    from cryptography import x509

    from .locking import Lock


@dataclass
class SignedPdf:
    """One signed PDF as lock records it: its file hash, its language and the hash of the contract inside."""

    name: str
    digest: str
    lang: str
    contract: str
    unsigned: list[str] = field(default_factory=list)  # the parties whose fields are still empty
    unverified: bool = True  # no trust anchor: the signers' identities match by name only
    # The PDF's text against the repository's: "same", or "unsaid" (made before PDFs named their content).
    text: str = "same"
    made_from: str = ""  # the fingerprint of the signed content the PDF names (source.signed_content)
    same_as: str = ""  # the name under which the lock already records these very bytes (then not recorded again)


def unreadable(pdfs: list[Path]) -> list[Diagnostic]:
    """The PDFs given that cannot be read (missing, a pipe, a device, far too large): named with another input's."""
    problems: list[Diagnostic] = []
    for pdf in dict.fromkeys(pdfs):
        try:
            inputs.read_file(pdf, "PDF", _GIVE, missing=_GIVE)  # only when another input failed: read, then dropped
        except ContractError as error:
            problems += error.diagnostics
    return problems


def check(version: str, pdfs: list[Path], lock: Lock, roots: list[x509.Certificate], errata: int) -> list[SignedPdf]:
    """Read and verify each PDF against the repository's signed content and what the lock records (errata: how many
    the version has); raise ContractError naming every problem of every file at once."""
    content = fingerprint(lock.files, lock.parts.get("details", ""))
    found: list[SignedPdf] = []
    problems: list[Diagnostic] = []
    given: dict[str, str] = {}
    recorded, contracts = lock.pdfs, dict(lock.contracts)
    for pdf in dict.fromkeys(pdfs):  # a file given twice is read and named once
        try:  # read once: the bytes verified are the bytes whose hash is recorded; never a pipe or a huge file
            data = inputs.read_file(pdf, "PDF", _GIVE, missing=_GIVE)
        except ContractError as error:
            problems += error.diagnostics
            continue
        if not pdf.name.isprintable():  # a line break, a terminal escape or bytes that are not UTF-8
            what = "this file name cannot be recorded in signed.lock: it holds characters that are not text"
            problems.append(_error(pdf, what, "rename the file (letters, digits, '-' and '.') and lock again"))
            continue
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        same = next((name for name, known in {**recorded, **given}.items() if known == digest), "")
        if same and same != pdf.name:  # a copy of a file recorded (or given) under another name
            found.append(SignedPdf(pdf.name, digest, "", "", same_as=same))
            continue
        before = recorded.get(pdf.name, given.get(pdf.name))
        if before is not None and before != digest:
            what = f"version {version} already records a signed PDF named {pdf.name} with other content"
            problems.append(_error(pdf, what, _NEVER_REPLACED, "signed-pdf-replaced"))
            continue
        given[pdf.name] = digest
        try:
            signed = _verified(pdf, data, version, digest, roots)
            signed.text = _compared(pdf, signed.made_from, content, errata)
        except ContractError as error:
            problems += error.diagnostics
            continue
        if contracts.setdefault(signed.lang, signed.contract) != signed.contract:
            # verify compares every copy with one contract per language: two different ones cannot both be it.
            what = f"this PDF holds another {signed.lang} contract than the signed PDF recorded for version {version}"
            problems.append(_error(pdf, what, _ONE_CONTRACT, "signed-pdf-other-contract"))
            continue
        found.append(signed)
    if problems:
        raise ContractError(problems)
    return found


def _verified(pdf: Path, data: bytes, version: str, digest: str, roots: list[x509.Certificate]) -> SignedPdf:
    """Return what lock records of one PDF; raise ContractError with the reasons it is not this version's signed PDF."""
    from ..pdf import verify  # pyHanko loads in about a second: only when signed PDFs are recorded

    result = verify.verify(str(pdf), data, roots)
    facts, layout = result.facts, result.layout
    assert layout is not None  # verify always returns what it read
    if facts.get("version") != version:
        what = f"this PDF is version {facts.get('version')}, not {version}"
        raise ContractError([_error(pdf, what, f"record only the signed PDFs of version {version}", "wrong-version")])
    problems = [_error(pdf, f"the contract's structure: {p}") for p in result.structure_problems]
    for party in result.parties:
        problems += [_error(pdf, f"{party.party}'s signature: {p}") for p in party.problems]
    problems += [_error(pdf, f"the seal: {p}") for p in result.seal.get("problems", [])]
    if not problems and not any(party.signed for party in result.parties):
        # A PDF recorded as signed is what verify compares the parties' copies with: one without a signature is not it.
        problems.append(_error(pdf, "this PDF has no signature, so it is not a signed PDF of the version"))
    if problems:
        raise ContractError(problems)
    unsigned = [p.party for p in result.parties if not p.signed]
    contract = "sha256:" + hashlib.sha256(layout.contract).hexdigest()
    return SignedPdf(
        pdf.name, digest, facts.get("lang", "sv"), contract, unsigned, not roots, made_from=facts.get("content", "")
    )


def _compared(pdf: Path, made_from: str, content: str, errata: int) -> str:
    """Return how the text a PDF was made from compares with the repository's; refuse another text."""
    if not made_from:
        return "unsaid"
    if made_from == content:
        return "same"
    if errata:
        # The text as signed is gone from the repository, so nothing shows this PDF was made from it. The signed PDFs
        # are recorded as the version is locked, before any erratum (check-signed refuses them later anyway).
        what = "this PDF was not made from the version's text as it is now, and the errata since the signing hide "
        what += "whether it was made from the text signed"
        hint = "record the signed PDFs when the version is locked, before any erratum"
        raise ContractError([_error(pdf, what, hint, "signed-pdf-after-errata")])
    what = "this PDF was made from another text of the version than the repository holds, so it is not its contract"
    hint = (
        "lock the PDF made from this text (run 'klimatkontrakt pdf' here, and have it signed), or bring the text the "
        "parties signed into the repository; 'klimatkontrakt verify FILE --against YEAR' shows the first difference"
    )
    raise ContractError([_error(pdf, what, hint, "signed-pdf-other-text")])


_GIVE = "give the path of the signed PDF"
_LIST = "record only the file the parties signed ('klimatkontrakt verify FILE' lists its signatures and problems)"
_ONE_CONTRACT = (
    "the parties signed one contract per language: record the copy they signed, built from the same commit as the "
    "PDF recorded before ('klimatkontrakt verify FILE' names the commit)"
)
_NEVER_REPLACED = (
    "a recorded signed PDF is never replaced: give this one another file name, or check that it is the file the "
    "parties signed"
)


def _error(pdf: Path, message: str, hint: str = _LIST, code: str = "signed-pdf") -> Diagnostic:
    return Diagnostic(Pos(str(pdf)), "error", message, hint, code)
