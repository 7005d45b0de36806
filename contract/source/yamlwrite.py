"""Write contract YAML files: the schema comment first, readable wrapping, stable key order."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..output.files import write_atomic
from .schema import FILE_SCHEMAS


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


def load_round_trip(path: Path) -> Any:
    """Read a contract file for editing: comments, key order and quoting come along."""
    return _yaml().load(path.read_text(encoding="utf-8"))


def emit(data: Any) -> str:
    """Return the YAML text of data as rewrite writes it."""
    return _emit(data)
