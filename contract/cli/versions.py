"""Commands of the yearly cycle: versions, new-year, lock, erratum."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContractError, Diagnostic, UsageError, excerpt
from ..ids import is_version_name
from ..model import Pos, printable
from ..source.languages import Languages, load_languages
from ..source.load import YEARS, load, years
from ..versions import cycle, exclusive, new_year, signed_pdfs
from . import writer
from .languages import add_lang
from .pdf import add_trust, read_trust

if TYPE_CHECKING:
    # The subcommand registry argparse hands to each command group (a private class, generic only in typeshed).
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_versions(sub: Subparsers) -> None:
    p = sub.add_parser("versions", help="list the versions with their status")
    p.add_argument("--status", choices=("draft", "signed"), help="only versions with this status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_versions)


def run_versions(args: argparse.Namespace) -> int:
    names = years(args.root)
    rows = []
    for version in filter(is_version_name, names):
        meta = load(args.root, version).meta
        if args.status in (None, meta.status):
            rows.append(
                {"version": version, "status": meta.status, "valid_for": meta.valid_for, "signed_on": meta.signed_on}
            )
    if args.json:
        writer.json_result(rows)
    else:
        for row in rows:
            writer.line(f"{row['version']}\t{row['status']}\t{row['valid_for']}\t{row['signed_on'] or ''}")
    # Folders that are no version ("2025b", a copy "2024 - Kopia") are named as validate names them: no draft.
    strays = [_not_a_version(name) for name in names if not is_version_name(name)]
    if strays and args.json:  # the result stays one JSON document: the errors go with the notes
        for stray in strays:
            writer.note(str(stray))
        return 1
    if strays:
        raise ContractError(strays)
    return 0


def _not_a_version(name: str) -> Diagnostic:
    """The error for a folder under years/ that is no version, in validate's words."""
    return Diagnostic(
        Pos(f"{YEARS}/{name}"),
        "error",
        f"the folder name {excerpt(name)} is not a version name",
        "rename the folder to the version's four-digit year, such as years/2024, or move it out of years/",
        "version-name",
    )


def add_new_year(sub: Subparsers) -> None:
    p = sub.add_parser("new-year", help="start next year's version as a draft from the latest one")
    p.add_argument("version", metavar="VERSION", help='the new version, e.g. "2024"')
    p.add_argument("--from", dest="source", metavar="YEAR", help="start from this version instead of the latest")
    p.set_defaults(run=run_new_year)


def run_new_year(args: argparse.Namespace) -> int:
    # Only a contract with a follow-up chapter like Borås' has sections new-year marks as still to be written.
    target, marked = new_year.new_year(args.root, args.version, args.source)
    todo = "write the follow-up sections marked to_be_written, then run" if marked else "edit it, then run"
    writer.note(
        f"created {target.relative_to(args.root.resolve()) if target.is_absolute() else target} as a draft; "
        f"{todo} klimatkontrakt validate {args.version}",
    )
    return 0


def add_lock(sub: Subparsers) -> None:
    p = sub.add_parser("lock", help="record the signed content of a signed version (and its signed PDFs)")
    p.add_argument("version", metavar="YEAR")
    p.add_argument(
        "--pdf", type=Path, action="append", default=[], metavar="FILE", help="a signed PDF to record (repeatable)"
    )
    add_trust(
        p,
        "a CA certificate (PEM) the signers' certificates must chain to; repeat for several; without it a "
        "signature is checked against its party's name only",
    )
    p.set_defaults(run=run_lock)


def run_lock(args: argparse.Namespace) -> int:
    try:
        roots = read_trust(args.trust)
    except ContractError as exc:  # named with the PDFs that cannot be read either: every bad input at once
        raise ContractError(exc.diagnostics + signed_pdfs.unreadable(args.pdf)) from None
    with exclusive.only_writer(args.root, args.version, "lock"):
        before = exclusive.signed_lock(args.root, args.version)
        result, recorded = cycle.lock(args.root, args.version, args.pdf, roots)
        exclusive.check_unchanged(args.root, args.version, before, result)
    for pdf in recorded:
        if pdf.same_as:
            writer.note(
                f"{printable(pdf.name)}: the same file as {printable(pdf.same_as)}, recorded already; not again"
            )
            continue
        if pdf.unsigned:
            writer.note(
                f"{printable(pdf.name)}: not signed by {', '.join(pdf.unsigned)}; recorded as signed by the others"
            )
        if pdf.text == "unsaid":
            writer.note(
                f"{printable(pdf.name)}: the PDF does not name the text it was made from (an earlier klimatkontrakt "
                f"made it); 'klimatkontrakt verify FILE --against {args.version}' compares it with the repository"
            )
        if pdf.unverified:
            writer.note(
                f"{printable(pdf.name)}: signers matched by name only (give --trust CA.pem to confirm their identities)"
            )
    writer.note(
        f"locked {args.version}: {len(result.files)} files, {len(result.pdfs)} signed PDFs recorded in years/{args.version}/signed.lock",
    )
    return 0


def add_erratum(sub: Subparsers) -> None:
    p = sub.add_parser("erratum", help="record a correction made to a signed version after signing")
    p.add_argument("version", metavar="YEAR")
    for part, said in (("what", "what was corrected"), ("why", "why")):
        p.add_argument(
            f"--{part}",
            nargs=2,
            action="append",
            default=[],
            metavar=("LANG", "TEXT"),
            help=f"{said}, in language LANG; once per language, the source language's required",
        )
        for lang, name in (("sv", "Swedish"), ("en", "English")):  # the default languages' short forms
            p.add_argument(f"--{part}-{lang}", metavar="TEXT", help=f"{said}, in {name} (--{part} {lang} TEXT)")
    p.add_argument("--section", metavar="ID", help="the id of the corrected section")
    p.add_argument("--date", help="the date of the correction, YYYY-MM-DD (default: today)")
    p.set_defaults(run=run_erratum)


def run_erratum(args: argparse.Namespace) -> int:
    languages = load_languages(args.root)  # read once: klimatkontrakt.yaml names the languages of both texts
    what, why = _texts(args, "what", languages), _texts(args, "why", languages)
    if half := sorted(set(what) ^ set(why)):  # a reader of that language would get a translation of half the entry
        raise UsageError(f"--what and --why are given in different languages ({', '.join(half)}): give both or neither")
    with exclusive.only_writer(args.root, args.version, "erratum"):
        cycle.erratum(args.root, args.version, what, why, args.section, args.date)
    writer.note(
        f"recorded the erratum in years/{args.version}/contract.yaml and re-locked the corrected content",
    )
    return 0


def _texts(args: argparse.Namespace, part: str, languages: Languages) -> dict[str, str]:
    """Return the erratum's what or why per language, each a language of the repository, the source's given."""
    short = ([lang, text] for lang in ("sv", "en") if (text := getattr(args, f"{part}_{lang}")) is not None)
    texts: dict[str, str] = {}
    for lang, text in [*getattr(args, part), *short]:
        languages.check(lang, f"--{part}")
        if lang in texts:
            raise UsageError(f"--{part} is given twice in {lang!r}: give each language once")
        if text != text.encode("utf-8", "replace").decode("utf-8"):  # bytes the terminal gave that are not UTF-8
            raise UsageError(f"--{part} in {lang!r} is not UTF-8 text: type it again, or set the terminal to UTF-8")
        if not text.strip():
            raise UsageError(f"--{part} in {lang!r} is empty: write the text, or leave that language out")
        texts[lang] = text
    if languages.source not in texts:
        source = languages.source
        raise UsageError(f"--{part} {source} TEXT is required: the erratum's {part} in the source language ({source})")
    return texts


def add_history(sub: Subparsers) -> None:
    p = sub.add_parser("history", help="a section's number, title and changes across all versions")
    p.add_argument("section", metavar="SECTION-ID")
    add_lang(p, "the language of the titles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_history)


def run_history(args: argparse.Namespace) -> int:
    from ..build.run import gather
    from ..diff.history import timeline
    from ..render.site_views import history_changes

    contracts, _ = gather(args.root, drafts=True)
    steps = timeline(contracts, args.section)
    if not any(step.present for step in steps):  # a mistyped argument, not a fault in any file
        raise UsageError(
            f"history: no version has a section {args.section!r}",
            "run 'klimatkontrakt outline YEAR --json' to see the ids",
        )
    rows = [
        {
            "version": s.version,
            "status": s.status,
            "present": s.present,  # false: the version has no such section (changes then say if it was removed)
            "id": s.id if s.present else None,  # the section's id in this version: ids can be renamed
            "old_id": s.old_id,  # the id it had in the version before, when renamed there
            "number": s.number if s.present else None,
            "title": s.title.shown(args.lang)[0] if s.title else None,
            "changes": list(s.changes),
        }
        for s in steps
    ]
    if args.json:
        writer.json_result(rows)
        return 0
    for step, row in zip(steps, rows, strict=True):  # the words of the site's history page, from the same steps
        writer.line(
            f"{row['version']}\t{row['number'] or '-'}\t{row['title'] or ''}\t{history_changes(step, args.lang)}"
        )
    return 0


COMMANDS = [add_versions, add_new_year, add_lock, add_erratum, add_history]
