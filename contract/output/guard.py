"""The output folder: which folders a build may replace, one writer at a time, and repair after a kill.

A build replaces its output folder whole, so it writes only into a folder that is absent, empty, or
marked (MARKER) as written by this tool before, and never into the repository, a folder above it,
its sources or a folder holding files tracked by git. A lock file beside the output folder (flock,
released by the operating system when its holder dies, however it dies) lets one build at a time
write it; the holder then repairs what a killed build left and owns the staging folder alone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .. import interrupts
from ..errors import ContractError, Diagnostic, UsageError
from ..model import Pos
from . import faults
from .files import recover, write_atomic

MARKER = ".klimatkontrakt-output"
MARKER_TEXT = "Written by klimatkontrakt (python build.py): the next build replaces this folder whole.\n"
FILES = "files:\n"
# What a marker written before it listed its files may own: what builds and `site --out` wrote then.
LEGACY = (MARKER, "index.html", "sv/", "en/", "downloads/")
# Folders of the repository that hold sources: never an output, even when marked.
SOURCES = ("years", "schema", "contract", ".git", "overrides", "docs_assets", "hooks", "tests", "i18n")
# The files at the repository's top that commands read: a result written under one of these names is read next time.
CONFIGURATION = ("klimatkontrakt.yaml", "glossary.yaml", "mkdocs.yml")
CHOOSE = "choose a folder of its own with --out, e.g. --out site"


def check_folder(root: Path, out: Path, known: bool = False) -> None:
    """Raise UsageError unless out may be replaced whole by a build of the repository at root.

    known: the caller has other proof that it wrote out (a build from before the marker existed).
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    _check_path(out)
    if root.is_relative_to(out):
        _refuse(
            out,
            "the output folder is the repository or a folder above it, and a build replaces its output folder whole",
        )
    _check_sources(root, out)
    outer = next((parent for parent in out.parents if is_marked(parent)), None)
    if outer is not None:
        _refuse(
            out, f"the output folder is inside {outer}, the output folder of another build, which replaces it whole"
        )
    if out.is_relative_to(root / ".cache"):
        _refuse(out, "the output folder is or is inside the repository's .cache/, which holds the build cache")
    if out.is_dir() and os.path.ismount(out):
        _refuse(
            out,
            "the output folder is a mount point, and a build replaces its output folder whole by renaming it",
            f"use a folder inside it, e.g. --out {out / 'site'}",
        )
    if out.exists() and not out.is_dir():
        _refuse(out, "the output path is a file, not a folder")
    tracked = _tracked(out)
    if tracked:
        _refuse(out, f"the output folder holds files tracked by git, e.g. {tracked}")
    if out.is_dir() and not known and not is_marked(out):
        first = next(iter(sorted(p.name for p in out.iterdir())), None)
        if first is not None:
            _refuse(
                out,
                f"the output folder is not empty and was not written by klimatkontrakt (it holds {first!r}); "
                "a build replaces its output folder whole",
                "choose another folder with --out, or empty this one yourself",
            )
    if out.is_dir() and not known and is_marked(out):
        stranger = _stranger(out, owned(out))
        if stranger is not None:
            _refuse(
                out,
                f"the output folder holds {stranger!r}, which klimatkontrakt did not write; "
                "a build replaces its output folder whole",
                "move it out of the folder, or choose another folder with --out",
            )


def is_marked(folder: Path) -> bool:
    """Tell whether folder carries the marker a build writes into its output."""
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def mark(folder: Path, files: Iterable[str]) -> None:
    """Write the marker that lets later builds replace folder, listing what was written there (see _stranger)."""
    listing = "".join(f"{name}\n" for name in sorted(set(files)))
    write_atomic(folder / MARKER, MARKER_TEXT + FILES + listing)  # replaced, never written through a link


def owned(folder: Path) -> set[str]:
    """Return what folder's marker says a build wrote there; a marker from before the list names the usual folders."""
    lines = (folder / MARKER).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    if FILES not in lines:  # before the list, a build wrote exactly MARKER_TEXT; anything else is no build's
        return set(LEGACY) if lines == [MARKER_TEXT] else {MARKER}
    return {line.rstrip("\n") for line in lines[lines.index(FILES) + 1 :]} | {MARKER}


def _stranger(folder: Path, names: set[str]) -> str | None:
    """Return one file or link under folder that names does not cover, or None: what replacing folder would destroy.

    A name ending in / covers a folder, one ending in * every name that starts with the rest.
    """
    prefixes = tuple(name.rstrip("*") for name in names if name.endswith(("/", "*")))
    for top, dirs, files in os.walk(folder):
        base = Path(top).relative_to(folder)
        links = [d for d in dirs if (Path(top) / d).is_symlink()]
        for name in sorted([*files, *links]):
            rel = (base / name).as_posix()
            if rel not in names and not rel.startswith(prefixes):
                return rel
    return None


@contextlib.contextmanager
def claim(
    root: Path, out: Path, wait: bool = True, notice: Callable[[str], None] | None = None, known: bool = False
) -> Iterator[list[str]]:
    """Check out (see check_folder), hold its lock for the block, and repair an interrupted build's leftovers first.

    Yield what the repair did (for notes). A second claim waits, or raises UsageError if not wait.
    """
    out = Path(out).resolve()
    check_root(root)
    check_folder(root, out, known)
    with writing(out.parent):
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = open_lock(out.with_name(f".{out.name}.lock"))
    try:
        _lock(lock, out, wait, notice or (lambda _: None))
        check_folder(root, out, known)  # again: the build waited for may have changed it
        faults.point("locked")
        with writing(out.parent):
            repaired = recover(out)
        yield repaired
    finally:
        os.close(lock)  # closing releases the lock


# What the tool's temporary folders are named (tempfile.TemporaryDirectory's prefix) in the system's temporary folder.
TEMPORARY_PREFIXES = ("kk-", "klimatkontrakt-")


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turn an operating-system error while writing into a located error naming folder (exit 1)."""
    try:
        yield
    except OSError as exc:
        temporary = temporary_write_error(exc, folder)
        if temporary is not None:  # the system's temporary folder failed: another --out cannot help, TMPDIR can
            raise ContractError([temporary]) from exc
        message = f"cannot write the output: {_reason(exc)}"
        hint = f"{_space_hint(exc)}, or choose another folder with --out"
        raise ContractError([Diagnostic(Pos(str(folder)), "error", message, hint, "output-write")]) from exc


def os_error(exc: OSError) -> Diagnostic:
    """Return the diagnostic for an operating-system error: the machine's problem, not the data's or the code's."""
    where = Pos(str(exc.filename)) if exc.filename else None  # no invented position when the system names none
    return temporary_write_error(exc) or Diagnostic(where, "error", exc.strerror or str(exc), _os_hint(exc.errno), "os")


def _os_hint(code: int | None) -> str:
    """Return how to fix an operating-system error."""
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "free some space, or write somewhere else"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "check that the folder can be written, or write somewhere else"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "check the path"
    return ""


def temporary_write_error(exc: OSError, output: Path | None = None) -> Diagnostic | None:
    """Return the error for a write that failed in a folder the tool made in TMPDIR; None for a failure elsewhere."""
    temporary = _temporary_folder(exc.filename, output)
    if temporary is None:
        return None
    message = f"cannot write a temporary file: {_reason(exc)}"
    hint = f"{_space_hint(exc)} there, or set TMPDIR to another folder"
    return Diagnostic(Pos(str(temporary)), "error", message, hint, "output-write")


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)) + (f" ({exc.filename})" if exc.filename else "")


def _space_hint(exc: OSError) -> str:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return "free some space" if full else "check that the folder can be written"


def _temporary_folder(filename: object, output: Path | None) -> Path | None:
    """Return the system's temporary folder (TMPDIR) if filename is in a folder the tool made there, else None."""
    import tempfile

    if not isinstance(filename, str) or not os.path.isabs(filename):
        return None
    temporary = Path(tempfile.gettempdir())
    path = Path(filename)
    if not path.is_relative_to(temporary) or path == temporary:
        return None
    made = temporary / path.relative_to(temporary).parts[0]  # an output may be in /tmp too: only our own folders
    if not made.name.startswith(TEMPORARY_PREFIXES) or (output is not None and Path(output).is_relative_to(made)):
        return None
    return temporary


def refuse_in_the_way(*paths: Path) -> None:
    """Raise ContractError if a link or file has one of the names the build writes beside a language's folder.

    Recovery removes only folders the build made; a link would be written through, and a file is not the build's.
    """
    for path in paths:
        if path.is_symlink() or path.exists():
            message = "a link or file has the name of a folder the build writes here, and the build will not replace it"
            hint = "move it away, or choose another folder with --out"
            raise ContractError([Diagnostic(Pos(str(path)), "error", message, hint, "output-in-the-way")])


def check_root(root: Path) -> None:
    """Raise UsageError unless root is a repository (has years/): a build elsewhere writes into a stranger's folder."""
    years = Path(root) / "years"
    if not years.is_dir() or years.is_symlink():
        message = "this is not a klimatkontrakt repository (it has no years/ folder)"
        hint = "run the command in the repository's top folder, or give it with --root"
        raise UsageError([Diagnostic(Pos(str(root)), "error", message, hint, "output-root")])


def open_lock(
    path: Path, who: str = "build", refused: type[ContractError] = UsageError, code: str = "output-lock"
) -> int:
    """Open (or create) a lock file: a plain file of its own, never a link (symbolic or hard) whose target the lock
    would overwrite, nor a pipe or device."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        message = f"the lock file is a symbolic link, and the {who} would overwrite what it points at"
    else:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
            return fd
        os.close(fd)
        what = "a second name (a hard link) of another file" if stat.S_ISREG(info.st_mode) else "not a plain file"
        message = f"the lock file is {what}, and the {who} would overwrite it"
    hint = f"remove it (it is not the {who}'s), then run again"
    raise refused([Diagnostic(Pos(str(path)), "error", message, hint, code)])


def _lock(fd: int, out: Path, wait: bool, notice: Callable[[str], None]) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        if not wait:
            raise UsageError(
                [
                    Diagnostic(
                        Pos(str(out)),
                        "error",
                        f"another build is writing this output folder (process {holder})",
                        "wait for it to finish, or run again without --no-wait to wait for it",
                        "output-busy",
                    )
                ]
            ) from None
        notice(f"waiting for another build that is writing {out} (process {holder}) to finish")
        _wait_for_lock(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


def _wait_for_lock(fd: int) -> None:
    """Wait until the other build lets go of the lock: tried five times a second, not in one blocking call.

    A Ctrl-C that Python swallowed (contract/interrupts.py) just before a blocking wait would only be seen once the
    other build had finished, or never if that one hangs; between tries, interrupts.check() raises it.
    """
    while True:
        interrupts.check()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.2)  # a signal ends the sleep at once, and its handler raises here


def _tracked(folder: Path) -> str | None:
    """Return one file under folder that git tracks, or None (also outside a git checkout or without git)."""
    if not folder.is_dir():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--", "."], check=False, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    names = result.stdout.split(b"\0") if result.returncode == 0 else []
    return names[0].decode("utf-8", "replace") if names and names[0] else None


# The names a build gives the folders it keeps beside an output while it runs; recovery removes them (files.recover).
_BESIDE = re.compile(r"\.(?P<target>.+)\.(staging|staging-.*|old|old-.*|building|lock)")
NAME_MAX = 255  # bytes in one name, on the file systems the tool runs on
MARGIN = len(".staging-4294967295.")  # what a build adds to the output's name for the folders beside it


def _check_sources(root: Path, out: Path) -> None:
    """Refuse an output among the sources of this repository, or of any repository it is in (another checkout)."""
    for base in dict.fromkeys([root, *(p for p in out.parents if (p / "years").is_dir() and (p / "schema").is_dir())]):
        for name in SOURCES:
            if out.is_relative_to(base / name):
                where = "the repository's" if base == root else f"the repository {base}'s"
                _refuse(out, f"the output folder is or is inside {where} {name}/, which holds sources")


def _check_path(out: Path) -> None:
    """Refuse an output path no folder can have: inside a file, too long a name, or a build's own name beside one."""
    inside = next((parent for parent in out.parents if parent.exists() and not parent.is_dir()), None)
    if inside is not None:
        _refuse(out, f"the output folder would be inside {inside}, which is a file, not a folder")
    if len(os.fsencode(out.name)) + MARGIN > NAME_MAX:
        _refuse(out, f"the output folder's name is too long: at most {NAME_MAX - MARGIN} bytes")
    beside = _BESIDE.fullmatch(out.name)
    if beside is not None:
        _refuse(
            out,
            f"the output folder has the name of a folder a build of {out.with_name(beside['target'])} keeps while it "
            "runs, and the next such build removes it",
        )


def _refuse(out: Path, message: str, hint: str = CHOOSE) -> None:
    raise UsageError([Diagnostic(Pos(str(out)), "error", message, hint, "output-folder")])
