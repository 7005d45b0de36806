"""Translation tracking: which source text each translation translates, per language, kept in translations.lock."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ContractError, Diagnostic, excerpt
from ..ids import TextKey
from ..model import Contract, Pos, Text
from ..output.files import write_all, write_atomic

LOCK_NAME = "translations.lock"
_HEADER = (
    "# Which source text each translation translates: LANG KEY SOURCE-HASH TRANSLATION-HASH.\n"
    "# Written by `klimatkontrakt translations YEAR --confirm KEY` or `--all-current`; do not edit by hand.\n"
)
_QUOTES = str.maketrans({"”": '"', "“": '"', "„": '"', "’": "'", "‘": "'", "\u00a0": " ", "\u202f": " "})
_HASH = re.compile(r"^[0-9a-f]{12}$")
_CODE = re.compile(r"^[a-z]{2,3}$")


# The translation hash of a lock entry whose translation the translation memory filled in: stale until confirmed.
TO_REVIEW = "to-review"


@dataclass(frozen=True)
class Entry:
    """The hashes of a confirmed pair: the source text and its translation (or TO_REVIEW)."""

    source: str
    target: str


Lock = dict[tuple[str, str], Entry]  # (language, text key) -> the pair last confirmed current


def fingerprint(text: str) -> str:
    """Return a short hash of a text after normalising Unicode, quotes and whitespace."""
    normal = " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def read_lock(folder: Path) -> Lock:
    """Read a version's translations.lock (empty when there is none); a malformed line is a located error."""
    file = folder / LOCK_NAME
    if not file.exists():
        return {}
    where = f"{folder.parent.name}/{folder.name}/{LOCK_NAME}"
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
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
    return parse_lock(text, where)


def parse_lock(text: str, where: str) -> Lock:
    """Parse the text of a translations.lock; every malformed line is reported at once (ContractError)."""
    entries: Lock = {}
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        problem = _line_problem(line.split(), entries)
        if problem:
            hint = f"restore it from git (git checkout -- {where}), or confirm again: klimatkontrakt translations"
            problems.append(Diagnostic(Pos(where, number, 1), "error", problem, hint, "translations"))
        else:
            lang, key, source, target = line.split()
            entries[(lang, key)] = Entry(source, target)
    if problems:
        raise ContractError(problems)
    return entries


def _line_problem(parts: list[str], seen: Lock) -> str | None:
    """Return what is wrong with one line of a translations.lock, or None."""
    if len(parts) == 3 and _HASH.match(parts[1]):
        return "a line of the old three-column format (KEY SOURCE-HASH TRANSLATION-HASH): the language is missing"
    if len(parts) != 4:
        return f"expected 4 columns (LANG KEY SOURCE-HASH TRANSLATION-HASH), found {len(parts)}"
    lang, key, source, target = parts
    if not _CODE.match(lang):
        return f"{excerpt(lang)} is not a language code (two or three lower-case letters)"
    if not _HASH.match(source) or not (_HASH.match(target) or target == TO_REVIEW):
        return "a hash is not 12 hexadecimal digits"
    if (lang, key) in seen:
        return f"{lang} {excerpt(key)} is recorded twice"
    return None


def migrate_lock_text(text: str, lang: str = "en") -> str:
    """Return an old three-column translations.lock (one translation language) in the per-language format."""
    entries = {(lang, p[0]): Entry(p[1], p[2]) for p in (line.split() for line in text.splitlines()) if len(p) == 3}
    return lock_text(entries)


def write_lock(folder: Path, entries: Lock) -> None:
    """Write translations.lock sorted by language and key, atomically."""
    write_atomic(folder / LOCK_NAME, lock_text(entries))


def lock_text(entries: Lock) -> str:
    """Return the text of a translations.lock holding the entries, sorted by language and key."""
    return _HEADER + "".join(f"{lang} {key} {e.source} {e.target}\n" for (lang, key), e in sorted(entries.items()))


def pairs_of(lock: Lock) -> set[tuple[str, str, str]]:
    """Return the confirmed (language, source hash, translation hash) triples of a lock."""
    return {(lang, e.source, e.target) for (lang, _), e in lock.items()}


def status(text: Text, lang: str, lock: Lock, pairs: set[tuple[str, str, str]]) -> str:
    """Return current, stale or missing for one text's translation into one language."""
    target = text.get(lang)
    if target is None:
        return "missing"
    source, translated = fingerprint(text.source), fingerprint(target)
    entry = lock.get((lang, text.key))
    if entry is not None and entry.target == TO_REVIEW:
        return "stale"
    # A confirmed pair is current wherever it now stands; a translation edited against the same source too.
    if (lang, source, translated) in pairs or (entry is not None and entry.source == source):
        return "current"
    return "stale"


def apply(text: Text, lock: Lock, pairs: set[tuple[str, str, str]]) -> Text:
    """Return the text with the status of each of its translations set from the lock."""
    for lang in text.languages:
        found = text.translation(lang)
        text = text.with_translation(lang, replace(found, status=status(text, lang, lock, pairs)))
    return text


def confirm(contract: Contract, lock: Lock, keys: list[str] | None, lang: str) -> tuple[Lock, list[str]]:
    """Record one language's translation of the given keys (all translated when None) as current.

    Return the new lock and the unknown keys; entries of other languages are kept.
    """
    texts = {t.key: t for t in contract.texts()}
    chosen = [k for k in texts if texts[k].get(lang) is not None] if keys is None else keys
    unknown = [k for k in chosen if k not in texts or texts[k].get(lang) is None]
    fresh = {(code, k): e for (code, k), e in lock.items() if k in texts}
    for key in chosen:
        if key not in unknown:
            fresh[(lang, key)] = Entry(fingerprint(texts[key].source), fingerprint(texts[key].get(lang) or ""))
    return fresh, unknown


def group_of(key: str, contract: Contract) -> str:
    """Return the section group a text key belongs to (meta, preamble, annex or a section group)."""
    parsed = TextKey.parse(key)
    if parsed.owner in ("preamble", "annex"):
        return parsed.owner
    if parsed.owner == "fn":
        section = next((s for s in contract.walk() if any(n.id == parsed.part for n in s.footnotes)), None)
        return section.group if section else "contract"
    section = contract.section(parsed.section) if parsed.section else None
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


def at(text: Text, lang: str | None = None) -> Pos:
    """Return where a loaded text's source (or one language's text) sits; a text built in code has only its key."""
    pos = text.at(lang or text.lang)
    return pos if pos is not None else Pos(text.key)


def _setter(items: list[Text], lang: str, values: dict[str, str]) -> Callable[[Any], None]:
    """Return the edit that writes these texts' translations into a parsed YAML file."""
    return lambda data: _set_translation(data, items, lang, values)


def coverage(contract: Contract, lang: str) -> Coverage:
    """Count one language's current translations per group and list the missing and stale ones."""
    groups: dict[str, list[int]] = {}
    missing: list[Text] = []
    stale: list[Text] = []
    for text in contract.texts():
        counts = groups.setdefault(group_of(text.key, contract), [0, 0])
        counts[1] += 1
        state = text.status(lang)
        counts[0] += state == "current"
        (missing if state == "missing" else stale if state == "stale" else []).append(text)
    return Coverage({g: (c[0], c[1]) for g, c in groups.items()}, missing, stale)


def work_items(contract: Contract, lang: str, everything: bool = False) -> list[dict[str, object]]:
    """Return the texts a translator into lang should work on (all with everything=True), for --export."""
    return [
        {
            "key": t.key,
            "file": at(t).file,
            "line": at(t).line,
            "status": t.status(lang),
            t.lang: t.source,
            lang: t.get(lang) or "",
        }
        for t in contract.texts()
        if everything or t.status(lang) != "current"
    ]


def write_translation(
    root: Path, contract: Contract, lang: str, values: dict[str, str], also: dict[Path, str] | None = None
) -> list[str]:
    """Write one language's texts (key -> text) into the version's YAML files, with the files in also, all or none.

    Return the unknown keys (then nothing is written); a read-only or unwritable file is a ContractError.
    """
    from ..source import yamlwrite

    texts = {t.key: t for t in contract.texts()}
    unknown = [k for k in values if k not in texts or not isinstance(values[k], str)]
    if unknown:
        return unknown  # nothing is written unless every entry can be
    by_file: dict[str, list[Text]] = {}
    for key, value in values.items():
        if key in texts and value.strip():
            by_file.setdefault(at(texts[key]).file, []).append(texts[key])  # the source's file: the text's mapping
    _refuse_read_only([root / file for file in sorted(by_file)] + list(also or {}), root)
    edited = {
        root / file: yamlwrite.edited(root / file, _setter(items, lang, values))
        for file, items in sorted(by_file.items())
    }
    _refuse_too_large(edited, root, lang)
    try:
        write_all({**edited, **(also or {})})
    except OSError as exc:
        where = re.sub(r"^\.(.*)\.\d+\.tmp$", r"\1", Path(exc.filename or root).name)  # the file, not its temporary
        hint = "free the disk or fix the folder's permissions, then run again; nothing was written"
        raise ContractError(
            [Diagnostic(Pos(where), "error", f"cannot write {where}: {exc.strerror or exc}", hint, "translations")]
        ) from None
    return unknown


def _refuse_too_large(edited: dict[Path, str], root: Path, lang: str) -> None:
    """Stop before writing a YAML file that the loader would then refuse as too large."""
    from ..source.languages import language_name
    from ..source.yamlfile import MAX_BYTES

    large = {f: len(text.encode("utf-8")) for f, text in edited.items() if len(text.encode("utf-8")) > MAX_BYTES}
    if large:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(f.relative_to(root)), 1, 1),
                    "error",
                    f"with this {language_name(lang)} the file would be {size // 1024} KiB, more than the limit of "
                    f"{MAX_BYTES // 1024} KiB, and could no longer be read",
                    f"shorten the {language_name(lang)}; nothing was written",
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


def _set_translation(data: Any, items: list[Text], lang: str, values: dict[str, str]) -> None:
    for text in items:
        node = data
        for step in text.path:
            node = node[step]
        value = re.sub("[ \t\r\n\x85\u2028\u2029]+", " ", values[text.key]).strip()  # keep non-breaking spaces
        if lang in node:
            node[lang] = value
        else:  # after the source and the translations already there, before the notes
            keys = list(node.keys())
            last = max(i for i, k in enumerate(keys) if not str(k).startswith("note_"))
            node.insert(last + 1, lang, value)
