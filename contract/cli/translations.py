"""The `translations` command: coverage, stale and missing English, confirmation, translator exchange."""

from __future__ import annotations

from pathlib import Path

from ..errors import ContractError, Diagnostic, UsageError
from ..model import Pos, Text
from ..source.languages import language_name, load_languages
from ..source.load import load, years
from ..translate import translations as tr
from . import writer


def add_translations(sub) -> None:
    p = sub.add_parser("translations", help="translation coverage; list, confirm, export or import translations")
    p.add_argument("version", nargs="?", metavar="YEAR", help="the version (default: all)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--lang",
        metavar="LANG",
        help="the translation language (default: the first translation in klimatkontrakt.yaml)",
    )
    p.add_argument(
        "--confirm", action="append", metavar="ID", help="record that this translated text is current (repeatable)"
    )
    p.add_argument("--all-current", action="store_true", help="record every translated text as current")
    p.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write the texts that need translation for a translator: FILE.xlf (XLIFF 2.0), FILE.po (gettext) or FILE.json",
    )
    p.add_argument("--all", action="store_true", help="with --export: every text, not only missing and stale")
    p.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        metavar="FILE",
        help="write the translations of an .xlf, .po or .json file into the YAML (all or nothing)",
    )
    p.add_argument(
        "--suggest",
        action="store_true",
        help="propose translations from every version's translations: fill exact matches (to review), list near ones",
    )
    p.set_defaults(run=run_translations)


def run_translations(args) -> int:
    from . import exchange as cli_exchange  # here: every command builds the parser, which imports this module

    _one_action(args)
    args.lang = load_languages(args.root).check_translation(args.lang)  # argparse cannot know --root's languages
    acting = args.confirm or args.all_current or args.export or args.import_file or args.suggest
    if acting and not args.version:
        raise UsageError(
            "translations: name the version to change", "e.g. klimatkontrakt translations 2023 --all-current"
        )
    if args.import_file:
        return cli_exchange.run_import(args)
    if args.suggest:
        return cli_exchange.run_suggest(args)
    if args.confirm or args.all_current:
        return _confirm(args)
    if args.export:
        return cli_exchange.run_export(args)
    return _report(args)


def _one_action(args) -> None:
    """Stop with a usage error when two actions are asked at once: one of them would silently not happen."""
    actions = {
        "--confirm": args.confirm,
        "--all-current": args.all_current,
        "--export": args.export,
        "--import": args.import_file,
        "--suggest": args.suggest,
    }
    given = [name for name, value in actions.items() if value]
    if len(given) > 1:
        raise UsageError(f"translations: give one of {', '.join(given)} at a time", "run the command once for each")
    if args.all and not args.export:
        raise UsageError(
            "translations: --all only goes with --export", "to export every text, not only missing and stale ones"
        )


def _report(args) -> int:
    out = {}
    for version in [args.version] if args.version else years(args.root):
        out[version] = tr.coverage(load(args.root, version), args.lang)
    if args.json:
        writer.json_result({v: _as_json(c, args.lang) for v, c in out.items()})
    else:
        for version, cov in out.items():
            _print_coverage(version, cov, args.lang)
    return 0


def _as_json(cov: tr.Coverage, lang: str) -> dict:
    def entry(t: Text) -> dict:
        pos = tr.at(t, lang)
        return {"key": t.key, "file": pos.file, "line": pos.line, "column": pos.column}

    return {
        "translated": cov.translated,
        "total": cov.total,
        "groups": {g: {"translated": d, "total": n} for g, (d, n) in cov.groups.items()},
        "missing": [entry(t) for t in cov.missing],
        "stale": [entry(t) for t in cov.stale],
    }


def _print_coverage(version: str, cov: tr.Coverage, lang: str) -> None:
    percent = 100 * cov.translated / cov.total if cov.total else 100
    writer.line(
        f"{version}: {cov.translated}/{cov.total} {language_name(lang)} texts current ({percent:.0f} %), {len(cov.missing)} missing, {len(cov.stale)} stale"
    )
    for group, (done, total) in cov.groups.items():
        writer.line(f"  {group:<13} {done}/{total}")
    for label, items in (("missing", cov.missing), ("stale", cov.stale)):
        for text in items:
            writer.line(f"{tr.at(text, lang)}: {label}: {text.key}")


def _confirm(args) -> int:
    contract = load(args.root, args.version)
    folder = args.root / "years" / args.version
    lock, unknown = tr.confirm(contract, tr.read_lock(folder), None if args.all_current else args.confirm, args.lang)
    if unknown:
        problems = [
            Diagnostic(
                Pos(f"years/{args.version}"),
                "error",
                f"no translated text with the id {k!r}",
                "run 'klimatkontrakt translations YEAR' to list ids",
            )
            for k in unknown
        ]
        raise ContractError(problems)
    tr.write_lock(folder, lock)
    count = (
        f"all {language_name(args.lang)} texts"
        if args.all_current
        else f"{len(args.confirm)} text{'s' * (len(args.confirm) != 1)}"
    )
    writer.note(f"recorded {count} of {args.version} as current in years/{args.version}/{tr.LOCK_NAME}")
    return 0


COMMANDS = [add_translations]
