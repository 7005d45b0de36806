"""Reading a command's input file with a bound: never a pipe or a device, never more than a limit into memory."""

from __future__ import annotations

import stat
from pathlib import Path

from .errors import ContractError, Diagnostic
from .model import Pos

# Far above any contract's PDF, Word file or text (the signed 2023 PDF is under 2 MiB): a larger file is not one.
MAX_DOCUMENT = 256 * 1024 * 1024


def check_file(path: Path, what: str, hint: str, limit: int = MAX_DOCUMENT) -> None:
    """Refuse a pipe, a device or a socket (read forever, or without end) and a file larger than limit.

    A missing file or a folder is left to the reader, which names it in its own words.
    """
    try:
        status = path.stat()
    except OSError:
        return
    if stat.S_ISDIR(status.st_mode):
        return
    if not stat.S_ISREG(status.st_mode):
        kind = "pipe" if stat.S_ISFIFO(status.st_mode) else "device or socket"
        raise _error(path, f"this is not a file but a {kind}, which is never read", hint, "not-a-file")
    if status.st_size > limit:
        raise _error(path, f"the {what} is {status.st_size // 2**20} MiB, {_more(limit)}", hint, "too-large")


def read_file(path: Path, what: str, hint: str, limit: int = MAX_DOCUMENT, missing: str = "check the path") -> bytes:
    """Return the bytes of a regular file of at most limit bytes, or raise a located error (never read past it).

    hint says what to give instead of a file that is not one or too large; missing, instead of one that cannot be read.
    """
    check_file(path, what, hint, limit)
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # a file growing meanwhile still stops here
    except OSError as exc:
        raise _error(path, f"cannot read the file: {exc.strerror}", missing, "io") from None
    if len(data) > limit:
        raise _error(path, f"the {what} is {_more(limit)}", hint, "too-large")
    return data


def _more(limit: int) -> str:
    return f"more than the {limit // 2**20} MiB of any contract document"


def _error(path: Path, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(str(path)), "error", message, hint, code)])
