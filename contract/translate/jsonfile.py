"""The JSON exchange form: a list of {key, sv, en, ...} objects, for scripts that need no translation tool."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import Diagnostic
from ..model import Pos
from .exchange import Incoming, Unit

_HINT = 'give a JSON list of objects with text fields "key", "sv" and "en", as --export writes it'


def write(units: list[Unit]) -> str:
    """Return the units as a JSON list."""
    items = [
        {
            "key": u.key,
            "file": u.location.rsplit(":", 2)[0],
            "line": _line(u.location),
            "status": u.state,
            "sv": u.sv,
            "en": u.en,
            "note": u.note,
            "glossary": list(u.terms),
        }
        for u in units
    ]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _line(location: str) -> int:
    parts = location.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def read(file: Path, display: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read a JSON exchange file; every item that is not an object with text key, sv and en is a located error."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [_error(Pos(display), f"cannot read the file: {exc}", "give a UTF-8 JSON file")]
    except json.JSONDecodeError as exc:
        return [], [_error(Pos(display, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}", _HINT)]
    if not isinstance(data, list):
        return [], [
            _error(
                Pos(display, 1, 1),
                f"expected a list of texts, found {type(data).__name__ if data is not None else 'null'}",
                _HINT,
            )
        ]
    items, problems = [], []
    for index, item in enumerate(data, 1):
        fields = {k: item.get(k) for k in ("key", "sv", "en")} if isinstance(item, dict) else {}
        wrong = [k for k in ("key", "sv", "en") if not isinstance(fields.get(k), str)]
        if wrong:
            what = "not an object" if not isinstance(item, dict) else f"{', '.join(wrong)} missing or not text"
            problems.append(_error(Pos(display), f"item {index}: {what}", _HINT))
            continue
        items.append(Incoming(str(fields["key"]), str(fields["sv"]), str(fields["en"]), Pos(f"{display} item {index}")))
    return items, problems


def _error(pos: Pos, message: str, hint: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, hint, "translation-import")
