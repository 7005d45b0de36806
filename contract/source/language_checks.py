"""Load-time checks of languages: each text has its source and only the repository's languages; signed stays signed."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import ContractError, Report
from ..model import Contract, Pos
from .languages import CONFIG_NAME, language_name, source_pos


def _did_you_mean(code: str, languages: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(code, languages, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? or " if close else ""


def check_languages(contract: Contract, report: Report) -> bool:
    """Record every text without its source, or with a language the repository does not have; True when none."""
    before = len(report.errors)
    source = contract.languages[0]
    for text in contract.texts():
        if not text.source.strip():
            report.error(
                text.at(source) or Pos(text.key),
                f"the text has no {source!r}: the source language ({source}) is required",
                f"add a line '{source}: ...' with the text",
                "missing-source",
            )
        for code in text.languages:
            if code not in contract.languages:
                report.error(
                    text.at(code) or Pos(text.key),
                    f"{code!r} is not a language of this repository (its languages: {', '.join(contract.languages)})",
                    _did_you_mean(code, contract.languages)
                    + f"add {code!r} to languages.translations in {CONFIG_NAME}, or remove the line",
                    "unknown-language",
                )
    return len(report.errors) == before


def check_signed_language(root: Path, folder: Path, version: str, source: str, report: Report) -> None:
    """Report a signed version whose signed language is no longer the source: original and translation would swap."""
    from ..versions import locking

    try:
        lock = locking.read_lock(folder)
    except ContractError:
        return  # validate reports the damaged lock
    if lock is None or lock.language == source:
        return
    report.error(
        source_pos(root),
        f"version {version} was signed in {language_name(lock.language)} ({lock.language}), "
        f"but the source language is {source}: its {source} PDF would become the signed original",
        f"set languages.source back to {lock.language}: a signed version's original cannot change",
        "language-source-signed",
    )
