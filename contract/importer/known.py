"""What the repository already records about the parties an imported contract names."""

from __future__ import annotations

from pathlib import Path

from ..errors import ContractError, Report
from ..source.load import load_version, years


def earlier_subjects(root: Path, version: str) -> tuple[str | None, dict[str, dict[str, str]]]:
    """Return the version before version in the repository and its parties' certificate identities by party id.

    An imported version names no `previous:`, so the version before it is the one sorted just before it, as in
    diff/lineage.py. None and nothing when there is no such version, and nothing when it does not load: the
    identities are then left empty, as before, for `klimatkontrakt parties` to ask for.
    """
    earlier = [name for name in years(root) if name < version]
    if not earlier:
        return None, {}
    previous = max(earlier)
    try:
        contract = load_version(root, previous, Report())
    except ContractError:  # not a repository this command can read: validate says why after the import
        contract = None
    if contract is None:
        return previous, {}
    return previous, {p.id: dict(p.certificate_subject) for p in contract.parties if p.certificate_subject}
