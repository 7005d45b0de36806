"""Read one YAML file safely: size, encoding and syntax checks, with positions kept."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, SequenceNode

from ..errors import Diagnostic, Report, excerpt, excerpt_text
from ..model import Pos
from .kept import Kept, replayed
from .yaml_syntax import syntax_error

MAX_BYTES = 1024 * 1024  # a whole contract version is about 100 KB
# The real contract nests 11 levels (sections three deep); six section levels need 17. Deeper is a mistake,
# and thousands of levels would exhaust the stack of every later step.
MAX_DEPTH = 32
# ruamel's C composer recurses once per level: some 25,000 levels ("[" or "- " 50,000 times fit in a file) overflow
# the C stack and kill the process. A level needs a "[", "{", "-" or "?", or else indentation, which MAX_BYTES keeps
# to about 1,400 levels: a file with fewer of those characters than this (the largest real file has 300) nests far
# too shallow to matter, and is not counted first.
_INDICATORS = 2000
_PLAIN_TAGS = {MappingNode: "tag:yaml.org,2002:map", SequenceNode: "tag:yaml.org,2002:seq"}
# The tags plain YAML scalars resolve to (text, numbers, booleans, null, dates); a file may not name others.
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))
# Parsed files are kept by display path and text, so that a file read again unchanged (klimatkontrakt.yaml by every
# step, every version by each rebuild of `serve`) is not parsed again. Bounded by the texts' total size: parsed data
# takes some 9 times its text in memory (60 times for a file of tiny items), and ten versions are about 1.2 MB.
KEPT_BYTES = 4 * 2**20


@dataclass
class Document:
    """A parsed YAML file: its data (containers that know positions) and display path."""

    path: str
    data: Any
    source: str = ""
    strings: list[tuple[str, int, int]] = field(default_factory=list)  # every text: value, start and end index
    # The file as it was read, shared by every Document read from the same text, with its schema checks' results:
    # a caller may change its own data, never what the next reader or a schema check sees.
    parsed: Parsed | None = field(default=None, repr=False, compare=False)

    def as_read(self) -> Document:
        """Return this document with its data as read from the file."""
        if self.parsed is None:
            return self
        return Document(self.path, self.parsed.data, self.source, list(self.parsed.strings), self.parsed)

    def pos(self, path: tuple = (), key: bool = False) -> Pos:
        """Return the position of the value (or key) at a path of keys and indexes."""
        return Pos(self.path, *locate(self.data, path, key))


@dataclass(eq=False)  # one object per parse: the models built from it are kept by its identity (load.py)
class Parsed:
    """A file's data as parsed (never handed out itself), and what checks concluded about it."""

    data: Any
    strings: tuple[tuple[str, int, int], ...]
    checks: Kept = field(default_factory=lambda: Kept(16))


# The parsed files by display path and text, at most KEPT_BYTES of texts.
_KEPT = Kept(KEPT_BYTES, weigh=lambda key: len(key[1]))


def checked(doc: Document, key: tuple, check: Callable[[Document, Report], Any], report: Report) -> Any:
    """Run check on the file as read, once per text and key; record what it found in report; return its result.

    check must depend only on the document and the key (a schema's text, for one): its result is kept with the parse.
    """
    checks = doc.parsed.checks if doc.parsed is not None else Kept(1)
    return replayed(checks, key, lambda found: check(doc.as_read(), found), report)


def read(file: Path, display: str, report: Report) -> Document | None:
    """Parse a YAML file, recording any problem in the report; None when unusable."""
    raw = _read_bytes(file, display, report)
    if raw is None:
        return None
    text = _decode(raw, display, report)
    if text is None:
        return None
    if not text.strip():
        report.error(Pos(display, 1, 1), "the file is empty", "write the content or delete the file", "empty-file")
        return None
    parsed = _KEPT.get((display, text))
    if parsed is not None:
        return _document(display, text, parsed)
    errors = len(report.errors)
    strings: list[tuple[str, int, int]] = []
    data = _parse(text, display, report, strings)
    if data is None and len(report.errors) == errors:
        report.error(
            Pos(display, 1, 1),
            "the file has no content (only comments or nothing)",
            "write the content or delete the file",
            "empty-file",
        )
    if data is None or len(report.errors) > errors:
        return None
    parsed = Parsed(data, tuple(strings))
    _KEPT.put((display, text), parsed)
    return _document(display, text, parsed)


def _document(display: str, text: str, parsed: Parsed) -> Document:
    """Return a Document of a parsed file with data of its own, which its reader may change."""
    return Document(display, _copy(parsed.data), text, list(parsed.strings), parsed)


def _copy(value: Any) -> Any:
    """Copy parsed data: every mapping and list anew, with its positions; the scalars themselves are immutable."""
    if isinstance(value, PosMap):
        mapping = PosMap((key, _copy(item)) for key, item in value.items())
        mapping.start, mapping.keys_at, mapping.values_at = value.start, dict(value.keys_at), dict(value.values_at)
        return mapping
    if isinstance(value, PosList):
        items = PosList(_copy(item) for item in value)
        items.start, items.items_at = value.start, list(value.items_at)
        return items
    return value


def _read_bytes(file: Path, display: str, report: Report) -> bytes | None:
    if file.is_symlink():  # a link may lead anywhere (/etc/passwd), and messages quote what they read
        report.error(
            Pos(display, 1, 1),
            "the file is a symbolic link; contract files are never read through links",
            "replace the link with the file itself",
            "symlink",
        )
        return None
    if file.exists() and not file.is_file():  # a pipe would be read forever, a folder cannot be read at all
        kind = "folder" if file.is_dir() else "pipe" if file.is_fifo() else "device or socket"
        report.error(
            Pos(display, 1, 1), f"this is not a file but a {kind}", "put the YAML file itself here", "not-a-file"
        )
        return None
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            report.error(
                Pos(display, 1, 1),
                f"the file is {size // 1024} KiB, more than the limit of {MAX_BYTES // 1024} KiB",
                "a contract file holds text only; split it or remove what does not belong",
                "file-too-large",
            )
            return None
        return file.read_bytes()
    except OSError as exc:
        report.error(Pos(display), f"cannot read the file: {exc.strerror}", code="unreadable")
        return None


def _decode(raw: bytes, display: str, report: Report) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.items.append(not_utf8(raw, exc, display))
        return None


def not_utf8(raw: bytes, exc: UnicodeDecodeError, display: str) -> Diagnostic:
    """Return the error for a file that is not UTF-8 text, at the first byte that cannot be decoded."""
    line = raw.count(b"\n", 0, exc.start) + 1
    column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    message = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)"
    return Diagnostic(Pos(display, line, column), "error", message, "save the file as UTF-8 in your editor", "not-utf8")


def _parse(text: str, display: str, report: Report, strings: list[tuple[str, int, int]]) -> Any:
    # ruamel's C composer keeps every node's position and is 20x faster than its round-trip loader.
    yaml = YAML(typ="safe", pure=False)
    try:
        deep = _too_deep(yaml, text)
        if deep is not None:
            report.error(
                Pos(display, deep.line + 1, deep.column + 1),
                f"the content is nested more than {MAX_DEPTH} levels deep",
                "contract files need far fewer levels; check the indentation and the brackets",
                "yaml-feature",
            )
            return None
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        syntax_error(exc, text, display, report)
        return None
    except YAMLError as exc:
        report.error(Pos(display, 1, 1), f"invalid YAML: {excerpt_text(str(exc))}", code="yaml-syntax")
        return None
    if node is None:
        return None
    builder = _Builder(yaml.constructor, display, report)
    data = builder.build(node)
    strings.extend(builder.strings)
    return data


def _too_deep(yaml: YAML, text: str):
    """Return where a file first nests deeper than MAX_DEPTH, or None: counted from events, without recursion."""
    if sum(text.count(indicator) for indicator in "[{-?") < _INDICATORS:
        return None
    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            depth -= 1
    return None


class PosMap(dict):
    """A mapping that remembers where each key and value stands in the file (0-based)."""

    start: tuple[int, int]
    keys_at: dict
    values_at: dict


class PosList(list):
    """A sequence that remembers where each item stands in the file (0-based)."""

    start: tuple[int, int]
    items_at: list


class _Builder:
    """Turn composed YAML nodes into plain data with positions; report duplicate keys, aliases and tags."""

    def __init__(self, constructor, display: str, report: Report):
        self.constructor = constructor
        self.display = display
        self.report = report
        self.seen: set[int] = set()
        self.strings: list[tuple[str, int, int]] = []

    def build(self, node, depth: int = 0) -> Any:
        if id(node) in self.seen:
            # An alias (*name) reuses a node: contract text never needs it, and it can blow up memory.
            return self._refuse(
                node, "anchors and aliases (& and *) are not used in contract files", "write the content out in full"
            )
        self.seen.add(id(node))
        if isinstance(node, (MappingNode, SequenceNode)):
            if node.tag != _PLAIN_TAGS[type(node)]:
                return self._refuse(
                    node, f"the YAML tag {_short(str(node.tag))!r} is not allowed", "remove the tag; write plain YAML"
                )
            if depth >= MAX_DEPTH:
                return self._refuse(
                    node,
                    f"the content is nested more than {MAX_DEPTH} levels deep",
                    "contract files need far fewer levels; check the indentation and the brackets",
                )
        if isinstance(node, MappingNode):
            return self._mapping(node, depth + 1)
        if isinstance(node, SequenceNode):
            out = PosList(self.build(item, depth + 1) for item in node.value)
            out.start = _mark(node)
            out.items_at = [_mark(item) for item in node.value]
            return out
        return self._scalar(node)

    def _scalar(self, node) -> Any:
        if str(node.tag) not in _SCALAR_TAGS:  # !!binary, !!merge, !python/..., !local: never plain text
            return self._refuse(
                node, f"the YAML tag {_short(str(node.tag))!r} is not allowed", "remove the tag; write plain text"
            )
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, YAMLError):  # e.g. 2023-13-45 looks like a date but is none: keep the text
            return node.value
        if isinstance(value, str):
            self.strings.append((value, node.start_mark.index, node.end_mark.index))
        if isinstance(value, datetime.datetime):
            return node.value  # a date with a time is text here, exactly as written
        # Dates stay ISO text: the schema and the model keep dates as strings.
        return value.isoformat() if isinstance(value, datetime.date) else value

    def _refuse(self, node, message: str, hint: str) -> None:
        line, column = _mark(node)
        self.report.error(Pos(self.display, line + 1, column + 1), message, hint, "yaml-feature")
        return None

    def _mapping(self, node, depth: int) -> PosMap:
        out = PosMap()
        out.start, out.keys_at, out.values_at = _mark(node), {}, {}
        for key_node, value_node in node.value:
            if isinstance(key_node, (MappingNode, SequenceNode)):
                self._refuse(key_node, "a key must be a plain word", "write the key as 'name:' followed by its value")
                continue
            key = self.build(key_node)
            if key is None and node.tag.endswith(":merge"):
                continue
            if key in out:
                self._duplicate(key, key_node, out.keys_at[key])
                continue
            out[key] = self.build(value_node, depth)
            out.keys_at[key], out.values_at[key] = _mark(key_node), _mark(value_node)
        return out

    def _duplicate(self, key, key_node, first: tuple[int, int]) -> None:
        line, column = _mark(key_node)
        self.report.error(
            Pos(self.display, line + 1, column + 1),
            f"duplicate key {excerpt(key)} (already given on line {first[0] + 1})",
            "remove one of them or merge their content",
            "duplicate-key",
        )


def _short(tag: str) -> str:
    return excerpt_text(tag.replace("tag:yaml.org,2002:", "!!"))


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column


def locate(data: Any, path: tuple, key: bool = False) -> tuple[int, int]:
    """Return the 1-based (line, column) of the value or key at a path."""
    node, line, column = data, 0, 0
    if isinstance(data, (PosMap, PosList)):
        line, column = data.start
    for step in path:
        try:
            line, column = _step_position(node, step, key and step is path[-1])
            node = node[step]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line + 1, column + 1


def _step_position(node: Any, step: Any, key: bool) -> tuple[int, int]:
    if isinstance(node, PosList):
        return node.items_at[step]
    return node.keys_at[step] if key else node.values_at[step]
