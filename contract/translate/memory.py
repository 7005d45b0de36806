"""Translation memory across versions: a translation for source texts equal or nearly equal to one already translated."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..model import Contract, Text
from ..source.load import load, years
from .translations import fingerprint

FUZZY_FLOOR = 0.75  # below this a match helps less than it misleads


@dataclass(frozen=True)
class Memory:
    """A translated text of some version: its source, its confirmed translation and where it is."""

    source: str
    target: str
    version: str
    key: str


@dataclass(frozen=True)
class Suggestion:
    text: Text  # the text that needs a translation
    match: Memory
    similarity: float  # 1.0 for an exact match (same Swedish, formatting aside)
    others: tuple[Memory, ...] = ()  # other translations of the same source, older: a reviewer chooses knowingly

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


def memory(root: Path, lang: str, loaded: dict[str, Contract] | None = None) -> list[Memory]:
    """Return every current translation into lang of every version (the memory), newest version first."""
    loaded = dict(loaded or {})
    out: list[Memory] = []
    for version in reversed(years(root)):
        contract = loaded.get(version) or load(root, version)
        out += [
            Memory(t.source, target, version, t.key)
            for t in contract.texts()
            if (target := t.get(lang)) and t.status(lang) == "current"
        ]
    return out


def suggest(contract: Contract, entries: list[Memory], lang: str, floor: float = FUZZY_FLOOR) -> list[Suggestion]:
    """Return the best suggestion for each text of a contract whose translation into lang is missing or stale."""
    exact: dict[str, list[Memory]] = {}
    for entry in entries:
        same = exact.setdefault(fingerprint(entry.source), [])
        if all(fingerprint(entry.target) != fingerprint(seen.target) for seen in same):
            same.append(entry)
    out = []
    for text in contract.texts():
        if text.status(lang) == "current":
            continue
        here = (contract.meta.version, text.key)
        same = [m for m in exact.get(fingerprint(text.source), []) if (m.version, m.key) != here]
        if same:
            out.append(Suggestion(text, same[0], 1.0, tuple(same[1:])))
            continue
        near = _nearest(text, entries, floor)
        if near is not None:
            out.append(near)
    return out


def _nearest(text: Text, entries: list[Memory], floor: float) -> Suggestion | None:
    words = text.source.split()
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(words)
    best: Suggestion | None = None
    for entry in entries:
        other = entry.source.split()
        if min(len(other), len(words)) / max(len(other), len(words), 1) < floor:
            continue  # lengths alone rule it out
        matcher.set_seq1(other)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        ratio = matcher.ratio()
        if ratio >= floor and ratio < 1.0 and (best is None or ratio > best.similarity):
            best = Suggestion(text, entry, round(ratio, 3))
    return best
