"""Load a contract version folder: YAML (positions kept) → JSON Schema → typed model."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ids
from ..checks import characters
from ..errors import ContractError, Diagnostic, Report, UsageError, excerpt
from ..model import (
    Contract,
    Pos,
    Text,
)
from ..output.files import finish_writes
from ..translate import translations
from . import schema_files, signed_content
from .kept import Kept, replayed
from .language_checks import check_languages, check_signed_language
from .languages import read_languages
from .model_build import build_contract
from .schema import FILE_SCHEMAS, validate
from .yamlfile import Document, checked, read

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

YEARS = "years"


_MODELS = Kept(32)  # the models of the versions read last, by their inputs (_model)


def years(root: Path) -> list[str]:
    """Return the version folders under years/, oldest first."""
    folder = root / YEARS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def version_folder(root: Path, version: str) -> Path:
    """Return years/VERSION; refuse (UsageError) a version that is not a name under years/.

    Every command that takes a version goes through here, so no argument can name another path.
    """
    if ids.is_version_name(version) or version in years(root):
        return root / YEARS / version
    raise UsageError(
        f"{excerpt(version)} is not a version: give the name of a folder under {YEARS}/, "
        f"four digits such as 2024 (versions here: {', '.join(years(root)) or 'none'})"
    )


_ELSEWHERE = "run the command in the repository folder, or give it with --root DIR"


def require_repository(root: Path) -> None:
    """Raise UsageError unless root has a years/ folder and the schemas: the command was run in the wrong folder."""
    if not (root / YEARS).is_dir():
        raise UsageError(
            [Diagnostic(Pos(str(root / YEARS)), "error", "there is no folder of versions here", _ELSEWHERE, "no-years")]
        )
    _require_schemas(root)


def _require_schemas(root: Path) -> None:
    if (root / "schema").is_dir() and not (root / "schema" / "defs.schema.json").exists():
        # The repository's schema folder, without the definitions every schema uses: a file to put back.
        message = "the schema file is missing: every contract schema uses its definitions"
        raise ContractError(
            [Diagnostic(Pos("schema/defs.schema.json"), "error", message, schema_files.HINT, "schema-file")]
        )
    if not (root / "schema" / "defs.schema.json").is_file():
        raise UsageError(
            [
                Diagnostic(
                    Pos(str(root / "schema")), "error", "there are no contract schemas here", _ELSEWHERE, "no-schema"
                )
            ]
        )


def unsafe_folder(root: Path, folder: Path, display: str, report: Report) -> bool:
    """Record an error for a version folder, or an entry in it, that is a link or leads out of the repository."""
    before = len(report.errors)
    inside = root.resolve()
    if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(inside)):
        report.error(
            Pos(display),
            "the version folder is a symbolic link or lies outside the repository",
            f"keep the real files in {display}/ inside the repository",
            "symlink",
        )
    elif folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.is_symlink() or not entry.resolve().is_relative_to(inside):
                report.error(
                    Pos(f"{display}/{entry.name}", 1, 1),
                    "the file is a symbolic link; contract files are never read through links",
                    "replace the link with the file itself",
                    "symlink",
                )
    return len(report.errors) > before


def load_version(root: Path, version: str, report: Report) -> Contract | None:
    """Load one version folder; every problem goes to the report; None when unusable."""
    folder = version_folder(root, version)
    display = f"{YEARS}/{version}"
    _require_schemas(root)
    if unsafe_folder(root, folder, display, report):
        return None
    if not folder.is_dir():
        known = ", ".join(years(root)) or "none"
        report.error(Pos(display), f"there is no version {version!r}", f"versions in {YEARS}/: {known}", "no-version")
        return None
    finish_writes(folder)  # a write killed half-way (write_all) is completed before anything is read
    languages = read_languages(root, report)
    if languages is None:  # the texts' required language is unknown: reading them would report noise
        return None
    docs = _read_folder(root, folder, display, report, languages.source)
    check_signed_language(root, folder, version, languages.source, report)
    if "contract.yaml" not in docs:
        if not (folder / "contract.yaml").exists():
            report.error(
                Pos(f"{display}/contract.yaml"),
                "the version has no contract.yaml",
                "copy it from another version and edit it",
                "missing-file",
            )
        return None
    try:
        lock = translations.read_lock(folder)
    except ContractError as exc:
        report.items.extend(exc.diagnostics)
        return None
    unread = tuple(f"{display}/{n}" for n in sorted(FILE_SCHEMAS) if (folder / n).exists() and n not in docs)
    return _model(docs, display, report, languages.all, lock, unread)


def _model(
    docs: dict[str, Document],
    display: str,
    report: Report,
    langs: tuple[str, ...],
    lock: translations.Lock,
    unread: tuple[str, ...],
) -> Contract | None:
    """Build a version's model from its files and translations lock; unchanged inputs give the model built before."""

    def build(found: Report) -> Contract | None:
        content = "" if unread else signed_content.of_files({n: d.data for n, d in docs.items()}, langs[0])
        contract = dataclasses.replace(
            build_contract(docs, display, found, langs), unread=unread, signed_content=content
        )
        if not check_languages(contract, found):
            return None
        pairs = translations.pairs_of(lock)
        return _map_texts(contract, lambda t: translations.apply(t, lock, pairs))

    parses = tuple((name, doc.parsed) for name, doc in sorted(docs.items()))
    if any(parsed is None for _, parsed in parses):
        return build(report)
    # Each file by its parse (the same object while the text is unchanged); the model is immutable, so it is shared.
    return replayed(_MODELS, (display, langs, parses, repr(lock), unread), build, report)


def _map_texts(contract: Contract, fn: Callable[[Text], Text]) -> Contract:
    """Return a copy of the contract with fn applied to every Text."""
    return dataclasses.replace(contract, **_mapped_fields(contract, fn))


def _mapped_fields(node: DataclassInstance, fn: Callable[[Text], Text]) -> dict[str, Any]:
    """Return every field of a model object with fn applied to every Text inside it."""
    # Any: the walk keeps each field's type (Text to Text, tuple to tuple), which replace() cannot see through.
    return {f.name: _map_node(getattr(node, f.name), fn) for f in dataclasses.fields(node)}


def _map_node(node: object, fn: Callable[[Text], Text]) -> object:
    """Return a copy of a model tree with fn applied to every Text."""
    if isinstance(node, Text):
        return fn(node)
    if isinstance(node, tuple):
        return tuple(_map_node(item, fn) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return dataclasses.replace(node, **_mapped_fields(node, fn))
    return node


def load(root: Path, version: str) -> Contract:
    """Load one version or raise ContractError with every error found."""
    report = Report()
    contract = load_version(root, version, report)
    if contract is None or report.errors:
        raise ContractError(report.errors or report.items)
    return contract


def _read_folder(root: Path, folder: Path, display: str, report: Report, source: str) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    for file in sorted(folder.iterdir()):
        name = f"{display}/{file.name}"
        if file.suffix not in (".yaml", ".yml"):
            continue
        if file.name not in FILE_SCHEMAS:
            expected = ", ".join(sorted(FILE_SCHEMAS))
            report.error(
                Pos(name, 1, 1),
                f"unknown file {excerpt(file.name)} in a version folder",
                f"expected files: {expected}",
                "unknown-file",
            )
            continue
        doc = read(file, name, report)
        if doc is not None:
            checked(doc, ("characters",), characters.check_document, report)
        if doc is not None and validate(doc, root / "schema", FILE_SCHEMAS[file.name], report, source):
            docs[file.name] = doc
    return docs
