"""translations --export, --import and --suggest: the translators' files and the translation memory."""

from __future__ import annotations

from pathlib import Path

from .. import inputs
from ..errors import ContractError, Diagnostic, Report, UsageError
from ..model import Pos
from ..source.languages import language_name, load_languages
from ..source.load import load
from ..translate import exchange, jsonfile, memory
from ..translate import translations as tr
from ..translate.glossary import load_glossary
from . import writer

MAX_IMPORT_BYTES = 16 * 1024 * 1024  # an export of all 292 texts of 2023 is about 300 KB
FORMATS = {".xlf": "xliff", ".xliff": "xliff", ".po": "po", ".json": "json"}


def _format(file: Path) -> str:
    kind = FORMATS.get(file.suffix.lower())
    if kind is None:
        raise UsageError(
            f"translations: {file}: unknown kind of file {file.suffix or '(no suffix)'!r}",
            "name it .xlf for XLIFF 2, .po for gettext or .json",
        )
    return kind


def _modules():
    """Return the PO and XLIFF modules, imported only when used: translate-toolkit and lxml take 0.15 s to import."""
    from ..translate import po, xliff

    return po, xliff


def _lang(args) -> str:
    """Return the --lang option to repeat in a hint (none for the default translation language)."""
    default = load_languages(args.root).default_translation
    return "" if args.lang == default else f" --lang {args.lang}"


def run_export(args) -> int:
    kind = _format(args.export)
    # An existing file may be a translator's work: never overwritten; a missing folder is refused (writer's rule).
    writer.refuse_source(args.root, args.export, "translations --export")
    writer.refuse_existing(args.export, "translations --export")
    report = Report()
    glossary = load_glossary(args.root, report)
    if report.errors:
        raise ContractError(report.errors)
    contract = load(args.root, args.version)
    problems = exchange.unexportable(contract, args.lang)
    if problems:
        raise ContractError(problems)
    units = exchange.units(contract, glossary, args.lang, everything=args.all)
    po, xliff = _modules()
    source = contract.languages[0]
    if kind == "xliff":
        data: bytes | str = xliff.write(units, args.version, source, args.lang)
    elif kind == "po":
        created = f"{contract.meta.signed_on or contract.meta.valid_for} 00:00+0000"
        data = po.write(units, args.version, created, source, args.lang)
    else:
        data = jsonfile.write(units, source, args.lang)
    writer.result(data, args.export, "translations --export", replace=False, detail=f"{len(units)} texts")
    return 0


def run_import(args) -> int:
    kind = _format(args.import_file)
    display = str(args.import_file)
    _check_import_file(args.import_file, display)
    po, xliff = _modules()
    contract = load(args.root, args.version)
    if kind == "json":
        items, problems = jsonfile.read(args.import_file, display, contract.languages[0], args.lang)
    else:
        items, problems = {"xliff": xliff.read, "po": po.read}[kind](args.import_file, display, args.lang)
    english, more = exchange.accept(contract, items, args.lang)
    if problems or more:
        raise ContractError(problems + more)
    drafts = sorted(u.key for u in items if u.draft and u.key in english)
    kept = exchange.reverting(contract, english, tr.read_lock(args.root / "years" / args.version), args.lang)
    english = {key: text for key, text in english.items() if key not in drafts and key not in kept}
    tr.write_translation(args.root, contract, args.lang, english)
    if drafts:
        _note_drafts(drafts, kind)
    if kept:
        writer.note(
            f"kept {len(kept)} {language_name(args.lang)} text{'s' * (len(kept) != 1)} edited in the YAML since the "
            f"file was exported, which the file gives back as last confirmed: {', '.join(kept)} (to go back to the "
            "confirmed text, edit the YAML)"
        )
    keys = " ".join(f"--confirm {k}" for k in sorted(english)[:3]) + (" ..." if len(english) > 3 else "")
    name = language_name(args.lang)
    writer.note(f"wrote {len(english)} {name} text{'s' * (len(english) != 1)} into years/{args.version}")
    if english:
        writer.note(f"review them, then confirm: klimatkontrakt translations {args.version}{_lang(args)} {keys}")
    return 0


def _note_drafts(drafts: list[str], kind: str) -> None:
    """Name the units left out as not yet translated or reviewed, in the words of the file's format."""
    many = len(drafts) != 1
    if kind == "xliff":
        writer.note(
            f"left out {len(drafts)} untranslated segment{'s' * many} (state initial, the target a copy of the "
            f"source): {', '.join(drafts)} (translate {'them' if many else 'it'} in your translation tool, then "
            "import again)"
        )
        return
    writer.note(
        f"left out {len(drafts)} fuzzy {'entries' if many else 'entry'} not yet reviewed: {', '.join(drafts)} "
        "(review them in your translation tool, clear their fuzzy flag, then import again)"
    )


def _check_import_file(file: Path, display: str) -> None:
    """Refuse what cannot be a translation file before anything is read: a folder, nothing, a file far too large."""
    if file.is_dir():
        raise ContractError(
            [
                Diagnostic(
                    Pos(display), "error", "this is a folder, not a file", "give the file your translation tool saved"
                )
            ]
        )
    inputs.check_file(file, "translation file", "give the file your translation tool saved")  # a pipe, a device
    if not file.is_file():
        try:  # a link to itself, or a folder the name cannot be looked up in, is not "no such file"
            file.stat()
            said = "this is not a file"
        except FileNotFoundError:
            said = "there is no such file"
        except OSError as exc:
            said = f"cannot read the file: {exc.strerror}"
        raise ContractError([Diagnostic(Pos(display), "error", said, "give the file your translation tool saved")])
    size = file.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise ContractError(
            [
                Diagnostic(
                    Pos(display, 1, 1),
                    "error",
                    f"the file is {size // 1024} KiB, more than the "
                    f"{MAX_IMPORT_BYTES // 1024} KiB of an export of every text many times over",
                    "give the file exported by 'klimatkontrakt translations YEAR --export'",
                )
            ]
        )


def run_suggest(args) -> int:
    contract = load(args.root, args.version)
    lang = args.lang
    found = memory.suggest(contract, memory.memory(args.root, lang, {args.version: contract}), lang)
    exact = {s.text.key: s.match.target for s in found if s.exact and s.match.target != s.text.get(lang)}
    also = {}
    if exact:  # filled in, not confirmed: the lock marks them for review until a translator confirms them
        folder = args.root / "years" / args.version
        lock = tr.read_lock(folder)
        texts = {t.key: t for t in contract.texts()}
        lock.update({(lang, key): tr.Entry(tr.fingerprint(texts[key].source), tr.TO_REVIEW) for key in exact})
        also = {folder / tr.LOCK_NAME: tr.lock_text(lock)}
    tr.write_translation(args.root, contract, lang, exact, also)  # the translations and the lock together, or neither
    if args.json:
        writer.json_result([_as_json(s, s.text.key in exact, lang) for s in found])
    for s in found if not args.json else []:
        kind = "exact, filled in, to review" if s.exact else f"fuzzy {s.similarity:.0%}"
        writer.line(f"{s.text.at(lang)}: {kind}: {s.text.key} <- {s.match.version} {s.match.key}")
        if not s.exact:
            writer.line(f"    {s.match.target}")
        for other in s.others:  # the same source was translated otherwise elsewhere: the reviewer should know
            writer.line(f"    also translated in {other.version} {other.key}: {other.target}")
    writer.note(
        f"{len(exact)} exact match{'es' * (len(exact) != 1)} filled in (not confirmed: review, then --confirm), "
        f"{sum(not s.exact for s in found)} near match{'es' * (sum(not s.exact for s in found) != 1)} listed"
    )
    return 0


def _as_json(s: memory.Suggestion, filled: bool, lang: str) -> dict:
    pos = s.text.at(lang)
    return {
        "key": s.text.key,
        "file": pos.file if pos else "",
        "line": pos.line if pos else 0,
        "similarity": s.similarity,
        "exact": s.exact,
        "filled": filled,
        "from": {"version": s.match.version, "key": s.match.key},
        s.text.lang: s.match.source,
        lang: s.match.target,
        "others": [{"version": m.version, "key": m.key, lang: m.target} for m in s.others],
    }
