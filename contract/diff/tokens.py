"""Whole-word tokens of a contract text, with normalised comparison keys.

Amounts with Swedish thousand separators ("1 250 000"), dates ("30 juni", "2023-12-08"),
percentages ("80 procent", "35 %") and section numbers ("3.2.1") are single tokens, so a
changed figure is one changed token, never a few changed digits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import inline

_SPACE = "[ \t\r\n\u00a0\u202f\u2007\u2009]"
_MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october"
)
_TOKEN = re.compile(
    rf"(?P<date>\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\.?{_SPACE}+(?:{_MONTHS})(?:{_SPACE}+\d{{4}})?(?![\w]))"
    rf"|(?P<percent>\d+(?:[.,]\d+)?(?:{_SPACE}?%|{_SPACE}+(?:procentenheter|procent|percentage points|percent|per cent)(?!\w)))"
    rf"|(?P<amount>\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d+)?(?!\d))"
    r"|(?P<number>\d+(?:\.\d+)+(?![\w])|\d+(?:,\d+)?(?![\w]))"
    r"|(?P<word>\w+(?:[-'’]\w+)*)"
    rf"|(?P<space>{_SPACE}+)"
    r"|(?P<other>.)",
    re.IGNORECASE | re.DOTALL,
)
# Characters that read the same: typographic quotes, non-breaking and thin spaces, invisible marks.
_SAME = str.maketrans(
    {
        "”": '"', "“": '"', "„": '"', "«": '"', "»": '"', "″": '"',
        "’": "'", "‘": "'", "‚": "'", "′": "'",
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",
        "\u00ad": None, "\u200b": None, "\ufeff": None,
    }
)
_RUNS = re.compile(r"\s+")
SECTION_NUMBER = re.compile(r"^\d+(\.\d+)+$")


def normalise(text: str) -> str:
    """Return the comparison form of a text: NFC, plain quotes and spaces, whitespace collapsed."""
    return _RUNS.sub(" ", unicodedata.normalize("NFC", text).translate(_SAME)).strip()


@dataclass(frozen=True)
class Token:
    """One word, number, space or mark; key decides equality, text is what the reader sees."""

    key: str
    text: str
    kind: str  # word | space | mark | ref | fn
    style: str = ""  # "" | emph | link | ref | fn
    url: str | None = None
    target: str | None = None

    @property
    def wordlike(self) -> bool:
        return self.kind in ("word", "ref")


@dataclass(frozen=True)
class Numbers:
    """How references resolve in one side of a comparison."""

    shown: dict  # section id -> number shown in this version
    keys: dict  # section id -> number used for comparison (the new version's, where the target survives)
    notes: dict  # footnote id -> footnote number


def tokenise(source: str, numbers: Numbers, url: str | None = None) -> tuple[Token, ...]:
    """Return the tokens of an inline text (references resolved, markup as token styles)."""
    out: list[Token] = []
    _nodes(inline.parse(source), numbers, out, "link" if url else "", url)
    return tuple(out)


def _nodes(nodes, numbers: Numbers, out: list[Token], style: str, url: str | None) -> None:
    for node in nodes:
        if isinstance(node, inline.Literal):
            out.extend(_words(node.text, style, url))
        elif isinstance(node, inline.Ref):
            out.append(_ref(node.target, numbers))
        elif isinstance(node, inline.FootnoteRef):
            out.append(Token(f"\x01fn:{node.target}", str(numbers.notes.get(node.target, "?")), "fn", "fn", target=node.target))
        elif isinstance(node, inline.Link):
            safe = node.url if inline.SAFE_URL.match(node.url) else None
            _nodes(node.label, numbers, out, "link" if safe else style, safe or url)
        else:
            _nodes(node.children, numbers, out, "emph" if style in ("", "emph") else style, url)


def _ref(target: str, numbers: Numbers) -> Token:
    shown = numbers.shown.get(target, target)
    return Token(numbers.keys.get(target, shown), shown, "ref", "ref", target=target)


def _words(text: str, style: str, url: str | None) -> list[Token]:
    tokens = []
    # Styled words compare unequal to plain ones, so a change of emphasis or link target shows.
    suffix = f"\x00{style}\x00{url or ''}" if style else ""
    for match in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "space":
            tokens.append(Token(" ", value, "space", style, url))
        else:
            tokens.append(Token(normalise(value) + suffix, value, _kind(kind), style, url))
    return tokens


def _kind(group: str) -> str:
    return "mark" if group == "other" else "word"


def words(tokens: tuple[Token, ...]) -> list[str]:
    """Return the comparison words of a token run, section numbers masked (for similarity)."""
    out = []
    for token in tokens:
        if token.kind == "ref" or (token.kind == "word" and SECTION_NUMBER.match(token.text)):
            out.append("#")
        elif token.kind == "word":
            out.append(normalise(token.text).casefold())
    return out
