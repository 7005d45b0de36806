"""new-year: start next year's version as a draft, copied from the latest version, whole or not at all."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from .. import ids, interrupts
from ..errors import ContractError, Diagnostic, UsageError, excerpt
from ..model import Contract, Pos
from ..output import faults
from ..output.files import rename_new
from ..output.scratch import drop_abandoned, scratch_folder, with_pid
from ..source.load import YEARS, load, years
from ..source.yamlwrite import rewrite
from . import locking

_LINK = "the file is a symbolic link; contract files are never read through links"
_LINK_HINT = "replace the link with the file itself"
_OTHER = "this is not a file or a folder (a named pipe, a device or a socket): new-year copies only files"
_OTHER_HINT = "move it out of the version folder, then run new-year again"


def _fail(where: str, message: str, hint: str = "", code: str = "") -> ContractError:
    return ContractError([Diagnostic(Pos(where), "error", message, hint, code)])


def new_year(root: Path, version: str, source: str | None = None) -> tuple[Path, int]:
    """Create years/VERSION as a draft from the latest (or given) version; never overwrite, never leave a part.

    Return the new folder and how many follow-up sections it marks as still to be written.
    """
    for given, what in ((version, "VERSION"), (source, "--from")):
        if given is not None and not ids.is_version_name(given):
            raise UsageError(f"{what} {excerpt(given)} is not a version: give four digits such as 2024")
    target = root / YEARS / version
    _refuse_taken(target, version)
    source = source or _latest(root)
    old = load(root, source)
    valid_for = _next_valid_for(old, version, source)
    folder = root / YEARS / source
    _refuse_unsafe(folder, f"{YEARS}/{source}")  # before anything is made: a refused run leaves nothing
    # A folder of this run's own with a unique name: a user's .VERSION.tmp, or another run's, is never touched,
    # and it goes however the run ends (an error, Ctrl-C, SIGTERM). Named .VERSION.tmp-PID-… so it is seen to be
    # ours, and, once that process is gone (SIGKILL: no clean-up ran), removed by the next run.
    drop_abandoned(root / YEARS, r"\.[0-9]{4}\.tmp-")  # any version's: the maker's VERSION is not this one's
    with scratch_folder(with_pid(f".{version}.tmp-"), root / YEARS) as staging:
        _copy_tree(folder, staging, f"{YEARS}/{source}")
        rewrite(staging / "contract.yaml", lambda data: _advance(data, version, valid_for, source))
        marked: list[int] = []
        if (staging / "updates.yaml").exists():
            rewrite(staging / "updates.yaml", lambda data: marked.append(_clear_updates(data)))
        os.chmod(staging, stat.S_IMODE(folder.lstat().st_mode))  # mkdtemp makes it private (0700)
        faults.point("new-year-staged")
        interrupts.check()
        _claim(staging, target, version)
    return target, sum(marked)


def _latest(root: Path) -> str:
    """Return the latest version; folders that are no version ("2024 - Kopia", "2025b") are never a source."""
    known = [name for name in years(root) if ids.is_version_name(name)]
    if not known:
        raise _fail(YEARS, "there is no version to start from", "import one with klimatkontrakt import-text")
    return known[-1]


def _next_valid_for(old: Contract, version: str, source: str) -> str:
    """Return the new version's valid_for (as far from the old one as the versions are); refuse one past 9999."""
    if int(version) <= int(old.meta.version):
        raise _fail(
            f"{YEARS}/{version}",
            f"version {version!r} does not come after {source}",
            "give the next year, e.g. " + str(int(old.meta.version) + 1),
        )
    valid_for = str(int(old.meta.valid_for) + int(version) - int(old.meta.version))
    if not ids.is_version_name(valid_for):  # the schema's rule: a four-digit year
        last = 9999 - (int(old.meta.valid_for) - int(old.meta.version))
        raise UsageError(
            f"version {version} would be valid for {valid_for}, which is not a four-digit year: "
            f"give a version up to {last}"
        )
    return valid_for


def _refuse_taken(target: Path, version: str) -> None:
    """Refuse a target that exists in any form: a folder, a file, a link (also one to nothing)."""
    where = f"{YEARS}/{version}"
    if target.is_symlink():
        raise _fail(where, "this is a symbolic link, not a version folder", "remove the link, then run new-year again")
    if target.is_dir():
        raise _fail(
            where,
            f"version {version} already exists",
            "choose another version; an existing version is never overwritten",
        )
    if os.path.lexists(target):
        raise _fail(where, "this is a file, not a version folder", "move the file away, then run new-year again")


def _claim(staging: Path, target: Path, version: str) -> None:
    """Rename the finished draft to years/VERSION, unless another run (or anyone) has put something there meanwhile."""
    try:
        rename_new(staging, target)
    except FileExistsError:
        raise _fail(
            f"{YEARS}/{version}",
            f"version {version} was made meanwhile (another new-year run, or someone else): this run wrote nothing",
            "check years/" + version + "; an existing version is never overwritten",
        ) from None
    except NotADirectoryError:  # a file or a link put there meanwhile, without RENAME_NOREPLACE
        _refuse_taken(target, version)
        raise


def _skipped(name: str) -> bool:
    """Whether new-year leaves an entry out: the signed lock (a draft is not signed) and hidden files."""
    return name == locking.LOCK_NAME or name.startswith(".")


def _refuse_unsafe(folder: Path, display: str) -> None:
    """Raise for every link, pipe, device or socket in the version folder: only files and folders are copied."""
    found = []
    pending = [(folder, display)]
    while pending:
        here, shown = pending.pop()
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                where = f"{shown}/{entry.name}"
                if _skipped(entry.name):
                    continue
                if entry.is_symlink():
                    found.append(Diagnostic(Pos(where), "error", _LINK, _LINK_HINT, "symlink"))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), where))
                elif not entry.is_file(follow_symlinks=False):
                    found.append(Diagnostic(Pos(where), "error", _OTHER, _OTHER_HINT, "not-a-file"))
    if found:
        raise ContractError(found)


def _copy_tree(source: Path, target: Path, display: str) -> None:
    """Copy the files and folders of source into the existing folder target, never through a link."""
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if _skipped(entry.name):
            continue
        where, made = f"{display}/{entry.name}", target / entry.name
        if entry.is_dir(follow_symlinks=False):
            os.mkdir(str(made), 0o700)  # private until copied, then the source's permissions
            _copy_tree(Path(entry.path), made, where)
            os.chmod(made, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
        else:
            _copy_file(entry.path, str(made), where)
        interrupts.check()  # a Ctrl-C that Python swallowed: the scratch folder goes


def _copy_file(source: str, target: str, where: str) -> None:
    """Copy one regular file with its permissions and times; refuse what became a link or no file since the check."""
    try:
        # O_NONBLOCK: a pipe put there since the check must not hang the run; O_NOFOLLOW: nor a link be read through.
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _fail(where, _LINK, _LINK_HINT, "symlink") from None
        raise
    with open(fd, "rb") as reader:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _fail(where, _OTHER, _OTHER_HINT, "not-a-file")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(target, flags, 0o600), "wb") as writer:
            shutil.copyfileobj(reader, writer)
    os.chmod(target, stat.S_IMODE(status.st_mode))
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))


def _advance(data: Any, version: str, valid_for: str, previous: str) -> None:
    data["version"], data["valid_for"], data["previous"] = version, valid_for, previous
    data["status"], data["signed_on"] = "draft", None
    data.pop("errata", None)
    for party in data.get("parties", []):
        if party.get("signatory"):
            party["signatory"]["name"] = None


def _clear_updates(data: Any) -> int:
    """Mark last year's follow-up as this year's to write (the headings kept); return how many sections."""
    return sum(
        _mark_to_be_written(child) for chapter in data.get("sections", []) for child in chapter.get("sections", [])
    )


def _mark_to_be_written(section: Any) -> int:
    section.pop("body", None)
    section.pop("footnotes", None)
    keys = list(section.keys())
    section.insert(keys.index("title") + 1, "to_be_written", True)
    return 1 + sum(_mark_to_be_written(child) for child in section.get("sections", []))
