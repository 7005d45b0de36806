"""Commands that check signed contracts: verify, and parties (who signs with which certificate identity)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..source.load import load
from . import writer
from .pdf import _usage, add_trust, read_all, read_trust, trusted

if TYPE_CHECKING:  # only for annotations: pyHanko loads slowly
    from ..pdf.verify import PartyResult, Verification


# ---------------------------------------------------------------- parties


def _add_parties(sub) -> None:
    p = sub.add_parser("parties", help="list a version's parties and the certificate identity each must sign with")
    p.add_argument("version", metavar="YEAR")
    p.add_argument(
        "--json", action="store_true", help="print a JSON list of {id, name, signatory, role, certificate_subject}"
    )
    p.set_defaults(run=_run_parties)


def parties_data(root: Path, version: str) -> list[dict[str, Any]]:
    """Return each party's id, name, signatory, role and required certificate subject."""
    out = []
    for party in load(root, version).parties:
        role = party.signatory.role
        out.append(
            {
                "id": party.id,
                "name": party.name.source,
                "signatory": party.signatory.name,
                "role": role.source if role else None,
                "certificate_subject": dict(party.certificate_subject),
            }
        )
    return out


def _run_parties(args) -> int:
    data = parties_data(args.root, args.version)
    if args.json:
        writer.json_result(data)
        return 0
    for party in data:
        who = ", ".join(v for v in (party["signatory"], party["role"]) if v) or "signatory not named"
        subject = (
            ", ".join(f"{k}={v}" for k, v in party["certificate_subject"].items()) or "NONE (add certificate_subject)"
        )
        writer.line(f"{party['id']}: {party['name']} ({who}); certificate must carry {subject}")
    return 0


# ---------------------------------------------------------------- verify


def _add_verify(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="check the contract inside a PDF, every party's signature, and what changed after it",
        description="Exit codes: 0 all good; 1 a failure; 2 usage; 3 signatures intact but identities "
        "unverified (no --trust).",
    )
    p.add_argument("pdf", type=Path, metavar="PDF")
    add_trust(p, "a CA certificate (PEM) to trust; repeat for several; without it identities stay unverified (exit 3)")
    p.add_argument(
        "--against", metavar="YEAR", help="rebuild that version's PDF and require the contract to be byte-identical"
    )
    p.add_argument(
        "--at", metavar="TIME", help="validate as at this ISO time (default: now), e.g. 2031-01-01T00:00:00Z"
    )
    p.add_argument(
        "--fetch",
        action="store_true",
        help="fetch revocation data (OCSP, CRL) named in the certificates; off by default: content never makes us fetch",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=_run_verify)


def _moment(text: str | None) -> datetime.datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _usage(f"--at {text!r} is not an ISO date and time", "verify") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _run_verify(args) -> int:
    from ..pdf import against, verify

    moment = _moment(args.at)
    data, *certificates = read_all([(args.pdf, "PDF"), *trusted(args.trust)])  # every unreadable file at once
    trust = read_trust(args.trust, certificates)
    result = verify.verify(str(args.pdf), data, trust, moment=moment, fetch=args.fetch)
    result.contract = against.compare(args.root, str(args.pdf), data, args.against, result.layout)
    if args.json:
        writer.json_result(result.as_dict())
    else:
        _print_verification(result)
    return verify.EXIT_CODES[result.verdict]


def _print_verification(result: Verification) -> None:
    facts = result.facts
    writer.line(
        f"contract: version {facts.get('version', '?')} ({facts.get('lang', '?')}), status {facts.get('status', '?')}, "
        f"built from commit {facts.get('commit', '?')} (read from the contract's own first revisions)"
    )
    writer.line(
        f"contract text: {result.contract.get('summary', 'not compared with the repository (give --against YEAR)')}"
    )
    for party in result.parties:
        writer.line(_party_line(party, result.trust_anchor))
        for problem in party.problems:
            writer.line(f"    problem: {problem}")
    for problem in result.structure_problems:
        writer.line(f"problem: {problem}")
    _print_seal(result.seal)
    for problem in result.metadata_problems:
        writer.line(f"warning: metadata: {problem} (PDF/A wants document info and XMP to agree)")
    signed = sum(p.signed for p in result.parties)
    writer.line(f"{signed} of {len(result.parties)} parties signed; {_verdict_line(result)}")


def _verdict_line(result: Verification) -> str:
    from ..pdf.verify import FAILED, UNVERIFIED

    if result.verdict == FAILED:
        broken = [p.party for p in result.parties if not p.ok]
        what = ", ".join(
            broken
            + (["the contract's structure"] if result.structure_problems else [])
            + (["the contract text"] if result.contract.get("same") is False else [])
            + (["the seal"] if result.seal.get("problems") else [])
        )
        return f"NOT OK: {what}"
    if result.verdict == UNVERIFIED:
        return "UNVERIFIED: no trust anchor given (--trust CA.pem), so nobody's identity is confirmed"
    return "OK"


def _party_line(party: PartyResult, trusting: bool) -> str:
    if not party.signed:
        return f"{party.party}: not signed"
    if party.signer is None:
        return f"{party.party}: signed, but the signature cannot be checked"
    required = ", ".join(f"{k}={v}" for k, v in party.required.items())
    identity = {
        "match": f"identity matches ({required})",
        "unverified": f"identity unverified ({required}; no --trust)",
        "mismatch": f"IDENTITY MISMATCH (requires {required})",
    }[party.identity or "mismatch"]
    untrusted = (
        f"NOT TRUSTED ({party.trust_problem})" if party.trust_problem else "trust not established (the signature fails)"
    )
    trust = ("trusted" if party.trusted else untrusted) if trusting else "trust not checked"
    flags = ["intact" if party.intact and party.valid else "NOT INTACT", trust]
    return (
        f"{party.party}: signed by {party.signer}; {identity}; at {party.signing_time} ({party.time_source}); "
        f"{', '.join(flags)}; changed after it: {party.modification}"
    )


def _print_seal(seal: dict[str, Any]) -> None:
    if not seal.get("sealed"):
        return
    data = seal["validation_data"]
    times = ", ".join(t["time"] for t in seal["timestamps"])
    writer.line(
        f"seal: document timestamp {times}; validation data: {data['certificates']} certificates, "
        f"{data['ocsp']} OCSP responses, {data['crls']} CRLs"
    )
    for problem in seal.get("problems", []):
        writer.line(f"problem: seal: {problem}")


COMMANDS = [_add_verify, _add_parties]
