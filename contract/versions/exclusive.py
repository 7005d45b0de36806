"""One writer of a signed version at a time: lock and erratum each hold the version's lock file while they run.

Both read the version, check it and rewrite signed.lock; two at once would each record what it read, and the
later write would undo the other's. The lock file lives in the repository's .cache/ (ignored by git), never in
years/VERSION/ where it would be committed; flock is released by the operating system however its holder ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .. import ids
from ..errors import ContractError, Diagnostic, Report
from ..model import Pos
from ..output.files import write_atomic
from ..output.guard import open_lock
from ..source.load import YEARS
from . import locking

LOCKS = Path(".cache") / "versions"


@contextlib.contextmanager
def only_writer(root: Path, version: str, command: str) -> Iterator[None]:
    """Hold version's lock for the block; refuse (exit 1) while another lock or erratum of it runs.

    The second command refuses rather than waits: it was asked for the version as its user saw it, and the
    other command is changing that version; after it, the user checks what it recorded and runs again.
    A version that does not exist takes no lock: the command itself says it does not exist.
    """
    if not ids.is_version_name(version) or not (root / YEARS / version).is_dir():
        yield
        return
    path = root / LOCKS / f"{version}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_lock(path, command, ContractError, "version-lock")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ContractError(
                [
                    Diagnostic(
                        Pos(f"{YEARS}/{version}"),
                        "error",
                        f"another klimatkontrakt lock or erratum of version {version} is running (process {holder}); "
                        f"this {command} wrote nothing",
                        "wait for it to finish, check what it recorded (git diff), then run this command again",
                        "version-busy",
                    )
                ]
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def signed_lock(root: Path, version: str) -> bytes | None:
    """Return the bytes of version's signed.lock, or None where it has none (or is no version)."""
    lock = root / YEARS / version / locking.LOCK_NAME
    if not ids.is_version_name(version) or lock.is_symlink() or not lock.is_file():
        return None
    return lock.read_bytes()


def check_unchanged(root: Path, version: str, before: bytes | None, result: locking.Lock) -> None:
    """Put signed.lock back as it was (before; None: absent) and refuse if the files changed while it was recorded.

    The version lock keeps out this tool's other writers, not an editor or a script: content hashed early and
    written later would record a text that is no longer there.
    """
    folder = root / YEARS / version
    now = locking.content_hashes(folder, f"{YEARS}/{version}", Report(), language=result.language)
    recorded = result.files
    changed = sorted(name for name in set(now) | set(recorded) if now.get(name) != recorded.get(name))
    if not changed:
        return
    lock = folder / locking.LOCK_NAME
    if before is None:
        lock.unlink(missing_ok=True)
    else:
        write_atomic(lock, before)
    raise ContractError(
        [
            Diagnostic(
                Pos(f"{YEARS}/{version}/{changed[0]}"),
                "error",
                f"changed while the version was being locked ({', '.join(changed)}); signed.lock is left as it was",
                "finish the edit (or undo it), then run the command again",
                "version-changed",
            )
        ]
    )
