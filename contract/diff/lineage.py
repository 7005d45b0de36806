"""Which version a version follows: the one rule that redlines, history, compare pages and downloads share."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Contract


def previous_version(contracts: Mapping[str, Contract], version: str) -> str | None:
    """Return the loaded version that version follows, or None when it follows none of them.

    The contract's own `previous:` decides. Only when it is empty is the version sorted just before it
    taken (a version imported before anyone filled in `previous:`). A `previous:` naming a version that
    is not loaded (older than the archive, or a draft left out of the build) means no predecessor here:
    the order of the folders never overrides what the contract says it replaces.
    """
    named = contracts[version].meta.previous
    if named:
        return named if named in contracts and named != version else None
    earlier = [v for v in contracts if v < version]
    return max(earlier) if earlier else None


def previous_versions(contracts: Mapping[str, Contract]) -> dict[str, str]:
    """Return each loaded version's predecessor among the loaded ones (versions without one are left out)."""
    found = {version: previous_version(contracts, version) for version in sorted(contracts)}
    return {version: previous for version, previous in found.items() if previous is not None}


def follows_outside(contracts: Mapping[str, Contract], version: str) -> bool:
    """Tell whether version names a predecessor that is not loaded (the archive starts after it)."""
    named = contracts[version].meta.previous
    return bool(named) and previous_version(contracts, version) is None
