"""Validate contract versions: load every file, check everything, report all at once."""

from __future__ import annotations

from pathlib import Path

from ..errors import Report
from ..model import Contract
from ..source.languages import read_languages
from ..source.load import YEARS, load_version, unsafe_folder, years
from ..translate import glossary_check
from ..versions import locking
from . import imported as checks_import
from . import wordwidth
from .rules import check


def validate(root: Path, versions: list[str] | None = None) -> tuple[Report, dict[str, Contract]]:
    """Load and check the given versions (default: all); return the report and what loaded."""
    report = Report()
    loaded: dict[str, Contract] = {}
    if read_languages(root, report) is None or report.errors:
        return report, loaded  # a bad klimatkontrakt.yaml: every other message would follow from it
    for version in versions or years(root):
        contract = load_version(root, version, report)
        if contract is not None:
            check(contract, report)
            wordwidth.check(contract, report)
            glossary_check.check(root, contract, report)
            checks_import.check(contract, report)
            loaded[version] = contract
        folder = root / YEARS / version
        if folder.is_dir() and not unsafe_folder(root, folder, f"{YEARS}/{version}", Report()):
            signed = contract is not None and contract.meta.status == "signed"
            locking.check(folder, f"{YEARS}/{version}", len(contract.meta.errata) if contract else 0, report, signed)
    return report, loaded
