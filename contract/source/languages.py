"""The repository's languages: the source and its translations, from klimatkontrakt.yaml (schema/config.schema.json)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ContractError, Report, UsageError, excerpt
from ..model import DEFAULT_LANGUAGES, Pos
from ..resources import CATALOGUES, PROJECT
from .schema import validate
from .yamlfile import Document, checked, read

CONFIG_NAME = "klimatkontrakt.yaml"
SCHEMA_NAME = "config.schema.json"
REPO_CATALOGUES = "i18n"  # a repository's own interface labels: i18n/<code>.yaml
_CODE = re.compile("[a-z]{2,3}")  # the schema's pattern, matched whole


@dataclass(frozen=True)
class Languages:
    """The source language (the signed original) and the translation languages, in the switch's order."""

    source: str = DEFAULT_LANGUAGES[0]
    translations: tuple[str, ...] = DEFAULT_LANGUAGES[1:]
    catalogues: tuple[tuple[str, Path], ...] = ()  # code -> its interface labels file

    @property
    def all(self) -> tuple[str, ...]:
        """Return every language, the source first."""
        return (self.source, *self.translations)

    @property
    def default_translation(self) -> str | None:
        """Return the first translation language (the default of --lang in the translation commands)."""
        return self.translations[0] if self.translations else None

    def catalogue(self, lang: str) -> Path:
        """Return the interface labels file of a language."""
        return dict(self.catalogues)[lang]

    def check(self, lang: str, option: str = "--lang") -> str:
        """Return lang when the repository has it; a UsageError (exit 2) naming the languages otherwise."""
        if lang not in self.all:
            raise UsageError(
                f"{option} {lang!r} is not a language of this repository; its languages are {', '.join(self.all)} "
                f"(add a language in {CONFIG_NAME})"
            )
        return lang

    def check_translation(self, lang: str | None, option: str = "--lang") -> str:
        """Return a translation language (the first when None); a UsageError naming them otherwise."""
        chosen = self.default_translation if lang is None else lang  # an empty --lang is bad usage too
        if chosen is None:
            raise UsageError(f"this repository has no translation languages (add one in {CONFIG_NAME})")
        if chosen not in self.translations:
            listed = ", ".join(self.translations) or "none"
            raise UsageError(
                f"{option} {chosen!r} is not a translation language of this repository; its translation languages "
                f"are {listed} (add a language in {CONFIG_NAME})"
            )
        return chosen


def load_languages(root: Path) -> Languages:
    """Read the repository's languages (Swedish source and English when there is no config); ContractError if bad."""
    report = Report()
    languages = read_languages(root, report)
    if languages is None or report.errors:
        raise ContractError(report.errors)
    return languages


def read_languages(root: Path, report: Report) -> Languages | None:
    """Read the repository's languages, recording every problem in the report; None when unusable."""
    file = root / CONFIG_NAME
    if not file.exists() and not file.is_symlink():
        return _with_catalogues(root, {code: Pos(CONFIG_NAME) for code in DEFAULT_LANGUAGES}, report)
    doc = read(file, CONFIG_NAME, report)
    if doc is None:
        return None
    schema_dir = root / "schema" if (root / "schema" / SCHEMA_NAME).is_file() else PROJECT / "schema"
    if not validate(doc, schema_dir, SCHEMA_NAME, report):
        return None
    data = doc.data["languages"]
    before = len(report.errors)
    _check_codes(doc, data, report)
    source = str(data["source"])
    seen: set[str] = set()
    for index, code in enumerate(data["translations"]):
        here = doc.pos(("languages", "translations", index))
        if code == source:
            report.error(
                here,
                f"{code!r} is the source language and cannot also be a translation",
                f"remove {code!r} from languages.translations",
                "language-source-twice",
            )
        elif code in seen:
            report.error(here, f"{code!r} is listed twice", "list each translation language once", "language-twice")
        seen.add(code)
    if len(report.errors) > before:
        return None
    codes = {source: doc.pos(("languages", "source"))}
    codes.update({str(c): doc.pos(("languages", "translations", i)) for i, c in enumerate(data["translations"])})
    return _with_catalogues(root, codes, report)


def source_pos(root: Path) -> Pos:
    """Return where the config names the source language (the file alone when it is missing or unreadable)."""
    file = root / CONFIG_NAME
    doc = read(file, CONFIG_NAME, Report()) if file.is_file() and not file.is_symlink() else None
    return doc.pos(("languages", "source")) if doc is not None else Pos(CONFIG_NAME)


def _check_codes(doc: Document, data: dict[str, Any], report: Report) -> None:
    """Report a code the schema let through: Python's $ also matches before a final line break ("fi\\n")."""
    places: list[tuple[tuple[str | int, ...], Any]] = [(("languages", "source"), data["source"])]
    places += [(("languages", "translations", i), code) for i, code in enumerate(data["translations"])]
    for path, code in places:
        if not _CODE.fullmatch(str(code)):
            report.error(
                doc.pos(path),
                f"{'.'.join(str(p) for p in path[:2])}: {excerpt(code)} is not a language code",
                "write an ISO 639 code of two or three lower-case letters, e.g. 'en' or 'fit'",
                "bad-language",
            )


def _with_catalogues(root: Path, codes: dict[str, Pos], report: Report) -> Languages | None:
    """Return the languages with each one's label catalogue; a located error for a language without one."""
    found: list[tuple[str, Path]] = []
    for code, pos in codes.items():
        own, shipped = root / REPO_CATALOGUES / f"{code}.yaml", CATALOGUES / f"{code}.yaml"
        if own.is_file() or own.is_symlink():  # a link, even dangling or to a folder, is refused by the reader
            if _complete(own, f"{REPO_CATALOGUES}/{code}.yaml", report):
                found.append((code, own))
        elif not own.exists() and shipped.is_file():
            found.append((code, shipped))
        elif own.exists():  # a folder: it used to fail every command without a word
            report.error(
                Pos(f"{REPO_CATALOGUES}/{code}.yaml"),
                "the labels file is not a regular file",
                "replace it with a file: copy contract/i18n/en.yaml and translate its values",
                "language-labels",
            )
        elif not own.exists():
            report.error(
                pos,
                f"the language {code!r} has no interface labels (headings, notes, dates)",
                f"add {REPO_CATALOGUES}/{code}.yaml: copy contract/i18n/en.yaml and translate its values",
                "language-labels",
            )
    if len(found) < len(codes):
        return None
    from ..render import labels  # the labels of a repository's own languages come from its catalogues

    labels.use(found)
    return Languages(found[0][0], tuple(c for c, _ in found[1:]), tuple(found))


def _complete(file: Path, display: str, report: Report) -> bool:
    """Return whether a repository's label catalogue is readable and has every label; located errors if not."""
    before = len(report.errors)
    doc = read(file, display, report)
    if doc is None:
        return False
    from ..checks import characters  # labels are printed like contract texts: a NUL or an override breaks the PDF

    checked(doc, ("characters",), characters.check_document, report)
    needed = read(CATALOGUES / "en.yaml", "contract/i18n/en.yaml", report)
    wanted = set(needed.data) if needed is not None else set()
    if not isinstance(doc.data, dict):
        report.error(doc.pos(), "the labels file is not a mapping of 'key: text' lines", "copy contract/i18n/en.yaml")
        return False
    bad = [k for k, v in doc.data.items() if not isinstance(v, str)]
    for key in bad:
        report.error(doc.pos((key,)), f"the label {key!r} is not text", "write the label as text", "language-labels")
    for key, text in doc.data.items():
        if needed is not None and key in needed.data and key not in bad:
            _check_fields(doc, key, text, _fields(str(needed.data[key])) or set(), report)
    missing = sorted(wanted - set(doc.data))
    if missing:
        report.error(
            doc.pos(),
            f"the labels file lacks {len(missing)} label(s): {', '.join(missing)}",
            "add them, translated, from contract/i18n/en.yaml",
            "language-labels",
        )
    return not bad and not missing and len(report.errors) == before


def _fields(text: str) -> set[str] | None:
    """Return the {fields} a label fills in, or None when its braces are unbalanced."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _check_fields(doc: Document, key: str, text: str, allowed: set[str], report: Report) -> None:
    """Report a label whose {fields} the code cannot fill: it crashed the build with a KeyError."""
    shown = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
    hint = f"use only the fields of the English label ({shown}); write {{{{ or }}}} for a brace"
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        report.error(doc.pos((key,)), f"the label {key!r} has a lone '{{' or '}}'", hint, "language-labels")
        return
    for _, name, spec, conversion in parts:
        if name is not None and (name not in allowed or spec or conversion):
            field = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            report.error(doc.pos((key,)), f"the label {key!r} has an unknown field {field}", hint, "language-labels")


def language_name(code: str) -> str:
    """Return a language's English name for messages (Swedish, English, Finnish), or its code when unknown."""
    name = language_in(code, "en")
    return code if name == code else name.capitalize()


@cache  # babel parses its locale data on every call; messages and notes ask for a few names thousands of times
def language_in(code: str, lang: str) -> str:
    """Return a language's name as written in another language ("Swedish", "engelska"), or its code when unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(code).get_display_name(lang) or code)
    except (UnknownLocaleError, ValueError):
        return code
