"""The site's own files (docs_assets/): checked before MkDocs copies and reads them, so a problem is named plainly.

MkDocs copies every file there into the site and reads each Markdown page as UTF-8 text. A file that is not one (a
named pipe, a device, a link to nothing), a link that loops back into its folder, a name that is not UTF-8 (it becomes
a web address) or a page that is not UTF-8 text made the build hang, fill the disk, or stop with an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..source.yamlfile import not_utf8

HINT = "remove it from docs_assets/, or put a plain file there instead"
MARKDOWN = (".markdown", ".mdown", ".mkdn", ".mkd", ".md")  # what MkDocs reads as pages (mkdocs.utils)
SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))  # the kernel's files: endless, private, or both
MAX_ENTRIES = 10_000  # the site's own files are a handful: only links that lead to thousands reach it


def check_assets(assets: Path) -> None:
    """Raise ContractError naming every file in assets that MkDocs could not copy or read, all at once.

    Linked folders are looked into, as MkDocs and the copy follow them. Hidden files and folders are left out, as
    MkDocs leaves them out of the site (an editor's lock file is one).
    """
    problems = _problems(assets, (), page=False) if assets.is_symlink() else []  # a link itself: where it leads
    if problems:
        raise ContractError(problems)
    walked = 0
    # Each folder with the real folders the walk went through links into; a loop, not a recursion (a deep tree).
    folders: list[tuple[Path, tuple[Path, ...]]] = [(assets, (assets.resolve(),))]
    while folders:
        folder, inside = folders.pop()
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            problems.append(
                Diagnostic(Pos(shown(folder)), "error", f"the folder cannot be read: {exc.strerror}", HINT, "asset")
            )
            continue
        for name in (name for name in names if not name.startswith(".")):
            walked += 1
            if walked > MAX_ENTRIES:  # links to a large folder, or links that multiply: the copy would take them all
                raise ContractError([_too_many(assets)])
            path = folder / name
            # MkDocs leaves docs_dir's templates/ out of the site (its default exclude_docs): no page there is read.
            found = _problems(path, inside, page=path.relative_to(assets).parts[0] != "templates")
            problems += found
            if not found and path.is_dir():
                folders.append((path, (*inside, path.resolve()) if path.is_symlink() else inside))
    if problems:
        raise ContractError(sorted(problems, key=lambda d: str(d.pos)))


def _too_many(assets: Path) -> Diagnostic:
    message = f"more than {MAX_ENTRIES} files and folders, counting what its links lead to: the site would copy all"
    return Diagnostic(
        Pos(shown(assets)),
        "error",
        message,
        "keep only the site's own files there, not links to large folders",
        "asset",
    )


def _problems(path: Path, inside: tuple[Path, ...], page: bool) -> list[Diagnostic]:
    where = Pos(shown(path))
    found = []
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        found.append(
            Diagnostic(where, "error", "the name is not UTF-8 (it becomes a web address)", "rename it", "asset")
        )
    try:
        mode = path.stat().st_mode  # through a link: what MkDocs would copy
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if path.is_symlink():
            reason = "it is a link that leads back to itself" if exc.errno == errno.ELOOP else "it is a link to nothing"
        return [*found, Diagnostic(where, "error", f"the file cannot be read: {reason}", HINT, "asset")]
    real = path.resolve() if path.is_symlink() else None  # only a link can lead elsewhere (a checkout may be in /dev)
    system = _system_folder(real) if real else None
    if system is not None:
        message = f"the link leads into the system's {system} folder, whose files are not the site's"
        found.append(Diagnostic(where, "error", message, HINT, "asset"))
    elif real and stat.S_ISDIR(mode) and _leads_back(real, path.parent.resolve(), inside):
        found.append(Diagnostic(where, "error", "the link leads back into a folder it is in (a loop)", HINT, "asset"))
    elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        message = f"not a file but {_kind(mode)}: the site can only hold files"
        found.append(Diagnostic(where, "error", message, HINT, "asset"))
    elif page and path.suffix in MARKDOWN and stat.S_ISREG(mode):
        with contextlib.suppress(OSError):  # unreadable: the copy says so in the operating system's words
            raw = path.read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                found.append(not_utf8(raw, exc, shown(path)))
    return found


def _system_folder(real: Path) -> Path | None:
    """Return the system folder (/proc, /sys, /dev) a real path lies in, or None."""
    return next((folder for folder in SYSTEM if real == folder or folder in real.parents), None)


def _leads_back(target: Path, here: Path, inside: tuple[Path, ...]) -> bool:
    """Tell whether a link in the real folder here to the folder target leads back to where the walk is."""
    return any(folder == target or target in folder.parents for folder in (here, *inside))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def shown(path: Path) -> str:
    """Return a path as one line of text safe to print, whatever its name holds: \\xff for a byte that is not UTF-8,
    an escape for a control character (a line break would forge a second diagnostic, ESC drive the terminal)."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def unwatchable(folder: Path) -> str | None:
    """Return why a watcher that follows links could not poll folder, or None: a folder link in it loops back, leads
    into the system's folders, or the links lead to more than MAX_ENTRIES files and folders (serve's watcher walks
    them all twice a second, and a loop of two links it walked until the system refused, for minutes)."""
    walked = 0
    real = folder.resolve()
    system = _system_folder(real) if folder.is_symlink() else None
    if system is not None:
        return f"{shown(folder)} is a link into the system's {system} folder"
    folders: list[tuple[Path, tuple[Path, ...]]] = [(folder, (real,))]
    while folders:
        here, inside = folders.pop()
        try:
            names = sorted(os.listdir(here))
        except OSError:
            continue
        for name in names:
            walked += 1
            if walked > MAX_ENTRIES:
                return (
                    f"{shown(folder)} holds more than {MAX_ENTRIES} files and folders, counting what its links lead to"
                )
            path = here / name
            with contextlib.suppress(OSError):
                if not path.is_dir():
                    continue
                if not path.is_symlink():
                    folders.append((path, inside))
                    continue
                real = path.resolve()
                system = _system_folder(real)
                if system is not None:
                    return f"{shown(path)} is a link into the system's {system} folder"
                if _leads_back(real, here.resolve(), inside):
                    return f"{shown(path)} is a link that leads back into a folder it is in (a loop)"
                folders.append((path, (*inside, real)))
    return None


def poll_stat(path: str) -> os.stat_result:
    """os.stat for serve's watcher, which follows links: a link that leads back to a folder on its own path or above
    one (a loop), or into the system's folders, is stat'ed as the link itself, so the watcher does not walk into it.

    Its poller otherwise walked a loop made while serve ran until Python's recursion limit, and died in its thread.
    """
    if os.path.islink(path):
        real = Path(os.path.realpath(path))
        here = Path(path).parent
        along = tuple(Path(os.path.realpath(folder)) for folder in here.parents)
        if _leads_back(real, Path(os.path.realpath(here)), along) or _system_folder(real) is not None:
            return os.lstat(path)
    return os.stat(path)
