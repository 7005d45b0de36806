"""Whole-word tokens of a contract text, with normalised comparison keys.

Amounts with Swedish thousand separators ("1 250 000"), dates ("30 juni", "2023-12-08"),
percentages ("80 procent", "35 %") and section numbers ("3.2.1") are single tokens, so a
changed figure is one changed token, never a few changed digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

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
        "”": '"',
        "“": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "’": "'",
        "‘": "'",
        "‚": "'",
        "′": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u00ad": None,
        "\u200b": None,
        "\ufeff": None,
    }
)
_RUNS = re.compile(r"\s+")
SECTION_NUMBER = re.compile(r"^\d+(\.\d+)+$")


def normalise(text: str) -> str:
    """Return the comparison form of a text: NFC, plain quotes and spaces, whitespace collapsed."""
    return _RUNS.sub(" ", unicodedata.normalize("NFC", text).translate(_SAME)).strip()


class Token(NamedTuple):
    """One word, number, space or mark; key decides equality, text is what the reader sees."""

    key: str
    text: str
    kind: str  # word | space | mark | ref | fn
    style: str = ""  # "" | emph | link | ref | fn
    url: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class Numbers:
    """How references resolve in one side of a comparison."""

    shown: dict[str, str]  # section id -> number shown in this version
    keys: dict[str, str]  # section id -> number used for comparison (the new version's, where the target survives)
    notes: dict[str, int]  # footnote id -> footnote number


def tokenise(source: str, numbers: Numbers, url: str | None = None) -> tuple[Token, ...]:
    """Return the tokens of an inline text (references resolved, markup as token styles)."""
    out: list[Token] = []
    _nodes(inline.parse(source), numbers, out, "link" if url else "", url)
    return tuple(out)


def _nodes(nodes: tuple[inline.Inline, ...], numbers: Numbers, out: list[Token], style: str, url: str | None) -> None:
    for node in nodes:
        if isinstance(node, inline.Literal):
            out.extend(_words(node.text, style, url))
        elif isinstance(node, inline.Ref):
            out.append(_ref(node.target, numbers))
        elif isinstance(node, inline.FootnoteRef):
            out.append(
                Token(f"\x01fn:{node.target}", str(numbers.notes.get(node.target, "?")), "fn", "fn", target=node.target)
            )
        elif isinstance(node, inline.Link):
            safe = node.url if inline.SAFE_URL.match(node.url) else None
            _nodes(node.label, numbers, out, "link" if safe else style, safe or url)
        else:
            _nodes(node.children, numbers, out, "emph" if style in ("", "emph") else style, url)


def _ref(target: str, numbers: Numbers) -> Token:
    shown = numbers.shown.get(target, target)
    return Token(numbers.keys.get(target, shown), shown, "ref", "ref", target=target)


@lru_cache(maxsize=16384)
def _words(text: str, style: str, url: str | None) -> tuple[Token, ...]:
    """Return the tokens of literal text (cached: most texts are the same in both versions)."""
    if style:
        found = _TOKEN.finditer(unicodedata.normalize("NFC", text))
        return tuple(_styled(_group(m), m.group(), style, url) for m in found)
    cache = _PLAIN
    tokens = []
    for match in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        value = match.group()
        token = cache.get(value)
        if token is None:
            token = cache[value] = _styled(_group(match), value, "", None)
        tokens.append(token)
    return tuple(tokens)


_PLAIN: dict[str, Token] = {}  # unstyled tokens by their text: the same word is the same token


def _group(match: re.Match[str]) -> str:
    # Every alternative of _TOKEN is one named group without named groups inside, so one is always set.
    return match.lastgroup or "other"


def _styled(group: str, value: str, style: str, url: str | None) -> Token:
    if group == "space":
        return Token(" ", value, "space", style, url)
    # Styled words compare unequal to plain ones, so a change of emphasis or link target shows.
    suffix = f"\x00{style}\x00{url or ''}" if style else ""
    return Token(_key(value) + suffix, value, "mark" if group == "other" else "word", style, url)


@lru_cache(maxsize=65536)
def _key(value: str) -> str:
    return normalise(value)


def words(tokens: tuple[Token, ...]) -> list[str]:
    """Return the comparison words of a token run, section numbers masked (for similarity)."""
    out = []
    for token in tokens:
        if token.kind == "ref" or (token.kind == "word" and SECTION_NUMBER.match(token.text)):
            out.append("#")
        elif token.kind == "word":
            out.append(_folded(token.text))
    return out


_MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|\]\([^()\s]*\)")
_PLAIN_WORD = re.compile(r"\d+(?:\.\d+)+|\w+(?:[-'’]\w+)*")


@lru_cache(maxsize=16384)
def source_words(source: str) -> tuple[str, ...]:
    """Return the comparison words of an inline text straight from its source (for matching sections).

    References and section numbers become "#", so a renumbering never lowers a similarity;
    footnote references and link targets are left out.
    """
    plain = _MARKUP.sub(lambda m: " 0.0 " if m.group().startswith("{ref:") else " ", source)
    found = _PLAIN_WORD.findall(unicodedata.normalize("NFC", plain))
    return tuple("#" if SECTION_NUMBER.match(w) else _folded(w) for w in found)


@lru_cache(maxsize=65536)
def _folded(word: str) -> str:
    return normalise(word).casefold()


def clear_caches() -> None:
    """Forget cached tokens (for benchmarks that measure a cold comparison)."""
    for cached in (_words, _key, source_words, _folded):
        cached.cache_clear()
    _PLAIN.clear()
