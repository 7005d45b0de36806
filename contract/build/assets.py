"""The site's own files (docs_assets/): checked before MkDocs copies and reads them, so a problem is named plainly.

MkDocs copies every file there into the site and reads each Markdown page as UTF-8 text. A file that is not one (a
named pipe, a device, a link to nothing), a link that loops back into its folder, a name that is not UTF-8 (it becomes
a web address) or a page that is not UTF-8 text made the build hang, fill the disk, or stop with an internal error.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..source.yamlfile import not_utf8

HINT = "remove it from docs_assets/, or put a plain file there instead"
MARKDOWN = (".markdown", ".mdown", ".mkdn", ".mkd", ".md")  # what MkDocs reads as pages (mkdocs.utils)
SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))  # the kernel's files: endless, private, or both


def check_assets(assets: Path) -> None:
    """Raise ContractError naming every file in assets that MkDocs could not copy or read, all at once.

    Linked folders are looked into, as MkDocs and the copy follow them. Hidden files and folders are left out, as
    MkDocs leaves them out of the site (an editor's lock file is one).
    """
    problems: list[Diagnostic] = []
    _walk(assets, [assets.resolve()], problems)
    if problems:
        raise ContractError(sorted(problems, key=lambda d: str(d.pos)))


def _walk(folder: Path, inside: list[Path], problems: list[Diagnostic]) -> None:
    """Check each entry of folder, and each folder in it; inside: the real folders the walk is in, outermost first."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        problems.append(
            Diagnostic(Pos(shown(folder)), "error", f"the folder cannot be read: {exc.strerror}", HINT, "asset")
        )
        return
    for name in names:
        if name.startswith("."):
            continue
        path = folder / name
        found = _problems(path, inside)
        problems += found
        if not found and path.is_dir():
            _walk(path, [*inside, path.resolve()], problems)


def _problems(path: Path, inside: list[Path]) -> list[Diagnostic]:
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
        reason = "it is a link to nothing" if path.is_symlink() else exc.strerror or str(exc)
        return [*found, Diagnostic(where, "error", f"the file cannot be read: {reason}", HINT, "asset")]
    real = path.resolve()
    system = next((folder for folder in SYSTEM if real == folder or folder in real.parents), None)
    if system is not None:
        message = f"the link leads into the system's {system} folder, whose files are not the site's"
        found.append(Diagnostic(where, "error", message, HINT, "asset"))
    elif stat.S_ISDIR(mode) and any(real == folder or real in folder.parents for folder in inside):
        found.append(Diagnostic(where, "error", "the link leads back into a folder it is in (a loop)", HINT, "asset"))
    elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        message = f"not a file but {_kind(mode)}: the site can only hold files"
        found.append(Diagnostic(where, "error", message, HINT, "asset"))
    elif path.suffix in MARKDOWN and stat.S_ISREG(mode):
        with contextlib.suppress(OSError):  # unreadable: the copy says so in the operating system's words
            raw = path.read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                found.append(not_utf8(raw, exc, shown(path)))
    return found


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def shown(path: Path) -> str:
    """Return a path as text that can be printed, whatever bytes its name has (\\xff for a byte that is not UTF-8)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
