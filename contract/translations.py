"""Translation tracking: which Swedish text each English text translates, kept in translations.lock."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ContractError, Diagnostic
from .files import write_atomic
from .model import Contract, Pos, Text

LOCK_NAME = "translations.lock"
_HEADER = (
    "# Which Swedish text each English text translates: KEY SWEDISH-HASH ENGLISH-HASH.\n"
    "# Written by `klimatkontrakt translations YEAR --confirm KEY` or `--all-current`; do not edit by hand.\n"
)
_QUOTES = str.maketrans({"”": '"', "“": '"', "„": '"', "’": "'", "‘": "'", "\u00a0": " ", "\u202f": " "})


# The English hash of a lock entry whose English the translation memory filled in: stale until confirmed.
TO_REVIEW = "to-review"


@dataclass(frozen=True)
class Entry:
    sv: str
    en: str


def fingerprint(text: str) -> str:
    """Return a short hash of a text after normalising Unicode, quotes and whitespace."""
    normal = " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def read_lock(folder: Path) -> dict[str, Entry]:
    """Read a version's translations.lock (empty when there is none)."""
    file = folder / LOCK_NAME
    if not file.exists():
        return {}
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        where = f"{folder.parent.name}/{folder.name}/{LOCK_NAME}"
        raise ContractError(
            [
                Diagnostic(
                    Pos(where, 1, 1),
                    "error",
                    f"{LOCK_NAME} cannot be read as UTF-8 text",
                    f"restore it from git: git checkout -- {where}",
                    "translations",
                )
            ]
        ) from None
    entries = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            entries[parts[0]] = Entry(parts[1], parts[2])
    return entries


def write_lock(folder: Path, entries: dict[str, Entry]) -> None:
    """Write translations.lock sorted by key, atomically."""
    lines = [f"{key} {e.sv} {e.en}\n" for key, e in sorted(entries.items())]
    write_atomic(folder / LOCK_NAME, _HEADER + "".join(lines))


def status(text: Text, lock: dict[str, Entry], pairs: set[tuple[str, str]]) -> str:
    """Return current, stale or missing for one text's English."""
    if text.en is None:
        return "missing"
    sv, en = fingerprint(text.sv), fingerprint(text.en)
    entry = lock.get(text.key)
    if entry is not None and entry.en == TO_REVIEW:
        return "stale"
    # A confirmed pair is current wherever it now stands; an English edit against the same Swedish too.
    if (sv, en) in pairs or (entry is not None and entry.sv == sv):
        return "current"
    return "stale"


def apply(text: Text, lock: dict[str, Entry], pairs: set[tuple[str, str]]) -> Text:
    """Return the text with its English status set from the lock."""
    return replace(text, en_status=status(text, lock, pairs))


def pairs_of(lock: dict[str, Entry]) -> set[tuple[str, str]]:
    """Return the confirmed (Swedish, English) hash pairs of a lock."""
    return {(e.sv, e.en) for e in lock.values()}


def confirm(contract: Contract, lock: dict[str, Entry], keys: list[str] | None) -> tuple[dict[str, Entry], list[str]]:
    """Record the English of the given keys (all translated texts when None) as current; return lock and unknown keys."""
    texts = {t.key: t for t in contract.texts()}
    chosen = [k for k in texts if texts[k].en is not None] if keys is None else keys
    unknown = [k for k in chosen if k not in texts or texts[k].en is None]
    fresh = {k: e for k, e in lock.items() if k in texts}
    for key in chosen:
        if key not in unknown:
            fresh[key] = Entry(fingerprint(texts[key].sv), fingerprint(texts[key].en))
    return fresh, unknown


def group_of(key: str, contract: Contract) -> str:
    """Return the section group a text key belongs to (meta, preamble, annex or a section group)."""
    head = re.split(r"[/]", key, maxsplit=1)[0]
    if head in ("meta", "party"):
        return "contract"
    if head in ("preamble", "annex"):
        return head
    if head == "fn":
        note = key.split("/", 1)[1]
        section = next((s for s in contract.walk() if any(n.id == note for n in s.footnotes)), None)
        return section.group if section else "contract"
    section = contract.section(head)
    return section.group if section else "contract"


@dataclass(frozen=True)
class Coverage:
    """Translated texts per section group, and the texts that need a translator."""

    groups: dict[str, tuple[int, int]]  # group -> (current, total)
    missing: list[Text]
    stale: list[Text]

    @property
    def translated(self) -> int:
        return sum(done for done, _ in self.groups.values())

    @property
    def total(self) -> int:
        return sum(total for _, total in self.groups.values())


def coverage(contract: Contract) -> Coverage:
    """Count current English texts per group and list the missing and stale ones."""
    groups: dict[str, list[int]] = {}
    missing, stale = [], []
    for text in contract.texts():
        counts = groups.setdefault(group_of(text.key, contract), [0, 0])
        counts[1] += 1
        counts[0] += text.en_status == "current"
        (missing if text.en_status == "missing" else stale if text.en_status == "stale" else []).append(text)
    return Coverage({g: (c[0], c[1]) for g, c in groups.items()}, missing, stale)


def work_items(contract: Contract, everything: bool = False) -> list[dict]:
    """Return the texts a translator should work on (all with everything=True), for --export."""
    return [
        {"key": t.key, "file": t.pos.file, "line": t.pos.line, "status": t.en_status, "sv": t.sv, "en": t.en or ""}
        for t in contract.texts()
        if everything or t.en_status != "current"
    ]


def write_english(root: Path, contract: Contract, english: dict[str, str]) -> list[str]:
    """Write English texts (key -> text) into the version's YAML files; return unknown keys."""
    from . import yamlwrite

    texts = {t.key: t for t in contract.texts()}
    unknown = [k for k in english if k not in texts or not isinstance(english[k], str)]
    if unknown:
        return unknown  # nothing is written unless every entry can be
    by_file: dict[str, list[Text]] = {}
    for key, value in english.items():
        if key in texts and value.strip():
            by_file.setdefault(texts[key].pos.file, []).append(texts[key])
    for file, items in sorted(by_file.items()):
        yamlwrite.rewrite(root / file, lambda data, items=items: _set_english(data, items, english))
    return unknown


def _set_english(data, items: list[Text], english: dict[str, str]) -> None:
    for text in items:
        node = data
        for step in text.path:
            node = node[step]
        value = " ".join(english[text.key].split())
        if "en" in node:
            node["en"] = value
        else:
            node.insert(list(node.keys()).index("sv") + 1, "en", value)
