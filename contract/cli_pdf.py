"""Commands for the signed contract: pdf, sign, verify, docx."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContractError, Diagnostic
from .files import write_atomic
from .load import load
from .model import Pos
from .provenance import source

if TYPE_CHECKING:  # only for annotations: pyHanko loads slowly
    from . import sign


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ContractError([Diagnostic(Pos(str(path)), "error", f"cannot read the {what}: {exc.strerror}",
                                        "check the path", "io")]) from None


def _write(data: bytes, output: Path) -> None:
    """Write a file completely or not at all: to a temporary name, then rename."""
    write_atomic(output, data)
    print(f"wrote {output}", file=sys.stderr)


# ---------------------------------------------------------------- pdf and docx

DOCUMENTS = {
    "pdf": "write the archival PDF (PDF/A-2b, PDF/UA-1) of a version, with empty signature fields",
    "docx": "write a Word version of a version's text (for circulating drafts)",
}


def _add_document(kind: str):
    def add(sub) -> None:
        p = sub.add_parser(kind, help=DOCUMENTS[kind])
        p.add_argument("version", metavar="YEAR")
        p.add_argument("--lang", choices=("sv", "en"), default="sv")
        p.add_argument("-o", "--output", type=Path, help=f"the file to write (default: klimatkontrakt-YEAR-LANG.{kind})")
        p.set_defaults(run=_run_document, kind=kind)

    return add


def _run_document(args) -> int:
    from . import pdf  # pyHanko and typst load in ~1 s: only when needed
    from .word import export as word_export

    render = pdf.render_pdf if args.kind == "pdf" else word_export.render_docx
    data = render(load(args.root, args.version), args.lang, source(args.root, args.version))
    _write(data, args.output or Path(f"klimatkontrakt-{args.version}-{args.lang}.{args.kind}"))
    return 0


# ---------------------------------------------------------------- sign


def _add_sign(sub) -> None:
    p = sub.add_parser("sign", help="sign one party's field of a contract PDF (PAdES B-B, incremental update)")
    p.add_argument("pdf", type=Path, metavar="PDF")
    p.add_argument("--party", required=True, metavar="ID", help="the party whose field to sign, e.g. boras-stad")
    p.add_argument("--p12", type=Path, metavar="FILE", help="a PKCS#12 file (.p12/.pfx) with key and certificate")
    p.add_argument("--key", type=Path, metavar="FILE", help="the private key (PEM or DER), with --cert")
    p.add_argument("--cert", type=Path, metavar="FILE", help="the signer's certificate (PEM or DER), with --key")
    p.add_argument("--chain", type=Path, metavar="FILE", help="intermediate CA certificates (PEM), with --key/--cert")
    p.add_argument("--passphrase-file", type=Path, metavar="FILE", help="a file holding the passphrase of the p12 or key")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="the signed PDF to write")
    p.set_defaults(run=_run_sign)


def _run_sign(args) -> int:
    from . import sign  # pyHanko and typst load in ~1 s: only when needed
    creds = _credentials(args)
    data = _read(args.pdf, "PDF")
    signed = sign.sign(str(args.pdf), data, args.party, creds)
    _write(signed, args.output)
    print(f"signed the field of {args.party} as {creds.subject}", file=sys.stderr)
    return 0


def _credentials(args) -> sign.Credentials:
    from . import sign  # pyHanko and typst load in ~1 s: only when needed
    passphrase = _passphrase(args.passphrase_file)
    if args.p12 and (args.key or args.cert):
        raise _usage("give either --p12 or --key with --cert, not both")
    if args.p12:
        return sign.load_p12(str(args.p12), _read(args.p12, "PKCS#12 file"), passphrase)
    if not (args.key and args.cert):
        raise _usage("give the signer's credentials: --p12 FILE, or --key FILE with --cert FILE")
    chain = _read(args.chain, "chain") if args.chain else b""
    return sign.load_pem(str(args.key), _read(args.key, "key"), str(args.cert), _read(args.cert, "certificate"), chain, passphrase)


def _passphrase(path: Path | None) -> bytes | None:
    if path is None:
        return None
    return _read(path, "passphrase file").rstrip(b"\r\n")


def _usage(message: str) -> ContractError:
    return ContractError([Diagnostic(Pos("klimatkontrakt sign"), "error", message, "see 'klimatkontrakt sign --help'", "usage")])


# ---------------------------------------------------------------- verify


def _add_verify(sub) -> None:
    p = sub.add_parser("verify", help="check every party's signature of a contract PDF and what changed after it")
    p.add_argument("pdf", type=Path, metavar="PDF")
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                   help="a CA certificate (PEM) to trust; repeat for several; without it no signer is 'trusted'")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=_run_verify)


def _run_verify(args) -> int:
    from . import sign  # pyHanko and typst load in ~1 s: only when needed
    trust = [cert for path in args.trust for cert in sign.load_certificates(str(path), _read(path, "CA certificate"))]
    result = sign.verify(str(args.pdf), _read(args.pdf, "PDF"), trust)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_verification(result, bool(trust))
    return 0 if result.ok else 1


def _print_verification(result: sign.Verification, trusting: bool) -> None:
    facts = result.facts
    print(f"version {facts.get('version', '?')} ({facts.get('lang', '?')}), status {facts.get('status', '?')}, "
          f"built from commit {facts.get('commit', '?')}")
    for party in result.parties:
        print(_party_line(party, trusting))
        for problem in party.problems:
            print(f"    problem: {problem}")
    for problem in result.metadata_problems:
        print(f"warning: metadata: {problem} (PDF/A wants document info and XMP to agree)")
    signed = sum(p.signed for p in result.parties)
    broken = [p.party for p in result.parties if not p.ok]
    verdict = f"NOT OK: {', '.join(broken)}" if broken else "OK"
    print(f"{signed} of {len(result.parties)} parties signed; {verdict}")


def _party_line(party: sign.PartyResult, trusting: bool) -> str:
    if not party.signed:
        return f"{party.party}: not signed"
    if party.signer is None:
        return f"{party.party}: signed, but the signature cannot be checked"
    flags = [
        "valid" if party.valid else "INVALID",
        "intact" if party.intact else "NOT INTACT",
        ("trusted" if party.trusted else "NOT TRUSTED") if trusting else "trust not checked (no --trust)",
    ]
    return (f"{party.party}: signed by {party.signer} at {party.signing_time}; {', '.join(flags)}; "
            f"covers {party.coverage}; changed after it: {party.modification}")


COMMANDS = [_add_document("pdf"), _add_sign, _add_verify, _add_document("docx")]
