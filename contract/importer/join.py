"""Joining lines broken by the page layout: spaces, hyphenation, and compounds that keep their dash."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .form import Line

SOFT_HYPHEN = "\u00ad"
# After a dash at a line end these words show a shortened compound ("energi- och klimatstrategi").
_CONJUNCTIONS = {"och", "eller", "samt", "respektive", "till", "som", "and", "or", "to", "nor"}
_WORD_BEFORE_DASH = re.compile(r"(\S*?)-$")
_FIRST_WORD = re.compile(r"[^\s.,;:!?)”\"’]+")


@dataclass
class Joiner:
    """Joins the lines of one text, knowing its words and whether its line ends carry spaces."""

    spaced: bool  # the extractor kept a space at line ends between words: no space means a cut word
    soft: bool = False  # the text marks hyphenation with soft hyphens: a dash at a line end is a real one
    compounds: set[str] = field(default_factory=set)
    heads: set[str] = field(
        default_factory=set
    )  # first parts of the dashed compounds: "management" of "Management-arbetet"

    @classmethod
    def of(cls, lines: list[Line]) -> Joiner:
        """Learn from the whole text: which words and dashed compounds occur within lines."""
        inner = [line for k, line in enumerate(lines[:-1]) if line.text and lines[k + 1].text]
        spaced = bool(inner) and sum(line.trailing_space for line in inner) >= 0.6 * len(inner)
        text = " ".join(line.text for line in lines)
        compounds = {w.lower() for w in re.findall(r"\w+-\w+", text)}
        return cls(spaced, SOFT_HYPHEN in text, compounds, {c.split("-")[0] for c in compounds})

    def join(self, left: str, line: Line, previous: Line) -> str:
        """Append a line to the text gathered so far."""
        right = line.text
        if left.endswith(SOFT_HYPHEN):
            return left[:-1] + right
        if left.endswith("-") and not left.endswith(" -") and len(left) > 1:
            return self._dash(left, right)
        if re.search(r"\d[–/]$", left) and right[:1].isdigit() or re.search(r"\w/$", left):
            return left + right  # "2021–⏎2027", "heating/⏎cooling"
        if self.spaced and not previous.trailing_space and left[-1:].isalpha() and right[:1].islower():
            return left + right  # a word cut at the line end without a hyphen
        return f"{left} {right}"

    def _dash(self, left: str, right: str) -> str:
        word = _WORD_BEFORE_DASH.search(left).group(1)  # type: ignore[union-attr]
        first = _FIRST_WORD.match(right)
        nxt = first.group(0) if first else ""
        if nxt.lower() in _CONJUNCTIONS or not word[-1:].isalpha() and not word[-1:].isdigit():
            return f"{left} {right}"  # "energi- och", "mark- och exploatering"
        dashed = f"{word}-{nxt}".lower() in self.compounds or word.lower() in self.heads
        if self.soft or not nxt or word[-1:].isupper() or not nxt[:1].islower() or dashed:
            return left + right  # "EU-kommissionen", "Mobility Management-⏎Arbetet", "1990-års"
        return left[:-1] + right  # "utveck-⏎ling": a word hyphenated at the line end
