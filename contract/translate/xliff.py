"""XLIFF 2.0 exchange files: one unit per text; references and footnote marks as protected placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import Diagnostic
from ..inputs import read_file
from ..model import Pos
from ..source.languages import language_name
from .exchange import Incoming, Unit, is_language

NS = "urn:oasis:names:tc:xliff:document:2.0"
_Q = f"{{{NS}}}"
_MARK = re.compile(r"\{(?:ref|fn):[^{}\s]*\}")
# missing -> initial without target; stale -> initial with the old English to review; current -> final.
STATES = {"missing": "initial", "stale": "initial", "current": "final"}
_TRANSPARENT = {"mrk", "pc"}  # annotations a CAT tool may add around text: their text is kept
_MARKERS = {"sm", "em"}  # the same annotations as standalone start and end markers (split or overlapping)


def unit_id(key: str) -> str:
    """Return the XLIFF id (an XML name token) of a text key: ids and keys never hold '_', so '/' maps to it."""
    return key.replace("/", "_")


def write(units: list[Unit], version: str, source: str, lang: str) -> bytes:
    """Return an XLIFF 2.0 document holding the units."""
    root = etree.Element(_Q + "xliff", nsmap={None: NS}, version="2.0", srcLang=source, trgLang=lang)
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
    marks = _fill(etree.SubElement(segment, _Q + "source"), unit.source, None)
    if unit.target:
        _fill(etree.SubElement(segment, _Q + "target"), unit.target, marks)


def _fill(element, text: str, source: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """Write text into an element, each mark as <ph/>; return mark -> its placeholder ids, in order.

    In a source every placeholder has its own id (XLIFF 2 requires it), a mark used twice too; a target's n-th use
    of a mark takes the id of the source's n-th.
    """
    ids: dict[str, list[str]] = {}
    last = None
    pos = 0
    for number, match in enumerate(_MARK.finditer(text), 1):
        _append(element, last, text[pos : match.start()])
        mark = match.group()
        known = (source or {}).get(mark) or [f"m{number}"]
        ident = f"m{number}" if source is None else known[min(len(ids.get(mark, [])), len(known) - 1)]
        ids.setdefault(mark, []).append(ident)
        last = etree.SubElement(element, _Q + "ph", id=ident, equiv=mark, disp=mark)
        pos = match.end()
    _append(element, last, text[pos:])
    return ids


def _append(element, last, text: str) -> None:
    if last is None:
        element.text = (element.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def read(file: Path, display: str, lang: str) -> tuple[list[Incoming], list[Diagnostic]]:
    """Read the units of an XLIFF 2.x file; problems are located at their line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        raw = read_file(file, "translation file", "give the file your translation tool saved")  # bounded
        doctype = _doctype_line(raw)
        if doctype:  # XLIFF 2 has no DTD: entities would be dropped, fetched or multiplied, so none is read
            message = "the file holds a DOCTYPE (a DTD with entities), which XLIFF 2 does not use"
            return [], [
                _error(Pos(display, doctype, 1), message, "export it again from your translation tool as XLIFF 2")
            ]
        root = etree.fromstring(raw, parser)
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
    language = root.get("trgLang", lang)
    if not is_language(language, lang):
        message = f"the file's target language is {language!r}, not {language_name(lang)}"
        return [], [
            _error(
                Pos(display, root.sourceline or 1, 1),
                message,
                f'import the {language_name(lang)} translation (trgLang="{lang}"), or give --lang; nothing was written',
            )
        ]
    items, problems = [], []
    for unit in root.iter(_Q + "unit"):
        item, problem = _incoming(unit, display, _version(unit))
        items += [item] if item else []
        problems += [problem] if problem else []
    return items, problems


def _doctype_line(raw: bytes) -> int | None:
    """Return the line of a DOCTYPE declaration in a file of any XML encoding, or None."""
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        at = raw.find("<!DOCTYPE".encode(codec))
        if at >= 0:
            return raw[:at].count("\n".encode(codec)) + 1
    return None


def _version(unit) -> str:
    """Return the version a unit's <file original="years/VERSION"> names, or ''."""
    file = unit.getparent()
    while file is not None and file.tag != _Q + "file":
        file = file.getparent()
    original = file.get("original", "") if file is not None else ""
    # A tool may write the folder as years/2023/ or years/2023/contract: the version is the part after years/.
    return original.removeprefix("years/").split("/")[0] if original.startswith("years/") else ""


def _incoming(unit, display: str, version: str = "") -> tuple[Incoming | None, Diagnostic | None]:
    pos = Pos(display, unit.sourceline or 0, 1)
    key = unit.get("name") or unit.get("id", "").replace("_", "/")
    parts = [c for c in unit if isinstance(c.tag, str) and etree.QName(c).localname in ("segment", "ignorable")]
    segments = [p for p in parts if etree.QName(p).localname == "segment"]
    if not segments or any(p.find(_Q + "source") is None for p in parts):
        return None, _error(pos, f"unit {key!r} must hold a segment with a source", "export the text again")
    _resolve_data(unit)
    marks: dict[str, str] = {}
    sources = [_text(p.find(_Q + "source"), marks, learn=True) for p in parts]  # XLIFF 2 lets a CAT tool resegment
    bad = next((problem for _, problem in sources if problem), None)
    targets, bad_target, draft = _targets(parts, marks)
    if bad or bad_target:
        return None, _error(
            pos,
            f"unit {key!r}: {bad or bad_target}",
            "keep the placeholders of the source as they are; nothing was written",
        )
    return Incoming(key, "".join(text for text, _ in sources), targets, pos, version, draft), None


def _resolve_data(unit) -> None:
    """Give each <ph dataRef> the code its <originalData> holds (XLIFF 2 core's other way to keep it) as equiv."""
    data = {d.get("id"): d.text or "" for d in unit.iterfind(f"{_Q}originalData/{_Q}data")}
    for ph in unit.iter(_Q + "ph"):
        if not ph.get("equiv") and not ph.get("disp") and data.get(ph.get("dataRef")):
            ph.set("equiv", data[ph.get("dataRef")])


def _targets(parts: list, marks: dict[str, str]) -> tuple[str, str | None, bool]:
    """Return a unit's translation (its parts' targets in their order), a problem, and whether it is a draft.

    An ignorable without target keeps its source. A draft is a segment still "initial" whose target is its
    source copied (OmegaT, Trados' copy source to target): not yet translated, never written.
    """
    segments = [p for p in parts if etree.QName(p).localname == "segment"]
    have = [p.find(_Q + "target") is not None for p in segments]
    if not any(have):
        return "", None, False
    if not all(have):
        return "", f"segment {have.index(False) + 1} has no target while segment {have.index(True) + 1} has one", False
    texts, sources = [], []
    for part in parts:
        element = part.find(_Q + "target")
        text, bad = _text(element if element is not None else part.find(_Q + "source"), marks, learn=element is None)
        if bad:
            return "", bad, False
        texts.append(text)
        sources.append(_text(part.find(_Q + "source"), marks, learn=False)[0])
    numbered = [(i, t, s) for i, (p, t, s) in enumerate(zip(parts, texts, sources, strict=True)) if p in segments]
    empty = [n for n, (_, text, _) in enumerate(numbered, 1) if not text.strip()]
    if empty and len(empty) < len(numbered):  # memoQ and Trados write <target/> for a segment not yet translated
        full = next(n for n in range(1, len(numbered) + 1) if n not in empty)
        return "", f"segment {empty[0]} has an empty target while segment {full} has one", False
    draft = any(parts[i].get("state", "initial") == "initial" and t == s for i, t, s in numbered)
    ordered, bad = _ordered(parts, texts)
    return ordered, bad, draft


def _ordered(parts: list, texts: list[str]) -> tuple[str, str | None]:
    """Return the targets joined in their order: XLIFF 2's order="N" on a target moves it to position N."""
    slots: list[str | None] = [None] * len(parts)
    for number, (part, text) in enumerate(zip(parts, texts, strict=True), 1):
        element = part.find(_Q + "target")
        order = element.get("order", "") if element is not None else ""
        at = int(order) if order.isdigit() else number if not order else 0
        if not 1 <= at <= len(parts) or slots[at - 1] is not None:
            return "", f"the target of part {number} has order={order or number!r}, not a free position"
        slots[at - 1] = text
    return "".join(text or "" for text in slots), None


def _text(element, marks: dict[str, str], learn: bool) -> tuple[str, str | None]:
    """Return an element's text with placeholders turned back into marks, or a problem."""
    out = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "ph" and learn:  # some tools keep only one of equiv and disp: both hold the mark
            code = child.get("equiv") or child.get("disp") or ""
            if not code:  # the Swedish did not change: the tool dropped what the placeholder stands for
                return "", f"placeholder {child.get('id')!r} has lost its code (equiv, disp or dataRef)"
            marks[child.get("id", "")] = code
            out.append(code)
        elif name == "ph":
            if child.get("id") not in marks:
                return "", f"placeholder {child.get('id')!r} is not in the source"
            out.append(marks[child.get("id")])
        elif name in _MARKERS:
            pass  # the start or end of an annotation: no text of its own
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
