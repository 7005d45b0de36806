"""Interface strings and dates per language, from one catalogue per language (contract/i18n/)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from ruamel.yaml import YAML

from ..model import Contract
from ..resources import CATALOGUES

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
# A repository's own catalogues (i18n/<code>.yaml), registered when its languages are read; the package's otherwise.
_FILES: dict[str, Path] = {}


def use(catalogues: Iterable[tuple[str, Path]]) -> None:
    """Take the interface strings of these languages from these files (a repository's languages config)."""
    _FILES.update(catalogues)


@lru_cache(maxsize=16)
def _read(file: Path) -> dict[str, str]:
    return dict(YAML(typ="safe").load(file.read_text(encoding="utf-8")))


def catalogue(lang: str) -> dict[str, str]:
    """Return the interface strings of a language."""
    return _read(_FILES.get(lang, CATALOGUES / f"{lang}.yaml"))


def locale(lang: str) -> str:
    """Return the Babel locale that writes dates for a language; English for a language Babel does not know."""
    if lang in LOCALES:
        return LOCALES[lang]
    try:
        return str(Locale.parse(lang))
    except (UnknownLocaleError, ValueError):
        return LOCALES["en"]


def label(lang: str, key: str, **fields: object) -> str:
    """Return one interface string, its {fields} filled in."""
    return catalogue(lang)[key].format(**fields)


def date(value: str | datetime.date, lang: str) -> str:
    """Format an ISO date the way the language writes it (8 december 2023 / 8 December 2023)."""
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return _babel_date(day, format="long", locale=locale(lang))


def join(names: list[str], lang: str, last: str = "list_and") -> str:
    """Join names as a sentence list: "A, B och C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {label(lang, last)} {names[-1]}"


def cover_line(contract: Contract, lang: str) -> str:
    """Return the cover's line naming the parties, e.g. "Mellan Borås Stad och myndigheterna … samt Viable Cities"."""

    def names(kind: str) -> list[str]:
        return [p.name.shown(lang)[0] for p in contract.parties if p.kind == kind]

    return label(
        lang,
        "cover_between",
        municipality=", ".join(names("municipality")),
        agencies=", ".join(names("agency")),
        programme=", ".join(names("programme")),
    )
