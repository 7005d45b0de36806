"""XLIFF 2.0 exchange files: one unit per text; references and footnote marks as protected placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from ..errors import Diagnostic
from ..model import Pos
from .exchange import Incoming, Unit

NS = "urn:oasis:names:tc:xliff:document:2.0"
_Q = f"{{{NS}}}"
_MARK = re.compile(r"\{(?:ref|fn):[^{}\s]*\}")
# missing -> initial without target; stale -> initial with the old English to review; current -> final.
STATES = {"missing": "initial", "stale": "initial", "current": "final"}
_TRANSPARENT = {"mrk", "pc"}  # annotations a CAT tool may add around text: their text is kept


def unit_id(key: str) -> str:
    """Return the XLIFF id (an XML name token) of a text key: ids and keys never hold '_', so '/' maps to it."""
    return key.replace("/", "_")


def write(units: list[Unit], version: str) -> bytes:
    """Return an XLIFF 2.0 document holding the units."""
    root = etree.Element(_Q + "xliff", nsmap={None: NS}, version="2.0", srcLang="sv", trgLang="en")
    file = etree.SubElement(root, _Q + "file", id="f1", original=f"years/{version}")
    for unit in units:
        _unit(file, unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(parent, unit: Unit) -> None:
    element = etree.SubElement(parent, _Q + "unit", id=unit_id(unit.key), name=unit.key)
    notes = [("location", unit.location)] + ([("translator", unit.note)] if unit.note else [])
    notes += [("glossary", term) for term in unit.terms]
    holder = etree.SubElement(element, _Q + "notes")
    for category, text in notes:
        etree.SubElement(holder, _Q + "note", category=category).text = text
    segment = etree.SubElement(element, _Q + "segment", state=STATES[unit.state])
    if unit.state == "stale":
        segment.set("subState", "klimatkontrakt:stale")
    marks = _fill(etree.SubElement(segment, _Q + "source"), unit.sv, {})
    if unit.en:
        _fill(etree.SubElement(segment, _Q + "target"), unit.en, marks)


def _fill(element, text: str, marks: dict[str, str]) -> dict[str, str]:
    """Write text into an element, each mark as <ph/>; return mark -> placeholder id (reused for the target)."""
    marks = dict(marks)
    last = None
    pos = 0
    for match in _MARK.finditer(text):
        _append(element, last, text[pos : match.start()])
        mark = match.group()
        ident = marks.setdefault(mark, f"m{len(marks) + 1}")
        last = etree.SubElement(element, _Q + "ph", id=ident, equiv=mark, disp=mark)
        pos = match.end()
    _append(element, last, text[pos:])
    return marks


def _append(element, last, text: str) -> None:
    if last is None:
        element.text = (element.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def read(file: Path, display: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read the units of an XLIFF 2.x file; problems are located at their line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(file), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        return [], [
            _error(
                Pos(display, getattr(exc, "lineno", 0) or 0, 1),
                f"not a readable XML file: {exc}",
                "export the file again from your translation tool as XLIFF 2",
            )
        ]
    if root.tag != _Q + "xliff" or not str(root.get("version", "")).startswith("2."):
        return [], [
            _error(
                Pos(display, root.sourceline or 1, 1),
                "not an XLIFF 2 file",
                "export as XLIFF 2.0 or 2.1, or give a .po or .json file",
            )
        ]
    items, problems = [], []
    for unit in root.iter(_Q + "unit"):
        item, problem = _incoming(unit, display)
        items += [item] if item else []
        problems += [problem] if problem else []
    return items, problems


def _incoming(unit, display: str) -> tuple[Incoming | None, Diagnostic | None]:
    pos = Pos(display, unit.sourceline or 0, 1)
    key = unit.get("name") or unit.get("id", "").replace("_", "/")
    segments = unit.findall(_Q + "segment")
    if len(segments) != 1 or segments[0].find(_Q + "source") is None:
        return None, _error(
            pos, f"unit {key!r} must hold one segment with a source", "do not split or join segments of a text"
        )
    source_el, target_el = segments[0].find(_Q + "source"), segments[0].find(_Q + "target")
    marks: dict[str, str] = {}
    source, bad = _text(source_el, marks, learn=True)
    target, bad_target = _text(target_el, marks, learn=False) if target_el is not None else ("", None)
    if bad or bad_target:
        return None, _error(
            pos,
            f"unit {key!r}: {bad or bad_target}",
            "keep the placeholders of the source as they are; nothing was written",
        )
    return Incoming(key, source, target, pos), None


def _text(element, marks: dict[str, str], learn: bool) -> tuple[str, str | None]:
    """Return an element's text with placeholders turned back into marks, or a problem."""
    out = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "ph" and learn:  # some tools keep only one of equiv and disp: both hold the mark
            marks[child.get("id", "")] = child.get("equiv") or child.get("disp") or ""
            out.append(marks[child.get("id", "")])
        elif name == "ph":
            if child.get("id") not in marks:
                return "", f"placeholder {child.get('id')!r} is not in the source"
            out.append(marks[child.get("id")])
        elif name in _TRANSPARENT:
            inner, bad = _text(child, marks, learn)
            if bad:
                return "", bad
            out.append(inner)
        elif name:
            return "", f"unexpected inline element <{name}>"
        out.append(child.tail or "")
    return "".join(out), None


def _error(pos: Pos, message: str, hint: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, hint, "translation-import")
