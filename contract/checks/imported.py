"""Checks that catch a bad import: page numbers in titles, empty sections, words glued at a line break."""

from __future__ import annotations

import re
from collections import Counter

from ..errors import Report
from ..model import Contract, Pos, Section

_PAGE_NUMBER = re.compile(r"\s(\d{1,3})$")
_WORD = re.compile(r"[^\W\d_]{2,}")


def check(contract: Contract, report: Report) -> None:
    """Record warnings for the traces a bad import leaves."""
    _check_titles(contract, report)
    _check_empty(contract, report)
    _check_glued(contract, report)


def _check_titles(contract: Contract, report: Report) -> None:
    for section in contract.walk():
        match = _PAGE_NUMBER.search(section.title.source)
        if match and not re.search(r"\b(?:19|20)\d\d$", section.title.source):
            report.warning(
                section.title.pos or _pos(section),
                f"the title of section {section.number} ends in {match.group(1)}, "
                "which looks like a page number from a table of contents",
                "remove the number if it is one",
                "title-page-number",
            )


def _check_empty(contract: Contract, report: Report) -> None:
    for section in contract.walk():
        if not section.body and not section.children and not section.to_be_written:
            report.warning(
                _pos(section),
                f"section {section.number} has no text",
                "write its text under 'body:', or add 'to_be_written: true' if it is still to be written",
                "empty-section",
            )


def _words(section: Section) -> list[str]:
    return [w for t in section.texts() for w in _WORD.findall(t.source)]


def _check_glued(contract: Contract, report: Report) -> None:
    counts = Counter(w.lower() for s in contract.walk() for w in _words(s))
    known = {w for w, n in counts.items() if n >= 2 and len(w) >= 2}
    for section in contract.walk():
        for word in sorted({w for w in _words(section) if counts[w.lower()] == 1 and len(w) >= 6}):
            split = _split(word.lower(), known) or _verb_split(word.lower(), counts)
            if split:
                report.warning(
                    _pos(section),
                    f"the word {word!r} in section {section.number} looks like two words glued "
                    f"together ({split[0]} {split[1]})",
                    "add the missing space if a line break lost it",
                    "glued-words",
                )


# Short function words that start or end a glued pair ("lokaloch", "hotarförutsättningarna").
# Suffixes such as "-en" and prefixes such as "för-" are left out: they make real Swedish words.
_ENDS = {"och", "att", "som", "samt", "eller", "and", "the", "with"}
_STARTS = {"och", "att", "som", "and", "the"}


def _verb_split(word: str, counts: Counter[str]) -> tuple[str, str] | None:
    # A verb in the present tense ("hotar") does not start a Swedish compound: "hotarförutsättningarna" is two words.
    for cut in range(4, len(word) - 5):
        left, right = word[:cut], word[cut:]
        if left.endswith("ar") and counts[left] and counts[right]:
            return left, right
    return None


def _split(word: str, known: set[str]) -> tuple[str, str] | None:
    # Only a split where one side is a short function word: Swedish compounds glue long words on purpose.
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        if left in known and right in known and (left in _STARTS or right in _ENDS) and min(len(left), len(right)) >= 3:
            return left, right
    return None


def _pos(section: Section) -> Pos | None:
    return section.pos  # None only for a section built in code, which has no file to point at
