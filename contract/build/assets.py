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


def check_assets(assets: Path) -> None:
    """Raise ContractError naming every file in assets that MkDocs could not copy or read, all at once."""
    problems: list[Diagnostic] = []
    for folder, folders, files in os.walk(assets):  # does not enter linked folders: each is checked as an entry
        for name in sorted(folders + files):
            path = Path(folder, name)
            problems += _problems(path)
        folders[:] = [name for name in folders if not Path(folder, name).is_symlink()]
    if problems:
        raise ContractError(sorted(problems, key=lambda d: str(d.pos)))


def _problems(path: Path) -> list[Diagnostic]:
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
    if stat.S_ISDIR(mode) and path.is_symlink() and _inside(path.resolve(), path.parent.resolve()):
        found.append(Diagnostic(where, "error", "the link leads back into its own folder (a loop)", HINT, "asset"))
    elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        message = f"not a file but {_kind(mode)}: the site can only hold files"
        found.append(Diagnostic(where, "error", message, HINT, "asset"))
    elif path.suffix == ".md" and stat.S_ISREG(mode):
        with contextlib.suppress(OSError):  # unreadable: the copy says so in the operating system's words
            raw = path.read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                found.append(not_utf8(raw, exc, shown(path)))
    return found


def _inside(target: Path, folder: Path) -> bool:
    """Tell whether folder is target or lies inside it (a link to target would lead back to folder)."""
    return folder == target or target in folder.parents


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def shown(path: Path) -> str:
    """Return a path as text that can be printed, whatever bytes its name has (\\xff for a byte that is not UTF-8)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
