"""The build's comparisons of versions: each pair's ChangeSet computed once and handed to every consumer.

The redline pages and PDFs, the compare pages and the history all ask for the same pairs; the build owns
one ChangeSets and passes it down, so a pair is compared once per build whoever asks first.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the differ loads at the first comparison, not with the commands that import this module
    from ..diff.changeset import ChangeSet
    from ..model import Contract


class ChangeSets:
    """A cache of ChangeSets keyed by the content of the two versions compared."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[Contract, str]] = {}  # id(contract) -> (contract kept alive, content key)
        self._seen: dict[tuple[str, str], ChangeSet] = {}
        self.computed: Counter[tuple[str, str]] = Counter()  # (old version, new version) -> comparisons made

    def between(self, old: Contract, new: Contract) -> ChangeSet:
        """Return the comparison of old with new, computing it only the first time these contents meet."""
        from .. import diff
        from ..diff.history import check_same_source

        check_same_source(old, new)  # Swedish against English would mark every word changed
        key = (self._key(old), self._key(new))
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = diff.compare(old, new)
            self.computed[(old.meta.version, new.meta.version)] += 1
        return found

    def since_previous(self, contracts: Mapping[str, Contract]) -> dict[str, ChangeSet]:
        """Compare each version with its predecessor (diff.lineage); key: the newer version."""
        from ..diff.lineage import previous_versions

        return {new: self.between(contracts[old], contracts[new]) for new, old in previous_versions(contracts).items()}

    def _key(self, contract: Contract) -> str:
        """Return the hash of a contract's whole content (its repr: every field, positions included)."""
        held = self._keys.get(id(contract))
        if held is None or held[0] is not contract:
            held = self._keys[id(contract)] = (contract, hashlib.sha256(repr(contract).encode()).hexdigest())
        return held[1]
