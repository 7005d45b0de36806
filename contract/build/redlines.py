"""The redlines the site shows: each version against the one before it, and every pair for the compare pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..model import Contract
from ..render.pages import languages_of

if TYPE_CHECKING:  # the differ loads when pages are made, not when a command merely imports this module
    from ..diff.changeset import ChangeSet
    from ..diff.history import Step
    from .changes import ChangeSets


def default_redlines(
    contracts: Mapping[str, Contract],
    langs: tuple[str, ...] | None = None,
    changes: ChangeSets | None = None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str], str]:
    """Return the redline fragment of every version whose previous version (diff.lineage) is loaded, per language."""
    from ..diff.lineage import previous_versions
    from ..render.redline_site import to_site_html
    from .changes import ChangeSets

    changes = ChangeSets() if changes is None else changes
    own = changes.since_previous(contracts)
    history = _history_keys(contracts, own if timelines is None else None, timelines)
    out = {}
    langs = langs or languages_of(contracts)
    for version, previous in previous_versions(contracts).items():
        links = _links(contracts[previous], contracts[version], history, f"{version}/redline/")
        out.update({(version, lang): to_site_html(own[version], lang, links) for lang in langs})
    return out


def compare_redlines(
    contracts: Mapping[str, Contract],
    langs: tuple[str, ...] | None = None,
    changes: ChangeSets | None = None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str, str], str]:
    """Return the redline of every pair of versions (older, newer, lang), each for its own compare page."""
    from ..render.redline_site import to_site_html
    from .changes import ChangeSets

    changes = ChangeSets() if changes is None else changes
    history = _history_keys(contracts, changes.since_previous(contracts) if timelines is None else None, timelines)
    out, versions = {}, sorted(contracts)
    langs = langs or languages_of(contracts)
    for index, old in enumerate(versions):
        for new in versions[index + 1 :]:
            # Not the version's own redline reused: each section links to itself on this page in the other languages.
            found = changes.between(contracts[old], contracts[new])
            links = _links(contracts[old], contracts[new], history, f"compare/{old}..{new}/")
            out.update({(old, new, lang): to_site_html(found, lang, links) for lang in langs})
    return out


def _history_keys(
    contracts: Mapping[str, Contract],
    changes: Mapping[str, ChangeSet] | None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str], str]:
    """Map (version, section id) to the anchor of the section's entry on the history page."""
    from ..diff.history import all_timelines

    timelines = all_timelines(contracts, changes) if timelines is None else timelines
    return {(step.version, step.id): key for key, steps in timelines.items() for step in steps if step.present}


def _links(old: Contract, new: Contract, history: dict[tuple[str, str], str], page: str):
    from ..render.redline_site import SiteLinks

    pending = frozenset(s.id for s in new.walk() if s.to_be_written)
    return SiteLinks(old.meta.version, new.meta.version, history, pending, page=page, langs=new.languages)
