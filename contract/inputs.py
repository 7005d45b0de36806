"""Reading a command's input file with a bound: never for ever, never more than a limit into memory, never a pipe
or a device unless the command reads one on purpose (`verify <(…)`)."""

from __future__ import annotations

import errno
import os
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
        data = read_bounded(path, limit)
    except NotAFile as exc:  # swapped for a pipe or a device since check_file looked
        raise _error(path, f"this is not a file but a {exc.kind}, which is never read", hint, "not-a-file") from None
    except OSError as exc:
        raise _error(path, f"cannot read the file: {exc.strerror}", missing, "io") from None
    if len(data) > limit:
        raise _error(path, f"the {what} is {_more(limit)}", hint, "too-large")
    return data


class NotAFile(Exception):
    """Not a regular file; kind says what: pipe, terminal, socket, device or socket, pipe nobody writes to."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def read_bounded(path: Path, limit: int, pipes: bool = False) -> bytes:
    """Return at most limit + 1 bytes of path; raise NotAFile or OSError. Waits only for a pipe's writer (pipes).

    Opened without waiting (opening a pipe nobody writes to waits for a writer) and judged by what was opened, not
    by a look before (the path may have been swapped since). A regular file is read without waiting too, so one
    whose reading never ends (the kernel's log, /proc/kmsg) is an error, not a hang. With pipes, a pipe is read as
    well (`verify <(…)`), up to the bound, but a pipe nobody writes to is refused; a device or a terminal never is.
    A pipe whose writer is there but has not written yet is waited for, as cat waits: a slow producer writes late.
    """
    try:
        # O_NOCTTY: a terminal opened by a process that has none would become its controlling terminal
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:  # a socket, or /dev/tty with no terminal to stand for, cannot be opened at all (ENXIO)
        mode = os.stat(path).st_mode if exc.errno == errno.ENXIO else 0
        if stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise NotAFile("socket" if stat.S_ISSOCK(mode) else "device or socket") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        chunks: list[bytes] = []
        if not stat.S_ISREG(mode):
            kind = "pipe" if stat.S_ISFIFO(mode) else "terminal" if os.isatty(fd) else "device or socket"
            if not pipes or kind != "pipe":  # a terminal is read until someone types Ctrl-D: a wait, not a PDF
                raise NotAFile(kind)
            try:
                first = os.read(fd, limit + 1)
            except BlockingIOError:  # a writer that has written nothing yet: wait for it below
                first = None
            if first == b"":
                raise NotAFile("pipe nobody writes to")
            chunks += [first] if first else []
            os.set_blocking(fd, True)
        size = sum(map(len, chunks))
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))  # a file growing meanwhile still stops here
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _more(limit: int) -> str:
    return f"more than the {limit // 2**20} MiB of any contract document"


def _error(path: Path, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(str(path)), "error", message, hint, code)])
