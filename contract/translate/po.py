"""gettext PO exchange files (translate-toolkit): msgctxt is the text key, msgid the Swedish, msgstr the English."""

from __future__ import annotations

from pathlib import Path

from translate.storage import po

from ..errors import Diagnostic
from ..model import Pos
from .exchange import Incoming, Unit


def write(units: list[Unit], version: str, created: str) -> bytes:
    """Return a PO file holding the units; stale English is marked fuzzy, missing English left empty."""
    store = po.pofile()
    store.updateheader(
        add=True,
        Project_Id_Version=f"Klimatkontrakt {version}",
        Language="en",
        POT_Creation_Date=created,
        PO_Revision_Date=created,
        X_Source_Language="sv",
        Content_Type="text/plain; charset=UTF-8",
    )
    for unit in units:
        entry = store.addsourceunit(unit.sv)
        entry.setcontext(unit.key)
        entry.target = unit.en
        entry.addlocation(unit.location.replace(" ", "_"))
        if unit.note:
            entry.addnote(f"Translator's note: {unit.note}", origin="developer")
        for term in unit.terms:
            entry.addnote(f"Glossary: {term}", origin="developer")
        if unit.state == "stale":
            entry.markfuzzy(True)
    return bytes(store)


def read(file: Path, display: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read the entries of a PO file (the header and obsolete entries aside), each located at its msgctxt line."""
    try:
        raw = file.read_bytes()
        store = po.pofile(raw)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return [], [
            _error(
                Pos(display, 1, 1),
                f"not a readable PO file: {exc}",
                "save it again from your translation tool as gettext PO",
            )
        ]
    lines = _context_lines(raw.decode("utf-8", "replace"))
    items, problems = [], []
    for entry in store.units:
        if entry.isheader() or entry.isobsolete():
            continue
        key = entry.getcontext()
        pos = Pos(display, lines.get(key, 0), 1)
        if not key:
            problems.append(
                _error(
                    pos,
                    f"an entry has no msgctxt (the text id): {str(entry.source)[:60]!r}",
                    "keep the msgctxt lines of the exported file",
                )
            )
            continue
        items.append(Incoming(key, str(entry.source or ""), str(entry.target or ""), pos))
    return items, problems


def _context_lines(text: str) -> dict[str, int]:
    """Return the line of each msgctxt (for locating problems; translate-toolkit keeps no line numbers)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith('msgctxt "'):
            lines.setdefault(line[len('msgctxt "') :].rstrip().rstrip('"'), number)
    return lines


def _error(pos: Pos, message: str, hint: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, hint, "translation-import")
