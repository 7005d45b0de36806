"""The signed PDFs `lock --pdf` records: each must be this version's contract, signed only by its own parties."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContractError, Diagnostic
from ..model import Pos
from . import locking

if TYPE_CHECKING:
    from cryptography import x509


@dataclass
class SignedPdf:
    """One signed PDF as lock records it: its file hash, its language and the hash of the contract inside."""

    name: str
    digest: str
    lang: str
    contract: str
    unsigned: list[str] = field(default_factory=list)  # the parties whose fields are still empty
    unverified: bool = True  # no trust anchor: the signers' identities match by name only


def check(version: str, pdfs: list[Path], lock: locking.Lock, roots: list[x509.Certificate]) -> list[SignedPdf]:
    """Read and verify each PDF against what the lock records; raise ContractError naming every problem at once."""
    found: list[SignedPdf] = []
    problems: list[Diagnostic] = []
    given: dict[str, str] = {}
    recorded, contracts = lock.pdfs, dict(lock.contracts)
    for pdf in pdfs:
        digest = locking.file_hash(pdf)
        before = recorded.get(pdf.name, given.get(pdf.name))
        if before is not None and before != digest:
            what = f"version {version} already records a signed PDF named {pdf.name} with other content"
            problems.append(_error(pdf, what, _NEVER_REPLACED, "signed-pdf-replaced"))
            continue
        given[pdf.name] = digest
        try:
            signed = _verified(pdf, version, digest, roots)
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


def _verified(pdf: Path, version: str, digest: str, roots: list[x509.Certificate]) -> SignedPdf:
    """Return what lock records of one PDF; raise ContractError with the reasons it is not this version's signed PDF."""
    from ..pdf import verify  # pyHanko loads in about a second: only when signed PDFs are recorded

    result = verify.verify(str(pdf), pdf.read_bytes(), roots)
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
    return SignedPdf(pdf.name, digest, facts.get("lang", "sv"), contract, unsigned, not roots)


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
