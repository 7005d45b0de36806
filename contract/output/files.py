"""Writing files so that readers never see half of one: a temporary file renamed, a folder swapped."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import json
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import interrupts
from . import faults


def write_atomic(path: Path, data: bytes | str, parents: bool = True) -> None:
    """Write a file completely or not at all: to a temporary name beside it, then rename.

    parents=False writes only into a folder that exists (a missing one is FileNotFoundError), never making one.
    """
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        # A new file, never through whatever a killed run or a hostile repository left at the temporary name.
        tmp.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(tmp, flags, 0o666), "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        faults.point(f"written-{path.parent.name}")
        interrupts.check()  # a Ctrl-C that Python swallowed: the file keeps what it held
        tmp.replace(path)
    except BaseException as exc:
        # A full disk or a read-only folder must not leave half a file behind.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # name the file the caller asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def staging_path(target: Path) -> Path:
    """Return the folder a new target is built in: beside it, so the swap is a rename on one file system."""
    return target.with_name(f".{target.name}.staging")


def scratch_path(target: Path) -> Path:
    """Return the folder a build writes what it makes target from (MkDocs' pages), beside it: see drop_scratch."""
    return target.with_name(f".{target.name}.building")


def swap(staging: Path, target: Path, step: Callable[[str], None] = lambda _: None) -> None:
    """Put a freshly built folder in place of target, then drop the old one; recover() undoes a kill half-way.

    Where the file system can exchange two names in one step (Linux renameat2), target is never absent;
    elsewhere two renames leave a moment without it, which recover() repairs from the old folder.
    """
    old = _old_path(target)
    if target.exists() and _exchange(staging, target):
        step("exchanged")
        _remove_tree(staging)
    else:
        # Both renames or neither: a Ctrl-C between them (one the build handles, unlike a kill) left no target at all,
        # the old folder hidden beside it and the new one removed with the staging folder. Raised once both are done.
        with interrupts.deferred():
            if target.exists():
                target.rename(old)
                step("moved-old")
            staging.rename(target)
        step("moved-new")
        _remove_tree(old)
    step("done")


def recover(target: Path) -> list[str]:
    """Repair what a killed swap left beside target: restore the old folder if target is gone, drop leftovers.

    Return what was done, for a note. Only names this module creates are touched.
    """
    done = []
    olds = sorted(
        (p for p in [_old_path(target), *target.parent.glob(f".{target.name}.old-*")] if _is_folder(p)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if olds and not target.exists() and not target.is_symlink():
        olds.pop(0).rename(target)
        done.append(f"restored {target.name}/ from before an interrupted build")
    leftovers = [
        *olds,
        staging_path(target),
        *target.parent.glob(f".{target.name}.staging-*"),
    ]
    for leftover in leftovers:
        if _is_folder(leftover):
            _remove_tree(leftover)
            done.append(f"removed {leftover.name}/ left by an interrupted build")
    done += [f"removed {name} left by an interrupted build" for name in drop_temporaries(target)]
    return done


def temporary_path(path: Path) -> Path:
    """Return the name write_atomic writes path's new content under first: .NAME.PID.tmp beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[1-9][0-9]{0,8})\.tmp")


def drop_temporaries(folder: Path) -> list[str]:
    """Remove the temporary files write_atomic left in a folder the tool owns whole (a build's output or cache).

    Only what is provably such a leftover: named exactly .NAME.PID.tmp, a regular file (write_atomic never makes
    a link) of this user, and its process gone. A live writer's file, or anyone else's, stays. In a folder of
    the user's, use drop_temporaries_of: another tool may name its own files alike.
    """
    return _drop(folder, None)


def drop_temporaries_of(path: Path) -> list[str]:
    """Remove what a killed write_atomic of path left beside it (.NAME.PID.tmp of that very name); return the names.

    Nothing else in the folder is touched, not even another output's leftover: a folder named by -o is the
    user's, and a .notes.txt.123.tmp there may be another tool's file.
    """
    return _drop(path.parent, path.name)


def _drop(folder: Path, name: str | None) -> list[str]:
    dropped = []
    pattern = ".*.tmp" if name is None else f"{glob.escape(f'.{name}.')}*.tmp"
    for tmp in sorted(folder.glob(pattern)) if _is_folder(folder) else []:
        match = _TEMPORARY.fullmatch(tmp.name)
        if match is None or (name is not None and match["name"] != name) or alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            status = tmp.lstat()
            if stat.S_ISREG(status.st_mode) and status.st_uid == os.getuid():
                tmp.unlink()
                dropped.append(tmp.name)
    return dropped


def alive(pid: int) -> bool:
    """Tell whether a process runs; a number no process can have (a name not the tool's) counts as running: kept."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        pass
    return True


def _old_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def drop_scratch(target: Path) -> list[str]:
    """Remove the folder a killed build left its pages for target in (scratch_path); return what was done.

    Only beside a language's folder, never beside an output folder: there no build makes one, and a user's may be.
    """
    scratch = scratch_path(target)
    if not _is_folder(scratch):
        return []
    _remove_tree(scratch)
    return [f"removed {scratch.name}/ left by an interrupted build"]


def _remove_tree(path: Path) -> None:
    """Remove a folder the tool made; a file it cannot remove is named in full (shutil names only its last part)."""

    def failed(function: object, name: str, info: tuple) -> None:
        error = info[1]
        raise OSError(getattr(error, "errno", None), getattr(error, "strerror", None) or str(error), name) from error

    if _is_folder(path):
        shutil.rmtree(path, onerror=failed)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically with renameat2(RENAME_EXCHANGE); False where the system cannot."""
    if os.environ.get("KLIMATKONTRAKT_NO_EXCHANGE"):
        return False
    return _renameat2(a, b, 2)


def rename_new(source: Path, target: Path) -> None:
    """Rename source to target only where nothing is at target, not even a link to nothing; else FileExistsError.

    os.rename puts a folder in place of an empty one. renameat2(RENAME_NOREPLACE) checks and renames in one step,
    so of two runs making the same target exactly one gets it; where the system cannot, a check just before comes close.
    """
    if _renameat2(source, target, 1):
        return
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    source.rename(target)


def _renameat2(a: Path, b: Path, flags: int) -> bool:
    """Rename a to b with renameat2 and flags; False where the system has no renameat2 (or not for this)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), flags) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    if error == errno.EEXIST:
        raise FileExistsError(error, os.strerror(error), str(b))
    raise OSError(error, os.strerror(error), str(b))


JOURNAL = ".klimatkontrakt-write.journal"  # in a folder write_all writes into: renames to finish


def write_all(files: dict[Path, bytes | str]) -> None:
    """Write several files all or none: temporary files, then a journal naming the renames (the commit), then them.

    A kill before the journal is in place leaves the old files; after it, finish_writes (run before a version
    is read) completes the renames the journal names, so a reader sees all the old files or all the new ones.
    """
    if not files:
        return
    folders = {path.parent for path in files}
    if len(folders) != 1:  # the journal and finish_writes work in one folder, never through another
        raise ValueError(f"write_all writes into one folder, not {len(folders)}")
    folder = folders.pop()
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((temporary_path(path), path))
            _write_durably(staged[-1][0], data, path)
        renames = [[str(tmp.relative_to(folder)), str(path.relative_to(folder))] for tmp, path in staged]
        write_atomic(folder / JOURNAL, json.dumps({"pid": os.getpid(), "renames": renames}))
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        raise
    try:
        for tmp, path in staged:
            tmp.replace(path)
    finally:  # an interrupt between the renames: the journal is committed, so the rest are done, not undone
        _finish(folder, folder / JOURNAL)


def _write_durably(tmp: Path, data: bytes | str, path: Path) -> None:
    """Write a new temporary file to disk (fsync: the journal may name it before the data would otherwise land)."""
    tmp.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(os.open(tmp, flags, 0o666), "wb") as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)
        file.flush()
        os.fsync(file.fileno())
    if path.exists():  # keep the file's permissions
        shutil.copymode(path, tmp)


def finish_writes(folder: Path) -> list[str]:
    """Complete a write_all a kill interrupted after its commit, or drop what one killed before it left.

    Return the names of the files completed. A journal of a writer still running is left to that writer; a
    folder that cannot be changed (read-only) is left as it is, for the next command that can.
    """
    journal = folder / JOURNAL
    done: list[str] = []
    with contextlib.suppress(OSError):
        done = _finish(folder, journal) if journal.is_file() and not journal.is_symlink() else []
        if not journal.exists():
            # The temporary files of the tool's own files only (YAML, locks): another tool's .notes.txt.1.tmp stays.
            names = (
                {p.name for p in folder.iterdir() if p.suffix in (".yaml", ".lock")} if _is_folder(folder) else set()
            )
            for name in sorted(names | {JOURNAL}):
                drop_temporaries_of(folder / name)
    return done


def _finish(folder: Path, journal: Path) -> list[str]:
    """Do the renames a journal names whose temporary file is still there, then remove the journal."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pid, renames = int(record["pid"]), [(str(a), str(b)) for a, b in record["renames"]]
    except (OSError, ValueError, KeyError, TypeError, RecursionError, OverflowError):
        return []  # not a journal this module wrote: left as it is
    if pid != os.getpid() and alive(pid):
        return []
    done = []
    for tmp_name, name in renames:
        tmp, path = folder / tmp_name, folder / name
        match = _TEMPORARY.fullmatch(tmp_name)
        if "/" in tmp_name or "/" in name or name in ("", ".", ".."):
            continue  # only a file of the journal's own folder: never through a subfolder or a link to one
        if match is None or int(match["pid"]) != pid:
            continue  # the journal's writer's own temporary file, never another process's
        if match["name"] == name and tmp.is_file() and not tmp.is_symlink():
            tmp.replace(path)
            done.append(name)
    journal.unlink(missing_ok=True)
    return done


@contextlib.contextmanager
def source_date_epoch(timestamp: int) -> Iterator[None]:
    """Let tools that read SOURCE_DATE_EPOCH (MkDocs, pandoc) date their output from the source, then restore it."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
