"""Which existing file a command may replace with -o: an earlier result of the same command and format, by content."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import ContractError
from ..output.guard import SOURCES
from ..render import markdown as md
from ..render.labels import catalogue
from ..source.languages import load_languages

# Far above any export, redline or PDF: a larger file is not one, and is never read whole.
MAX_RESULT = 256 * 1024 * 1024
_FIELD = re.compile(r"\{(?:old|new)\}")


def earlier_result(root: Path, command: str, fmt: str) -> Callable[[Path], bool]:
    """Return the test of a file `command --format fmt` may replace: what that command wrote, not the repository's.

    Each format is recognised by what it starts with (a format field, a heading only it writes, PDF keywords), so
    a translator's .po, a Word file, a README or another format's result is never taken for one.
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
        return fmt != "pdf" and "\0" not in text and _recogniser(root, command, fmt)(text)

    return test


def _recogniser(root: Path, command: str, fmt: str) -> Callable[[str], bool]:
    """Return how to recognise a text result of command in format fmt."""
    if fmt == "json":
        return _json_format("klimatkontrakt-export/1" if command == "export" else "klimatkontrakt-changeset/1")
    if command == "export":  # Markdown: the title, then the version line to_markdown writes
        return lambda text: re.match(r"# [^\n]+\n\nVERSION [^\n]+\n", text) is not None
    if fmt == "html":
        return lambda text: re.match(r'<section class="redline" lang="[^"\n]+" aria-labelledby="redline-title">\n'
                                     r'<h2 id="redline-title">', text) is not None  # fmt: skip
    titles = _titles(root, md.escape if fmt == "md" else str)
    if fmt == "md":
        return lambda text: any(re.match(f"## {title}\n", text) for title in titles)
    return lambda text: any(_underlined(text, title) for title in titles)


def _json_format(name: str) -> Callable[[str], bool]:
    def test(text: str) -> bool:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than json reads
            return False
        return isinstance(value, dict) and value.get("format") == name

    return test


def _titles(root: Path, escape: Callable[[str], str]) -> list[str]:
    """Return patterns of a redline's title in each of the repository's languages (any versions compared)."""
    try:
        langs = load_languages(root).all
    except ContractError:  # diff may compare a bare repository's versions: the package's languages then
        langs = ("sv", "en")
    patterns = []
    for lang in langs:
        template = catalogue(lang).get("redline_between", "")
        if "{old}" in template and "{new}" in template:
            patterns.append(".+".join(re.escape(escape(part)) for part in _FIELD.split(template)))
    return patterns


def _underlined(text: str, title: str) -> bool:
    """Whether text starts with a title matching the pattern, underlined with as many "=" (as to_text writes it)."""
    head, _, rest = text.partition("\n")
    return re.fullmatch(title, head) is not None and rest.startswith("=" * len(head) + "\n")


def _unsigned_redline_pdf(data: bytes) -> bool:
    """Whether a PDF is a redline this command made (its keywords say so) that nobody signed since."""
    if b"/ByteRange" in data:  # a signature is nobody's to throw away
        return False
    from ..pdf import meta  # pypdf loads slowly: only for a PDF

    return "redline" in meta.facts(data)


def _repository_own(root: Path, path: Path) -> bool:
    """Whether path is in one of the repository's source folders (a file git tracks is refused before any test)."""
    where, top = path.resolve(), Path(root).resolve()
    return any(where.is_relative_to(top / name) for name in SOURCES)
