"""The `glossary` command: the glossary's terms and kept names in one translation language, and where each is used."""

from __future__ import annotations

from ..errors import ContractError, Report
from ..model import Text
from ..source.languages import Languages, language_name, load_languages
from ..source.load import load, years
from ..translate.glossary import Glossary, load_glossary, usage
from . import writer


def add_glossary(sub) -> None:
    p = sub.add_parser("glossary", help="list the glossary's terms and kept names, and where each is used")
    p.add_argument("version", nargs="*", metavar="YEAR", help="the versions to look in (default: all)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument(
        "--lang",
        metavar="LANG",
        help="the translation language (default: the first translation in klimatkontrakt.yaml)",
    )
    p.set_defaults(run=run_glossary)


def run_glossary(args) -> int:
    languages = load_languages(args.root)
    lang = languages.check_translation(args.lang)
    report = Report()
    glossary = load_glossary(args.root, report, languages.all)
    if report.errors:
        raise ContractError(report.errors)
    used: dict[str, dict[str, list[Text]]] = {
        v: usage(load(args.root, v), glossary, lang) for v in args.version or years(args.root)
    }
    entries = _entries(glossary, used, languages, lang)
    if args.json:
        writer.json_result(entries)
        return 0
    for entry in entries:
        if entry["checked"]:
            renderings = " | ".join(entry[lang])
        else:
            renderings = (
                f"(no {language_name(lang)} rendering: validate does not check this term in {language_name(lang)})"
            )
        writer.line(f"{entry['id']}: {' | '.join(entry[languages.source])} -> {renderings}")
        for use in entry["used"]:
            writer.line(f"  {use['file']}:{use['line']}:{use['column']}: {use['key']}")
    return 0


def _entries(glossary: Glossary, used: dict[str, dict[str, list[Text]]], languages: Languages, lang: str) -> list[dict]:
    """Return one entry per term and kept name: its source forms and its renderings in lang, keyed by language code."""

    def uses(name: str) -> list[dict]:
        return [_use(version, t, lang) for version, per in used.items() for t in per.get(name, [])]

    rules = {t.id: t for t in glossary.for_lang(lang)}
    terms = []
    for term_id in glossary.ids:
        rule = rules.get(term_id)
        terms.append(
            {
                "id": term_id,
                "kind": "term",
                languages.source: list(glossary.forms(term_id)),
                lang: list(rule.renderings) if rule else [],
                "not": list(rule.wrong) if rule else [],
                "note": rule.note if rule else "",
                "checked": rule is not None,  # without renderings in lang, validate does not check the term in it
                "used": uses(term_id),
            }
        )
    kept = [
        {
            "id": name,
            "kind": "keep",
            languages.source: [name],
            lang: [name],
            "not": [],
            "note": "",
            "checked": True,
            "used": uses(name),
        }
        for name in glossary.kept(lang)
    ]
    return terms + kept


def _use(version: str, text: Text, lang: str) -> dict:
    pos = text.at(lang) or text.pos
    return {
        "version": version,
        "key": text.key,
        "file": pos.file if pos else "",
        "line": pos.line if pos else 0,
        "column": pos.column if pos else 0,
    }


COMMANDS = [add_glossary]
