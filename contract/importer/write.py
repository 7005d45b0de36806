"""Write an import result as a version folder: into a staging folder, renamed into place when complete."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..source.yamlwrite import dump
from . import words
from .form import AnnexDraft, BlockDict, ImportResult, Node
from .refs import slug

# The national parties a Klimatkontrakt 2030 may name: (id, kind). Their names, per language, are in the
# importer's tables (contract/i18n/import-<code>.yaml).
PARTIES = (
    ("energimyndigheten", "agency"),
    ("vinnova", "agency"),
    ("formas", "agency"),
    ("tillvaxtverket", "agency"),
    ("trafikverket", "agency"),
    ("naturvardsverket", "agency"),
    ("viable-cities", "programme"),
)


def write_folder(
    result: ImportResult, out: Path, subjects: Mapping[str, dict[str, str]] | None = None, mode: int | None = None
) -> list[str]:
    """Write the result as a new version folder; refuse a non-empty one; all files appear at once.

    subjects: the certificate identities the repository records for parties by id (importer/known.py). Return the
    parties whose identity was taken from them. mode: the permissions of the empty folder the new one replaces.
    """
    out = check_target(out)
    staging = out.with_name(f".{out.name}.import-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        copied = _write_files(result, staging, subjects or {})
        if mode is not None:  # a folder made for the import (0750, to keep a draft from others) keeps its mode
            staging.chmod(mode)
        move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return copied


def check_target(out: Path) -> Path:
    """The real folder to write ("." and symlinks resolved), or a located refusal."""
    if out.is_symlink() and not out.exists():
        raise _refusal(out, "the output is a symbolic link to a folder that does not exist")
    real = out.resolve()
    if real.exists() and (not real.is_dir() or any(real.iterdir())):
        raise _refusal(out, "the output folder is not empty" if real.is_dir() else "the output is a file, not a folder")
    version = next((p for p in real.parents if (p / "contract.yaml").is_file()), None)
    if version is not None:
        raise _refusal(out, f"the output is inside the version folder {version}")
    return real


def move_into_place(staging: Path, out: Path) -> None:
    """Rename the finished staging folder to the output, atomically; never over a folder that has files."""
    try:
        os.rename(staging, out)  # replaces an empty folder; fails on one with files in it
    except OSError as exc:
        raise _refusal(out, f"the output folder was written meanwhile by something else ({exc.strerror})") from None


def _refusal(out: Path, message: str) -> ContractError:
    return ContractError(
        [Diagnostic(Pos(str(out)), "error", message, "choose a new folder, e.g. years/NEW; nothing was written")]
    )


def _write_files(result: ImportResult, out: Path, subjects: Mapping[str, dict[str, str]]) -> list[str]:
    out.mkdir(parents=True)
    lang = (result.lang, result.source)
    contract = _contract_file(result, subjects)
    dump(contract, out / "contract.yaml")
    if result.preamble:
        dump({"body": [_block(b, lang) for b in result.preamble]}, out / "preamble.yaml")
    for group, nodes in _groups(result.sections).items():
        dump({"sections": [_section(n, lang) for n in nodes]}, out / f"{group}.yaml")
    if result.annex:
        dump(_annex(result.annex, lang), out / "annex.yaml")
    return [party["id"] for party in contract["parties"] if "certificate_subject" in party]


def text(value: str, lang: tuple[str, str]) -> dict[str, str]:
    """A text of an imported string, given (the original's language, the source language).

    An original in a translation language stands under that language and under the source, which is required.
    """
    written, source = lang
    return {source: value} if written == source else {source: value, written: value}


def _contract_file(result: ImportResult, subjects: Mapping[str, dict[str, str]]) -> dict[str, Any]:
    langs = (result.lang, result.source)
    municipality_id = slug(result.municipality)
    parties: list[dict[str, Any]] = [
        {
            "id": municipality_id,
            "kind": "municipality",
            "name": text(result.municipality, langs),  # the repository's source is required, whatever the original's
            "signatory": {"name": None, "role": None},
        }
    ]
    parties += _national_parties(result)
    for party in parties:
        if party["id"] in subjects:  # the repository's own record of who signs for that party
            party["certificate_subject"] = dict(subjects[party["id"]])
    title = words.table(result.lang)
    return {
        "version": result.version,
        "valid_for": str(int(result.version) + 1) if result.version.isdigit() else result.version,
        "status": "draft",
        "signed_on": None,
        "previous": None,
        "municipality": municipality_id,
        "title": text(result.title or (title.title[0] if title and title.title else ""), langs),
        "parties": parties,
    }


def _national_parties(result: ImportResult) -> list[dict[str, Any]]:
    """Return the national parties the text names, each named in the repository's languages that have a table."""
    found = " ".join(_all_text(result.sections)).lower()
    out = []
    for pid, kind in PARTIES:
        names = words.party_names(pid)
        if not any(name.lower() in found for name in names.values()):
            continue
        named = {code: names[code] for code in result.languages if code in names}
        if result.source not in named:  # a source without a table: the original's name stands in, as for texts
            named = {result.source: names.get(result.lang) or next(iter(names.values())), **named}
        out.append({"id": pid, "kind": kind, "name": named, "signatory": {"name": None, "role": None}})
    return out


def _all_text(nodes: list[Node]) -> Iterator[str]:
    for node in nodes:
        yield node.title
        for block in node.blocks:
            value = block.get("list", block.get("p", block.get("heading", "")))
            yield from (value if isinstance(value, list) else [value])
        yield from _all_text(node.children)


def unmatched_groups(nodes: list[Node]) -> list[tuple[Node, str]]:
    """Return the chapters whose titles match no section group, with the file they were put in by place."""
    placed = {id(n): group for group, members in _groups(nodes).items() for n in members}
    return [
        (n, placed[id(n)])
        for n in nodes
        if not any(re.search(p, n.title, re.IGNORECASE) for _, p in words.group_patterns())
    ]


def _groups(nodes: list[Node]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    fallback = [g for g, _ in words.group_patterns()]
    order = 0
    for index, node in enumerate(nodes):
        group = next(
            (g for g, pattern in words.group_patterns() if re.search(pattern, node.title, re.IGNORECASE)), None
        )
        if group is None or fallback.index(group) < order:  # groups follow each other in a fixed order
            group = "clause" if index == len(nodes) - 1 else fallback[max(order, min(index, len(fallback) - 2))]
        order = fallback.index(group)
        groups.setdefault(group, []).append(node)
    return groups


def _section(node: Node, lang: tuple[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id}
    if node.pinned:
        out["number"] = node.number
    out["title"] = text(node.title, lang)
    if node.blocks:
        out["body"] = [_block(b, lang) for b in node.blocks]
    elif node.to_be_written:
        out["to_be_written"] = True
    if node.footnotes:
        out["footnotes"] = [{"id": n.id, "text": text(n.text, lang)} for n in node.footnotes]
    if node.children:
        out["sections"] = [_section(c, lang) for c in node.children]
    return out


def _block(block: BlockDict, lang: tuple[str, str]) -> dict[str, Any]:
    if "list" in block:
        return {"list": [text(t, lang) for t in block["list"]]}
    key = "p" if "p" in block else "heading"
    return {key: text(str(block[key]), lang)}


def _annex(annex: AnnexDraft, lang: tuple[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"title": text(annex.title, lang)}
    if annex.body:
        out["body"] = [_block(b, lang) for b in annex.body]
    out["documents"] = [{"title": text(d["title"], lang), "url": d.get("url", "")} for d in annex.documents]
    return out
