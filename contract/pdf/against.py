"""Is this our contract? Rebuild a version's PDF from the repository and compare the contract byte for byte.

Builds are reproducible, so the first two revisions of a signed PDF (the unsigned contract) must be
identical to a fresh `klimatkontrakt pdf`. `klimatkontrakt lock --pdf` records the contract's hash
in signed.lock; `verify` compares with it when the version is locked, without rebuilding.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import ContractError
from ..source.load import load
from ..source.provenance import source
from . import structure
from .document import render_pdf


def contract_hash(origin: str, data: bytes) -> str:
    """Return the sha256 of the contract inside a (signed) PDF: its first two revisions."""
    _, layout = structure.read(origin, data)
    return "sha256:" + hashlib.sha256(layout.contract).hexdigest()


def compare(
    root: Path, origin: str, data: bytes, version: str | None, layout: structure.Layout | None = None
) -> dict[str, Any]:
    """Compare the contract in a PDF with the repository: the rebuilt PDF (--against) or the lock's hash.

    `layout` is the file's layout when the caller has read it already (verify has): the file is not read twice.
    """
    layout = layout or structure.read(origin, data)[1]
    if version is not None:
        return _rebuilt(root, version, layout)
    return _locked(root, layout)


def _rebuilt(root: Path, version: str, layout: structure.Layout) -> dict[str, Any]:
    lang = layout.facts.get("lang", "sv")
    expected = render_pdf(load(root, version), lang, source(root, version))
    same = expected == layout.contract
    result: dict[str, Any] = {"against": version, "lang": lang, "same": same}
    if same:
        result["summary"] = f"identical to the PDF rebuilt from the repository (version {version}, {lang})"
        return result
    offset = next(
        (i for i, (a, b) in enumerate(zip(expected, layout.contract)) if a != b),
        min(len(expected), len(layout.contract)),
    )
    result["first_difference"] = offset
    result["expected_length"], result["found_length"] = len(expected), len(layout.contract)
    result["expected_bytes"] = expected[offset : offset + 40].decode("latin-1")
    result["found_bytes"] = layout.contract[offset : offset + 40].decode("latin-1")
    result["summary"] = (
        f"DIFFERS from the PDF rebuilt from the repository (version {version}, {lang}): first difference at "
        f"byte {offset} (rebuilt {result['expected_bytes'][:20]!r}, this file {result['found_bytes'][:20]!r})"
    )
    return result


def _locked(root: Path, layout: structure.Layout) -> dict[str, Any]:
    from ..versions import locking

    version, lang = layout.facts.get("version", ""), layout.facts.get("lang", "sv")
    folder = root / "years" / version
    try:
        lock = locking.read_lock(folder) if version.isdigit() and folder.is_dir() else None
    except ContractError:
        lock = None
    wanted = (lock.contracts if lock is not None else {}).get(lang)
    if not wanted:
        return {}
    found = "sha256:" + hashlib.sha256(layout.contract).hexdigest()
    same = found == wanted
    where = f"years/{version}/signed.lock"
    summary = (
        f"matches the contract hash recorded in {where}"
        if same
        else f"DIFFERS from the contract hash recorded in {where}"
    )
    return {"lock": where, "same": same, "summary": summary}


def contract_identity(origin: str, data: bytes, version: str) -> tuple[str, str]:
    """Return (language, contract hash) of a signed PDF of this version; refuse another version's PDF."""
    _, layout = structure.read(origin, data)
    if layout.facts.get("version") != version:
        from ..errors import Diagnostic
        from ..model import Pos

        raise ContractError(
            [
                Diagnostic(
                    Pos(origin),
                    "error",
                    f"this PDF is version {layout.facts.get('version')}, not {version}",
                    f"record only the signed PDFs of version {version}",
                    "wrong-version",
                )
            ]
        )
    return layout.facts.get("lang", "sv"), "sha256:" + hashlib.sha256(layout.contract).hexdigest()
