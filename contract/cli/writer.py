"""Where every command's results go: lines and JSON on standard output, files whole or not at all, notes on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..output.files import write_atomic
from ..output.guard import SOURCES, is_marked

# Whether an existing file at the output path may be replaced: True (the command's documented behaviour, for
# outputs made wholly from the repository), False (never: it may be someone's work), or a test of the file.
Replace = bool | Callable[[Path], bool]
NEW_NAME = "give a new file name, or move that file away first"
EARLIER = f"export and diff replace only an earlier result of theirs: {NEW_NAME}"
# Far above any export, redline or PDF: a larger file is not one, and is never read whole.
MAX_RESULT = 256 * 1024 * 1024


def line(text: str = "") -> None:
    """Print one line of a command's result on standard output."""
    print(text)


def note(text: str) -> None:
    """Print what a command did or skipped on standard error, so that standard output stays the result alone."""
    print(text, file=sys.stderr, flush=True)


def as_json(value: Any) -> str:
    """Return a result as JSON text, formatted the same for every command (non-ASCII kept, indented, final newline)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def json_result(value: Any) -> None:
    """Print a result as JSON on standard output."""
    sys.stdout.write(as_json(value))


def result(
    data: str | bytes, output: Path | None, command: str, replace: Replace, detail: str = "", hint: str = NEW_NAME
) -> None:
    """Write a result to standard output, or whole to the file output and say "wrote PATH" on stderr.

    An existing file is replaced only as `replace` allows; otherwise the command stops with a usage error
    before anything is written.
    """
    if output is None:
        text(data)
        return
    refuse_existing(output, command, replace, hint)
    write_atomic(output, data)
    note(f"wrote {output}{f' ({detail})' if detail else ''}")


def refuse_existing(output: Path, command: str, replace: Replace = False, hint: str = NEW_NAME) -> None:
    """Raise UsageError when output is a folder, or a file that `replace` does not allow to be replaced."""
    if output.is_dir() and not output.is_symlink():
        raise UsageError(f"{command}: {output} is a folder", "give the name of a file to write")
    if _build_own(output):
        raise UsageError(
            f"{command}: {output} is in the output folder, lock or cache of a build, which the build replaces whole",
            "write it somewhere else",
        )
    if not (output.exists() or output.is_symlink()):
        return
    if replace is True or (callable(replace) and output.is_file() and not output.is_symlink() and replace(output)):
        return
    what = "is not a file this command may replace" if callable(replace) else "is never overwritten by this command"
    raise UsageError(f"{command}: {output} exists and {what}", hint)


def _build_own(output: Path) -> bool:
    """Whether output is inside a build's marked output folder or cache, or is a build's lock beside its folder."""
    where = output.absolute()
    if any(is_marked(folder) for folder in where.parents) or any(
        folder.name == "build" and folder.parent.name == ".cache" for folder in where.parents
    ):
        return True
    name = where.name
    return (
        name.startswith(".")
        and name.endswith(".lock")
        and (name == ".site.lock" or is_marked(where.parent / name[1:-5]))
    )


def earlier_result(root: Path) -> Callable[[Path], bool]:
    """Return the test of a file export and diff may replace: text or an unsigned PDF, not the repository's own."""

    def test(path: Path) -> bool:
        if path.stat().st_size > MAX_RESULT or _repository_own(root, path):
            return False
        data = path.read_bytes()
        if data.startswith(b"%PDF-"):
            return b"/ByteRange" not in data  # a signature is nobody's to throw away
        try:  # anything else these commands write is UTF-8 text; a Word file or an image is someone's work
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\0" not in data

    return test


def _repository_own(root: Path, path: Path) -> bool:
    """Whether path is in one of the repository's source folders, or a file git tracks."""
    where, top = path.resolve(), Path(root).resolve()
    if any(where.is_relative_to(top / name) for name in SOURCES):
        return True
    try:
        tracked = subprocess.run(
            ["git", "-C", str(where.parent), "ls-files", "--error-unmatch", "--", where.name],
            check=False,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return tracked.returncode == 0


def text(data: str | bytes) -> None:
    """Print a whole result (text, or bytes such as a PDF) on standard output."""
    if isinstance(data, str):
        sys.stdout.write(data)
        return
    sys.stdout.flush()  # bytes go under the text layer: what was printed before must come first
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
