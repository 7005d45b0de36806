"""The mark on a command's text result: what lets -o later replace that file, and only while nobody edited it.

Markdown and HTML carry it as a first-line comment, which renders to nothing; plain text as its last line.
It names the command, the format and the language, with a hash of the rest, so a file a person wrote (or an
earlier result a person edited since) never passes for one.
"""

from __future__ import annotations

import hashlib
import re

COMMENTED = ("markdown", "md", "html")  # formats with comments: the mark is a first-line comment there
_WORD = re.compile(r"[a-z]+")  # commands, formats and language codes: nothing that could end a comment


def mark(body: str, command: str, fmt: str, lang: str) -> str:
    """Return body with the mark of command's result in format fmt and language lang."""
    if not all(_WORD.fullmatch(word) for word in (command, fmt, lang)):
        raise ValueError(f"not a word fit for a mark: {command!r} {fmt!r} {lang!r}")
    line = f"klimatkontrakt {command} {fmt} {lang} sha256:{_digest(body)}"
    return f"<!-- {line} -->\n{body}" if fmt in COMMENTED else f"{body}\n{line}\n"


def is_marked(text: str, command: str, fmt: str) -> bool:
    """Whether text is, unedited, a result of command in format fmt (any language) with its mark."""
    if fmt in COMMENTED:
        line, newline, body = text.partition("\n")
        found = re.fullmatch(rf"<!-- klimatkontrakt {command} {fmt} [a-z]+ sha256:([0-9a-f]{{16}}) -->", line)
    else:
        body, newline, line = text.removesuffix("\n").rpartition("\n")
        found = re.fullmatch(rf"klimatkontrakt {command} {fmt} [a-z]+ sha256:([0-9a-f]{{16}})", line)
        newline = newline if text.endswith("\n") else ""
    return found is not None and newline == "\n" and found[1] == _digest(body)


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
