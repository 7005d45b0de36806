"""Where every command's results go: lines and JSON on standard output, files whole or not at all, notes on stderr."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..output.files import drop_temporaries_of, write_atomic
from ..output.guard import CONFIGURATION, SOURCES, is_marked
from ..output.tracked import in_git_folder, keeper
from .owned import earlier_result as earlier_result  # the commands' test of what -o may replace

# Whether an existing file at the output path may be replaced: True (the command's documented behaviour, for
# outputs made wholly from the repository), False (never: it may be someone's work), or a test of the file.
Replace = bool | Callable[[Path], bool]
NEW_NAME = "give a new file name, or move that file away first"
EARLIER = f"export and diff replace only an earlier result of theirs in the same format: {NEW_NAME}"


def line(text: str = "") -> None:
    """Print one line of a command's result on standard output."""
    print(text)


def report(text: str) -> None:
    """Print what a command did whose work is in its files (build): a reader gone, or none at all, loses nothing."""
    if isinstance(sys.stdout, _Missing):  # started without standard output, as a service may be
        return
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `build | head -0`: the site is built all the same
        closed_output()


def note(text: str) -> None:
    """Print what a command did or skipped on standard error, so that standard output stays the result alone."""
    print(text, file=sys.stderr, flush=True)


def interrupted() -> None:
    """Say "interrupted" on standard error. None there (`2>&-`), or a pipe whose reader is gone: the exit code (130,
    143) says it alone; never on standard output, and never a second fault that would change that code."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            print("interrupted", file=sys.stderr, flush=True)


def _lost(*_: object) -> int:
    """Refuse a write as a pipe without a reader does: the result is lost."""
    raise BrokenPipeError(errno.EPIPE, "standard output is closed")


class _MissingBytes(io.BufferedIOBase):
    """The bytes under a missing standard output (a PDF printed by pdf without -o): writes fail alike."""

    def writable(self) -> bool:
        """Say it takes bytes, as a standard output does, so that the write is what fails."""
        return True

    write = _lost


class _Missing(io.TextIOBase):
    """The standard output of a command started without one (`cmd >&-`): every write fails as into a closed pipe."""

    buffer = _MissingBytes()

    def writable(self) -> bool:
        """Say it takes text, as a standard output does, so that the write is what fails."""
        return True

    write = _lost


def missing_output() -> None:
    """Give a command started without standard output (sys.stdout None) one that fails as a closed pipe does.

    Python leaves sys.stdout None then, and the command's first print or flush would end in an AttributeError: this
    way the result lost is answered where a closed pipe is, quietly with SIGPIPE's 141, never as success.
    """
    if sys.stdout is None:
        sys.stdout = _Missing()
    if sys.stderr is None:  # `cmd 2>&-`: notes are for a reader, and none is there; the result still counts
        sys.stderr = open(os.devnull, "w", encoding="utf-8")


def closed_output() -> int:
    """Send what is left for standard output to the null device after its reader stopped; return SIGPIPE's exit code.

    The result was cut short, so the code is never success: the 141 of a command a closed pipe stops (`set -o
    pipefail` then fails), printed quietly as such commands are. The null device spares Python's last flush at exit.
    """
    with contextlib.suppress(OSError, ValueError):  # a standard output that is no file (in-process callers)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)
    return 128 + getattr(signal, "SIGPIPE", 13)  # 13 is SIGPIPE's number where Python does not define it (Windows)


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
    for name in drop_temporaries_of(output):  # what a killed run (kill -9, power cut) of this output left there
        note(f"removed {output.parent / name}, left by an interrupted run")
    write_atomic(output, data, parents=False)  # the folder was checked: never make one, even if it went meanwhile
    note(f"wrote {output}{f' ({detail})' if detail else ''}")


def refuse_existing(output: Path, command: str, replace: Replace = False, hint: str = NEW_NAME) -> None:
    """Raise UsageError when output is a folder, in a missing folder, or a file `replace` does not allow replaced."""
    if str(output) == "-":  # by Unix habit "standard output", which a file named "-" in the working folder is not
        raise UsageError(
            f"{command}: '-' is not taken for standard output here and would be a file named '-'",
            "leave out the option to print the result on standard output, or give a file name",
        )
    if output.is_dir() and not output.is_symlink():
        raise UsageError(f"{command}: {output} is a folder", "give the name of a file to write")
    _refuse_missing_folder(output, command)
    refuse_build_own(output, command)
    refuse_git_own(output, command)
    if not (output.exists() or output.is_symlink()):
        return
    refuse_tracked(output, command)
    if replace is True or (callable(replace) and output.is_file() and not output.is_symlink() and replace(output)):
        return
    what = "is not a file this command may replace" if callable(replace) else "is never overwritten by this command"
    raise UsageError(f"{command}: {output} exists and {what}", hint)


def refuse_git_own(output: Path, command: str) -> None:
    """Raise UsageError when output is in a .git folder: git's hooks, config and index are nobody's output."""
    folder = in_git_folder(output)
    if folder is not None:
        raise UsageError(
            f"{command}: {output} is inside {folder}, which holds git's own files", "write it somewhere else"
        )


def refuse_tracked(output: Path, command: str) -> None:
    """Raise UsageError when git tracks output (in any repository it lies in): it is never replaced, edited or not."""
    kept = keeper(output)
    if kept is None:
        return
    why = f"git could not tell whether it tracks it ({kept.unknown})" if kept.unknown else "git tracks it"
    raise UsageError(
        f"{command}: {output} exists and {why} in the repository {kept.repository}, so it is never replaced",
        "choose another name for the output (a file git does not track)",
    )


def refuse_build_own(output: Path, command: str) -> None:
    """Raise UsageError when output is in a build's output folder or cache, or is its lock: the build owns them."""
    if _build_own(output):
        raise UsageError(
            f"{command}: {output} is in the output folder, lock or cache of a build, which the build replaces whole",
            "write it somewhere else",
        )


def refuse_source(root: Path, output: Path, command: str) -> None:
    """Raise UsageError when output is in one of the repository's source folders (years/, ...) or is its configuration.

    A result written there becomes part of the contract's sources: a .yaml in a version folder fails every later
    validation and build, and a signed version's folder must hold only what was signed.
    """
    where, top = output.absolute().parent.resolve(), Path(root).resolve()
    inside = next((name for name in SOURCES if where.is_relative_to(top / name)), None)
    if inside is not None:
        raise UsageError(
            f"{command}: {output} is inside the repository's {inside}/, which holds its sources",
            "write it somewhere else, e.g. a folder of your own outside the repository",
        )
    if where == top and output.name in CONFIGURATION:  # absent (the defaults apply), it would be read next time
        raise UsageError(
            f"{command}: {output} is the name of the repository's {output.name}, which every command reads",
            "write it somewhere else, e.g. a folder of your own outside the repository",
        )


def _refuse_missing_folder(output: Path, command: str) -> None:
    """Refuse to write into a folder that does not exist: the one rule for every file named by -o or --export.

    Making it would be friendlier only when the name is right. The users are civil servants typing paths: a typo
    (Dokumnet/ for Dokument/) would silently make a new folder and put the contract where nobody looks for it,
    while an error naming the missing folder costs one retry and loses nothing. (import --out and build --out
    name a folder the command makes whole, such as years/2022 in a repository without years/ yet: not this rule.)
    """
    folder = output.parent
    if folder.is_dir():
        return
    what = "is a file, not a folder" if folder.exists() else "does not exist"
    raise UsageError(f"{command}: the folder {folder} {what}", "create it first, or give another path")


def _build_own(output: Path) -> bool:
    """Whether output is inside a build's marked output folder or cache, or is a build's lock beside its folder."""
    # Both as named and with its folder's links resolved: a link to site/downloads/ must not reach into the build.
    return any(_in_build(where) for where in {output.absolute(), output.absolute().parent.resolve() / output.name})


def _in_build(where: Path) -> bool:
    """Whether the path where lies in a marked output folder or a build cache, or is a build's lock."""
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


def text(data: str | bytes) -> None:
    """Print a whole result (text, or bytes such as a PDF) on standard output."""
    if isinstance(data, str):
        sys.stdout.write(data)
        return
    sys.stdout.flush()  # bytes go under the text layer: what was printed before must come first
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
