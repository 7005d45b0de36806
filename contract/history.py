"""A section's timeline across all versions: its number, title and how it changed each year."""
from __future__ import annotations

from dataclasses import dataclass

from .diff import compare
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


def timeline(contracts: dict[str, Contract], section_id: str) -> list[Step]:
    """Follow a section id through every version, oldest first (renamed ids are followed)."""
    steps: list[Step] = []
    current_id, previous = section_id, None
    for version in sorted(contracts):
        contract = contracts[version]
        changes: tuple[str, ...] = ()
        if previous is not None:
            change = compare(previous, contract).find(current_id)
            if change is not None:
                current_id = change.new_id or current_id
                changes = change.kinds
        section = contract.section(current_id)
        if section is None:
            was_here = bool(steps and steps[-1].present)
            steps.append(Step(version, contract.meta.status, False, changes=("removed",) if was_here else ()))
        else:
            first = not steps or not any(s.present for s in steps)
            steps.append(Step(version, contract.meta.status, True, section.number, section.title, ("first",) if first else changes))
        previous = contract
    return steps
