"""Align the blocks of two versions of a section: identical blocks first, then similar ones."""

from __future__ import annotations

from .units import Unit

PAIR_THRESHOLD = 0.25  # below this word overlap two blocks are shown as deleted + inserted
_IDENTICAL = 3.0  # outweighs any similarity, so identical blocks anchor the alignment


def align(old: list[Unit], new: list[Unit]) -> list[tuple[Unit | None, Unit | None]]:
    """Return the blocks in order as (old, new) pairs; None where a block has no partner."""
    if identical(old, new):
        return list(zip(old, new))
    score = [[_score(a, b) for b in new] for a in old]
    table = _table(score, len(old), len(new))
    return _trace(table, score, old, new)


def identical(old: list[Unit], new: list[Unit]) -> bool:
    return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))


def _same(a: Unit, b: Unit) -> bool:
    if a.plainly_same(b):
        return True
    return a.kind == b.kind and all(a.keys(lang) == b.keys(lang) for lang in (a.text.lang, *a.text.languages))


def _score(a: Unit, b: Unit) -> float:
    if a.kind != b.kind:
        return 0.0
    if _same(a, b):
        return _IDENTICAL
    sim = similarity(a, b)
    return sim if sim >= PAIR_THRESHOLD else 0.0


def similarity(a: Unit, b: Unit) -> float:
    """Return the overlap of the Swedish words of two blocks (Jaccard of word sets)."""
    x, y = a.word_set, b.word_set
    if not x and not y:
        return 1.0 if a.keys(a.text.lang) == b.keys(b.text.lang) else 0.5
    return len(x & y) / len(x | y)


def _table(score: list[list[float]], n: int, m: int) -> list[list[float]]:
    table = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            pair = table[i - 1][j - 1] + score[i - 1][j - 1] if score[i - 1][j - 1] else -1.0
            table[i][j] = max(pair, table[i - 1][j], table[i][j - 1])
    return table


def _trace(
    table: list[list[float]], score: list[list[float]], old: list[Unit], new: list[Unit]
) -> list[tuple[Unit | None, Unit | None]]:
    steps: list[tuple[Unit | None, Unit | None]] = []
    i, j = len(old), len(new)
    while i or j:
        s = score[i - 1][j - 1] if i and j else 0.0
        if s and table[i][j] == table[i - 1][j - 1] + s:
            steps.append((old[i - 1], new[j - 1]))
            i, j = i - 1, j - 1
        elif j and table[i][j] == table[i][j - 1]:
            steps.append((None, new[j - 1]))  # taken first going back, so insertions follow deletions
            j -= 1
        else:
            steps.append((old[i - 1], None))
            i -= 1
    return steps[::-1]
