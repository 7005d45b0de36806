"""Load a contract version folder: YAML (positions kept) → JSON Schema → typed model."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ids
from ..checks import characters
from ..errors import ContractError, Diagnostic, Report, UsageError, excerpt
from ..ids import TextKey
from ..model import (
    GROUPS,
    Annex,
    AnnexDocument,
    Block,
    BulletList,
    Contract,
    Erratum,
    Footnote,
    Heading,
    Meta,
    Paragraph,
    Party,
    Pos,
    Section,
    Signatory,
    Text,
    Translation,
)
from ..output.files import finish_writes
from ..translate import translations
from . import numbering, schema_files
from .kept import Kept, replayed
from .language_checks import check_languages, check_signed_language
from .languages import read_languages
from .schema import FILE_SCHEMAS, validate
from .yamlfile import Document, checked, read

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

YEARS = "years"
_WRAP = re.compile(r"[ \t\r\n]+")
_LANG_KEY = re.compile(r"^(?:note_)?([a-z]{2,3})$")


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
    return _model(docs, display, report, languages.all, lock)


def _model(
    docs: dict[str, Document], display: str, report: Report, langs: tuple[str, ...], lock: translations.Lock
) -> Contract | None:
    """Build a version's model from its files and translations lock; unchanged inputs give the model built before."""

    def build(found: Report) -> Contract | None:
        contract = _build(docs, display, found, langs)
        if not check_languages(contract, found):
            return None
        pairs = translations.pairs_of(lock)
        return _map_texts(contract, lambda t: translations.apply(t, lock, pairs))

    parses = tuple((name, doc.parsed) for name, doc in sorted(docs.items()))
    if any(parsed is None for _, parsed in parses):
        return build(report)
    # Each file by its parse (the same object while the text is unchanged); the model is immutable, so it is shared.
    return replayed(_MODELS, (display, langs, parses, repr(lock)), build, report)


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


def _build(docs: dict[str, Document], display: str, report: Report, langs: tuple[str, ...]) -> Contract:
    meta_doc = docs["contract.yaml"]
    sections: list[Section] = []
    for group in GROUPS:
        doc = docs.get(f"{group}.yaml")
        if doc is not None and group not in ("preamble", "annex"):
            sections += [_section(doc, langs, s, ("sections", i), group, 1) for i, s in enumerate(doc.data["sections"])]
    preamble = docs.get("preamble.yaml")
    annex = docs.get("annex.yaml")
    return Contract(
        meta=_meta(meta_doc, langs),
        parties=tuple(_party(meta_doc, langs, p, i) for i, p in enumerate(meta_doc.data["parties"])),
        preamble=_blocks(preamble, langs, preamble.data["body"], ("body",), "preamble") if preamble else (),
        sections=numbering.number(sections, report),
        annex=_annex(annex, langs) if annex else None,
        folder=display,
        languages=langs,
    )


def _meta(doc: Document, langs: tuple[str, ...]) -> Meta:
    data = doc.data
    return Meta(
        version=str(data["version"]),
        valid_for=str(data["valid_for"]),
        status=data["status"],
        municipality=data["municipality"],
        title=_text(doc, langs, data["title"], ("title",), str(TextKey.title("meta"))),
        signed_on=data.get("signed_on"),
        previous=data.get("previous"),
        errata=tuple(_erratum(doc, langs, e, i) for i, e in enumerate(data.get("errata", ()))),
        pos=doc.pos(("version",)),
        previous_pos=doc.pos(("previous",)) if "previous" in data else None,
    )


def _erratum(doc: Document, langs: tuple[str, ...], data: Any, index: int) -> Erratum:
    path = ("errata", index)
    return Erratum(
        date=data["date"],
        section=data.get("section"),
        what=_text(doc, langs, data["what"], path + ("what",), str(TextKey.erratum(index, "what"))),
        why=_text(doc, langs, data["why"], path + ("why",), str(TextKey.erratum(index, "why"))),
        pos=doc.pos(path),
    )


def _party(doc: Document, langs: tuple[str, ...], data: Any, index: int) -> Party:
    path = ("parties", index)
    signatory = data.get("signatory") or {}
    role = signatory.get("role")
    return Party(
        id=data["id"],
        kind=data["kind"],
        name=_text(doc, langs, data["name"], path + ("name",), str(TextKey.party(data["id"], "name"))),
        signatory=Signatory(
            name=(signatory.get("name") or None),
            role=_text(doc, langs, role, path + ("signatory", "role"), str(TextKey.party(data["id"], "role")))
            if role
            else None,
        ),
        pos=doc.pos(path),
        certificate_subject={str(k): str(v) for k, v in (data.get("certificate_subject") or {}).items()},
    )


def _section(
    doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], group: str, depth: int
) -> Section:
    sid = data["id"]
    return Section(
        id=sid,
        number=str(data.get("number", "")),
        pinned="number" in data,
        gap_reason=data.get("gap_reason"),
        acknowledged_refs=tuple(data.get("acknowledged_refs", ())),
        to_be_written=bool(data.get("to_be_written", False)),
        title=_text(doc, langs, data["title"], path + ("title",), str(TextKey.title(sid))),
        group=group,
        depth=depth,
        body=_blocks(doc, langs, data.get("body", ()), path + ("body",), sid),
        footnotes=tuple(
            _footnote(doc, langs, n, path + ("footnotes", i)) for i, n in enumerate(data.get("footnotes", ()))
        ),
        children=tuple(
            _section(doc, langs, child, path + ("sections", i), group, depth + 1)
            for i, child in enumerate(data.get("sections", ()))
        ),
        pos=doc.pos(path + ("id",)),
    )


def _footnote(doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...]) -> Footnote:
    return Footnote(
        id=data["id"],
        number=0,
        text=_text(doc, langs, data["text"], path + ("text",), str(TextKey.footnote(data["id"]))),
        pos=doc.pos(path + ("id",)),
    )


def _blocks(
    doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], owner: str
) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for i, block in enumerate(data):
        here, key = path + (i,), TextKey.block(owner, i)
        if "p" in block:
            blocks.append(Paragraph(_text(doc, langs, block["p"], here + ("p",), str(key))))
        elif "heading" in block:
            blocks.append(Heading(_text(doc, langs, block["heading"], here + ("heading",), str(key))))
        else:
            items = block["list"]
            blocks.append(
                BulletList(
                    tuple(
                        _text(doc, langs, t, here + ("list", j), str(TextKey.block(owner, i, j)))
                        for j, t in enumerate(items)
                    )
                )
            )
    return tuple(blocks)


def _annex(doc: Document, langs: tuple[str, ...]) -> Annex:
    data = doc.data
    return Annex(
        title=_text(doc, langs, data["title"], ("title",), str(TextKey.title("annex"))),
        body=_blocks(doc, langs, data.get("body", ()), ("body",), "annex"),
        documents=tuple(
            AnnexDocument(
                _text(doc, langs, d["title"], ("documents", i, "title"), str(TextKey.annex_document(i))),
                d["url"],
                doc.pos(("documents", i)),
            )
            for i, d in enumerate(data.get("documents", ()))
        ),
        pos=doc.pos(()),
    )


def _text(doc: Document, langs: tuple[str, ...], data: Any, path: tuple[str | int, ...], key: str) -> Text:
    """Build a text: the source (langs[0]), then each language's translation; keys of other languages follow,
    so that `_check_languages` can report them."""
    found = (m.group(1) for k in data if (m := _LANG_KEY.match(str(k))))
    source, others = langs[0], list(dict.fromkeys(code for code in found if code not in langs))
    translations = tuple((code, _translation(doc, data, path, code)) for code in (*langs[1:], *others))
    value = data.get(source)
    return Text(
        key=key,
        source=_clean(value) if isinstance(value, str) else "",
        translations=translations,
        pos=doc.pos(path + (source,)) if source in data else doc.pos(path),
        path=path,
        lang=source,
    )


def _translation(doc: Document, data: Any, path: tuple[str | int, ...], code: str) -> Translation:
    value, note = data.get(code), data.get(f"note_{code}")
    return Translation(
        text=_clean(value) if value and value.strip() else None,
        pos=doc.pos(path + (code,)) if code in data else doc.pos(path),
        note=_clean(note) if note else None,
        note_pos=doc.pos(path + (f"note_{code}",)) if f"note_{code}" in data else None,
    )


def _clean(text: str) -> str:
    # A text is one paragraph: line breaks are wrapping. Non-breaking spaces are kept.
    return _WRAP.sub(" ", text).strip()
