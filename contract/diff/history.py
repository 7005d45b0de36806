"""A section's timeline across all versions: its id, number and title, and how it changed each year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ContractError, Diagnostic
from ..model import Contract, Pos, Text
from . import ChangeSet, compare
from .changeset import SectionChange
from .lineage import follows_outside, previous_versions


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
    archive_start: bool = False  # first seen in a version whose `previous:` is outside the archive (diff.lineage)


def source_switches(contracts: Mapping[str, Contract]) -> list[Diagnostic]:
    """Return an error for every version whose source language is not the newest version's.

    The history and compare pages compare every pair of versions word by word: Swedish against English would
    mark every word changed, so a site of versions with different source languages is refused, not half-built.
    """
    if not contracts:
        return []
    newest = contracts[max(contracts)]
    return [
        mixed_sources(contracts[version], newest)
        for version in sorted(contracts)
        if contracts[version].languages[0] != newest.languages[0]
    ]


def mixed_sources(old: Contract, new: Contract) -> Diagnostic:
    """Return the error for two versions with different source languages, at the first one's contract.yaml."""
    from ..source.languages import language_name

    a, b = old.languages[0], new.languages[0]
    return Diagnostic(
        old.meta.pos or Pos(f"{old.folder}/contract.yaml"),
        "error",
        f"version {old.meta.version} has {language_name(a)} ({a}) as its source language and version "
        f"{new.meta.version} {language_name(b)} ({b}): the history and compare pages would compare one with "
        "the other word by word",
        "give every version of the site one source language (klimatkontrakt.yaml, languages.source)",
        "source-language-switch",
    )


def check_same_source(old: Contract, new: Contract) -> None:
    """Raise ContractError when two versions to compare have different source languages."""
    if old.languages[0] != new.languages[0]:
        raise ContractError([mixed_sources(old, new)])


def changesets(contracts: Mapping[str, Contract]) -> dict[str, ChangeSet]:
    """Compare each version with its predecessor (lineage.previous_version); key: the newer version."""
    pairs = previous_versions(contracts)
    for new, old in pairs.items():
        check_same_source(contracts[old], contracts[new])
    return {new: compare(contracts[old], contracts[new]) for new, old in pairs.items()}


def timeline(
    contracts: Mapping[str, Contract], section_id: str, changes: Mapping[str, ChangeSet] | None = None
) -> list[Step]:
    """Follow a section through every version, oldest first; an id renamed between versions is followed both ways.

    changes holds each version's comparison with its predecessor (the build passes the ones it computed).
    What changed in a version is what that comparison says (the redline's kinds), never worked out again here.
    """
    changes = changesets(contracts) if changes is None else changes
    previous = previous_versions(contracts)
    ids = _ids(contracts, section_id, changes, previous)
    steps: dict[str, Step] = {}
    for version in sorted(contracts):
        steps[version] = _step(contracts, version, ids, changes.get(version), steps, previous)
    return list(steps.values())


def _ids(
    contracts: Mapping[str, Contract], section_id: str, changes: Mapping[str, ChangeSet], previous: dict[str, str]
) -> dict[str, str]:
    """Return the section's id in each version it is in, following renamed ids within each line of versions.

    A line is the versions that lead back through `previous:` to one first version (lineage). A version whose
    `previous:` names a version not loaded starts a line of its own; in a line that the renames followed did
    not reach, the section is the one holding the same id (no comparison links the lines).
    """
    holding = [v for v in sorted(contracts) if contracts[v].section(section_id) is not None]
    ids: dict[str, str] = {}
    lines: set[str] = set()
    for start in reversed(holding):
        if _first_of_line(start, previous) in lines:
            continue
        lines.add(_first_of_line(start, previous))
        ids.update(_followed(contracts, start, section_id, changes, previous))
    return ids


def _first_of_line(version: str, previous: dict[str, str]) -> str:
    """Return the version a version's line starts from (following `previous:` back as far as it goes)."""
    while version in previous:
        version = previous[version]
    return version


def _followed(
    contracts: Mapping[str, Contract],
    start: str,
    section_id: str,
    changes: Mapping[str, ChangeSet],
    previous: dict[str, str],
) -> dict[str, str]:
    """Return the section's id in each version of start's line, following renamed ids back and forth from start."""
    ids, newer = {start: section_id}, start
    while newer in previous and newer in changes:  # backwards: where did this id come from
        older = previous[newer]
        change = _record(changes[newer], new_id=ids[newer])
        if change is None or change.old_id is None or contracts[older].section(change.old_id) is None:
            break
        ids[older], newer = change.old_id, older
    for version in sorted(contracts):  # forwards: a renamed id continues under its new name
        before = previous.get(version)
        if version in ids or before not in ids or version not in changes:
            continue
        change = _record(changes[version], old_id=ids[before])
        if change is not None and change.new_id is not None:
            ids[version] = change.new_id
    return ids


def _record(change_set: ChangeSet, new_id: str | None = None, old_id: str | None = None) -> SectionChange | None:
    """Return the record of the section with this id on the side asked for (an id can be reused on the other)."""
    if new_id is not None:
        return next((s for s in change_set.sections if s.new_id == new_id), None)
    return next((s for s in change_set.sections if s.old_id == old_id), None)


def _step(
    contracts: Mapping[str, Contract],
    version: str,
    ids: dict[str, str],
    change_set: ChangeSet | None,
    steps: dict[str, Step],
    previous: dict[str, str],
) -> Step:
    """Return the section's step in version, its kinds those of the comparison with the version before."""
    contract, sid, before = contracts[version], ids.get(version), previous.get(version, "")
    meta, section = contract.meta, contract.section(sid) if sid else None
    if sid is None or section is None:
        gone = _record(change_set, old_id=ids[before]) if change_set and before in ids else None
        held = before in steps and steps[before].present
        return Step(meta.version, meta.status, False, changes=(gone.kinds if gone else ("removed",)) if held else ())
    change = _record(change_set, new_id=sid) if change_set else None
    kinds = change.kinds if change is not None else ()
    if change_set is None or (kinds == ("added",) and not _held_before(version, steps, previous)):
        first = follows_outside(contracts, version)
        return Step(
            meta.version, meta.status, True, section.number, section.title, ("first",), sid, archive_start=first
        )
    renamed = change.old_id if change is not None and change.old_id and change.old_id != sid else None
    return Step(meta.version, meta.status, True, section.number, section.title, kinds, sid, renamed)


def _held_before(version: str, steps: dict[str, Step], previous: dict[str, str]) -> bool:
    """Tell whether any predecessor of version (its previous, that one's previous, ...) held the section."""
    while version in previous:
        version = previous[version]
        if steps[version].present:
            return True
    return False


def all_timelines(
    contracts: Mapping[str, Contract], changes: Mapping[str, ChangeSet] | None = None
) -> dict[str, list[Step]]:
    """Return one timeline per section, keyed by its latest id, newest version's order first (renamed ids once).

    Versions with different source languages are refused (ContractError): see source_switches.
    """
    switched = source_switches(contracts)
    if switched:
        raise ContractError(switched)
    changes = changesets(contracts) if changes is None else changes
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
