"""A change (e.g. a pull request) may not touch a signed version's lock or status, except by an erratum of the tool.

Compares the working tree with a git revision (the base branch): every version signed there must still be
signed here, and its signed.lock must be the same, or differ exactly as `klimatkontrakt erratum` changes it
(more errata, the earlier errata unchanged, everything else in the lock as it was).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ContractError, Diagnostic, Report
from ..model import Pos
from ..output.scratch import scratch_folder
from ..source import revisions
from ..source.load import YEARS, unsafe_folder
from ..source.yamlfile import Document, read
from . import locking


def check(root: Path, base: str) -> list[Diagnostic]:
    """Return an error for every version signed at base whose lock or status the working tree changed."""
    repo, commit = revisions._commit(root, base)
    prefix = revisions._prefix(root, repo)
    tree = revisions._subtree(commit.tree, prefix / YEARS)
    problems: list[Diagnostic] = []
    with scratch_folder("klimatkontrakt-base-") as tmp:
        for version in sorted(t.name for t in tree.trees) if tree is not None else []:
            old = tmp / version
            revisions._copy_tree(commit.tree, prefix / YEARS / version, old)
            problems += _version(root, base, version, old)
    return problems


def _version(root: Path, base: str, version: str, old: Path) -> list[Diagnostic]:
    report = Report()
    display = f"{YEARS}/{version}"
    before = read(old / "contract.yaml", f"{base}:{display}/contract.yaml", Report())
    if before is None or before.data.get("status") != "signed":
        return []
    folder = root / YEARS / version
    if unsafe_folder(root, folder, display, report):
        return report.errors
    if not (folder / "contract.yaml").is_file():
        report.error(
            Pos(display),
            f"version {version} is signed at {base}, but this change removes it",
            "a signed version is never removed; restore its folder",
            "signed-changed",
        )
        return report.errors
    now = read(folder / "contract.yaml", f"{display}/contract.yaml", report)
    if now is not None and now.data.get("status") != "signed":
        report.error(
            now.pos(("status",)),
            f"version {version} is signed at {base}; its status cannot change",
            "set status: signed again; a signed version stays signed",
            "signed-changed",
        )
    if now is not None:
        _lock(folder, old, display, base, (before, now), report)
    return report.errors


def _lock(folder: Path, old: Path, display: str, base: str, docs: tuple[Document, Document], report: Report) -> None:
    where = Pos(f"{display}/{locking.LOCK_NAME}", 1, 1)
    old_bytes = _bytes(old / locking.LOCK_NAME)
    if old_bytes is None or old_bytes == _bytes(folder / locking.LOCK_NAME):
        return  # unchanged, or locked for the first time
    try:
        was, lock = locking.read_lock(old), locking.read_lock(folder)
    except ContractError as exc:
        report.items.extend(exc.diagnostics)
        return
    if lock is None:
        report.error(
            where,
            f"version {folder.name} is signed at {base}, but this change removes its {locking.LOCK_NAME}",
            f"restore it: git checkout {base} -- {display}/{locking.LOCK_NAME}",
            "signed-changed",
        )
        return
    problem = _not_an_erratum(was, lock, docs)
    if problem:
        report.error(
            where,
            f"this change edits the {locking.LOCK_NAME} of version {folder.name}, signed at {base}: {problem}",
            f"restore it (git checkout {base} -- {display}/{locking.LOCK_NAME}); only klimatkontrakt erratum changes a signed version",
            "signed-changed",
        )


def _not_an_erratum(was: locking.Lock | None, lock: locking.Lock, docs: tuple[Document, Document]) -> str | None:
    """Return what in a changed lock is not the work of `klimatkontrakt erratum`, or None."""
    if was is None or was.as_data() == lock.as_data():  # the same lock, written with other line ends or quoting
        return None
    if {**was.as_data(), "parts": lock.parts} == lock.as_data() and lock.parts == locking.contract_parts(docs[0].data):
        # `klimatkontrakt lock` recorded contract.yaml's parts in a lock written before it did: as they were at the
        # base, so a change cannot lock certificate identities it edits in the same change.
        return None
    old_errata, new_errata = (list(locking.canonical(doc.data.get("errata") or [])) for doc in docs)
    if (lock.version, lock.signed_on, lock.language, lock.pdfs) != (was.version, was.signed_on, was.language, was.pdfs):
        return "its version, signing date, signed language or signed PDFs differ"
    if lock.errata <= was.errata:
        return "it records no new erratum"
    if len(new_errata) != lock.errata or new_errata[: len(old_errata)] != old_errata:
        return "the errata in contract.yaml are not the earlier ones followed by the new ones"
    return None


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
