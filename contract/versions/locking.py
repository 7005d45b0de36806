"""Signed versions are locked: signed.lock holds a hash of each file's signed content and of the signed PDFs."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..errors import ContractError, Diagnostic, Report
from ..model import Pos
from ..output.files import write_atomic
from ..source.schema import FILE_SCHEMAS
from ..source.signed_content import SIGNED_BEFORE_CONFIG, canonical, fixed_details
from ..source.signed_content import digest as _digest
from ..source.yamlfile import read

LOCK_NAME = "signed.lock"
_HEADER = (
    "# The signed content of this version. `klimatkontrakt validate` fails when a file no longer matches.\n"
    "# Written by `klimatkontrakt lock` and `klimatkontrakt erratum`; do not edit by hand.\n"
)


@dataclass
class Lock:
    """What was signed: per-file content hashes, and the signed PDFs' hashes."""

    version: str
    signed_on: str
    files: dict[str, str] = field(default_factory=dict)
    pdfs: dict[str, str] = field(default_factory=dict)
    errata: int = 0  # how many errata the recorded content already includes
    contracts: dict[str, str] = field(
        default_factory=dict
    )  # language -> hash of the unsigned contract in the signed PDF
    # The language signed (the source then): locks written before languages were configurable were all Swedish.
    language: str = SIGNED_BEFORE_CONFIG
    # contract.yaml in two parts (contract_parts): its details, certificate identities included, and its errata.
    # The file's hash cannot tell an erratum edited by hand from a correction; locks written before have none.
    parts: dict[str, str] = field(default_factory=dict)

    def as_data(self) -> dict:
        data = {
            "version": self.version,
            "signed_on": self.signed_on,
            "errata": self.errata,
            "files": dict(sorted(self.files.items())),
            "pdfs": dict(sorted(self.pdfs.items())),
        }
        if self.contracts:  # written only when a signed PDF was recorded, so older locks stay byte-identical
            data["contracts"] = dict(sorted(self.contracts.items()))
        if self.language != SIGNED_BEFORE_CONFIG:  # written only when not Swedish, so older locks stay byte-identical
            data["language"] = self.language
        if self.parts:
            data["parts"] = dict(sorted(self.parts.items()))
        return data


def contract_parts(data: Any, language: str = SIGNED_BEFORE_CONFIG) -> dict[str, str]:
    """Return the hashes of contract.yaml's two parts beside its signed text: its fixed details and its errata."""
    errata = data.get("errata") if isinstance(data, dict) else None
    return {"details": _digest(fixed_details(data)), "errata": _digest(canonical(errata or [], language))}


def read_parts(folder: Path, display: str, language: str = SIGNED_BEFORE_CONFIG) -> dict[str, str] | None:
    """Return the parts of a version's contract.yaml as it is now, or None when it cannot be read."""
    doc = read(folder / "contract.yaml", f"{display}/contract.yaml", Report())
    return None if doc is None else contract_parts(doc.data, language)


def erratum_options(language: str) -> str:
    """Return the erratum command's what/why options for the language signed, as its hints write them."""
    if language in ("sv", "en"):  # the command's short forms
        return f'--what-{language} "..." --why-{language} "..."'
    return f'--what {language} "..." --why {language} "..."'


def content_hashes(
    folder: Path,
    display: str,
    report: Report,
    unreadable: set[str] | None = None,
    language: str = SIGNED_BEFORE_CONFIG,
) -> dict[str, str]:
    """Return sha256 of the canonical content of every contract file in a version folder.

    The names of files that exist but cannot be read (a syntax error) are added to unreadable.
    """
    hashes = {}
    for file in sorted(folder.glob("*.yaml")):
        if file.name in FILE_SCHEMAS:
            doc = read(file, f"{display}/{file.name}", report)
            if doc is not None:
                hashes[file.name] = _digest(canonical(doc.data, language))
            elif unreadable is not None:
                unreadable.add(file.name)
    return hashes


def file_hash(path: Path) -> str:
    """Return the sha256 of a file's bytes."""
    try:
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(path)),
                    "error",
                    f"cannot read the file: {exc.strerror}",
                    "give the path of the signed PDF",
                    "unreadable",
                )
            ]
        ) from exc


def read_lock(folder: Path) -> Lock | None:
    """Read a version's signed.lock, or None when the version is not locked."""
    path = folder / LOCK_NAME
    if not path.exists():
        return None
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        lock = Lock(
            str(data["version"]),
            str(data["signed_on"]),
            dict(data.get("files") or {}),
            dict(data.get("pdfs") or {}),
            int(data.get("errata", 0)),
            dict(data.get("contracts") or {}),
            str(data.get("language", SIGNED_BEFORE_CONFIG)),
            dict(data.get("parts") or {}),
        )
        hashes = (*lock.files.values(), *lock.pdfs.values(), *lock.contracts.values(), *lock.parts.values())
        if not all(isinstance(v, str) for v in hashes):
            raise ValueError("hashes must be text")
        return lock
    except Exception as exc:  # any damage at all: the lock cannot be trusted
        where = f"{folder.parent.name}/{folder.name}/{LOCK_NAME}"
        raise ContractError(
            [
                Diagnostic(
                    Pos(where, 1, 1),
                    "error",
                    f"{LOCK_NAME} is damaged ({type(exc).__name__})",
                    f"restore it from git: git checkout -- {where}",
                    "locked",
                )
            ]
        ) from None


def write_lock(folder: Path, lock: Lock) -> None:
    """Write signed.lock atomically."""
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    buffer = io.StringIO()
    yaml.dump(lock.as_data(), buffer)
    write_atomic(folder / LOCK_NAME, _HEADER + buffer.getvalue())


def check(folder: Path, display: str, errata: int, report: Report, signed: bool = False) -> None:
    """Record an error for every file of a locked version whose content differs from what was signed.

    A version whose contract.yaml says it is signed must have a lock.
    """
    try:
        lock = read_lock(folder)
    except ContractError as exc:
        report.items.extend(exc.diagnostics)
        return
    version = folder.name
    if lock is None:
        if signed:
            report.error(
                _status_pos(folder, display),
                f"version {version} is signed but has no {LOCK_NAME}, so nothing protects its signed text",
                f"restore {display}/{LOCK_NAME} from git, or record it now: klimatkontrakt lock {version}",
                "unlocked",
            )
        return
    if lock.version != version:
        hint = (
            f"the folder was copied from another version: delete {display}/{LOCK_NAME}; "
            f"klimatkontrakt lock {version} records a new one once {version} is signed"
        )
        message = f"this {LOCK_NAME} records version {lock.version}, not {version}"
        report.error(Pos(f"{display}/{LOCK_NAME}", 1, 1), message, hint, "locked")
        return
    unreadable: set[str] = set()  # a syntax error is reported as such by validate, not as a file removed
    current = content_hashes(folder, display, Report(), unreadable, lock.language)
    if errata != lock.errata:
        _errata_count(display, version, lock, errata, report)
    parts = read_parts(folder, display, lock.language) if lock.parts else None
    edited = parts is not None and errata == lock.errata and parts["errata"] != lock.parts.get("errata")
    if parts is not None:
        _check_parts(display, version, lock, parts, edited, report)
    for name in sorted((set(lock.files) | set(current)) - unreadable):
        if name == "contract.yaml" and (errata != lock.errata or edited):
            continue  # what changed in its errata is named above
        if lock.files.get(name) != current.get(name):
            _changed(display, version, name, name in lock.files, name in current, report, lock.language)


def _check_parts(display: str, version: str, lock: Lock, parts: dict[str, str], edited: bool, report: Report) -> None:
    """Record which part of contract.yaml changed since it was locked: its fixed details, or an erratum by hand."""
    where = Pos(f"{display}/contract.yaml", 1, 1)
    if parts["details"] != lock.parts.get("details"):
        report.error(
            where,
            f"version {version} is signed and locked, but contract.yaml changed what never changes after signing "
            "(version, valid_for, status, signed_on, previous, municipality, the parties' ids or certificate "
            "identities)",
            f"undo the change (git checkout -- {display}/contract.yaml): no erratum changes these",
            "locked",
        )
    if edited:
        report.error(
            where,
            f"version {version} is locked with its errata as recorded, but an erratum in contract.yaml was edited",
            f"errata are never edited; restore them (git checkout -- {display}/contract.yaml)",
            "locked",
        )


def _status_pos(folder: Path, display: str) -> Pos:
    doc = read(folder / "contract.yaml", f"{display}/contract.yaml", Report())
    return doc.pos(("status",)) if doc is not None else Pos(f"{display}/contract.yaml", 1, 1)


def _errata_count(display: str, version: str, lock: Lock, listed: int, report: Report) -> None:
    where, locked = Pos(f"{display}/contract.yaml", 1, 1), lock.errata
    if listed < locked:
        report.error(
            where,
            f"version {version} is locked with {locked} errata, but contract.yaml lists {listed}",
            "errata are never removed; restore the missing entries",
            "locked",
        )
    else:
        report.error(
            where,
            f"version {version} is locked with {locked} errata, but contract.yaml lists {listed}",
            "only klimatkontrakt erratum adds an erratum: remove the entries added by hand, then run "
            f"klimatkontrakt erratum {version} {erratum_options(lock.language)}",
            "locked",
        )


def _changed(display: str, version: str, name: str, was: bool, now: bool, report: Report, language: str) -> None:
    what = "was changed" if was and now else ("was removed" if was else "was added")
    report.error(
        Pos(f"{display}/{name}", 1, 1),
        f"version {version} is signed and locked, but this file {what} since it was signed",
        f"undo the change (git checkout -- {display}/{name}); a needed correction is an erratum: edit, then run "
        f"klimatkontrakt erratum {version} {erratum_options(language)}",
        "locked",
    )
