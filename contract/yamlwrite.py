"""Write contract YAML files: the schema comment first, readable wrapping, stable key order."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML

from .files import write_atomic
from .schema import FILE_SCHEMAS

# The cover of every Klimatkontrakt 2030 names these; (id, kind, Swedish name, English name).
KNOWN_PARTIES = (
    ("energimyndigheten", "agency", "Energimyndigheten", "Swedish Energy Agency"),
    ("vinnova", "agency", "Vinnova", "Vinnova (Sweden's Innovation Agency)"),
    ("formas", "agency", "Formas", "Formas (the Swedish Research Council for Sustainable Development)"),
    ("tillvaxtverket", "agency", "Tillväxtverket", "Swedish Agency for Economic and Regional Growth"),
    ("trafikverket", "agency", "Trafikverket", "Swedish Transport Administration"),
    ("naturvardsverket", "agency", "Naturvårdsverket", "Swedish Environmental Protection Agency"),
    ("viable-cities", "programme", "Viable Cities", "Viable Cities"),
)

# Keywords that place a top-level section in its group file, tried in order.
GROUP_KEYWORDS = (
    ("purpose", r"^syfte"),
    ("parties", r"^parter"),
    ("municipality", r"^kommunens|^stadens|^regionens"),
    ("programme", r"viable cities"),
    ("agencies", r"^myndigheternas"),
    ("projects", r"utvecklingsprojekt"),
    ("updates", r"uppföljning|uppdatering"),
    ("clause", r"^kontraktet|^avtalet"),
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    return yaml


def _emit(data: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    # ruamel leaves a space where it wraps a long text; editors flag trailing whitespace.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def dump(data: Any, path: Path) -> None:
    """Write a new contract file, starting with its yaml-language-server schema line."""
    schema = FILE_SCHEMAS[path.name]
    write_atomic(path, f"# yaml-language-server: $schema=../../schema/{schema}\n{_emit(data)}")


def rewrite(path: Path, edit: Callable[[Any], None]) -> None:
    """Edit a contract file through a ruamel round trip: comments, key order and quoting are kept."""
    write_atomic(path, edited(path, edit))


def edited(path: Path, edit: Callable[[Any], None]) -> str:
    """Return a contract file's text after an edit through a ruamel round trip, without writing it."""
    data = _yaml().load(path.read_text(encoding="utf-8"))
    edit(data)
    return _emit(data)


def write_import(result, out: Path) -> None:
    """Write an ImportResult as a version folder."""
    out.mkdir(parents=True, exist_ok=True)
    dump(_contract_file(result), out / "contract.yaml")
    if result.preamble:
        dump({"body": [_block(b) for b in result.preamble]}, out / "preamble.yaml")
    for group, nodes in _groups(result.sections).items():
        dump({"sections": [_section(n) for n in nodes]}, out / f"{group}.yaml")
    if result.annex:
        annex = {"title": {"sv": result.annex["title"]}}
        if result.annex["body"]:
            annex["body"] = [_block(b) for b in result.annex["body"]]
        annex["documents"] = [{"title": {"sv": d["title"]}, "url": d.get("url", "")} for d in result.annex["documents"]]
        dump(annex, out / "annex.yaml")


def _contract_file(result) -> dict:
    from .importer import _slug

    text = " ".join(_all_text(result.sections))
    municipality_id = _slug(result.municipality)
    parties = [{"id": municipality_id, "kind": "municipality", "name": {"sv": result.municipality}, "signatory": {"name": None, "role": None}}]
    for pid, kind, sv, en in KNOWN_PARTIES:
        if sv.lower() in text.lower():
            parties.append({"id": pid, "kind": kind, "name": {"sv": sv, "en": en}, "signatory": {"name": None, "role": None}})
    return {
        "version": result.version,
        "valid_for": str(int(result.version) + 1) if result.version.isdigit() else result.version,
        "status": "draft",
        "signed_on": None,
        "previous": None,
        "municipality": municipality_id,
        "title": {"sv": result.title or "Klimatkontrakt 2030"},
        "parties": parties,
    }


def _all_text(nodes):
    for node in nodes:
        yield node.title
        for block in node.blocks:
            yield from block.get("list", [block.get("p", block.get("heading", ""))])
        yield from _all_text(node.children)


def _groups(nodes) -> dict[str, list]:
    groups: dict[str, list] = {}
    fallback = [g for g, _ in GROUP_KEYWORDS]
    for index, node in enumerate(nodes):
        group = next((g for g, pattern in GROUP_KEYWORDS if re.search(pattern, node.title, re.I)), None)
        if group is None:
            group = "clause" if index == len(nodes) - 1 else fallback[min(index, len(fallback) - 2)]
        groups.setdefault(group, []).append(node)
    return groups


def _section(node) -> dict:
    out: dict = {"id": node.id}
    if node.pinned:
        out["number"] = node.number
    out["title"] = {"sv": node.title}
    if node.blocks:
        out["body"] = [_block(b) for b in node.blocks]
    if node.footnotes:
        out["footnotes"] = [{"id": n["id"], "text": {"sv": n["text"]}} for n in node.footnotes]
    if node.children:
        out["sections"] = [_section(c) for c in node.children]
    return out


def _block(block: dict) -> dict:
    if "list" in block:
        return {"list": [{"sv": t} for t in block["list"]]}
    key = "p" if "p" in block else "heading"
    return {key: {"sv": block[key]}}
