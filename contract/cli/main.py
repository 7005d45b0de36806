"""The klimatkontrakt command line: the only code that prints or exits."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import collector, interrupts
from ..build import run as build
from ..errors import ContractError, Diagnostic, UsageError
from ..output import faults, marks
from ..output.guard import os_error
from ..render import export as exporter
from ..source.load import load, require_repository
from ..source.provenance import source
from . import arguments, writer
from .languages import add_lang, check_lang


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    writer.missing_output()  # `cmd >&-`: a result printed nowhere ends as one printed into a closed pipe
    try:
        faults.point("starting")
        args = _parser().parse_args(argv)  # the parser imports every command: Ctrl-C may well come meanwhile
    except KeyboardInterrupt as exc:  # Terminated for SIGTERM (interrupts.terminating)
        return _interrupted(exc)
    except arguments.BadArguments as exc:  # argparse's message on stderr; a requested json/github result still comes
        exc.parser.print_usage(sys.stderr)
        writer.note(f"{exc.parser.prog}: error: {exc.message}")
        fmt = arguments.requested_format(sys.argv[1:] if argv is None else argv)
        if fmt in ("json", "github"):
            try:
                _print_diagnostics([Diagnostic(None, "error", exc.message, "", "usage")], fmt, usage=True)
            except BrokenPipeError:  # the refusal is said on stderr, and 2 says more than a lost copy's 141
                writer.closed_output()
        raise SystemExit(2) from None  # as argparse itself exits
    except arguments.HelpShown:  # the help is the result: flushed and judged as a command's output is
        return _flushed(0)
    except (BrokenPipeError, OSError) as exc:  # the help written into a closed pipe or onto a full disk
        return _lost(exc)
    try:
        with interrupts.handling(), collector.fewer_collections(getattr(args, "command", None)):
            return _flushed(_run(args))
    except KeyboardInterrupt as exc:  # a Ctrl-C just as the command ended, while its signal handlers were put back
        return _interrupted(exc)
    except BrokenPipeError as exc:  # the reader stopped while the command printed: cut short
        return _lost(exc)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """Say that the command was stopped; return its exit code (130 for Ctrl-C, 143 for SIGTERM)."""
    code = interrupts.stopped(exc)
    writer.interrupted()
    return code


def _flushed(code: int) -> int:
    """Return code once standard output is flushed, or the exit code of an output that could not be written."""
    try:
        sys.stdout.flush()  # here, not at exit: a reader that stopped is found while it can still be answered
    except (BrokenPipeError, OSError) as exc:
        return _lost(exc)
    return code


def _lost(exc: OSError) -> int:
    """Return the exit code of a result that could not be written: 141 for a stopped reader, else 1 with the cause."""
    if isinstance(exc, BrokenPipeError):  # the reader stopped (validate | head -1), even while problems were printed
        return writer.closed_output()
    writer.note(str(os_error(exc)))  # a full disk: said as any command's failed write is
    return 1


# Commands that read or write the repository's versions: refused at once in a folder that is not one (a subfolder
# gave empty lists with exit 0, and check-signed said "unchanged"). diff may name a bare repository; import, sign,
# seal and verify work on files; build, site and validate check for themselves.
_IN_REPOSITORY = (
    "outline", "export", "translations", "glossary", "pdf", "docx", "apply", "parties",
    "versions", "new-year", "lock", "erratum", "check-signed", "history",
)  # fmt: skip


def _require_repository(args: argparse.Namespace) -> None:
    """Refuse a repository command run outside the repository (check-signed: years/ may be gone, the schemas not)."""
    command = getattr(args, "command", None)
    if command in _IN_REPOSITORY and not (command == "check-signed" and (args.root / "schema").is_dir()):
        require_repository(args.root)


def _run(args: argparse.Namespace) -> int:
    try:
        _require_repository(args)
        check_lang(args)
        code = args.run(args)
        interrupts.check()  # a Ctrl-C that Python swallowed while the command ran: it ends as interrupted
        return code
    except UsageError as exc:  # refused before anything was written: bad usage, not bad data
        _print_diagnostics(exc.diagnostics, _diagnostic_format(args), usage=True)
        return 2
    except ContractError as exc:
        _print_diagnostics(exc.diagnostics, _diagnostic_format(args))
        return 1
    except BrokenPipeError:  # not a machine's fault, and never success: main() ends every command so alike
        raise
    except OSError as exc:  # the machine, not the data or the code: a full disk, a read-only or missing folder
        if os.environ.get("KLIMATKONTRAKT_DEBUG"):
            raise
        writer.note(str(os_error(exc)))
        return 1
    except Exception as exc:  # a bug, not bad input: say so plainly; KLIMATKONTRAKT_DEBUG=1 shows the traceback
        if os.environ.get("KLIMATKONTRAKT_DEBUG"):
            raise
        writer.note(f"internal error: {type(exc).__name__}: {exc}")
        writer.note(
            "this is a fault in klimatkontrakt, not in your files; run again with KLIMATKONTRAKT_DEBUG=1 and report the output"
        )
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (a cancelled CI job): the same clean stop, after the clean-up
        return _interrupted(exc)


def _diagnostic_format(args: argparse.Namespace) -> str:
    """Return how to print problems: text, or the --format of a command whose result is its diagnostics."""
    return str(args.format) if getattr(args, "diagnostics_format", False) else "text"


class _Commands(argparse._SubParsersAction):
    """The subcommands; each also accepts --root after its name (python build.py --root DIR)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add a command whose options include --root."""
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument(
            "--root", type=Path, default=argparse.SUPPRESS, help="the repository folder (default: the current folder)"
        )
        return super().add_parser(name, parents=[*kwargs.pop("parents", []), common], **kwargs)


@functools.cache  # made once per process: reading arguments changes nothing in it, and serve and the tests call main often
def _parser() -> argparse.ArgumentParser:
    parser = arguments.Parser(prog="klimatkontrakt", description="Keep Klimatkontrakt 2030 as data and publish it.")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the repository folder (default: the current folder)"
    )
    parser.register("action", "parsers", _Commands)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _commands():
        add(sub)
    return parser


# ---------------------------------------------------------------- validate


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check versions: schema, ids, references, footnotes, numbering, translations")
    p.add_argument("versions", nargs="*", metavar="YEAR", help="versions to check (default: all)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "github", "json"), default="text", help="output format")
    p.set_defaults(run=_run_validate, diagnostics_format=True)


def _run_validate(args) -> int:
    from ..checks.validate import validate

    require_repository(args.root)
    report, loaded = validate(args.root, args.versions or None)
    items = report.sorted()
    if args.strict:
        items = [Diagnostic(d.pos, "error", d.message, d.hint, d.code) if d.severity == "warning" else d for d in items]
    errors = sum(d.severity == "error" for d in items)
    warnings = sum(d.severity == "warning" for d in items)
    if args.format == "json":
        writer.json_result(_diagnostics_json(items, sorted(loaded)))
    else:
        _print_diagnostics(items, args.format)
        checked = ", ".join(args.versions or sorted(loaded)) or "nothing"
        writer.note(
            f"checked {checked}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        )
    return 1 if errors else 0


def _diagnostics_json(items: list[Diagnostic], versions: list[str]) -> dict[str, Any]:
    return {
        "versions": versions,
        "errors": sum(d.severity == "error" for d in items),
        "warnings": sum(d.severity == "warning" for d in items),
        "diagnostics": [d.as_dict() for d in items],
    }


def _print_diagnostics(items: list[Diagnostic], fmt: str, usage: bool = False) -> None:
    """Print diagnostics on standard output (JSON, annotations or text), but a refused usage without a file on stderr."""
    if fmt == "json":
        writer.json_result(_diagnostics_json(items, []))
        return
    for item in items:
        if fmt == "github":
            writer.line(item.github())
        elif usage and item.pos is None:  # like argparse's own usage errors: the result stream stays empty
            writer.note(str(item))
        else:
            writer.line(str(item))


# ---------------------------------------------------------------- outline


def _add_outline(sub) -> None:
    p = sub.add_parser("outline", help="list the numbered sections of a version")
    p.add_argument("version", metavar="YEAR")
    add_lang(p, "the language of the titles")
    p.add_argument("--json", action="store_true", help="print a JSON list of {id, number, title, depth}")
    p.set_defaults(run=_run_outline)


def _run_outline(args) -> int:
    rows = exporter.outline(load(args.root, args.version), args.lang)
    if args.json:
        writer.json_result(rows)
    else:
        for row in rows:
            writer.line(f"{row['number']}\t{row['title']}")
    return 0


# ---------------------------------------------------------------- export


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write a whole version as JSON or readable Markdown")
    p.add_argument("version", metavar="YEAR")
    add_lang(p, "language of the Markdown export")
    p.add_argument("--format", choices=("json", "markdown"), required=True)
    p.add_argument(
        "-o", "--output", type=Path, help="write to this file instead of standard output (replacing it if it exists)"
    )
    p.set_defaults(run=_run_export)


def _run_export(args) -> int:
    earlier = writer.earlier_result(args.root, "export", args.format)
    if args.output:  # before the work: a refusal should come at once
        writer.refuse_source(args.root, args.output, "export")
        writer.refuse_existing(args.output, "export", earlier, writer.EARLIER)
    contract = load(args.root, args.version)
    if args.format == "json":
        text = writer.as_json(exporter.to_json(contract, source(args.root, args.version)))
    else:
        text = marks.mark(exporter.to_markdown(contract, args.lang), "export", "markdown", args.lang)
    # Made wholly from the repository, so replacing an earlier export loses nothing (the README says -o replaces);
    # but never a device, a link, a signed PDF, a translator's file or anything but an earlier export in this format.
    writer.result(text, args.output, "export", earlier, hint=writer.EARLIER)
    return 0


# ---------------------------------------------------------------- build


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="validate every version, then build the site, the PDFs and the redlines")
    p.add_argument("--drafts", action="store_true", help="include draft versions (marked as drafts on every page)")
    p.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="PDFs rendered at once (default: the number of cores; the build renders too once the site is made; "
        "1: one at a time, in a thread of the build, while it makes the site)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="the output folder (default: site/): absent, empty, or written by a build before; it is replaced whole",
    )
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="if another build is writing the output folder, stop (exit 2) instead of waiting",
    )
    from .site import add_site_url  # the site command's option, the same here

    add_site_url(p)
    p.set_defaults(run=_run_build)


def _positive(text: str) -> int:
    """Parse a whole number of at least 1 (argparse reports anything else as a usage error, exit 2)."""
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few: int() refuses thousands of digits.
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) < 1:
        shown = text if len(text) <= 20 else f"{text[:20]}… ({len(text)} characters)"
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {shown!r}")
    return int(text)


def _run_build(args) -> int:
    live = sys.stderr.isatty()
    show = (lambda step: print(f"\r\033[K{step}", end="", file=sys.stderr, flush=True)) if live else None
    result = build.build(
        args.root,
        drafts=args.drafts,
        out=args.out,
        jobs=args.jobs,
        progress=show,
        wait=not args.no_wait,
        notice=writer.note,
        site_url=args.site_url,
    )
    if live:
        print("\r\033[K", end="", file=sys.stderr)
    for note in result.notes:
        writer.note(str(note))
    versions = ", ".join(result.versions) or "no versions"
    count = result.warnings_count if result.unchanged else len(result.warnings)
    warnings = f"{count} warning{'s' * (count != 1)}"
    if result.unchanged:
        writer.report(f"nothing changed since the last build of {versions}; {warnings}; {result.seconds:.1f} s")
    else:
        writer.report(
            f"built {versions}: site, {result.pdfs} PDFs rendered, {result.reused} reused, "
            f"{result.redlines} redline{'s' * (result.redlines != 1)}; {warnings}; {result.seconds:.1f} s"
        )
    return 0


def _commands() -> list[Callable[[Any], None]]:
    """Every command, in the order of the help text: the few defined here, then each group's module."""
    from . import diff, glossary, importer, pdf, signed, site, translations, verify, versions, word

    groups = (translations, glossary, versions, pdf, verify, diff, site, signed, word)
    first = [_add_validate, _add_outline, _add_export, *importer.COMMANDS, _add_build]
    return [*first, *(c for g in groups for c in g.COMMANDS)]


if __name__ == "__main__":
    sys.exit(main())
