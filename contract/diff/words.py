"""Word-level redline of one text: diff-match-patch over whole-word tokens, then semantic cleanup."""

from __future__ import annotations

from diff_match_patch import diff_match_patch

from .changeset import Redline, Segment
from .tokens import Token

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # exact diffs: a redline must not depend on the speed of the machine
# Words map to CJK ideographs, which Python counts as alphanumeric, and spaces to " ", so the
# cleanup's boundary scoring aligns edits with the spaces between words.
_FIRST_CHAR = 0x4E00
# A diff-match-patch edit: operation (-1 delete, 0 equal, 1 insert) and the encoded tokens.
Diff = tuple[int, str]
# One token of the redline: operation, token, and for a renumbered reference its old number.
Step = tuple[str, Token, str | None]
STRAY_WORDS = 1  # an unchanged run of at most this many words ...
PHRASE_WORDS = 4  # ... between edits of which one has at least this many words is absorbed


def redline(old: tuple[Token, ...], new: tuple[Token, ...]) -> Redline:
    """Compare two token runs and return the redline of the new text against the old."""
    if [t.key for t in old] == [t.key for t in new]:
        return Redline(_merge(_equal_pairs(old, new)))
    codes: dict[str, str] = {" ": " "}
    a, b = _encode(old, codes), _encode(new, codes)
    diffs: list[Diff] = _DMP.diff_main(a, b, False)
    _DMP.diff_cleanupSemantic(diffs)
    _absorb_stray_words(diffs)
    return Redline(_merge(_decode(diffs, old, new)))


def _absorb_stray_words(diffs: list[Diff]) -> None:
    """Fold a lone unchanged word inside a rewritten phrase into the edit, so phrases read whole.

    diff_cleanupSemantic keeps " och " between "budgetar" -> "planering" and "verksamheter" ->
    "uppföljning"; a reader sees one rewritten phrase, so show one.
    """
    changed = True
    while changed:
        changed = False
        for i in range(1, len(diffs) - 1):
            op, chars = diffs[i]
            if op == 0 and _words(chars) <= STRAY_WORDS and _edit_words(diffs, i) >= PHRASE_WORDS:
                diffs[i : i + 1] = [(-1, chars), (1, chars)]
                _DMP.diff_cleanupMerge(diffs)
                changed = True
                break


def _edit_words(diffs: list[Diff], i: int) -> int:
    """Return the words of the larger edit next to the equality at i (0 unless edits on both sides)."""
    if diffs[i - 1][0] == 0 or diffs[i + 1][0] == 0:
        return 0
    sizes = [_words(chars) for op, chars in diffs[max(0, i - 2) : i + 3] if op != 0]
    return max(sizes)


def _words(chars: str) -> int:
    return sum(c != " " for c in chars)


def inserted(new: tuple[Token, ...]) -> Redline:
    """Return the redline of a text that is new as a whole."""
    return Redline(_merge([("insert", t, None) for t in new]))


def deleted(old: tuple[Token, ...]) -> Redline:
    """Return the redline of a text that is gone as a whole."""
    return Redline(_merge([("delete", t, None) for t in old]))


def same(new: tuple[Token, ...]) -> Redline:
    """Return a redline that shows a text without changes."""
    return Redline(_merge([("equal", t, None) for t in new]))


def _encode(tokens: tuple[Token, ...], codes: dict[str, str]) -> str:
    out = []
    for token in tokens:
        code = codes.get(token.key)
        if code is None:
            code = codes[token.key] = _char(len(codes))
        out.append(code)
    return "".join(out)


def _char(index: int) -> str:
    # 20 000 CJK ideographs, then the supplementary ideographic plane.
    return chr(_FIRST_CHAR + index) if index < 20000 else chr(0x20000 + index)


def _decode(diffs: list[Diff], old: tuple[Token, ...], new: tuple[Token, ...]) -> list[Step]:
    steps: list[Step] = []
    i = j = 0
    for op, chars in diffs:
        n = len(chars)
        if op == 0:
            steps += _equal_pairs(old[i : i + n], new[j : j + n])
            i, j = i + n, j + n
        elif op == -1:
            steps += [("delete", t, None) for t in old[i : i + n]]
            i += n
        else:
            steps += [("insert", t, None) for t in new[j : j + n]]
            j += n
    return steps


def _equal_pairs(old: tuple[Token, ...], new: tuple[Token, ...]) -> list[Step]:
    """Pair equal tokens; a renumbered reference stays equal and remembers its old number."""
    steps: list[Step] = []
    for a, b in zip(old, new):
        if a.text == b.text or a.kind == "space":
            steps.append(("equal", b, None))
        elif a.kind == b.kind == "ref" and a.key == b.key:  # the key is the target's number in the new version
            steps.append(("equal", b, a.text))
        elif a.kind == "fn" or a.key == b.key and a.kind != "ref" and b.kind != "ref":
            steps.append(("equal", b, None))  # same words written differently (NBSP, quotes), or a footnote number
        else:
            steps += [("delete", a, None), ("insert", b, None)]
    return steps


def _merge(steps: list[Step]) -> tuple[Segment, ...]:
    """Join steps of the same operation and style into segments (references stay single)."""
    heads: list[tuple[str, str, str | None, str | None, str | None]] = []  # op, style, url, target, was
    texts: list[list[str]] = []  # the texts of each run
    for op, token, was in steps:
        style = token.style
        if heads and style not in ("ref", "fn") and heads[-1][:3] == (op, style, token.url):
            texts[-1].append(token.text)
        else:
            target = token.target if style in ("ref", "fn") else None
            heads.append((op, style, token.url, target, was))
            texts.append([token.text])
    runs = zip(heads, texts, strict=True)
    return tuple(Segment(op, "".join(run), style, url, target, was) for (op, style, url, target, was), run in runs)
