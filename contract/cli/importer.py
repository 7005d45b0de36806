"""The `import` command: a contract's signed PDF, Word file or text turned into a version folder of YAML."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections import Counter
from pathlib import Path

from .. import inputs, interrupts
from ..errors import ContractError, Diagnostic, UsageError, excerpt
from ..output import faults
from . import writer


def add_import(sub) -> None:
    for name in ("import", "import-text"):
        p = sub.add_parser(
            name,
            help="turn a contract's signed PDF, Word file or text into a version folder of YAML"
            + (" (alias of import)" if name != "import" else ""),
        )
        p.add_argument("file", type=Path, metavar="FILE", help="the contract: .pdf, .docx or .txt")
        p.add_argument("--version", required=True, help='the version label, e.g. "2022"')
        p.add_argument("--municipality", required=True, help='the municipality\'s name, e.g. "Borås Stad"')
        p.add_argument(
            "--out", type=Path, required=True, metavar="DIR", help="the folder to write (must not exist or be empty)"
        )
        p.add_argument(
            "--lang",
            metavar="LANG",
            help="the language of the original, one the importer has a table for (contract/i18n/import-LANG.yaml) "
            "(default: the repository's source language in klimatkontrakt.yaml)",
        )
        p.set_defaults(run=run_import)


def run_import(args) -> int:
    from ..importer import import_file, report
    from ..importer.known import earlier_subjects
    from ..importer.write import check_target, write_folder

    problem = report.usage_problem(args.version, args.municipality)
    if problem:
        raise UsageError(f"import: {problem}", "validate would reject it; nothing was written")
    target = check_target(args.out)  # before reading a long PDF: a folder that is not empty is refused at once
    writer.refuse_build_own(args.out, "import")  # a build would find the folder a stranger in site/ or drop it
    inputs.check_file(args.file, "contract", "give the contract's PDF, Word file or text")  # not a pipe or /dev/zero
    languages = _import_languages(args.root)
    lang = _import_lang(languages, args.lang)
    result = import_file(args.file, args.version, args.municipality, lang, languages)
    _check_original_language(result, lang)
    earlier = earlier_subjects(args.root, args.version)
    existed = target.is_dir()  # empty (check_target): the new folder takes its place, with its permissions
    mode = target.stat().st_mode if existed else None
    made = [folder for folder in target.parents if not folder.exists()]  # made by the import for the new folder
    try:  # until "wrote" is said, an interrupted import takes its folder back: nothing new in years/
        copied = write_folder(result, args.out, earlier.subjects, mode)
        for note in result.notes:
            writer.note(f"{args.file}:{note}")
        _note_identities(earlier, copied, args.version)
        for line in report.lines(result, report.output_words(args.out)):
            writer.line(line)
        _print_import_validation(report.validate_folder(args.root, args.out, args.version), result.languages[1:])
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (interrupts.Terminated)
        with interrupts.deferred():  # a second stop must not leave the folder half removed
            faults.point("import-removing")  # a test sends the second stop here
            if target.is_dir() and any(target.iterdir()):  # in place (an untouched empty folder is left as it is)
                shutil.rmtree(target, ignore_errors=True)  # the real folder written (a link to it is followed)
                if mode is not None:
                    target.mkdir(exist_ok=True)
                    target.chmod(mode)
            for folder in made:  # deepest first; one something else has put a file in meanwhile stays
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    writer.note(f"wrote {args.out} ({result.section_count} numbered sections, {result.footnote_count} footnotes)")
    return 0


def _note_identities(earlier, copied: list[str], version: str) -> None:
    """Say which parties' certificate identities came from the version before, or that it could not be read."""
    check = f"'klimatkontrakt parties {version}'"
    if copied:
        writer.note(
            f"certificate identities of {', '.join(copied)} copied from version {earlier.version}; "
            f"check them with {check} before anyone signs"
        )
    elif not earlier.readable:
        writer.note(
            f"no certificate identities copied: version {earlier.version} does not load "
            f"('klimatkontrakt validate {earlier.version}' says why); {check} asks for them"
        )


def _check_original_language(result, lang: str) -> None:
    """Refuse an original whose chapter titles are in another language than --lang: its text would be stored as that."""
    from ..importer import words
    from ..source.languages import language_name

    placed = words.chapters_placed([node.title for node in result.sections])
    other = max(placed, key=lambda code: len(placed[code]))
    # Two chapters: not a stray loan word. More than lang's own: a title or two left untranslated does not make an
    # original of the other language pass for lang's.
    if other != lang and len(placed[other]) >= 2 and len(placed[other]) > len(placed.get(lang, [])):
        raise UsageError(
            f"import: --lang {lang}, but the original's chapter titles are {language_name(other)} "
            f"({', '.join(map(repr, placed[other][:2]))}); nothing was written",
            f"give --lang {other} for an original in {language_name(other)}",
        )


def _import_languages(root: Path) -> tuple[str, ...]:
    """Return the repository's languages, the source first (the defaults when klimatkontrakt.yaml is broken)."""
    from ..model import DEFAULT_LANGUAGES
    from ..source.languages import load_languages

    try:
        return load_languages(root).all
    except ContractError:  # a broken klimatkontrakt.yaml: validate names it after the import
        return DEFAULT_LANGUAGES


def _import_lang(languages: tuple[str, ...], given: str | None) -> str:
    """Return the original's language: --lang, else the source; one the importer reads and the repository has."""
    from ..importer import words
    from ..source.languages import language_name

    readable = words.languages()
    names = " or ".join(language_name(code) for code in readable)
    if given is None and languages[0] not in readable:
        raise UsageError(
            f"import: this repository's source language is {languages[0]!r}, and import reads {names} originals",
            "give " + " or ".join(f"--lang {code}" for code in readable) + " for an original in that language",
        )
    lang = languages[0] if given is None else given
    if not re.fullmatch("[a-z]{2,3}", lang):  # "EN", "": no language's name to give
        raise UsageError(
            f"import: --lang {excerpt(lang)} is not a language code; import reads {names} originals",
            "give " + " or ".join(f"--lang {code}" for code in readable),
        )
    if lang not in readable:
        raise UsageError(
            f"import: --lang {lang!r}: import reads {names} originals ({', '.join(readable)}); "
            f"it has no table of the words of a contract in {language_name(lang)}",
            f"add contract/i18n/import-{lang}.yaml (copy import-en.yaml) to read originals in that language",
        )
    if lang not in languages:
        raise UsageError(
            f"import: --lang {lang!r} is not a language of this repository; its languages are {', '.join(languages)}",
            f"add {lang!r} to languages.translations in klimatkontrakt.yaml, or give the original's language",
        )
    return lang


def _print_import_validation(items: list[Diagnostic] | None, translations: tuple[str, ...]) -> None:
    if items is None:
        writer.line("validate: not run (no schema/ folder here: run the command in the repository, or give --root)")
        return
    from ..checks.rules import code_name
    from ..source.languages import language_name

    # A fresh import has no translations yet: count those warnings (by their codes) per language, not each.
    codes = {f"{kind}-{code_name(lang)}": language_name(lang) for lang in translations for kind in ("missing", "stale")}
    pending = {id(d): codes[d.code] for d in items if d.severity == "warning" and d.code in codes}
    _print_diagnostics([d for d in items if id(d) not in pending], "text")
    errors = sum(d.severity == "error" for d in items)
    counts = Counter(pending.values())
    listed = " and ".join(f"{n} {name}" for name, n in counts.items()) or "0"
    writer.line(
        f"validate: {errors} error{'s' * (errors != 1)}, {len(items) - errors - len(pending)} other findings, "
        f"{listed} translations missing or to confirm"
    )


def _print_diagnostics(items: list[Diagnostic], fmt: str) -> None:
    from .main import _print_diagnostics as print_diagnostics  # the one writer of diagnostics, beside validate's

    print_diagnostics(items, fmt)


COMMANDS = [add_import]
