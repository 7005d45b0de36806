"""Pair the sections of two versions: by stable id, then by unique text, then by similarity.

The fallback scores each pair of left-over sections: overlap of 3-word phrases with cross-reference
numbers masked (weight 0.85) plus title similarity (0.15); then one-to-one assignment by the Hungarian
method, pairs below THRESHOLD rejected. Sections left over are tested for containment: a new section mostly
contained in an old one is split from it; an old one mostly contained in a new one is merged into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import BulletList, Contract, Section
from .tokens import source_words

THRESHOLD = 0.3
CONTAINMENT = 0.5  # share of a section's phrases found in another for a split or merge
MIN_PHRASES = 3  # sections shorter than this are never called split or merged parts
_POSITION_WEIGHT = 1e-3  # only breaks ties: identical boilerplate pairs in document order


@dataclass
class Matching:
    """Pairs of (old, new) sections with how they were found, and split and merge links."""

    pairs: list[tuple[Section, Section, str, float]] = field(default_factory=list)
    split_from: dict[str, str] = field(default_factory=dict)  # new id -> old id
    merged_into: dict[str, str] = field(default_factory=dict)  # old id -> new id

    def old_to_new(self) -> dict[str, str]:
        return {o.id: n.id for o, n, _, _ in self.pairs}


@dataclass(frozen=True)
class _Profile:
    index: int
    section: Section
    phrases: frozenset[tuple[str, ...]]  # 3-word phrases (single words in a text shorter than 3 words)
    title: frozenset[str]
    body: tuple[str, ...]  # the section's own text as comparison keys (for exact matches)


def match(old: Contract, new: Contract) -> Matching:
    """Pair the sections of two versions."""
    result = Matching()
    olds, news = list(old.walk()), list(new.walk())
    by_id = {s.id: s for s in news}
    old_ids = {s.id for s in olds}
    result.pairs = [(o, by_id[o.id], "id", 1.0) for o in olds if o.id in by_id]
    rest_old = [o for o in olds if o.id not in by_id]
    rest_new = [n for n in news if n.id not in old_ids]
    if not rest_old and not rest_new:
        return result
    old_profiles = _profiles(olds)
    new_profiles = _profiles(news)
    _fallback(result, [old_profiles[s.id] for s in rest_old], [new_profiles[s.id] for s in rest_new])
    _containment(result, old_profiles, new_profiles)
    return result


def _profiles(sections: list[Section]) -> dict[str, _Profile]:
    out = {}
    for index, section in enumerate(sections):
        body = tuple(w for text in _texts(section) for w in source_words(text))
        title = frozenset(source_words(section.title.source))
        out[section.id] = _Profile(index, section, _phrases(list(body)), title, body)
    return out


def _texts(section: Section) -> list[str]:
    """Return the Swedish source of a section's own body and footnotes."""
    texts = []
    for block in section.body:
        texts += [item.source for item in block.items] if isinstance(block, BulletList) else [block.text.source]
    return texts + [note.text.source for note in section.footnotes]


def _phrases(seq: list[str]) -> frozenset[tuple[str, ...]]:
    if len(seq) < 3:
        return frozenset((w,) for w in seq)
    return frozenset(zip(seq, seq[1:], seq[2:]))


def _fallback(result: Matching, olds: list[_Profile], news: list[_Profile]) -> None:
    exact = _exact(olds, news)
    result.pairs += [(o.section, n.section, "text", 1.0) for o, n in exact]
    taken_old = {o.section.id for o, _ in exact}
    taken_new = {n.section.id for _, n in exact}
    olds = [o for o in olds if o.section.id not in taken_old]
    news = [n for n in news if n.section.id not in taken_new]
    result.pairs += [(o.section, n.section, "similarity", s) for o, n, s in _assign(olds, news)]


def _exact(olds: list[_Profile], news: list[_Profile]) -> list[tuple[_Profile, _Profile]]:
    """Pair sections whose text is identical and unique on both sides."""

    def unique(profiles: list[_Profile]) -> dict[tuple[str, ...], _Profile]:
        seen: dict[tuple[str, ...], list[_Profile]] = {}
        for p in profiles:
            seen.setdefault(_signature(p), []).append(p)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    a, b = unique(olds), unique(news)
    return [(a[k], b[k]) for k in a if k in b]


def _signature(profile: _Profile) -> tuple[str, ...]:
    return profile.body or ("title",) + tuple(sorted(profile.title))


def _assign(olds: list[_Profile], news: list[_Profile]) -> list[tuple[_Profile, _Profile, float]]:
    """Pair the remaining sections one-to-one by the Hungarian method, keeping pairs above THRESHOLD."""
    if not olds or not news:
        return []
    from scipy.optimize import linear_sum_assignment  # imported here: only needed without shared ids

    sims = [[similarity(o, n) for n in news] for o in olds]
    cost = [
        [
            1.0 - sims[i][j] + _POSITION_WEIGHT * abs(o.index - n.index) / (len(olds) + len(news))
            for j, n in enumerate(news)
        ]
        for i, o in enumerate(olds)
    ]
    rows, cols = linear_sum_assignment(cost)
    pairs = [(olds[i], news[j], round(sims[i][j], 3)) for i, j in zip(rows, cols) if sims[i][j] >= THRESHOLD]
    return sorted(pairs, key=lambda p: p[0].index)


def similarity(old: _Profile, new: _Profile) -> float:
    """Return 0.85 x phrase overlap + 0.15 x title overlap (title alone for sections without text)."""
    title = _jaccard(old.title, new.title)
    if not old.phrases and not new.phrases:
        return title
    return 0.85 * _jaccard(old.phrases, new.phrases) + 0.15 * title


def _jaccard(a: frozenset[object], b: frozenset[object]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _containment(result: Matching, olds: dict[str, _Profile], news: dict[str, _Profile]) -> None:
    paired_old = {o.id for o, _, _, _ in result.pairs}
    paired_new = {n.id for _, n, _, _ in result.pairs}
    for profile in news.values():
        if profile.section.id not in paired_new:
            source = _container(profile, olds.values())
            if source is not None:
                result.split_from[profile.section.id] = source.section.id
    for profile in olds.values():
        if profile.section.id not in paired_old:
            target = _container(profile, news.values())
            if target is not None and target.section.id in paired_new:
                result.merged_into[profile.section.id] = target.section.id


def _container(part: _Profile, wholes: Iterable[_Profile]) -> _Profile | None:
    """Return the section that holds most of this section's phrases, if it holds enough."""
    if len(part.phrases) < MIN_PHRASES:
        return None
    best, share = None, CONTAINMENT
    for whole in wholes:
        shared = len(part.phrases & whole.phrases) / len(part.phrases)
        if shared > share or (best is None and shared == share):
            best, share = whole, shared
    return best
