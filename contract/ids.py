"""Names the tool keeps for itself: reserved section ids, text keys and the version-name rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True, order=True)
class TextKey:
    """Where a text sits, as translations.lock and the exchange files name it: OWNER/PART.

    OWNER is a section id or one of TEXT_KEY_WORDS; PART says which text of it: "title", a block's number
    ("2"), a list item ("3.1"), a footnote's or party's id and field ("klimat/name"), "doc/4".
    """

    owner: str
    part: str

    @classmethod
    def parse(cls, text: str) -> TextKey:
        """Read a key written as OWNER/PART; ValueError when it is not one."""
        owner, slash, part = text.partition("/")
        if not (owner and slash and part) or any(c.isspace() for c in text):
            raise ValueError(f"not a text key: {text!r} (expected OWNER/PART, e.g. klimatrad/title)")
        return cls(owner, part)

    def __str__(self) -> str:
        return f"{self.owner}/{self.part}"

    @classmethod
    def title(cls, owner: str) -> TextKey:
        """The title of a section, of the annex, or of the contract (owner "meta")."""
        return cls(owner, "title")

    @classmethod
    def block(cls, owner: str, index: int, item: int | None = None) -> TextKey:
        """The index-th block of a body (from 0), or the item-th item (from 0) of a list block."""
        return cls(owner, f"{index + 1}" if item is None else f"{index + 1}.{item + 1}")

    @classmethod
    def footnote(cls, note_id: str) -> TextKey:
        return cls("fn", note_id)

    @classmethod
    def party(cls, party_id: str, field: str) -> TextKey:
        """A party's name or its signatory's role."""
        return cls("party", f"{party_id}/{field}")

    @classmethod
    def erratum(cls, index: int, field: str) -> TextKey:
        """What the index-th erratum (from 0) corrected, or why."""
        return cls("erratum", f"{index + 1}/{field}")

    @classmethod
    def annex_document(cls, index: int) -> TextKey:
        return cls("annex", f"doc/{index + 1}")

    @property
    def section(self) -> str | None:
        """The section the text belongs to directly (None for the contract's own texts and footnotes)."""
        return None if self.owner in TEXT_KEY_WORDS else self.owner
