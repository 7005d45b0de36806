"""A section's timeline across all versions: its id, number and title, and how it changed each year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from ..model import Contract, Text
from . import ChangeSet, compare


@dataclass(frozen=True)
class Step:
    """One version of a section: present or not, its id, number and title, and what changed since the year before."""

    version: str
    status: str
    present: bool
    number: str = ""
    title: Text | None = None
    changes: tuple[str, ...] = ()  # kinds of change (diff.KINDS); ("first",) where it first appears
    id: str = ""  # the section's id in this version (ids can be renamed)
    old_id: str | None = None  # the id the section had in the version before, when it was renamed
    archive_start: bool = False  # first seen in the oldest version loaded, which has a predecessor outside the archive


# The site compares the same pairs for its redlines, compare pages and history: each pair once per loaded model.
# Entries hold the two contracts, so their ids cannot be reused by other objects while cached.
_SEEN: dict[tuple[int, int], tuple[Contract, Contract, ChangeSet]] = {}
_SEEN_MAX = 128


def changeset(old: Contract, new: Contract) -> ChangeSet:
    """Return the comparison of two loaded versions, computed once for these two objects."""
    hit = _SEEN.get((id(old), id(new)))
    if hit is not None and hit[0] is old and hit[1] is new:
        return hit[2]
    result = compare(old, new)
    if len(_SEEN) >= _SEEN_MAX:
        _SEEN.pop(next(iter(_SEEN)))
    _SEEN[(id(old), id(new))] = (old, new, result)
    return result


def changesets(contracts: Mapping[str, Contract]) -> dict[str, ChangeSet]:
    """Compare each version with the one before it (oldest first); key: the newer version."""
    versions = sorted(contracts)
    return {new: changeset(contracts[old], contracts[new]) for old, new in pairwise(versions)}


def timeline(
    contracts: Mapping[str, Contract], section_id: str, changes: dict[str, ChangeSet] | None = None
) -> list[Step]:
    """Follow a section through every version, oldest first; an id renamed between versions is followed both ways."""
    changes = changesets(contracts) if changes is None else changes
    ids = _ids(contracts, section_id, changes)
    steps: list[Step] = []
    for version in sorted(contracts):
        steps.append(_step(contracts, version, ids.get(version), changes.get(version), steps))
    return steps


def _ids(contracts: Mapping[str, Contract], section_id: str, changes: dict[str, ChangeSet]) -> dict[str, str]:
    """Return the section's id in each version it is in, following renamed ids back from its latest version."""
    versions = sorted(contracts)
    holding = [v for v in versions if contracts[v].section(section_id) is not None]
    if not holding:
        return {}
    ids, current = {holding[-1]: section_id}, section_id
    later = versions[versions.index(holding[-1]) + 1 :]
    for version in later:  # forwards: a renamed id continues under its new name
        change = changes[version].find(current) if version in changes else None
        if change is None or change.new_id is None or change.old_id != current:
            break
        current = ids[version] = change.new_id
    current, upto = section_id, versions[: versions.index(holding[-1]) + 1]
    for newer, older in zip(reversed(upto[1:]), reversed(upto[:-1])):  # backwards: where did this id come from
        change = next((s for s in changes[newer].sections if s.new_id == current), None) if newer in changes else None
        if change is None or change.old_id is None or contracts[older].section(change.old_id) is None:
            break
        current = ids[older] = change.old_id
    return ids


def _step(
    contracts: Mapping[str, Contract], version: str, sid: str | None, change_set: ChangeSet | None, before: list[Step]
) -> Step:
    contract = contracts[version]
    meta, section = contract.meta, contract.section(sid) if sid else None
    if sid is None or section is None:
        return Step(meta.version, meta.status, False, changes=("removed",) if before and before[-1].present else ())
    change = next((s for s in change_set.sections if s.new_id == sid), None) if change_set else None
    renamed = change.old_id if change is not None and change.old_id and change.old_id != sid else None
    if not any(step.present for step in before):
        oldest = version == min(contracts)
        return Step(
            meta.version,
            meta.status,
            True,
            section.number,
            section.title,
            ("first",),
            sid,
            archive_start=oldest and bool(meta.previous),
        )
    kinds = change.kinds if change is not None else ()
    return Step(meta.version, meta.status, True, section.number, section.title, kinds, sid, renamed)


def all_timelines(contracts: Mapping[str, Contract]) -> dict[str, list[Step]]:
    """Return one timeline per section, keyed by its latest id, newest version's order first (renamed ids once)."""
    changes = changesets(contracts)
    out: dict[str, list[Step]] = {}
    covered: set[tuple[str, str]] = set()
    for version in sorted(contracts, reverse=True):
        for section in contracts[version].walk():
            if (version, section.id) in covered:
                continue
            steps = timeline(contracts, section.id, changes)
            key = next(step.id for step in reversed(steps) if step.present)
            covered |= {(step.version, step.id) for step in steps if step.present}
            out.setdefault(key, steps)
    return out
