"""The repository's own schema files (schema/): what is wrong with one, told as an error in that file.

The schemas are part of the repository and can be edited (and broken) like the YAML they check: a file that is
not JSON, not a JSON Schema, missing, or referring to a schema no file defines is the user's to mend, not a fault
of the program.
"""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache
from pathlib import Path

from ..errors import ContractError, Diagnostic
from ..model import Pos
from ..resources import PROJECT
from .yamlfile import not_utf8

DRAFT_07 = {f"{scheme}://json-schema.org/draft-07/schema{end}" for scheme in ("http", "https") for end in ("", "#")}
HINT = "put the file back as the release has it (git checkout -- schema/), or mend what is named"


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


@lru_cache(maxsize=16)
def read_problems(folder: str, texts: tuple[tuple[str, str], ...]) -> tuple[Diagnostic, ...]:
    """Name what is wrong with the schema files as read, before any is used (cheap: each is parsed once per process).

    JSON that does not parse or nests past Python's limits, a key twice in one object (JSON keeps the last, and the
    YAML would be blamed for the schema's slip), a draft other than 07 (its keywords would be ignored, unchecked),
    and an "$id" other than the file's name (the schemas find each other by their names).
    """
    problems: list[Diagnostic] = []
    for file_name, text in texts:
        where = f"{folder}/{file_name}"
        try:
            contents = json.loads(text, object_pairs_hook=_once_each)
        except json.JSONDecodeError as exc:
            problems.append(_error(Pos(where, exc.lineno, exc.colno), f"the schema is not valid JSON: {exc.msg}"))
            continue
        except _Twice as exc:
            problems.append(_error(Pos(where), f"the key {json.dumps(exc.args[0])} appears twice in one object"))
            continue
        except (RecursionError, ValueError) as exc:  # nested too deep; a number of more than 4,300 digits
            deep = isinstance(exc, RecursionError)
            reason = "it is nested too deeply" if deep else "a number in it has more than 4,300 digits"
            problems.append(_error(Pos(where), f"the schema cannot be read: {reason}"))
            continue
        draft = contents.get("$schema") if isinstance(contents, dict) else None
        if draft is None:
            problems.append(_error(Pos(where), 'the file is not a JSON Schema: it has no "$schema" naming its draft'))
        elif not isinstance(draft, str) or draft not in DRAFT_07:
            message = (
                f'the schemas are draft-07, but "$schema" names {json.dumps(draft)}, whose rules would not be kept'
            )
            problems.append(_error(Pos(where), message))
        elif contents.get("$id", file_name) != file_name:
            name = json.dumps(file_name)
            message = f'"$id" must be the file\'s own name, {name}, or left out: the schemas refer to each other by it'
            problems.append(_error(Pos(where), message))
        elif _release().get(file_name) != text:  # an edited schema is checked as one (the release's are known good)
            problems += _invalid(where, contents)
    return tuple(problems)


def _invalid(where: str, contents: dict) -> list[Diagnostic]:
    """Name what makes a schema invalid as draft-07 (a keyword of the wrong kind, a pattern that is no regex)."""
    import jsonschema

    try:
        jsonschema.Draft7Validator.check_schema(contents, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    except jsonschema.SchemaError as exc:
        return [_error(Pos(where), f"the schema is not valid at {exc.json_path}: {exc.message}")]
    return []


class _Twice(ValueError):
    """A key found twice in one JSON object."""


def _once_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _Twice(key)
        seen[key] = value
    return seen


def schema_problems(
    schema_dir: Path, texts: tuple[tuple[str, str], ...], name: str, cause: BaseException | None = None
) -> list[Diagnostic]:
    """Name what keeps the schema files from making a validator for schema `name` that can validate (none found:
    an empty list); cause is what validating raised."""
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable

    problems: list[Diagnostic] = []  # what read_problems names was raised before any validator was made
    registry = Registry()
    for file_name, text in texts:
        registry = registry.with_resource(file_name, Resource.from_contents(json.loads(text)))
    if name not in dict(texts):
        return [_error(Pos(_display(schema_dir, name)), "the schema file is missing")]
    for file_name, _ in texts:
        resolver = registry.resolver(file_name)
        for ref in _refs(registry[file_name].contents):
            try:
                found = resolver.lookup(ref).contents
            except Unresolvable:
                message = f"the schema refers to {ref}, which no schema file defines"
                problems.append(_error(Pos(_display(schema_dir, file_name)), message))
                continue
            if not isinstance(found, dict | bool):
                message = f"the schema refers to {ref}, which is not a schema but {json.dumps(found)[:60]}"
                problems.append(_error(Pos(_display(schema_dir, file_name)), message))
    if not problems and isinstance(cause, RecursionError):
        message = "the schema's references lead round in a circle (a $ref that leads back to where it is)"
        problems.append(_error(Pos(_display(schema_dir, name)), message))
    if not problems and cause is not None:
        # The JSON Schema library failed on schemas that are not the release's: the edit is what to look at.
        edited = [file_name for file_name, text in texts if _release().get(file_name) != text]
        message = f"the schema cannot be used: {type(cause).__name__}: {cause}"[:300]
        problems += [_error(Pos(_display(schema_dir, file_name)), message) for file_name in edited]
    return problems


@lru_cache(maxsize=1)
def _release() -> dict[str, str]:
    """Return the schema files as this release ships them, by name (known good: their own tests check them)."""
    texts: dict[str, str] = {}
    for file in (PROJECT / "schema").glob("*.schema.json"):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts[file.name] = file.read_text(encoding="utf-8")
    return texts


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
    return Diagnostic(pos, "error", message, HINT, "schema-file")
