"""The yearly cycle: lock signed versions; record errata (new_year starts next year's draft)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from ..checks.validate import validate
from ..errors import ContractError, Diagnostic, Report, UsageError
from ..model import Contract, Pos
from ..output.files import write_atomic
from ..source.load import YEARS, load, version_folder
from ..source.yamlwrite import rewrite
from ..translate import translations
from . import locking


def _fail(where: str, message: str, hint: str = "") -> ContractError:
    return ContractError([Diagnostic(Pos(where), "error", message, hint)])


def lock(root: Path, version: str, pdfs: list[Path]) -> locking.Lock:
    """Record the signed content of a signed version (and the signed PDFs) in signed.lock."""
    contract = load(root, version)
    folder = root / YEARS / version
    if contract.meta.status != "signed":
        raise _fail(
            f"{YEARS}/{version}/contract.yaml",
            f"version {version} is not signed",
            "set status: signed and signed_on when every party has signed",
        )
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
    result.files = locking.content_hashes(folder, f"{YEARS}/{version}", report)
    result.pdfs.update({pdf.name: locking.file_hash(pdf) for pdf in pdfs})
    if pdfs:
        # pyHanko loads in ~1 s: only when signed PDFs are recorded
        from ..pdf import against

        for pdf in pdfs:
            lang, digest = against.contract_identity(str(pdf), pdf.read_bytes(), version)
            result.contracts[lang] = digest
    locking.write_lock(folder, result)
    return result


def _check_correction(root: Path, version: str, lock: locking.Lock, section_file: str | None) -> None:
    """Refuse an erratum over a version with other errors, or (for one section) edits in other files."""
    report, _ = validate(root, [version])
    others = [d for d in report.errors if d.code != "locked"]
    if others:
        raise ContractError(others)
    folder = root / YEARS / version
    current = locking.content_hashes(folder, f"{YEARS}/{version}", Report())
    changed = sorted(n for n in set(lock.files) | set(current) if lock.files.get(n) != current.get(n))
    if not changed:
        raise _fail(
            f"{YEARS}/{version}",
            "nothing in the signed text has changed",
            "make the correction in the YAML first, then record it",
        )
    stray = [n for n in changed if section_file and n not in (section_file, "contract.yaml")]
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
    return date


def erratum(
    root: Path, version: str, what: dict[str, str], why: dict[str, str], section: str | None, date: str | None
) -> locking.Lock:
    """Record a correction made after signing: add it to contract.yaml and re-lock the corrected content."""
    folder = version_folder(root, version)
    current = locking.read_lock(folder)
    if current is None:
        raise _fail(
            f"{YEARS}/{version}",
            f"version {version} is not locked",
            "errata are for signed, locked versions; edit a draft directly",
        )
    contract = load(root, version)
    if len(contract.meta.errata) > current.errata:  # written, never locked: an erratum stopped half way
        raise _fail(
            f"{YEARS}/{version}/contract.yaml",
            f"contract.yaml lists {len(contract.meta.errata)} errata but signed.lock records {current.errata}: "
            "the last one was written but never locked (an erratum that was interrupted)",
            "remove that last entry under 'errata:' in contract.yaml, then run the erratum command again",
        )
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
    current.files = locking.content_hashes(folder, f"{YEARS}/{version}", Report())
    current.errata = len(contract.meta.errata) + 1
    locking.write_lock(folder, current)
    return current
