"""The yearly cycle: lock signed versions; record errata (new_year starts next year's draft)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.validate import validate
from ..errors import ContractError, Diagnostic, Report, UsageError
from ..model import Contract, Pos
from ..output.files import write_atomic
from ..source.load import YEARS, load, version_folder
from ..source.yamlwrite import rewrite
from ..translate import translations
from . import locking, signed_pdfs
from .signed_pdfs import SignedPdf

if TYPE_CHECKING:
    from cryptography import x509


def _fail(where: str, message: str, hint: str = "") -> ContractError:
    return ContractError([Diagnostic(Pos(where), "error", message, hint)])


def lock(
    root: Path, version: str, pdfs: list[Path], roots: list[x509.Certificate] | None = None
) -> tuple[locking.Lock, list[SignedPdf]]:
    """Record the signed content of a signed version (and the signed PDFs) in signed.lock; return it and the PDFs."""
    contract = load(root, version)
    folder = root / YEARS / version
    if contract.meta.status != "signed":
        raise _fail(
            f"{YEARS}/{version}/contract.yaml",
            f"version {version} is not signed",
            "set status: signed and signed_on when every party has signed",
        )
    # What is locked can never be corrected but by an erratum: a version that does not validate is never locked.
    checked, _ = validate(root, [version])
    problems = [d for d in checked.errors if d.code not in ("locked", "unlocked")]
    if problems:
        raise ContractError(problems)
    report = Report()
    existing = locking.read_lock(folder)
    if existing is not None:
        locking.check(folder, f"{YEARS}/{version}", len(contract.meta.errata), report)
        if report.errors:
            raise ContractError(report.errors)
    signed_in = contract.languages[0]  # the source: the language the parties signed
    result = existing or locking.Lock(
        version, contract.meta.signed_on or "", errata=len(contract.meta.errata), language=signed_in
    )
    result.files = locking.content_hashes(folder, f"{YEARS}/{version}", report, language=result.language)
    result.parts = locking.read_parts(folder, f"{YEARS}/{version}", result.language) or {}
    recorded = signed_pdfs.check(version, pdfs, result, roots or [], len(contract.meta.errata)) if pdfs else []
    for pdf in recorded:
        if not pdf.same_as:
            result.pdfs[pdf.name] = pdf.digest
            result.contracts[pdf.lang] = pdf.contract
    locking.write_lock(folder, result)
    return result, recorded


def _check_correction(root: Path, version: str, lock: locking.Lock, section_file: str | None) -> None:
    """Refuse an erratum over a version with other errors, or (for one section) edits in other files."""
    report, _ = validate(root, [version])
    # The lock is recorded anew; what a lock with parts says about contract.yaml is checked here, by part.
    others = [d for d in report.errors if d.code != "locked"]
    if others:
        raise ContractError(others)
    folder = root / YEARS / version
    display = f"{YEARS}/{version}"
    current = locking.content_hashes(folder, display, Report(), language=lock.language)
    parts = locking.read_parts(folder, display, lock.language)
    if lock.parts and parts is not None and parts["details"] != lock.parts.get("details"):
        raise _fail(
            f"{display}/contract.yaml",
            "contract.yaml changed what no erratum changes (version, valid_for, status, signed_on, previous, "
            "municipality, the parties' ids or certificate identities)",
            f"undo that edit (git checkout -- {display}/contract.yaml), then record the correction",
        )
    if lock.parts and parts is not None and parts["errata"] != lock.parts.get("errata"):
        raise _fail(
            f"{display}/contract.yaml",
            "the errata in contract.yaml differ from those recorded in signed.lock (one was edited by hand)",
            f"errata are never edited: restore them (git checkout -- {display}/contract.yaml), then make the correction",
        )
    changed = sorted(n for n in set(lock.files) | set(current) if lock.files.get(n) != current.get(n))
    if not changed:
        raise _fail(
            f"{YEARS}/{version}",
            "nothing in the signed text has changed",
            "make the correction in the YAML first, then record it",
        )
    # For one section, contract.yaml only gains the erratum; it has none yet, so its text must be as signed.
    stray = [n for n in changed if section_file and n != section_file]
    if stray:
        raise _fail(
            f"{YEARS}/{version}/{stray[0]}",
            f"files other than {section_file} changed too: {', '.join(stray)}",
            "undo those edits, or record each correction as its own erratum (without --section to cover several files)",
        )


def _add_erratum(root: Path, version: str, entry: dict[str, Any]) -> Contract:
    """Append an erratum to contract.yaml; put the file back and raise when the version would no longer validate.

    A locked erratum can never be edited, so one that fails validate must never be written.
    """
    path = root / YEARS / version / "contract.yaml"
    original = path.read_bytes()
    rewrite(path, lambda data: data.setdefault("errata", []).append(entry))
    report, loaded = validate(root, [version])
    problems = [d for d in report.errors if d.code != "locked"]  # the lock is re-recorded next
    if problems or version not in loaded:
        write_atomic(path, original)
        # The lines they name are gone again: say it is the new erratum instead.
        where = Pos(f"{YEARS}/{version}/contract.yaml")
        found = problems or report.errors
        raise ContractError(
            [Diagnostic(where, d.severity, f"the new erratum: {d.message}", d.hint, d.code) for d in found]
        )
    return loaded[version]


def _erratum_date(date: str | None, contract: Contract) -> str:
    """Return the erratum's date (default today): a real YYYY-MM-DD date, not before the version was signed."""
    if date is None:
        return datetime.date.today().isoformat()
    try:
        valid = len(date) == 10 and datetime.date.fromisoformat(date).isoformat() == date
    except ValueError:
        valid = False
    if not valid:
        raise UsageError(f"--date {date!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-02-01")
    signed = contract.meta.signed_on
    if signed and date < str(signed):
        raise UsageError(f"--date {date} is before version {contract.meta.version} was signed ({signed})")
    if date > datetime.date.today().isoformat():  # a locked erratum can never be corrected: no date yet to come
        raise UsageError(f"--date {date} is in the future: an erratum is dated the day it is recorded or before")
    return date


def _check_still_signed(contract: Contract, lock: locking.Lock, listed: int) -> None:
    """Refuse an erratum that would also lock a version set back to draft, a new signing date or removed errata."""
    where = f"{YEARS}/{lock.version}/contract.yaml"
    if contract.meta.status != "signed":
        raise _fail(
            where,
            f"version {lock.version} is signed, but contract.yaml says status: {contract.meta.status}",
            "a signed version stays signed: set status: signed again",
        )
    if str(contract.meta.signed_on or "") != lock.signed_on:
        raise _fail(
            where,
            f"version {lock.version} was signed on {lock.signed_on}, but contract.yaml says signed_on: "
            f"{contract.meta.signed_on or ''}",
            f"the signing date never changes: set signed_on: {lock.signed_on} again",
        )
    if listed < lock.errata:
        raise _fail(
            where,
            f"version {lock.version} is locked with {lock.errata} errata, but contract.yaml lists {listed}",
            "errata are never removed: restore the missing entries (git checkout -- " + where + ")",
        )


def erratum(
    root: Path, version: str, what: dict[str, str], why: dict[str, str], section: str | None, date: str | None
) -> locking.Lock:
    """Record a correction made after signing: add it to contract.yaml and re-lock the corrected content."""
    contract = load(root, version)  # first: a version that does not exist is named as such
    folder = version_folder(root, version)
    current = locking.read_lock(folder)
    if current is None:
        raise _fail(
            f"{YEARS}/{version}",
            f"version {version} is not locked",
            "errata are for signed, locked versions; edit a draft directly",
        )
    if len(contract.meta.errata) > current.errata:  # written, never locked: an erratum stopped half way
        raise _fail(
            f"{YEARS}/{version}/contract.yaml",
            f"contract.yaml lists {len(contract.meta.errata)} errata but signed.lock records {current.errata}: "
            "the last one was written but never locked (an erratum that was interrupted)",
            "remove that last entry under 'errata:' in contract.yaml, then run the erratum command again",
        )
    _check_still_signed(contract, current, len(contract.meta.errata))
    date = _erratum_date(date, contract)
    target = contract.section(section) if section else None
    if section and target is None:
        raise _fail(f"{YEARS}/{version}", f"there is no section {section!r}", "give the id of the corrected section")
    # A section lives in the file of its group (load reads group G from G.yaml).
    _check_correction(root, version, current, f"{target.group}.yaml" if target else None)
    entry = {"date": date, "what": what, "why": why}
    if section:
        entry = {"date": entry["date"], "section": section, "what": what, "why": why}
    corrected = _add_erratum(root, version, entry)
    index = len(corrected.meta.errata)
    # A translation given together with the source text is the translation of that text: record it as current.
    translated = sorted({lang for text in (what, why) for lang in text} - {corrected.languages[0]})
    if translated:
        lock = translations.read_lock(folder)
        for lang in translated:
            given = [f"erratum/{index}/{part}" for part, text in (("what", what), ("why", why)) if text.get(lang)]
            lock, _ = translations.confirm(corrected, lock, given, lang)
        translations.write_lock(folder, lock)
    current.files = locking.content_hashes(folder, f"{YEARS}/{version}", Report(), language=current.language)
    current.parts = locking.read_parts(folder, f"{YEARS}/{version}", current.language) or {}
    current.errata = len(contract.meta.errata) + 1
    locking.write_lock(folder, current)
    return current
