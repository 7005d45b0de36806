"""Validate contract versions: load every file, check everything, report all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import Report
from ..model import Contract, Pos
from ..source.kept import Kept, replayed
from ..source.languages import read_languages
from ..source.load import YEARS, load_version, unsafe_folder, years
from ..translate import glossary_check
from ..translate.glossary import Glossary
from ..versions import locking
from . import imported as checks_import
from . import wordwidth
from .rules import check


def validate(
    root: Path, versions: list[str] | None = None, on_load: Callable[[str, Contract], None] | None = None
) -> tuple[Report, dict[str, Contract]]:
    """Load and check the given versions (default: all); return the report and what loaded.

    on_load is told of each version that loads without an error, before its checks run (the build starts its PDFs).
    """
    report = Report()
    loaded: dict[str, Contract] = {}
    if read_languages(root, report) is None or report.errors:
        return report, loaded  # a bad klimatkontrakt.yaml: every other message would follow from it
    for version in versions or years(root):
        errors = len(report.errors)
        contract = load_version(root, version, report)
        if contract is not None and on_load is not None and len(report.errors) == errors:
            on_load(version, contract)
        if contract is not None:
            _check(root, contract, report)
            loaded[version] = contract
        folder = root / YEARS / version
        if folder.is_dir() and not unsafe_folder(root, folder, f"{YEARS}/{version}", Report()):
            signed = contract is not None and contract.meta.status == "signed"
            locking.check(folder, f"{YEARS}/{version}", len(contract.meta.errata) if contract else 0, report, signed)
    _check_skipped(root, loaded, report)
    return report, loaded


def _check_skipped(root: Path, loaded: dict[str, Contract], report: Report) -> None:
    """Warn of a `previous:` naming a version not in the repository while one between the two is.

    Such a version follows none in the archive (diff.lineage): it gets no redline and its history starts again,
    which is right for the archive's first version and almost certainly a slip for one after it.
    """
    present = set(years(root))
    for version, contract in sorted(loaded.items()):
        named = contract.meta.previous
        between = sorted(v for v in present if named and named < v < version)
        if not named or named in present or not between:
            continue
        report.warning(
            contract.meta.previous_pos or contract.meta.pos or Pos(contract.folder),
            f"previous: {named!r} is not a version in {YEARS}/, though {between[-1]} is: version {version} follows "
            "no version of the archive, so it has no redline and its history starts again",
            f"name the version {version} replaces, such as previous: '{between[-1]}'",
            "previous-not-in-archive",
        )


# The checks' findings for the models checked last: a model and a glossary built from unchanged files are the same
# objects (kept by source.load and translate.glossary), and every check below depends only on them.
_CHECKED = Kept(32)


def _check(root: Path, contract: Contract, report: Report) -> None:
    """Run every check of one loaded version; a version checked before with the same glossary reports the same."""
    glossary = glossary_check.glossary_of(root, contract, report)

    def run(found: Report) -> tuple[Contract, Glossary]:
        check(contract, found)
        wordwidth.check(contract, found)
        glossary_check.check_with(contract, glossary, found)
        checks_import.check(contract, found)
        return contract, glossary  # kept with the findings: the key names them by identity

    replayed(_CHECKED, (id(contract), id(glossary)), run, report)
