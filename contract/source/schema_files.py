"""The repository's own schema files (schema/): what is wrong with one, told as an error in that file.

The schemas are part of the repository and can be edited (and broken) like the YAML they check: a file that is
not JSON, not a JSON Schema, missing, or referring to a schema no file defines is the user's to mend, not a fault
of the program.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos
from .yamlfile import not_utf8

_HINT = "put the file back as the release has it (git checkout -- schema/), or mend what is named"


def read_schemas(schema_dir: Path) -> tuple[tuple[str, str], ...]:
    """Return every schema file's name and text; raise ContractError for one that is not a file or not UTF-8."""
    texts, problems = [], []
    for file in sorted(schema_dir.glob("*.schema.json")):
        if not file.is_file():  # a named pipe would never end, a folder cannot be read
            problems.append(_error(Pos(_display(schema_dir, file.name)), "the schema is not a file"))
            continue
        raw = file.read_bytes()
        try:
            texts.append((file.name, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            problems.append(not_utf8(raw, exc, _display(schema_dir, file.name)))
    if problems:
        raise ContractError(problems)
    return tuple(texts)


def schema_problems(schema_dir: Path, texts: tuple[tuple[str, str], ...], name: str) -> list[Diagnostic]:
    """Name what keeps the schema files from making a validator for schema `name` (none found: an empty list)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.exceptions import CannotDetermineSpecification, Unresolvable

    problems: list[Diagnostic] = []
    registry = Registry()
    for file_name, text in texts:
        where = _display(schema_dir, file_name)
        try:
            contents = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(_error(Pos(where, exc.lineno, exc.colno), f"the schema is not valid JSON: {exc.msg}"))
            continue
        try:
            registry = registry.with_resource(file_name, Resource.from_contents(contents))
            jsonschema.Draft7Validator.check_schema(contents)
        except CannotDetermineSpecification:
            problems.append(_error(Pos(where), 'the file is not a JSON Schema: it has no "$schema" naming its draft'))
        except jsonschema.SchemaError as exc:
            problems.append(_error(Pos(where), f"the schema is not valid at {exc.json_path}: {exc.message}"))
    if problems:
        return problems
    if name not in dict(texts):
        return [_error(Pos(_display(schema_dir, name)), "the schema file is missing")]
    for file_name, _ in texts:
        resolver = registry.resolver(file_name)
        for ref in _refs(registry[file_name].contents):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                message = f"the schema refers to {ref}, which no schema file defines"
                problems.append(_error(Pos(_display(schema_dir, file_name)), message))
    return problems


def _refs(node: object) -> list[str]:
    """Return every $ref under node, as written."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _display(schema_dir: Path, file_name: str) -> str:
    return f"{schema_dir.name}/{file_name}"


def _error(pos: Pos, message: str) -> Diagnostic:
    return Diagnostic(pos, "error", message, _HINT, "schema-file")
