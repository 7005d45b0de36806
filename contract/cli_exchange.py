"""translations --export, --import and --suggest: the translators' files and the translation memory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import translations as tr
from .errors import ContractError, Diagnostic, Report
from .files import write_atomic
from .load import load
from .model import Pos
from .translate import exchange, jsonfile, memory
from .translate.glossary import load_glossary

FORMATS = {".xlf": "xliff", ".xliff": "xliff", ".po": "po", ".json": "json"}


def _format(file: Path) -> str:
    kind = FORMATS.get(file.suffix.lower())
    if kind is None:
        print(
            f"error: {file}: unknown kind of file {file.suffix or '(no suffix)'!r} (name it .xlf for XLIFF 2, .po for gettext or .json)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return kind


def _modules():
    """Return the PO and XLIFF modules, imported only when used: translate-toolkit and lxml take 0.15 s to import."""
    from .translate import po, xliff

    return po, xliff


def run_export(args) -> int:
    kind = _format(args.export)
    if args.export.exists() or args.export.is_symlink():  # it may be a translator's work: never overwrite it
        print(
            f"error: {args.export} exists already (give a new file name, or move that file away first)", file=sys.stderr
        )
        raise SystemExit(2)
    report = Report()
    glossary = load_glossary(args.root, report)
    if report.errors:
        raise ContractError(report.errors)
    contract = load(args.root, args.version)
    units = exchange.units(contract, glossary, everything=args.all)
    po, xliff = _modules()
    if kind == "xliff":
        data: bytes | str = xliff.write(units, args.version)
    elif kind == "po":
        data = po.write(units, args.version, f"{contract.meta.signed_on or contract.meta.valid_for} 00:00+0000")
    else:
        data = jsonfile.write(units)
    try:
        write_atomic(args.export, data)
    except OSError as exc:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(args.export)),
                    "error",
                    f"cannot write the file: {exc.strerror or exc}",
                    "choose a folder you can write to",
                )
            ]
        ) from None
    print(f"wrote {len(units)} texts to {args.export}", file=sys.stderr)
    return 0


def run_import(args) -> int:
    kind = _format(args.import_file)
    display = str(args.import_file)
    if not args.import_file.is_file():
        raise ContractError(
            [Diagnostic(Pos(display), "error", "there is no such file", "give the file your translation tool saved")]
        )
    po, xliff = _modules()
    reader = {"xliff": xliff.read, "po": po.read, "json": jsonfile.read}[kind]
    items, problems = reader(args.import_file, display)
    contract = load(args.root, args.version)
    english, more = exchange.accept(contract, items)
    if problems or more:
        raise ContractError(problems + more)
    tr.write_english(args.root, contract, english)
    keys = " ".join(f"--confirm {k}" for k in sorted(english)[:3]) + (" ..." if len(english) > 3 else "")
    print(f"wrote {len(english)} English text{'s' * (len(english) != 1)} into years/{args.version}", file=sys.stderr)
    if english:
        print(f"review them, then confirm: klimatkontrakt translations {args.version} {keys}", file=sys.stderr)
    return 0


def run_suggest(args) -> int:
    contract = load(args.root, args.version)
    found = memory.suggest(contract, memory.memory(args.root, {args.version: contract}))
    exact = {s.text.key: s.match.en for s in found if s.exact and s.match.en != s.text.en}
    tr.write_english(args.root, contract, exact)
    if exact:  # filled in, not confirmed: the lock marks them for review until a translator confirms them
        folder = args.root / "years" / args.version
        lock = tr.read_lock(folder)
        texts = {t.key: t for t in contract.texts()}
        lock.update({key: tr.Entry(tr.fingerprint(texts[key].sv), tr.TO_REVIEW) for key in exact})
        tr.write_lock(folder, lock)
    if args.json:
        print(json.dumps([_as_json(s, s.text.key in exact) for s in found], ensure_ascii=False, indent=2))
    for s in found if not args.json else []:
        kind = "exact, filled in, to review" if s.exact else f"fuzzy {s.similarity:.0%}"
        print(f"{s.text.en_pos}: {kind}: {s.text.key} <- {s.match.version} {s.match.key}")
        if not s.exact:
            print(f"    {s.match.en}")
    print(
        f"{len(exact)} exact match{'es' * (len(exact) != 1)} filled in (not confirmed: review, then --confirm), "
        f"{sum(not s.exact for s in found)} near match{'es' * (sum(not s.exact for s in found) != 1)} listed",
        file=sys.stderr,
    )
    return 0


def _as_json(s: memory.Suggestion, filled: bool) -> dict:
    pos = s.text.en_pos
    return {
        "key": s.text.key,
        "file": pos.file if pos else "",
        "line": pos.line if pos else 0,
        "similarity": s.similarity,
        "exact": s.exact,
        "filled": filled,
        "from": {"version": s.match.version, "key": s.match.key},
        "sv": s.match.sv,
        "en": s.match.en,
    }
