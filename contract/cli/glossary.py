"""The `glossary` command: the glossary's terms and kept names, and where each is used."""

from __future__ import annotations

from ..errors import ContractError, Report, UsageError
from ..model import Text
from ..source.languages import language_name, load_languages
from ..source.load import load, years
from ..translate.exchange import GLOSSARY_LANG
from ..translate.glossary import Glossary, load_glossary, usage
from . import writer


def add_glossary(sub) -> None:
    p = sub.add_parser("glossary", help="list the glossary's terms and kept names, and where each is used")
    p.add_argument("version", nargs="*", metavar="YEAR", help="the versions to look in (default: all)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument("--lang", metavar="LANG", help="the translation language (default: en, the glossary's)")
    p.set_defaults(run=run_glossary)


def run_glossary(args) -> int:
    lang = load_languages(args.root).check_translation(args.lang)
    if lang != GLOSSARY_LANG:  # glossary.yaml holds English renderings: another language has none to list
        raise UsageError(
            f"glossary.yaml gives {language_name(GLOSSARY_LANG)} renderings only; it has none for {lang!r}"
        )
    report = Report()
    glossary = load_glossary(args.root, report)
    if report.errors:
        raise ContractError(report.errors)
    used: dict[str, dict[str, list[Text]]] = {
        v: usage(load(args.root, v), glossary) for v in args.version or years(args.root)
    }
    entries = _entries(glossary, used)
    if args.json:
        writer.json_result(entries)
        return 0
    for entry in entries:
        renderings = " | ".join(entry["en"])
        writer.line(f"{entry['id']}: {' | '.join(entry['sv'])} -> {renderings}")
        for use in entry["used"]:
            writer.line(f"  {use['file']}:{use['line']}:{use['column']}: {use['key']}")
    return 0


def _entries(glossary: Glossary, used: dict[str, dict[str, list[Text]]]) -> list[dict]:
    def uses(name: str) -> list[dict]:
        return [_use(version, t) for version, per in used.items() for t in per.get(name, [])]

    terms = [
        {
            "id": t.id,
            "kind": "term",
            "sv": list(t.sv),
            "en": list(t.en),
            "not": list(t.wrong),
            "note": t.note,
            "used": uses(t.id),
        }
        for t in glossary.terms
    ]
    kept = [
        {"id": name, "kind": "keep", "sv": [name], "en": [name], "not": [], "note": "", "used": uses(name)}
        for name in glossary.keep
    ]
    return terms + kept


def _use(version: str, text: Text) -> dict:
    pos = text.at(GLOSSARY_LANG) or text.pos
    return {
        "version": version,
        "key": text.key,
        "file": pos.file if pos else "",
        "line": pos.line if pos else 0,
        "column": pos.column if pos else 0,
    }


COMMANDS = [add_glossary]
