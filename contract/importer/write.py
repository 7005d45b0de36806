"""Write an import result as a version folder: into a staging folder, renamed into place when complete."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..source.yamlwrite import dump
from .form import AnnexDraft, BlockDict, ImportResult, Node
from .refs import slug

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

# Keywords that place a top-level section in its group file, tried in order (Swedish and English titles).
GROUP_KEYWORDS = (
    ("purpose", r"^syfte|^purpose"),
    ("parties", r"^parter|^parties"),
    ("municipality", r"^kommunens|^stadens|^regionens|municipality|^the city"),
    ("programme", r"viable cities"),
    ("agencies", r"^myndigheternas|agencies"),
    ("projects", r"utvecklingsprojekt|development projects"),
    ("updates", r"uppföljning|uppdatering|follow-up|updat"),
    ("clause", r"^kontraktet|^avtalet|^the contract"),
)


def write_folder(result: ImportResult, out: Path) -> None:
    """Write the result as a new version folder; refuse a non-empty one; all files appear at once."""
    out = check_target(out)
    staging = out.with_name(f".{out.name}.import-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_files(result, staging)
        move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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


def _write_files(result: ImportResult, out: Path) -> None:
    out.mkdir(parents=True)
    lang = result.lang
    dump(_contract_file(result), out / "contract.yaml")
    if result.preamble:
        dump({"body": [_block(b, lang) for b in result.preamble]}, out / "preamble.yaml")
    for group, nodes in _groups(result.sections).items():
        dump({"sections": [_section(n, lang) for n in nodes]}, out / f"{group}.yaml")
    if result.annex:
        dump(_annex(result.annex, lang), out / "annex.yaml")


def text(value: str, lang: str) -> dict[str, str]:
    """A bilingual text of an imported string; an English original stands in for the Swedish too."""
    return {"sv": value} if lang == "sv" else {"sv": value, "en": value}


def _contract_file(result: ImportResult) -> dict[str, Any]:
    words = " ".join(_all_text(result.sections)).lower()
    municipality_id = slug(result.municipality)
    parties = [
        {
            "id": municipality_id,
            "kind": "municipality",
            "name": text(result.municipality, result.lang),  # an English original's repository may require en
            "signatory": {"name": None, "role": None},
        }
    ]
    for pid, kind, sv, en in KNOWN_PARTIES:
        if sv.lower() in words or en.lower() in words:
            parties.append(
                {"id": pid, "kind": kind, "name": {"sv": sv, "en": en}, "signatory": {"name": None, "role": None}}
            )
    titles = {"sv": "Klimatkontrakt 2030", "en": "Climate City Contract 2030"}
    return {
        "version": result.version,
        "valid_for": str(int(result.version) + 1) if result.version.isdigit() else result.version,
        "status": "draft",
        "signed_on": None,
        "previous": None,
        "municipality": municipality_id,
        "title": text(result.title or titles[result.lang], result.lang),
        "parties": parties,
    }


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
        (n, placed[id(n)]) for n in nodes if not any(re.search(p, n.title, re.IGNORECASE) for _, p in GROUP_KEYWORDS)
    ]


def _groups(nodes: list[Node]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    fallback = [g for g, _ in GROUP_KEYWORDS]
    order = 0
    for index, node in enumerate(nodes):
        group = next((g for g, pattern in GROUP_KEYWORDS if re.search(pattern, node.title, re.IGNORECASE)), None)
        if group is None or fallback.index(group) < order:  # groups follow each other in a fixed order
            group = "clause" if index == len(nodes) - 1 else fallback[max(order, min(index, len(fallback) - 2))]
        order = fallback.index(group)
        groups.setdefault(group, []).append(node)
    return groups


def _section(node: Node, lang: str) -> dict[str, Any]:
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


def _block(block: BlockDict, lang: str) -> dict[str, Any]:
    if "list" in block:
        return {"list": [text(t, lang) for t in block["list"]]}
    key = "p" if "p" in block else "heading"
    return {key: text(str(block[key]), lang)}


def _annex(annex: AnnexDraft, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"title": text(annex.title, lang)}
    if annex.body:
        out["body"] = [_block(b, lang) for b in annex.body]
    out["documents"] = [{"title": text(d["title"], lang), "url": d.get("url", "")} for d in annex.documents]
    return out
