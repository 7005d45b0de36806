"""Apply a Word file's edits to a draft version's YAML, by section id, keeping comments and the other language."""

from __future__ import annotations

import difflib
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .. import inline, interrupts
from ..errors import ContractError, Diagnostic
from ..model import BulletList, Contract, Heading, Pos, Text, block_texts
from ..output.files import write_atomic
from ..output.scratch import scratch_folder
from ..render import labels
from ..render.plain import Resolver, plain
from ..source.load import YEARS, load
from ..source.yamlwrite import emit, load_round_trip
from . import merge
from .mapping import ANNEX, PREAMBLE, Mapped, Part, map_document, title_atoms
from .read import NOTE_KINDS, Atom, Document, Para

_KINDS = {Heading: "heading", BulletList: "list"}


@dataclass
class Plan:
    """The edited YAML files (not yet written) and what could not be mapped."""

    files: dict[str, Any] = field(default_factory=dict)  # display path → round-trip data
    problems: list[str] = field(default_factory=list)
    edits: int = 0


def plan(root: Path, contract: Contract, doc: Document, lang: str) -> Plan:
    """Work out every edit the Word file makes; nothing is written."""
    mapped = map_document(doc, contract)
    result = Plan(problems=list(mapped.problems) + _translator_notes(mapped.notes, contract, lang))
    notes = _footnote_ids(doc, contract, lang)
    result.problems += _footnote_edits(doc, contract, lang, notes)
    context = _Context(root, contract, lang, notes, result)
    for section in contract.walk():
        part = mapped.parts.get(section.id)
        if part is None or section.pos is None:
            continue
        if part.heading is not None:
            context.text(section.pos.file, section.title, title_atoms(part.heading, section.number))
        context.body(section.pos.file, section.title.path[:-1] + ("body",), section.body, part)
    _other_parts(context, mapped)
    return result


def _other_parts(context: _Context, mapped: Mapped) -> None:
    contract = context.contract
    preamble = mapped.parts.get(PREAMBLE)
    first = next(iter(block_texts(contract.preamble)), None)
    if preamble is not None and first is not None:
        file = first.pos.file if first.pos else ""
        context.body(file, ("body",), contract.preamble, preamble)
    elif preamble is not None and preamble.body:
        context.plan.problems.append("the preamble: this version has no preamble.yaml to put its paragraphs in")
    annex = mapped.parts.get(ANNEX)
    if annex is not None and contract.annex is not None and contract.annex.pos is not None:
        file = contract.annex.pos.file
        if annex.heading is not None:
            context.text(file, contract.annex.title, annex.heading.atoms)
        paragraphs = Part(ANNEX, None, [p for p in annex.body if p.kind != "item"])
        context.body(file, ("body",), contract.annex.body, paragraphs)
        items = [p for p in annex.body if p.kind == "item"]
        context.documents(file, contract.annex.documents, items)


def _translator_notes(paras: list[Para], contract: Contract, lang: str) -> list[str]:
    """Report a translator's note edited in Word: the export shows them, the YAML (note_<lang>) keeps them."""
    resolver = Resolver.of(contract)
    label = labels.label(lang, "translator_note")
    notes = (
        inline.plain(inline.parse(note), resolver.numbers, resolver.notes)
        for t in contract.texts()
        if (note := t.translation(lang).note)
    )
    shown = {tuple(re.findall(r"\w+", f"{label} {note}")) for note in notes}
    return [
        f"paragraph {p.place}: a translator's note was changed in Word; change it in the YAML (note_{lang})"
        for p in paras
        if tuple(re.findall(r"\w+", p.text)) not in shown
    ]


def _footnote_ids(doc: Document, contract: Contract, lang: str) -> dict[str, str]:
    """Match the Word file's footnotes to the version's by text, else by order."""
    resolver = Resolver.of(contract)
    notes = contract.footnotes()
    by_text = {" ".join(plain(n.text, lang, resolver).split()): n.id for n in notes}
    order = [a.text for p in doc.paras for a in p.atoms if a.kind == "fn"]
    # The export writes footnotes only: an endnote was added in Word, and matches none of the version's notes.
    found = {wid: "" for wid in order if wid.startswith(NOTE_KINDS["endnote"])}
    for index, wid in enumerate(wid for wid in order if wid not in found):
        found[wid] = by_text.get(doc.notes.get(wid, ""), notes[index].id if index < len(notes) else "")
    return found


def _footnote_edits(doc: Document, contract: Contract, lang: str, notes: dict[str, str]) -> list[str]:
    """Report footnotes whose text was changed in Word: they are edited in the YAML."""
    resolver = Resolver.of(contract)
    by_id = {n.id: n for n in contract.footnotes()}
    problems = []
    for wid, fid in notes.items():
        note = by_id.get(fid)
        if note is None:
            kind = "endnote" if wid.startswith(NOTE_KINDS["endnote"]) else "footnote"
            number = wid.removeprefix(NOTE_KINDS[kind])
            problems.append(f"{kind} {number} of the Word file is new; add notes as footnotes in the YAML")
            continue
        expected = " ".join(plain(note.text, lang, resolver).split())
        found = doc.notes.get(wid, "")
        if found != expected and not (found.startswith(expected) and found[len(expected) :].strip().startswith("[")):
            problems.append(
                f"footnote {note.number}: its text was changed in Word ({found[:40]!r}…); "
                "change footnote texts in the YAML"
            )
    return sorted(set(problems))


@dataclass
class _Context:
    root: Path
    contract: Contract
    lang: str
    notes: dict[str, str]
    plan: Plan

    def data(self, file: str) -> Any:
        if file not in self.plan.files:
            self.plan.files[file] = load_round_trip(self.root / file)
        return self.plan.files[file]

    def node(self, file: str, path: tuple) -> Any:
        node = self.data(file)
        for key in path:
            node = node[key]
        return node

    def source(self, text: Text | None) -> str:
        if text is None:
            return ""
        if text.stand_in(self.lang):  # Word shows the source, marked as a stand-in
            return text.source + self.stand_in(text)
        return text.get(self.lang) or ""

    def stand_in(self, text: Text) -> str:
        note = labels.stand_in_note([text], self.lang) or ""
        return " *" + inline.escape(f"[{note}]") + "*"

    def tokens(self, text: Text | None) -> list[merge.Token]:
        return merge.old_tokens(self.source(text), Resolver.of(self.contract).numbers)

    def merged(self, text: Text | None, atoms: list[Atom]) -> str:
        result = merge.merge(self.tokens(text), merge.new_tokens(atoms, self.notes)).strip()
        if text is not None and text.stand_in(self.lang):
            result = result.removesuffix(self.stand_in(text).strip()).strip()
        return result

    def text(self, file: str, text: Text, atoms: list[Atom]) -> None:
        """Edit one text in place if its words changed."""
        if _keys(self.tokens(text)) == _keys(merge.new_tokens(atoms, self.notes)):
            return
        self.node(file, text.path)[self.lang] = self.merged(text, atoms)
        self.plan.edits += 1

    def body(self, file: str, path: tuple, old: tuple, part: Part) -> None:
        """Bring a body up to date: unchanged blocks stay, edited ones change in place, new ones are added."""
        new = _blocks(part.body)
        old_keys = [(_kind(b), _block_keys(self, b)) for b in old]
        new_keys = [(kind, tuple(_keys(merge.new_tokens(a, self.notes)) for a in items)) for kind, items, _ in new]
        if old_keys == new_keys:
            return
        nodes = self.node(file, path) if old else None
        result = []
        matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            for k in range(max(a2 - a1, b2 - b1)):
                before = old[a1 + k] if a1 + k < a2 else None
                after = new[b1 + k] if b1 + k < b2 else None
                block = self._block(
                    nodes[a1 + k] if before is not None and nodes is not None else None, before, after, op
                )
                if block is not None:
                    result.append(block)
        if nodes is None:
            self.plan.problems.append(f"{file}: a body with no blocks yet; add the first paragraph in the YAML")
            return
        nodes[:] = result
        self.plan.edits += 1

    def _block(self, node: Any, before: Any, after: Any, op: str) -> Any:
        if after is None:
            return None  # deleted in Word
        kind, items, para = after
        if before is None or _kind(before) != kind:
            return self._new_block(kind, items, para)
        if op == "equal":
            return node
        texts = before.items if isinstance(before, BulletList) else (before.text,)
        if kind == "list":
            node["list"][:] = self._items(node["list"], texts, items, para)
        else:
            node[kind][self.lang] = self.merged(texts[0], items[0])
        return node

    def _items(self, nodes: Any, texts: tuple, items: list[list[Atom]], para: Para) -> list:
        old_keys = [_keys(self.tokens(t)) for t in texts]
        new_keys = [_keys(merge.new_tokens(a, self.notes)) for a in items]
        out = []
        matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            for k in range(b2 - b1):
                if a1 + k < a2:
                    if op != "equal":
                        nodes[a1 + k][self.lang] = self.merged(texts[a1 + k], items[b1 + k])
                    out.append(nodes[a1 + k])
                else:
                    out.append(self._new_text(items[b1 + k], para))
        return out

    def _new_block(self, kind: str, items: list[list[Atom]], para: Para) -> Any:
        if kind == "list":
            return {"list": [self._new_text(a, para) for a in items]}
        return {kind: self._new_text(items[0], para)}

    def _new_text(self, atoms: list[Atom], para: Para) -> dict[str, str]:
        source = self.merged(None, atoms)
        if self.lang != self.contract.languages[0]:
            self.plan.problems.append(
                f"paragraph {para.place}: a new translated text needs its source; "
                f"add the paragraph in the YAML ({self.contract.languages[0]} first)"
            )
        return {self.lang: source}

    def documents(self, file: str, docs: tuple, items: list[Para]) -> None:
        """Edit the annex documents' titles (and links) in place; a new or removed document is reported."""
        if len(items) != len(docs):
            self.plan.problems.append(
                f"the annex: {len(items)} documents in Word but {len(docs)} in the YAML; "
                "add or remove annex documents in the YAML"
            )
            return
        for index, (doc, para) in enumerate(zip(docs, items)):
            link = next((a for a in para.atoms if a.kind == "link"), None)
            atoms = [Atom("text", a.text) if a.kind == "link" else a for a in para.atoms]
            self.text(file, doc.title, merge_atoms(atoms))
            if link is not None and unquote(link.url) != unquote(doc.url):
                # Word and LibreOffice may show an address decoded: store it encoded again.
                self.node(file, ("documents", index))["url"] = quote(link.url, safe=":/?#[]@!$&'()*+,;=%~")
                self.plan.edits += 1


def merge_atoms(atoms: list[Atom]) -> list[Atom]:
    """Split the text atoms again after a link was turned into text."""
    out: list[Atom] = []
    for atom in atoms:
        if atom.kind == "text":
            out += [Atom("text", t) for t in merge._TOKEN.findall(atom.text)]
        else:
            out.append(atom)
    return out


def _kind(block: Any) -> str:
    return _KINDS.get(type(block), "p")


def _block_keys(context: _Context, block: Any) -> tuple:
    texts = block.items if isinstance(block, BulletList) else (block.text,)
    return tuple(_keys(context.tokens(t)) for t in texts)


def _keys(tokens: list[merge.Token]) -> tuple:
    # Spacing is Word's business: compare words and marks only.
    return tuple(t.key for t in tokens if t.key[1].strip() or t.key[0] == "fn")


def _blocks(paras: list[Para]) -> list[tuple[str, list[list[Atom]], Para]]:
    out: list[tuple[str, list[list[Atom]], Para]] = []
    for para in paras:
        if para.kind == "item" and out and out[-1][0] == "list":
            out[-1][1].append(para.atoms)
        else:
            out.append(
                ("list" if para.kind == "item" else "heading" if para.kind == "bold" else "p", [para.atoms], para)
            )
    return out


def write(root: Path, version: str, result: Plan) -> None:
    """Check the edited version loads, then write every edited file (each whole); nothing if it does not load."""
    texts = {file: emit(data) for file, data in result.files.items()}
    with scratch_folder("klimatkontrakt-apply-") as trial:
        (trial / "schema").symlink_to((root / "schema").resolve())
        shutil.copytree(root / YEARS / version, trial / YEARS / version)
        for file, text in texts.items():
            (trial / file).write_text(text, encoding="utf-8")
        load(trial, version)  # raises the located errors of a result that would not load
    with interrupts_deferred():  # Ctrl-C now would leave some files edited and others not
        for file, text in texts.items():
            write_atomic(root / file, text)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM until the block is done, then raise the last; only the main thread can.

    Not interrupts.deferred(): that records the stop where write_atomic's check() raises it, between two files.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    with interrupts.signals_to(lambda number, _frame: caught.append(number)):  # an ignored signal stays ignored
        yield
    if caught:
        raise interrupts.Terminated() if caught[-1] == signal.SIGTERM else KeyboardInterrupt()


def refuse(name: str, problems: list[str]) -> ContractError:
    """The error for a Word file that does not map onto the version."""
    return ContractError(
        [Diagnostic(Pos(name), "error", p, "nothing was written (give --partial to apply what maps)") for p in problems]
    )
