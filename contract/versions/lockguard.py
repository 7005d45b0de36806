"""A change (e.g. a pull request) may not touch a signed version's lock or status, except by an erratum of the tool.

Compares the working tree with a git revision (the base branch): every version signed there must still be
signed here, and its signed.lock must be the same, or differ exactly as `klimatkontrakt erratum` changes it
(more errata, the earlier errata unchanged, everything else in the lock as it was).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from ..errors import ContractError, Diagnostic, Report
from ..model import Pos
from ..output.scratch import scratch_folder
from ..source import revisions
from ..source.load import YEARS, load, unsafe_folder
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
        _fixed(before, now, version, base, report)
        _lock(folder, old, display, base, (before, now), report)
    return report.errors


def _fixed(before: Document, now: Document, version: str, base: str, report: Report) -> None:
    """Record a change to what never changes after signing, whatever the lock says (a lock may predate its parts)."""
    was, is_now = locking.fixed_details(before.data), locking.fixed_details(now.data)
    changed = [key for key in was if key != "status" and was[key] != is_now[key]]  # status: named above
    if changed:
        report.error(
            Pos(now.path, 1, 1),
            f"version {version} is signed at {base}; this change edits what never changes after signing: "
            + ", ".join("the parties' ids or certificate identities" if k == "parties" else k for k in changed),
            f"restore them as they were at {base}; no erratum changes them",
            "signed-changed",
        )


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
    problem = _not_an_erratum(was, lock, docs, _section_files(folder))
    if problem:
        report.error(
            where,
            f"this change edits the {locking.LOCK_NAME} of version {folder.name}, signed at {base}: {problem}",
            f"restore it (git checkout {base} -- {display}/{locking.LOCK_NAME}); only klimatkontrakt erratum changes a signed version",
            "signed-changed",
        )


def _section_files(folder: Path) -> Callable[[str], str | None]:
    """Return the file a section of the working tree's version is written in, by id (None when it cannot be told)."""

    def file_of(section: str) -> str | None:
        try:
            found = load(folder.parent.parent, folder.name).section(section)
        except ContractError:  # the version does not validate: validate says why, and CI fails on it
            return None
        return f"{found.group}.yaml" if found is not None else None

    return file_of


def _not_an_erratum(
    was: locking.Lock | None, lock: locking.Lock, docs: tuple[Document, Document], file_of: Callable[[str], str | None]
) -> str | None:
    """Return what in a changed lock is not the work of `klimatkontrakt erratum`, or None."""
    if was is None or was.as_data() == lock.as_data():  # the same lock, written with other line ends or quoting
        return None
    if {**was.as_data(), "parts": lock.parts} == lock.as_data() and lock.parts == locking.contract_parts(
        docs[0].data, was.language
    ):
        # `klimatkontrakt lock` recorded contract.yaml's parts in a lock written before it did: as they were at the
        # base, so a change cannot lock certificate identities it edits in the same change.
        return None
    old_errata, new_errata = (list(locking.canonical(doc.data.get("errata") or [], was.language)) for doc in docs)
    kept = ("version", "signed_on", "language", "pdfs", "contracts")
    if any(getattr(lock, key) != getattr(was, key) for key in kept):
        return "its version, signing date, signed language, signed PDFs or their contracts' hashes differ"
    if lock.errata <= was.errata:
        return "it records no new erratum"
    if len(new_errata) != lock.errata or new_errata[: len(old_errata)] != old_errata:
        return "the errata in contract.yaml are not the earlier ones followed by the new ones"
    unchanged = [locking.canonical({k: v for k, v in doc.data.items() if k != "errata"}, was.language) for doc in docs]
    return _new_errata_problem(was, lock, new_errata[len(old_errata) :], file_of, unchanged[0] == unchanged[1])


def _new_errata_problem(
    was: locking.Lock, lock: locking.Lock, added: list, file_of: Callable[[str], str | None], same_details: bool
) -> str | None:
    """Return what in the new errata `klimatkontrakt erratum` would have refused: a date, or files beyond a section."""
    today = datetime.date.today().isoformat()
    for entry in added:
        date = str(entry.get("date", "")) if isinstance(entry, dict) else ""
        if not (was.signed_on <= date <= today):
            return f"a new erratum is dated {date or 'nothing'}, not between the signing ({was.signed_on}) and today"
    sections = [entry.get("section") for entry in added if isinstance(entry, dict)]
    if not sections or any(not section for section in sections):
        return None  # an erratum without --section may cover several files
    # contract.yaml gains the errata; what else it says stays as signed when each erratum is of one section.
    allowed = {*(file_of(str(section)) for section in sections), *(["contract.yaml"] if same_details else [])}
    changed = sorted(n for n in set(was.files) | set(lock.files) if was.files.get(n) != lock.files.get(n))
    if None in allowed or any(name not in allowed for name in changed):
        return f"errata for sections {', '.join(map(str, sections))} also record changes in {', '.join(changed)}"
    return None


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
