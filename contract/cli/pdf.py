"""Commands that make and sign the contract PDF: pdf, docx, sign, seal (verify and parties: verify.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContractError, Diagnostic, UsageError
from ..inputs import NotAFile, read_bounded
from ..model import Pos
from ..source.load import load, version_folder
from ..source.provenance import source
from . import writer
from .languages import add_lang

if TYPE_CHECKING:  # only for annotations: pyHanko loads slowly
    from cryptography import x509

    from ..pdf.credentials import Credentials


MAX_PDF = 256 * 1024 * 1024  # far above any contract PDF; refuse before reading, never fill memory


def _read(path: Path, what: str) -> bytes:
    hint = "give the contract PDF" if what == "PDF" else f"give the {what}"  # which input, when two share a path
    try:
        size = path.stat().st_size
        # A pipe says 0: read one byte past the limit, never without end (a device or a terminal is not read).
        data = read_bounded(path, MAX_PDF, pipes=True) if size <= MAX_PDF else b""
        if size > MAX_PDF or len(data) > MAX_PDF:
            known = f" {size // 2**20} MiB," if size > MAX_PDF else ""
            message = f"the {what} is{known} larger than any contract PDF (at most {MAX_PDF // 2**20} MiB)"
            raise ContractError([Diagnostic(Pos(str(path)), "error", message, hint, "too-large")])
        return data
    except NotAFile as exc:  # read, a pipe nobody writes to or a terminal would be waited for, for ever
        said = "has nothing to read" if exc.kind == "pipe nobody writes to" else "is never read"
        message = f"this is not a file but a {exc.kind}, which {said}"
        raise ContractError([Diagnostic(Pos(str(path)), "error", message, hint, "not-a-file")]) from None
    except OSError as exc:
        raise ContractError(
            [Diagnostic(Pos(str(path)), "error", f"cannot read the {what}: {exc.strerror}", "check the path", "io")]
        ) from None


def read_all(wanted: list[tuple[Path, str]]) -> list[bytes]:
    """Read each (path, what it is) in turn; raise one located error naming every file that cannot be read."""
    data: list[bytes] = []
    problems: list[Diagnostic] = []
    for path, what in wanted:
        try:
            data.append(_read(path, what))
        except ContractError as exc:
            problems += exc.diagnostics
    if problems:
        raise ContractError(problems)
    return data


def add_trust(p, said: str) -> None:
    """Add the --trust option: CA certificates (PEM), repeatable; said is what they are trusted for here."""
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem", help=said)


def read_trust(paths: list[Path], read: list[bytes] | None = None) -> list[x509.Certificate]:
    """Return the CA certificates given with --trust (none given: no certificate chain is checked).

    read: their bytes, when the caller read them with its other files (read_all names every unreadable one at once).
    """
    if not paths:
        return []
    from ..pdf import credentials

    files = read_all(trusted(paths)) if read is None else read
    return [c for path, data in zip(paths, files, strict=True) for c in credentials.load_certificates(str(path), data)]


def trusted(paths: list[Path]) -> list[tuple[Path, str]]:
    """The --trust files as read_all takes them."""
    return [(path, "CA certificate") for path in paths]


# ---------------------------------------------------------------- pdf and docx

DOCUMENTS = {
    "pdf": "write the archival PDF (PDF/A-2b, PDF/UA-1) of a version, with empty signature fields",
    "docx": "write a Word version of a version's text (for circulating drafts)",
}


def _add_document(kind: str):
    def add(sub) -> None:
        p = sub.add_parser(kind, help=DOCUMENTS[kind])
        p.add_argument("version", metavar="YEAR")
        add_lang(p, "the language of the document")
        p.add_argument(
            "-o",
            "--output",
            type=Path,
            help=f"the file to write (default: klimatkontrakt-YEAR-LANG.{kind}); {REPLACES[kind]}",
        )
        p.set_defaults(run=_run_document, kind=kind)

    return add


REPLACES = {
    "pdf": "an existing file is replaced only if it is an unsigned PDF made by klimatkontrakt",
    "docx": "an existing file is never replaced (it may hold edits made in Word)",
}


def _run_document(args) -> int:
    version_folder(args.root, args.version)  # a path given as the version is refused as such, not as a file name
    output = args.output or Path(f"klimatkontrakt-{args.version}-{args.lang}.{args.kind}")
    replace = _unsigned_contract_pdf if args.kind == "pdf" else False
    writer.refuse_source(args.root, output, args.kind)
    writer.refuse_existing(output, args.kind, replace)  # before rendering: a refusal should not wait for typst

    from .. import pdf  # pyHanko and typst load in ~1 s: only when needed
    from ..word import export as word_export

    render = pdf.render_pdf if args.kind == "pdf" else word_export.render_docx
    data = render(load(args.root, args.version), args.lang, source(args.root, args.version))
    writer.result(data, output, args.kind, replace)
    return 0


def _unsigned_contract_pdf(path: Path) -> bool:
    """Whether a file is a PDF this command made and nobody signed or annotated since: only such a file is rebuilt."""
    if path.stat().st_size > MAX_PDF:  # no contract PDF is that large: not ours, and never read whole
        return False
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"/ByteRange" in data:  # not a PDF, or signed since
        return False
    from ..pdf import meta  # pypdf and pyHanko load slowly: only for a PDF

    facts = meta.facts(data)
    # A contract PDF, not a redline or another's PDF, nor one a reviewer has commented on since.
    return "version" in facts and "redline" not in facts and not meta.annotated(data)


# ---------------------------------------------------------------- sign


def _add_sign(sub) -> None:
    p = sub.add_parser(
        "sign", help="sign one party's field of the contract PDF, the original (PAdES B-B, or B-T with --tsa)"
    )
    p.add_argument("pdf", type=Path, metavar="PDF")
    p.add_argument("--party", required=True, metavar="ID", help="the party whose field to sign, e.g. boras-stad")
    p.add_argument("--p12", type=Path, metavar="FILE", help="a PKCS#12 file (.p12/.pfx) with key and certificate")
    p.add_argument("--key", type=Path, metavar="FILE", help="the private key (PEM or DER), with --cert")
    p.add_argument("--cert", type=Path, metavar="FILE", help="the signer's certificate (PEM or DER), with --key")
    p.add_argument(
        "--chain",
        type=Path,
        metavar="FILE",
        help="intermediate CA certificates (PEM), with --key/--cert or --pkcs11-lib",
    )
    p.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="a file holding the passphrase of the p12 or key"
    )
    p.add_argument(
        "--pkcs11-lib",
        metavar="LIB",
        help="the PKCS#11 module of a smart card or HSM (e.g. /usr/lib/softhsm/libsofthsm2.so)",
    )
    p.add_argument(
        "--token-label", metavar="L", help="the label of the token (card) holding the key, with --pkcs11-lib"
    )
    p.add_argument(
        "--key-label", metavar="K", help="the label of the key and its certificate on the token, with --pkcs11-lib"
    )
    p.add_argument("--pin-file", type=Path, metavar="FILE", help="a file holding the token's PIN, with --pkcs11-lib")
    p.add_argument(
        "--tsa", metavar="URL", help="an RFC 3161 time-stamping service: adds a signature timestamp (PAdES B-T)"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="the signed PDF to write")
    p.set_defaults(run=_run_sign)


def _run_sign(args) -> int:
    from ..pdf import sign  # pyHanko and typst load in ~1 s: only when needed

    _new_output(args.output, args.pdf, "sign")
    _credentials_given(args)
    named = {
        "pdf": "PDF", "chain": "chain", "p12": "PKCS#12 file", "key": "key", "cert": "certificate",
        "passphrase_file": "passphrase file", "pin_file": "PIN file",
    }  # fmt: skip
    given = {name: (getattr(args, name), what) for name, what in named.items() if getattr(args, name) is not None}
    files = dict(zip(given, read_all(list(given.values())), strict=True))  # every unreadable file named at once
    data = files["pdf"]
    creds = _credentials(args, files)
    try:
        signed = sign.sign(str(args.pdf), data, args.party, creds, tsa_url=args.tsa)
    finally:
        creds.close()
    writer.result(signed, args.output, "sign", replace=False)
    writer.note(f"signed the field of {args.party} as {creds.subject}")
    return 0


def _new_output(output: Path, source: Path, command: str) -> None:
    """Refuse an output that exists: it is not ours to overwrite, and the signed input must stay as it was."""
    if output.exists() and source.exists() and output.resolve() == source.resolve():
        raise _usage(
            f"-o {output} is the PDF being signed: write the result to a new file (the input stays as it was)", command
        )
    if output.exists() or output.is_symlink():
        raise _usage(f"-o {output} exists: give a new file name (an existing file is never overwritten)", command)
    writer.refuse_existing(output, command)  # the rest of the -o rules, before a card's PIN is asked for


def _credentials_given(args) -> None:
    """Refuse a wrong choice of credentials (bad usage) before any file is read."""
    chosen = [
        name
        for name, on in (
            ("--p12", args.p12),
            ("--key/--cert", args.key or args.cert),
            ("--pkcs11-lib", args.pkcs11_lib),
        )
        if on
    ]
    if len(chosen) > 1:
        raise _usage(f"give one way to the signer's key, not {' and '.join(chosen)}")
    if args.pkcs11_lib and not (args.token_label and args.key_label):
        raise _usage("with --pkcs11-lib give --token-label L and --key-label K")
    if not args.pkcs11_lib and not args.p12 and not (args.key and args.cert):
        raise _usage(
            "give the signer's credentials: --p12 FILE, --key FILE with --cert FILE, or --pkcs11-lib with labels"
        )


def _credentials(args, files: dict[str, bytes]) -> Credentials:
    from ..pdf import credentials  # pyHanko loads in ~1 s: only when needed

    chain = files.get("chain", b"")
    if args.pkcs11_lib:
        pin = _passphrase(files.get("pin_file"))
        return credentials.load_pkcs11(args.pkcs11_lib, args.token_label, args.key_label, pin, chain)
    passphrase = _passphrase(files.get("passphrase_file"))
    if args.p12:
        return credentials.load_p12(str(args.p12), files["p12"], passphrase)
    return credentials.load_pem(str(args.key), files["key"], str(args.cert), files["cert"], chain, passphrase)


def _passphrase(data: bytes | None) -> bytes | None:
    return None if data is None else data.rstrip(b"\r\n")


def _usage(message: str, command: str = "sign") -> UsageError:
    return UsageError(f"{command}: {message} (see 'klimatkontrakt {command} --help')")


# ---------------------------------------------------------------- seal


def _add_seal(sub) -> None:
    p = sub.add_parser(
        "seal", help="once every party has signed: embed validation data and a document timestamp (PAdES B-LTA)"
    )
    p.add_argument("pdf", type=Path, metavar="PDF")
    p.add_argument("--tsa", required=True, metavar="URL", help="an RFC 3161 time-stamping service")
    add_trust(p, "a CA certificate (PEM) the signers' certificates chain to; repeat for several")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="the sealed PDF to write")
    p.set_defaults(run=_run_seal)


def _run_seal(args) -> int:
    from ..pdf import seal  # pyHanko loads in ~1 s: only when needed

    _new_output(args.output, args.pdf, "seal")
    data, *certificates = read_all([(args.pdf, "PDF"), *trusted(args.trust)])  # every unreadable file at once
    sealed = seal.seal(str(args.pdf), data, args.tsa, read_trust(args.trust, certificates))
    writer.result(sealed, args.output, "seal", replace=False)
    writer.note("sealed: validation data and a document timestamp added")
    return 0


COMMANDS = [_add_document("pdf"), _add_sign, _add_seal, _add_document("docx")]
