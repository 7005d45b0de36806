"""A section's timeline across all versions: its number, title and how it changed each year."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .diff import ChangeSet, compare
from .model import Contract, Text


@dataclass(frozen=True)
class Step:
    """One version of a section: present or not, its number and title, and what changed since the year before."""

    version: str
    status: str
    present: bool
    number: str = ""
    title: Text | None = None
    changes: tuple[str, ...] = ()  # kinds of change (diff.KINDS); ("first",) where it first appears


def changesets(contracts: Mapping[str, Contract]) -> dict[str, ChangeSet]:
    """Compare each version with the one before it (oldest first); key: the newer version."""
    versions = sorted(contracts)
    return {new: compare(contracts[old], contracts[new]) for old, new in zip(versions, versions[1:])}


def timeline(contracts: Mapping[str, Contract], section_id: str, changes: dict[str, ChangeSet] | None = None) -> list[Step]:
    """Follow a section id through every version, oldest first (renamed ids are followed)."""
    changes = changesets(contracts) if changes is None else changes
    steps: list[Step] = []
    current_id = section_id
    for version in sorted(contracts):
        contract = contracts[version]
        kinds: tuple[str, ...] = ()
        change = changes[version].find(current_id) if version in changes else None
        if change is not None:
            current_id, kinds = change.new_id or current_id, change.kinds
        steps.append(_step(contract, current_id, kinds, steps))
    return steps


def _step(contract: Contract, section_id: str, kinds: tuple[str, ...], before: list[Step]) -> Step:
    meta, section = contract.meta, contract.section(section_id)
    if section is None:
        return Step(meta.version, meta.status, False, changes=("removed",) if before and before[-1].present else ())
    first = not any(step.present for step in before)
    return Step(meta.version, meta.status, True, section.number, section.title, ("first",) if first else kinds)


def all_timelines(contracts: Mapping[str, Contract]) -> dict[str, list[Step]]:
    """Return the timeline of every section id of every version, newest version's order first."""
    changes = changesets(contracts)
    ids: list[str] = []
    for version in sorted(contracts, reverse=True):
        ids += [s.id for s in contracts[version].walk() if s.id not in ids]
    return {sid: timeline(contracts, sid, changes) for sid in ids}
