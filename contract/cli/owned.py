"""Which existing file a command may replace with -o: an earlier result of the same command and format, by content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..output import marks
from ..output.guard import SOURCES

# Far above any export, redline or PDF: a larger file is not one, and is never read whole.
MAX_RESULT = 256 * 1024 * 1024


def earlier_result(root: Path, command: str, fmt: str) -> Callable[[Path], bool]:
    """Return the test of a file `command --format fmt` may replace: what that command wrote, not the repository's.

    Each format is recognised by what only the command writes (a JSON format field, the mark of output/marks.py,
    PDF keywords), so a translator's .po, a Word file, a README, a person's notes or another format's result is
    never taken for one.
    """

    def test(path: Path) -> bool:
        if path.stat().st_size > MAX_RESULT or _repository_own(root, path):
            return False
        data = path.read_bytes()
        if data.startswith(b"%PDF-"):
            return fmt == "pdf" and _unsigned_redline_pdf(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return fmt != "pdf" and "\0" not in text and _recogniser(command, fmt)(text)

    return test


def _recogniser(command: str, fmt: str) -> Callable[[str], bool]:
    """Return how to recognise a text result of command in format fmt: by the format field, or by its mark."""
    if fmt == "json":
        return _json_format("klimatkontrakt-export/1" if command == "export" else "klimatkontrakt-changeset/1")
    return lambda text: marks.is_marked(text, command, fmt)


def _json_format(name: str) -> Callable[[str], bool]:
    def test(text: str) -> bool:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than json reads
            return False
        return isinstance(value, dict) and value.get("format") == name

    return test


def _unsigned_redline_pdf(data: bytes) -> bool:
    """Whether a PDF is a redline this command made (its keywords say so) that nobody signed or annotated since."""
    if b"/ByteRange" in data:  # a signature is nobody's to throw away
        return False
    from ..pdf import meta  # pypdf loads slowly: only for a PDF

    return "redline" in meta.facts(data) and not meta.annotated(data)  # a reviewer's comments are theirs


def _repository_own(root: Path, path: Path) -> bool:
    """Whether path is in one of the repository's source folders (a file git tracks is refused before any test)."""
    where, top = path.resolve(), Path(root).resolve()
    return any(where.is_relative_to(top / name) for name in SOURCES)
