"""Make edited copies of a contract version for the redline tests: text edits and structural edits."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace as _replace
from pathlib import Path

from ruamel.yaml import YAML

from contract.errors import Report
from contract.model import Contract, Paragraph, Section, Text, Translation
from contract.source.load import load
from contract.source.numbering import number as _number

MAIN = Path(__file__).resolve().parents[2]
_FILES = ("purpose", "parties", "municipality", "programme", "agencies", "projects", "updates", "clause")


class Copy:
    """A scratch repository holding one version folder copied from the real one, editable in place."""

    def __init__(self, root: Path, version: str = "2023", source: Path = MAIN):
        self.root, self.version = root, version
        (root / "years").mkdir(parents=True, exist_ok=True)
        if not (root / "schema").exists():
            shutil.copytree(source / "schema", root / "schema")
        shutil.copytree(source / "years" / "2023", self.folder)
        if version != "2023":
            self.replace("contract.yaml", "version: '2023'", f"version: '{version}'")

    @property
    def folder(self) -> Path:
        return self.root / "years" / self.version

    def load(self) -> Contract:
        return load(self.root, self.version)

    def replace(self, file: str, old: str, new: str, count: int = 1) -> None:
        """Replace text in a file, failing unless it occurs exactly count times (count=0: any number >= 1)."""
        path = self.folder / file
        text = path.read_text(encoding="utf-8")
        found = text.count(old)
        assert (found >= 1) if count == 0 else (found == count), f"{old!r} occurs {found} times in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def data(self, file: str):
        return YAML().load((self.folder / file).read_text(encoding="utf-8"))

    def save(self, file: str, data) -> None:
        yaml = YAML()
        yaml.width = 4096
        out = io.StringIO()
        yaml.dump(data, out)
        (self.folder / file).write_text(out.getvalue(), encoding="utf-8")

    def locate(self, section_id: str):
        """Return (file, data, siblings list, index) of a section given its id."""
        for name in _FILES:
            data = self.data(f"{name}.yaml")
            found = _find(data["sections"], section_id)
            if found:
                return (f"{name}.yaml", data, *found)
        raise KeyError(section_id)

    def section(self, section_id: str):
        """Return the YAML mapping of a section (a live part of a fresh parse; use with save)."""
        file, data, siblings, index = self.locate(section_id)
        return file, data, siblings[index]


def _find(sections, section_id):
    for index, section in enumerate(sections):
        if section["id"] == section_id:
            return sections, index
        found = _find(section.get("sections", []), section_id)
        if found:
            return found
    return None


def new_section(
    section_id: str, sv_title: str, sv_text: str, en_title: str | None = None, en_text: str | None = None
) -> dict:
    """Return a section mapping with one paragraph."""
    title = {"sv": sv_title, **({"en": en_title} if en_title else {})}
    para = {"sv": sv_text, **({"en": en_text} if en_text else {})}
    return {"id": section_id, "title": title, "body": [{"p": para}]}


# ---------------------------------------------------------------- model edits (dataclasses.replace)


def text(sv: str, en: str | None = None, key: str = "test") -> Text:
    """Return a bilingual text whose English counts as a current translation."""
    return Text(
        key=key, source=sv, translations=(("en", Translation(en, status="current" if en is not None else "missing")),)
    )


def with_sections(contract: Contract, sections) -> Contract:
    """Return the contract with these top-level sections, numbered by position again."""
    return _replace(contract, sections=_number(list(sections), Report()))


def map_section(contract: Contract, section_id: str, fn) -> Contract:
    """Return the contract with one section replaced by fn(section) (fn may return a tuple of sections)."""

    def visit(sections):
        out = []
        for s in sections:
            if s.id == section_id:
                result = fn(s)
                out += list(result) if isinstance(result, tuple) else [result]
            else:
                out.append(_replace(s, children=visit(s.children)))
        return tuple(out)

    return with_sections(contract, visit(contract.sections))


def set_body(contract: Contract, section_id: str, *paragraphs: Text) -> Contract:
    """Return the contract with a section's body replaced by these paragraphs."""
    return map_section(contract, section_id, lambda s: _replace(s, body=tuple(Paragraph(p) for p in paragraphs)))


def make_section(
    section_id: str, title: Text, *paragraphs: Text, depth: int = 2, group: str = "municipality"
) -> Section:
    """Return a new section with paragraphs (numbered when placed with with_sections or map_section)."""
    return Section(
        id=section_id, number="", title=title, group=group, depth=depth, body=tuple(Paragraph(p) for p in paragraphs)
    )
