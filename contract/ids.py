"""Names the tool keeps for itself: reserved section ids and the version-name rule."""

from __future__ import annotations

import re

# Text keys start with a section id or one of these words (contract.load), so a section may not take them.
TEXT_KEY_WORDS = ("meta", "party", "preamble", "annex", "fn", "erratum")

# HTML ids the site and redline pages emit themselves; a section id (its anchor) must never equal one.
PAGE_IDS = (
    "kk-title",
    "kk-draft",
    "kk-facts",
    "kk-contents",
    "kk-contents-title",
    "kk-preamble",
    "kk-annex",
    "kk-errata",
    "kk-footnotes",
    "kk-signatures",
    "kk-keys",
    "kk-compare",
    "redline-title",
    "redline-sections",
    "redline-summary",
    "redline-fields",
    "redline-list",
)
# Whole families the templates and renderers draw from (kk-search-input, kk-sv, version-2023, ...),
# so that new page elements stay clear of section ids without editing this list again.
PAGE_PREFIXES = ("kk-", "redline-", "version-")
# The redline gives each section's heading the id "<section id>-title".
PAGE_SUFFIXES = ("-title",)

RESERVED_IDS = TEXT_KEY_WORDS + PAGE_IDS

# A version is a folder name under years/: four digits, nothing that could name another path.
VERSION_NAME = re.compile(r"^[0-9]{4}$")


def reserved(section_id: str) -> str | None:
    """Return why a section id is reserved (what uses it), or None when it is free."""
    if section_id in TEXT_KEY_WORDS:
        return "it starts the keys of texts that are not in a section"
    if section_id in PAGE_IDS or section_id.startswith(PAGE_PREFIXES) or section_id.endswith(PAGE_SUFFIXES):
        return "the website uses it for its own elements"
    return None


def is_version_name(text: str) -> bool:
    """Return whether text is a version name (a folder name under years/, e.g. "2024")."""
    return bool(VERSION_NAME.match(text))
