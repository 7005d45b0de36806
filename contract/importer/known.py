"""What the repository already records about the parties an imported contract names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks.characters import bad_characters
from ..errors import ContractError, Report
from ..ids import is_version_name
from ..source.load import load_version, years


@dataclass(frozen=True)
class Earlier:
    """The version before an imported one, and its parties' certificate identities by party id."""

    version: str | None = None  # None: the repository has no version before it
    subjects: dict[str, dict[str, str]] = field(default_factory=dict)
    readable: bool = True  # False: that version does not load, so nothing could be taken from it


def earlier_subjects(root: Path, version: str) -> Earlier:
    """Return the version before version in the repository and its parties' certificate identities.

    An imported version names no `previous:`, so the version before it is the one sorted just before it, as in
    diff/lineage.py, among the folders named as versions (a copy "2024 kopia" is none). Its identities are left
    empty when it does not load, for `klimatkontrakt parties` to ask for.
    """
    earlier = [name for name in years(root) if is_version_name(name) and name < version]
    if not earlier:
        return Earlier()
    previous = max(earlier)
    try:
        contract = load_version(root, previous, Report())
    except ContractError:  # not a repository this command can read: validate says why after the import
        contract = None
    if contract is None:
        return Earlier(previous, readable=False)
    return Earlier(
        previous, {p.id: dict(p.certificate_subject) for p in contract.parties if _valid(p.certificate_subject)}
    )


def _valid(subject: dict[str, str]) -> bool:
    """Whether an identity may be copied: one validate accepts (no control or invisible character: it would be
    copied into a new version only to be refused there)."""
    return bool(subject) and not any(bad_characters(text) for item in subject.items() for text in item)
