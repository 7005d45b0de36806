"""gettext PO exchange files (translate-toolkit): msgctxt is the text key, msgid the Swedish, msgstr the English."""

from __future__ import annotations

import re
from pathlib import Path

from translate.storage import po

from ..errors import Diagnostic
from ..inputs import read_file
from ..model import Pos
from ..source.languages import language_name
from .exchange import Incoming, Unit, is_language


def write(units: list[Unit], version: str, created: str, source: str, lang: str) -> bytes:
    """Return a PO file holding the units; a stale translation is marked fuzzy, a missing one left empty."""
    store = po.pofile()
    store.updateheader(
        add=True,
        Project_Id_Version=f"Klimatkontrakt {version}",
        Language=lang,
        POT_Creation_Date=created,
        PO_Revision_Date=created,
        X_Source_Language=source,
        Content_Type="text/plain; charset=UTF-8",
    )
    for unit in units:
        entry = store.addsourceunit(unit.source)
        entry.setcontext(unit.key)
        entry.target = unit.target
        entry.addlocation(unit.location.replace(" ", "_"))
        if unit.note:
            entry.addnote(f"Translator's note: {unit.note}", origin="developer")
        for term in unit.terms:
            entry.addnote(f"Glossary: {term}", origin="developer")
        if unit.state == "stale":
            entry.markfuzzy(True)
    return bytes(store)


def read(file: Path, display: str, lang: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read the entries of a PO file (the header and obsolete entries aside), each located at its first line."""
    parsed = _parse(file, display)
    if isinstance(parsed, Diagnostic):
        return [], [parsed]
    raw, store = parsed
    language = str(store.parseheader().get("Language", "") or lang)
    if not is_language(language, lang):
        lines = raw.decode("utf-8", "replace").splitlines()
        at = next((n for n, text in enumerate(lines, 1) if text.startswith('"Language:')), 1)
        return [], [
            _error(
                Pos(display, at, 1),
                f"the file's target language is {language!r}, not {language_name(lang)}",
                f"import the {language_name(lang)} translation (Language: {lang}), or give --lang; nothing was written",
            )
        ]
    return _entries(store, raw, display)


def _parse(file: Path, display: str) -> tuple[bytes, po.pofile] | Diagnostic:
    """Return the file's bytes (as UTF-8) and translate-toolkit's store of them, or why it cannot be read."""
    try:
        raw = read_file(file, "translation file", "give the file your translation tool saved")  # bounded
        if not raw.strip():
            return _error(Pos(display, 1, 1), "the file is empty", "save it again from your translation tool")
        raw = _as_utf8(raw, display)
        return raw, po.pofile(raw)
    except _NotInCharset as exc:
        return exc.diagnostic
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        found = re.search(r"on line (\d+)", str(exc))  # translate-toolkit names the line only in its message
        pos = Pos(display, int(found.group(1)) if found else 1, 1)
        return _error(pos, f"not a readable PO file: {exc}", "save it again from your translation tool as gettext PO")


def _entries(store: po.pofile, raw: bytes, display: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Return the file's translations, each at its entry's first line, and the entries that cannot be one."""
    project = str(store.parseheader().get("Project-Id-Version", "")).split()
    # Poedit lets the translator edit the project name ("Klimatkontrakt 2023 EN"): the version is the word after it.
    version = project[1] if len(project) > 1 and project[0] == "Klimatkontrakt" else ""
    entries = [entry for entry in store.units if not entry.isobsolete()]
    starts = _entry_lines(raw.decode("utf-8", "replace"))
    numbers = starts if len(starts) == len(entries) else [0] * len(entries)  # translate-toolkit keeps no line numbers
    items, problems = [], []
    for entry, line in zip(entries, numbers, strict=True):
        if entry.isheader():
            continue
        key, pos = entry.getcontext(), Pos(display, line, 1)
        if not key:
            message = f"an entry has no msgctxt (the text id): {str(entry.source)[:60]!r}"
            problems.append(_error(pos, message, "keep the msgctxt lines of the exported file"))
        elif entry.hasplural():
            message = f"the entry {key!r} has plural forms (msgid_plural), which a contract text never has"
            problems.append(_error(pos, message, "keep one msgid and one msgstr, as exported; nothing was written"))
        else:
            items.append(Incoming(key, str(entry.source or ""), str(entry.target or ""), pos, version, entry.isfuzzy()))
    return items, problems


class _NotInCharset(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")


def _as_utf8(raw: bytes, display: str) -> bytes:
    """Return a PO file as UTF-8 (all translate-toolkit reads): gettext allows any charset its header declares."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16").encode("utf-8")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # Notepad's byte order mark: no part of the first entry's line
    found = _CHARSET.search(raw)
    charset = found.group(1).decode("ascii") if found else "UTF-8"
    try:
        text = raw.decode(charset)
    except LookupError:
        raise _NotInCharset(
            _error(
                Pos(display, raw[: found.start()].count(b"\n") + 1 if found else 1, 1),
                f"unknown charset {charset!r} in the header",
                "save the file as UTF-8",
            )
        ) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _NotInCharset(
            _error(
                Pos(display, line, 1),
                f"the file is not in its declared charset {charset} (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ) from None
    return (_CHARSET.sub(b"charset=UTF-8", text.encode("utf-8"), count=1)) if found else text.encode("utf-8")


def _entry_lines(text: str) -> list[int]:
    """Return the first line (msgctxt, else msgid) of every entry that is not obsolete, in the file's order."""
    starts, context = [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("msgctxt "):
            context = number
        elif line.startswith("msgid "):
            starts.append(context or number)
            context = 0
    return starts


def _error(pos: Pos, message: str, hint: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, hint, "translation-import")
