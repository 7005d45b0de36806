"""Import a contract's PDF-extracted text into a version folder of YAML.

The text is read line by line into a stream of page-aware lines, then into headings
(by their numbering), paragraphs, bullet lists, footnotes and annex links. The
result is a first draft to be corrected by hand, never a signed text by itself.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import inline
from .errors import ContractError, Diagnostic
from .model import Pos

_FOOTER = re.compile(r"^\s*(?:[\w.-]+\.(?:se|com|org|eu|nu|net|fi|no|dk)\s+\d{1,3}|\d{1,3}|(?:sida|page)\s+\d{1,3}(?:\s*(?:av|of)\s*\d+)?)\s*$", re.I)
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(\.?)\s+(\S.*)$")
_FOOTNOTE = re.compile(r"^(\d{1,2})\s+(\S.*)$")
_BULLET = re.compile(r"^\s*[•●▪◦‣∙·]\s+(.*)$")
_URL = re.compile(r"^\s*(https?://\S+)\s*$")
_ANNEX = re.compile(r"^(Bilaga|Bilagor|Annex|Appendix)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?:”\"’)]\s*$")
_TEXT_REF = re.compile(r"(?P<lead>\b(?:avsnitt|se|under|kapitel)\s+|\()(?P<num>\d+(?:\.\d+)+)(?=[.)\s,;]|$)", re.I)


@dataclass
class Line:
    text: str  # without the page-start space and trailing whitespace
    number: int  # 1-based line in the input
    page: int
    page_start: bool
    trailing_space: bool


@dataclass
class Node:
    """A section being built: its number, title, body blocks and footnotes."""

    number: str
    title: str
    line: int
    blocks: list[dict] = field(default_factory=list)
    footnotes: list[dict] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    id: str = ""
    pinned: bool = False


@dataclass
class ImportResult:
    version: str
    municipality: str
    title: str
    preamble: list[dict]
    sections: list[Node]
    annex: dict | None
    notes: list[str] = field(default_factory=list)

    @property
    def section_count(self) -> int:
        return sum(1 for _ in _walk(self.sections))

    @property
    def footnote_count(self) -> int:
        return sum(len(n.footnotes) for n in _walk(self.sections))


def import_file(file: Path, version: str, municipality: str) -> ImportResult:
    """Read a PDF-extracted text file and return the contract found in it."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError([Diagnostic(Pos(str(file), 1, 1), "error", f"the file is not UTF-8 text (byte {exc.start})", "export the text as UTF-8")])
    except OSError as exc:
        raise ContractError([Diagnostic(Pos(str(file)), "error", f"cannot read the file: {exc.strerror}")])
    return import_text(text, version, municipality, str(file))


def import_text(text: str, version: str, municipality: str, name: str = "<text>") -> ImportResult:
    """Turn PDF-extracted contract text into an ImportResult."""
    lines = _lines(unicodedata.normalize("NFC", text))
    parser = _Parser(lines, version, municipality)
    result = parser.run()
    if not result.sections:
        raise ContractError([Diagnostic(Pos(name, 1, 1), "error", "no numbered section headings found", 'headings must look like "1. Title" or "3.2.1 Title"')])
    return result


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    page, after_footer = 1, False
    for number, raw in enumerate(text.replace("\f", "\n\f").split("\n"), start=1):
        if raw.startswith("\f"):
            page, raw = page + 1, raw[1:]
            raw = " " + raw if raw.strip() else raw
        if _FOOTER.match(raw) and raw.strip():
            page, after_footer = page + 1, True
            continue
        page_start = (raw.startswith(" ") and not raw.startswith("  ") or after_footer) and bool(raw.strip())
        if page_start and out and not after_footer:
            page += 1
        after_footer = after_footer and not raw.strip()
        out.append(Line(raw.strip(), number, page, page_start, raw.endswith((" ", "\t"))))
    return out


class _Parser:
    def __init__(self, lines: list[Line], version: str, municipality: str):
        self.lines = lines
        self.version = version
        self.municipality = municipality
        self.notes: list[str] = []
        self.title = ""
        self.preamble: list[dict] = []
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.annex: dict | None = None
        self.urls: list[tuple[Line, str]] = []
        self.footnotes: list[tuple[Line, int, str, Node | None]] = []
        self.paragraph_page: dict[int, int] = {}
        self.blocks_by_page: list[tuple[int, dict, Node | None]] = []
        self.hyphenated: list[str] = []

    # -- driving loop

    def run(self) -> ImportResult:
        # Hyphenated compounds written within one line show which line-end hyphens are real.
        self.full_text = "\n".join(l.text for l in self.lines)
        i = self._title(0)
        while i < len(self.lines):
            i = self._step(i)
        self._place_footnotes()
        self._place_urls()
        self._assign_ids()
        self._mark_pins(self.roots, "")
        self._convert_references()
        return ImportResult(self.version, self.municipality, self.title, self.preamble, self.roots, self.annex, self.notes)

    def _title(self, i: int) -> int:
        while i < len(self.lines) and not self.lines[i].text:
            i += 1
        if i < len(self.lines) and len(self.lines[i].text) < 60 and not _SENTENCE_END.search(self.lines[i].text) and not self._heading(self.lines[i]):
            self.title = self.lines[i].text
            return i + 1
        return i

    def _step(self, i: int) -> int:
        line = self.lines[i]
        if not line.text:
            return i + 1
        if self.annex is None and self.roots and _ANNEX.match(line.text) and self._could_be_annex(i):
            return self._start_annex(i)
        if _URL.match(line.text):
            self.urls.append((line, _URL.match(line.text).group(1)))
            return i + 1
        heading = self._heading(line) if self.annex is None else None
        if heading:
            return self._start_section(i, *heading)
        if self._footnote_start(i):
            return self._read_footnote(i)
        if _BULLET.match(line.text):
            return self._read_bullet(i)
        if self._subheading(i):
            self._add_block({"heading": inline.escape(line.text)}, line)
            return i + 1
        return self._read_paragraph(i)

    # -- headings

    def _heading(self, line: Line) -> tuple[str, str] | None:
        match = _HEADING.match(line.text)
        if not match or len(match.group(3)) > 110:
            return None
        number, dot, title = match.groups()
        depth = number.count(".") + 1
        if depth == 1 and not dot:
            return None
        if title.rstrip().endswith((",", ";")) or not (title[0].isupper() or title[0].isdigit()):
            return None
        return (number, title) if self._successor(number) else None

    def _successor(self, number: str) -> bool:
        parts = [int(p) for p in number.split(".")]
        current = [int(p) for p in self.stack[-1].number.split(".")] if self.stack else []
        if not current:
            return parts == [1] or (len(parts) == 1 and parts[0] <= 3)
        candidates = [current + [1]]
        for depth in range(len(current), 0, -1):
            candidates.append(current[: depth - 1] + [current[depth - 1] + 1])
        if parts in candidates:
            return True
        # A signed original may skip a top-level number (e.g. 7 followed by 9).
        return len(parts) == 1 and 1 < parts[0] - current[0] <= 3

    def _start_section(self, i: int, number: str, title: str) -> int:
        line = self.lines[i]
        j = i + 1
        while title.endswith("-") and j < len(self.lines) and self.lines[j].text and not line.trailing_space:
            title = self._join(title, self.lines[j].text)
            line = self.lines[j]
            j += 1
        node = Node(number, inline.escape(" ".join(title.split())), self.lines[i].number)
        depth = number.count(".") + 1
        while len(self.stack) >= depth:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)
        return j

    # -- blocks

    def _read_paragraph(self, i: int) -> int:
        first = self.lines[i]
        text, j = self._gather(i, bullet=False)
        if self._continues_previous(first):
            block = self.last_block
            block["p"] = f"{block['p']} {text}"
        else:
            self._add_block({"p": text}, first)
        return j

    def _read_bullet(self, i: int) -> int:
        first = self.lines[i]
        text, j = self._gather(i, bullet=True)
        last = self.last_block
        if last is not None and "list" in last:
            last["list"].append(text)
        else:
            self._add_block({"list": [text]}, first)
        return j

    def _gather(self, i: int, bullet: bool) -> tuple[str, int]:
        text = _BULLET.match(self.lines[i].text).group(1) if bullet else self.lines[i].text
        prev = self.lines[i]
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if not line.text or line.page_start or _URL.match(line.text) or _BULLET.match(line.text) or self._heading(line):
                break
            text = self._join(text, line.text) if not prev.trailing_space else f"{text} {line.text}"
            prev = line
            j += 1
        return inline.escape(" ".join(text.split())), j

    def _join(self, left: str, right: str) -> str:
        """Join a line broken inside a word (no space before the break)."""
        if not left.endswith("-"):
            return left + right
        word = re.search(r"(\S+)-$", left).group(1)
        nxt = re.match(r"\S+", right).group(0)
        keep = word[-1:].isupper() or nxt[:1].isupper() or nxt[:1].isdigit() or f"{word}-{nxt}" in self.full_text
        if keep:
            return left + right
        self.hyphenated.append(f"{word}-{nxt}")
        return left[:-1] + right

    def _continues_previous(self, line: Line) -> bool:
        # A page break can cut a paragraph; a new page that does not start a sentence continues it.
        block = self.last_block
        if block is None or "p" not in block or not line.page_start:
            return False
        return not _SENTENCE_END.search(block["p"])

    def _subheading(self, i: int) -> bool:
        line = self.lines[i]
        prev_blank = i == 0 or not self.lines[i - 1].text or self.lines[i - 1].page_start
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        return (
            prev_blank
            and nxt is not None
            and bool(nxt.text)
            and nxt.text[:1].isupper()
            and len(line.text) <= 60
            and line.text[:1].isupper()
            and not _SENTENCE_END.search(line.text)
            and not line.text.endswith((",", "-"))
            and self.stack != []
        )

    @property
    def last_block(self) -> dict | None:
        owner = self.stack[-1].blocks if self.stack else self.preamble
        return owner[-1] if owner else None

    def _add_block(self, block: dict, line: Line) -> None:
        owner = self.stack[-1] if self.stack else None
        (owner.blocks if owner else self.preamble).append(block)
        self.blocks_by_page.append((line.page, block, owner))

    # -- footnotes

    def _footnote_start(self, i: int) -> bool:
        line = self.lines[i]
        match = _FOOTNOTE.match(line.text)
        if not match or int(match.group(1)) != len(self.footnotes) + 1:
            return False
        prev_blank = i == 0 or not self.lines[i - 1].text
        return prev_blank and self._marker_blocks(int(match.group(1)), line.page) != []

    def _read_footnote(self, i: int) -> int:
        match = _FOOTNOTE.match(self.lines[i].text)
        text = match.group(2)
        prev = self.lines[i]
        j = i + 1
        while j < len(self.lines) and self.lines[j].text and not self.lines[j].page_start and not _URL.match(self.lines[j].text):
            text = self._join(text, self.lines[j].text) if not prev.trailing_space else f"{text} {self.lines[j].text}"
            prev = self.lines[j]
            j += 1
        self.footnotes.append((self.lines[i], int(match.group(1)), inline.escape(" ".join(text.split())), None))
        return j

    def _marker_pattern(self, number: int) -> re.Pattern:
        return re.compile(rf"(?<=[^\s\d])(?<!\d\.){number}(?![\d])(?=[\s.,;:)”\"]|$)")

    def _marker_blocks(self, number: int, page: int) -> list[tuple[dict, str, Node | None]]:
        pattern = self._marker_pattern(number)
        found = []
        for block_page, block, owner in self.blocks_by_page:
            if block_page not in (page, page - 1):
                continue
            for key in ("p", "heading"):
                if key in block and pattern.search(block[key]):
                    found.append((block, key, owner))
            for index, item in enumerate(block.get("list", [])):
                if pattern.search(item):
                    found.append((block, index, owner))
        same_page = [f for f in found if any(bp == page and b is f[0] for bp, b, _ in self.blocks_by_page)]
        return same_page or found

    def _place_footnotes(self) -> None:
        for line, number, text, _ in self.footnotes:
            targets = self._marker_blocks(number, line.page)
            fid = _short_slug(text) or f"fotnot-{number}"
            pattern = self._marker_pattern(number)
            for block, key, _owner in targets:
                container = block["list"] if isinstance(key, int) else block
                container[key] = pattern.sub("{fn:" + fid + "}", container[key], count=1)
            owner = targets[0][2] if targets else None
            note = {"id": fid, "text": text, "_line": line}
            if owner is None:
                self.notes.append(f"{line.number}: footnote {number} has no reference in the text; kept in the first section")
                owner = self.roots[0]
            owner.footnotes.append(note)

    # -- links

    def _place_urls(self) -> None:
        annex_urls = [u for line, u in self.urls if self.annex is not None and line.number > self.annex["_line"]]
        if self.annex is not None:
            self._pair_annex(annex_urls)
        for line, url in self.urls:
            if self.annex is not None and line.number > self.annex["_line"]:
                continue
            if not self._link_footnote(line, url):
                self.notes.append(f"{line.number}: link {url} could not be placed; add it by hand")

    def _link_footnote(self, line: Line, url: str) -> bool:
        host = re.sub(r"^www\.", "", url.split("/")[2])
        notes = [n for s in _walk(self.roots) for n in s.footnotes if n["_line"].number < line.number]
        for note in notes:
            paren = f"({host})"
            if paren in note["text"]:
                note["text"] = note["text"].replace(paren, f"([{host}]({url}))", 1)
                return True
        if notes and line.number - notes[-1]["_line"].number <= 3 and "](" not in notes[-1]["text"]:
            notes[-1]["text"] = f"[{notes[-1]['text']}]({url})"
            return True
        return False

    def _could_be_annex(self, i: int) -> bool:
        return len(self.lines[i].text) <= 90 and not _SENTENCE_END.search(self.lines[i].text)

    def _start_annex(self, i: int) -> int:
        self.stack = []
        self.annex = {"title": self.lines[i].text, "body": [], "documents": [], "_line": self.lines[i].number}
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if not line.text:
                j += 1
            elif _URL.match(line.text):
                self.urls.append((line, _URL.match(line.text).group(1)))
                j += 1
            elif _BULLET.match(line.text):
                text, j = self._gather(j, bullet=True)
                self.annex["documents"].append({"title": text})
            else:
                text, j = self._gather(j, bullet=False)
                self.annex["body"].append({"p": text})
        return j

    def _pair_annex(self, urls: list[str]) -> None:
        docs = self.annex["documents"]
        # A title wrapped over two lines carries its link on both: drop repeats beyond the count.
        deduped = [u for k, u in enumerate(urls) if k == 0 or u != urls[k - 1]] if len(urls) > len(docs) else urls
        for doc, url in zip(docs, deduped):
            doc["url"] = url
        if len(deduped) != len(docs):
            self.notes.append(f"{self.annex['_line']}: {len(docs)} annex documents but {len(deduped)} links; check the pairing")

    # -- ids and references

    def _assign_ids(self) -> None:
        used: set[str] = set()
        for node in _walk(self.roots):
            base = _slug(node.title) or f"avsnitt-{node.number.replace('.', '-')}"
            candidate = base
            if candidate in used:
                parent = _parent_slug(self.roots, node)
                candidate = f"{parent}-{base}" if parent else base
            suffix = 2
            while candidate in used:
                candidate, suffix = f"{base}-{suffix}", suffix + 1
            node.id = candidate
            used.add(candidate)

    def _mark_pins(self, nodes: list[Node], prefix: str) -> None:
        # A printed number that position alone would not give (a skipped number) is pinned.
        last = 0
        for node in nodes:
            own = int(node.number.rsplit(".", 1)[-1])
            node.pinned = own != last + 1
            last = own
            self._mark_pins(node.children, node.number + ".")

    def _convert_references(self) -> None:
        by_number = {n.number: n.id for n in _walk(self.roots)}

        def replace(match: re.Match) -> str:
            number = match.group("num")
            target = by_number.get(number, number)
            if target == number:
                self.notes.append(f"reference to section {number}, which the text does not have; kept as {{ref:{number}}}")
            return match.group("lead") + "{ref:" + target + "}"

        for node in _walk(self.roots):
            for block in node.blocks:
                for key in ("p", "heading"):
                    if key in block:
                        block[key] = _TEXT_REF.sub(replace, block[key])
                if "list" in block:
                    block["list"] = [_TEXT_REF.sub(replace, t) for t in block["list"]]


def _walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _parent_slug(roots: list[Node], target: Node) -> str:
    for node in _walk(roots):
        if target in node.children:
            return _slug(node.title).split("-")[0]
    return ""


def _short_slug(text: str, limit: int = 32) -> str:
    words = _slug(text).split("-")
    out = words[0]
    for word in words[1:3]:
        if len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}"
    return out


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text)
    slug = "-".join(words)[:60].strip("-")
    return slug if slug[:1].isalpha() else (f"s-{slug}" if slug else "")


# ---------------------------------------------------------------- writing YAML


def write_folder(result: ImportResult, out: Path) -> None:
    """Write the import result as a version folder (refusing to overwrite a non-empty one)."""
    from . import yamlwrite

    if out.exists() and any(out.iterdir()):
        raise ContractError([Diagnostic(Pos(str(out)), "error", "the output folder is not empty", "choose a new folder, e.g. years/NEW")])
    yamlwrite.write_import(result, out)
