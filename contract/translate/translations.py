"""Translation tracking: which Swedish text each English text translates, kept in translations.lock."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ContractError, Diagnostic
from ..model import Contract, Pos, Text
from ..output.files import write_all, write_atomic

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
    write_atomic(folder / LOCK_NAME, lock_text(entries))


def lock_text(entries: dict[str, Entry]) -> str:
    """Return the text of a translations.lock holding the entries, sorted by key."""
    return _HEADER + "".join(f"{key} {e.sv} {e.en}\n" for key, e in sorted(entries.items()))


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
            fresh[key] = Entry(fingerprint(texts[key].sv), fingerprint(texts[key].en or ""))
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


def at(text: Text, lang: str = "sv") -> Pos:
    """Return where a loaded text's Swedish (or English) sits; a text built in code has only its key."""
    pos = text.pos if lang == "sv" else text.en_pos
    return pos if pos is not None else Pos(text.key)


def _english_setter(items: list[Text], english: dict[str, str]) -> Callable[[Any], None]:
    """Return the edit that writes these texts' English into a parsed YAML file."""
    return lambda data: _set_english(data, items, english)


def coverage(contract: Contract) -> Coverage:
    """Count current English texts per group and list the missing and stale ones."""
    groups: dict[str, list[int]] = {}
    missing: list[Text] = []
    stale: list[Text] = []
    for text in contract.texts():
        counts = groups.setdefault(group_of(text.key, contract), [0, 0])
        counts[1] += 1
        counts[0] += text.en_status == "current"
        (missing if text.en_status == "missing" else stale if text.en_status == "stale" else []).append(text)
    return Coverage({g: (c[0], c[1]) for g, c in groups.items()}, missing, stale)


def work_items(contract: Contract, everything: bool = False) -> list[dict]:
    """Return the texts a translator should work on (all with everything=True), for --export."""
    return [
        {"key": t.key, "file": at(t).file, "line": at(t).line, "status": t.en_status, "sv": t.sv, "en": t.en or ""}
        for t in contract.texts()
        if everything or t.en_status != "current"
    ]


def write_english(
    root: Path, contract: Contract, english: dict[str, str], also: dict[Path, str] | None = None
) -> list[str]:
    """Write English texts (key -> text) into the version's YAML files, with the files in also, all or none.

    Return the unknown keys (then nothing is written); a read-only or unwritable file is a ContractError.
    """
    from ..source import yamlwrite

    texts = {t.key: t for t in contract.texts()}
    unknown = [k for k in english if k not in texts or not isinstance(english[k], str)]
    if unknown:
        return unknown  # nothing is written unless every entry can be
    by_file: dict[str, list[Text]] = {}
    for key, value in english.items():
        if key in texts and value.strip():
            by_file.setdefault(at(texts[key]).file, []).append(texts[key])
    _refuse_read_only([root / file for file in sorted(by_file)] + list(also or {}), root)
    edited = {
        root / file: yamlwrite.edited(root / file, _english_setter(items, english))
        for file, items in sorted(by_file.items())
    }
    _refuse_too_large(edited, root)
    try:
        write_all({**edited, **(also or {})})
    except OSError as exc:
        where = re.sub(r"^\.(.*)\.\d+\.tmp$", r"\1", Path(exc.filename or root).name)  # the file, not its temporary
        hint = "free the disk or fix the folder's permissions, then run again; nothing was written"
        raise ContractError(
            [Diagnostic(Pos(where), "error", f"cannot write {where}: {exc.strerror or exc}", hint, "translations")]
        ) from None
    return unknown


def _refuse_too_large(edited: dict[Path, str], root: Path) -> None:
    """Stop before writing a YAML file that the loader would then refuse as too large."""
    from ..source.yamlfile import MAX_BYTES

    large = {f: len(text.encode("utf-8")) for f, text in edited.items() if len(text.encode("utf-8")) > MAX_BYTES}
    if large:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(f.relative_to(root)), 1, 1),
                    "error",
                    f"with this English the file would be {size // 1024} KiB, more than the limit of "
                    f"{MAX_BYTES // 1024} KiB, and could no longer be read",
                    "shorten the English; nothing was written",
                    "translations",
                )
                for f, size in large.items()
            ]
        )


def _refuse_read_only(files: list[Path], root: Path) -> None:
    """Stop before writing when a file to change is marked read-only: someone meant it to stay as it is."""
    locked = [f for f in files if f.exists() and not f.stat().st_mode & 0o222]
    if locked:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(f.relative_to(root) if f.is_relative_to(root) else f), 1, 1),
                    "error",
                    "the file is read-only, so nothing was written",
                    f"make it writable (chmod u+w {f.name}) if it may change, or leave its texts out",
                    "translations",
                )
                for f in locked
            ]
        )


def _set_english(data, items: list[Text], english: dict[str, str]) -> None:
    for text in items:
        node = data
        for step in text.path:
            node = node[step]
        value = re.sub("[ \t\r\n\x85\u2028\u2029]+", " ", english[text.key]).strip()  # keep non-breaking spaces
        if "en" in node:
            node["en"] = value
        else:
            node.insert(list(node.keys()).index("sv") + 1, "en", value)
