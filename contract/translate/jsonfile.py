"""The JSON exchange form: a list of {key, sv, en, ...} objects (keyed by language), for scripts without a CAT tool."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import Diagnostic
from ..inputs import read_file
from ..model import Pos
from .exchange import Incoming, Unit

_SEPARATORS = re.compile(r"[\s,]*")
_HINT = 'give a JSON list of objects with text fields "key", "{0}" and "{1}", as --export writes it'


def write(units: list[Unit], source: str, lang: str) -> str:
    """Return the units as a JSON list; the texts are keyed by their language codes (e.g. "sv" and "en")."""
    items = [
        {
            "key": u.key,
            "file": u.location.rsplit(":", 2)[0],
            "line": _line(u.location),
            "status": u.state,
            source: u.source,
            lang: u.target,
            "note": u.note,
            "glossary": list(u.terms),
        }
        for u in units
    ]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _line(location: str) -> int:
    parts = location.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def read(file: Path, display: str, source: str, lang: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read a JSON exchange file; every item that is not an object with text key, source and lang is a located error."""
    hint = _HINT.format(source, lang)
    try:
        # Bounded, and judged by what was opened: a file swapped for a pipe after the command looked is refused.
        text = read_file(file, "translation file", hint).decode("utf-8-sig")  # a byte order mark is not content
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return [], [_error(Pos(display), f"cannot read the file: {exc}", "give a UTF-8 JSON file")]
    except json.JSONDecodeError as exc:
        return [], [_error(Pos(display, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}", hint)]
    except RecursionError:  # "[[[[..." nested deeper than json reads: no exchange file is
        return [], [_error(Pos(display, 1, 1), "not an exchange file: nested far too deeply", hint)]
    if not isinstance(data, list):
        found = type(data).__name__ if data is not None else "null"
        return [], [_error(Pos(display, 1, 1), f"expected a list of texts, found {found}", hint)]
    items, problems = [], []
    for index, (item, (line, column)) in enumerate(zip(data, _starts(text), strict=True), 1):
        pos = Pos(display, line, column)
        fields = {k: item.get(k) for k in ("key", source, lang)} if isinstance(item, dict) else {}
        wrong = [k for k in ("key", source, lang) if not isinstance(fields.get(k), str)]
        if wrong:
            what = "not an object" if not isinstance(item, dict) else f"{', '.join(wrong)} missing or not text"
            problems.append(_error(pos, f"item {index}: {what}", hint))
            continue
        version = _version(item.get("file"))
        items.append(Incoming(str(fields["key"]), str(fields[source]), str(fields[lang]), pos, version))
    return items, problems


def _starts(text: str) -> list[tuple[int, int]]:
    """Return the line and column where each item of a JSON list starts (json keeps no positions)."""
    decoder, starts = json.JSONDecoder(), list[tuple[int, int]]()
    at = text.index("[") + 1
    while True:
        at = _SEPARATORS.match(text, at).end()  # type: ignore[union-attr]
        if at >= len(text) or text[at] == "]":
            return starts
        starts.append((text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)))
        at = decoder.raw_decode(text, at)[1]


def _version(file: object) -> str:
    """Return the version of an item's "file" (years/VERSION/NAME.yaml, as --export writes it), or ''."""
    parts = file.split("/") if isinstance(file, str) else []
    return parts[1] if len(parts) == 3 and parts[0] == "years" else ""


def _error(pos: Pos, message: str, hint: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, hint, "translation-import")
