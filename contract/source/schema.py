"""JSON Schema validation of contract files, with messages a YAML editor can act on."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContractError, Report, excerpt, excerpt_text
from .schema_files import read_problems, read_schemas, schema_problems
from .yamlfile import Document, checked

if TYPE_CHECKING:
    import jsonschema

DEFINITIONS = "defs.schema.json"  # the shared definitions, among them a text in the repository's languages
# Which schema validates which file of a version folder.
FILE_SCHEMAS = {
    "contract.yaml": "version.schema.json",
    "preamble.yaml": "preamble.schema.json",
    "annex.yaml": "annex.schema.json",
}
SECTION_FILES = ("purpose", "parties", "municipality", "programme", "agencies", "projects", "updates", "clause")
FILE_SCHEMAS.update({f"{name}.yaml": "sections.schema.json" for name in SECTION_FILES})

_TYPE_NAMES: dict[str, str] = {
    "string": "text",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
    "null": "nothing",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


@lru_cache(maxsize=16)
def _validator(texts: tuple[tuple[str, str], ...], name: str, source: str = "sv") -> jsonschema.Draft7Validator:
    # jsonschema here, not at the top: it is a tenth of a second of imports, and a build with nothing changed (and
    # every command that validates nothing) never needs it.
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry()
    for file_name, text in texts:
        contents = json.loads(text)
        if file_name == DEFINITIONS and source != "sv":
            contents = with_source(contents, source)
        registry = registry.with_resource(file_name, Resource.from_contents(contents))
    schema = registry[name].contents
    return jsonschema.Draft7Validator(schema, registry=registry)


def with_source(definitions: dict, source: str) -> dict:
    """Return the shared definitions with another source language: required and non-empty, Swedish a translation."""
    text = copy.deepcopy(definitions["definitions"]["text"])
    fields = text["properties"]
    fields[source] = {**fields.pop("sv"), "description": f"The text in the source language ({source}): required."}
    fields["sv"] = {"type": "string", "maxLength": 20000, "description": "The Swedish translation."}
    if "note_en" in fields:
        fields["note_sv"] = {**fields["note_en"], "description": "A translator's note beside the Swedish translation."}
    fields.pop(f"note_{source}", None)  # the source is the original: it has no translator's note
    text["required"] = [source]
    return {**definitions, "definitions": {**definitions["definitions"], "text": text}}


def validate(doc: Document, schema_dir: Path, schema_name: str, report: Report, source: str = "sv") -> bool:
    """Validate a document as read from its file against its schema; record every problem; True when valid.

    source is the repository's source language: every text requires it (the schemas are written for Swedish).
    A file read again unchanged is checked once per schema: the result is kept with its parse (yamlfile.Parsed).
    """
    texts = read_schemas(schema_dir)  # the validators' cache key: an edit (serve) is read again
    problems = read_problems(schema_dir.name, texts)
    if problems:
        raise ContractError(list(problems))
    key = ("schema", hashlib.sha256(repr(texts).encode("utf-8")).digest(), schema_name, source)
    return bool(
        checked(doc, key, lambda read, found: _check(read, schema_dir, texts, schema_name, source, found), report)
    )


def _check(
    doc: Document, schema_dir: Path, texts: tuple[tuple[str, str], ...], schema_name: str, source: str, report: Report
) -> bool:
    if _non_text_keys(doc, doc.data, (), report):
        return False  # the schema's key patterns cannot even be tried on a number: jsonschema raised TypeError
    try:
        validator = _validator(texts, schema_name, source)
        errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    except Exception as exc:
        # The schema files are the repository's: one that is broken is named there. Anything else is our fault.
        problems = schema_problems(schema_dir, texts, schema_name, exc)
        if problems:
            raise ContractError(problems) from None
        raise
    explained = _explained_by_typos(errors)
    for error in _leaf_errors(errors):
        if (tuple(error.absolute_path), error.message) not in explained:
            _record(error, doc, report)
    return not errors


def _non_text_keys(doc: Document, node: object, path: tuple, report: Report) -> bool:
    """Record every mapping key that is not text (a number, yes/no, nothing); True when there is one."""
    found = False
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                report.error(
                    doc.pos(path + (key,), key=True),
                    f"the key {excerpt(key)} is not a name",
                    f'write a field name or language code here; put it in quotes if it is meant as text: "{key}"',
                    "bad-key",
                )
                found = True
            found = _non_text_keys(doc, value, path + (key,), report) or found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _non_text_keys(doc, value, path + (index,), report) or found
    return found


def _explained_by_typos(errors) -> set:
    # A misspelt key ("titel") also makes the real one ("title") missing: report the misspelling only.
    explained = set()
    for error in errors:
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            for key in error.instance:
                for match in difflib.get_close_matches(str(key), allowed, n=1):
                    explained.add((tuple(error.absolute_path), f"{match!r} is a required property"))
    return explained


def _leaf_errors(errors):
    from jsonschema.exceptions import best_match  # loaded with the validator that made the errors

    # anyOf failures (e.g. "text or nothing") are reported through their most specific branch: one the value has
    # the shape of and fails inside (keep: {en: 5} is a mapping whose en is wrong, not a list that is missing).
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            inside = [
                e for e in error.context if len(e.absolute_path) > len(error.absolute_path) or e.validator != "type"
            ]
            yield best_match(inside or error.context)
        else:
            yield error


def _record(error: jsonschema.ValidationError, doc: Document, report: Report) -> None:
    path = tuple(error.absolute_path)
    where = _describe(path)
    kind = error.validator
    if kind == "additionalProperties":
        _unknown_keys(error, doc, path, report)
    elif kind == "required":
        missing = excerpt_text(error.message.split("'")[1])
        prefix = f"{where}: " if path else ""
        report.error(
            doc.pos(path),
            f"{prefix}the required field {missing!r} is missing",
            f"add a line '{missing}: ...'",
            "missing-field",
        )
    elif kind == "type":
        _wrong_type(error, doc, path, where, report)
    elif kind == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        report.error(
            doc.pos(path), f"{where}: {excerpt(error.instance)} is not allowed", f"use one of: {allowed}", "bad-value"
        )
    elif kind == "pattern":
        _bad_pattern(error, doc, path, where, report)
    elif kind in ("minItems", "minProperties"):
        report.error(doc.pos(path), f"{where}: is empty", "add at least one entry", "empty")
    elif kind == "maxProperties":
        keys = excerpt_text(", ".join(map(str, error.instance)))
        report.error(
            doc.pos(path),
            f"{where}: has several kinds of block at once ({keys})",
            "start a new list item ('- ') for each block",
            "mixed-block",
        )
    elif kind == "maxLength":
        report.error(
            doc.pos(path),
            f"{where}: is longer than {error.validator_value} characters",
            "split it into several paragraphs",
            "too-long",
        )
    else:
        report.error(doc.pos(path), f"{where}: {excerpt_text(error.message, 200)}", code="schema")


def _unknown_keys(error, doc: Document, path: tuple, report: Report) -> None:
    allowed = sorted(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]  # e.g. the glossary's language codes
    for key in error.instance:
        if key in allowed or any(p.search(str(key)) for p in patterns):
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        codes = ""
        if patterns:  # a mapping by language code (keep:, not:) has no fixed keys at all
            codes = " or a language code" if allowed else "a language code (two or three lower-case letters)"
        hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}{codes}"
        report.error(doc.pos(path + (key,), key=True), f"unknown field {excerpt(key)}", hint, "unknown-field")


def _wrong_type(error, doc: Document, path: tuple, where: str, report: Report) -> None:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    wanted = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in expected)
    found = _kind_of(error.instance)
    hint = ""
    if "string" in expected and isinstance(error.instance, (int, float, bool)):
        hint = f'put the value in quotes: "{_scalar_source(error.instance)}"'
    elif "string" in expected and error.instance is None:
        hint = "write the text after the colon, or remove the line"
    report.error(doc.pos(path), f"{where}: expected {wanted}, found {found}", hint, "wrong-type")


def _scalar_source(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the yes/no value {_scalar_source(value)}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"text {excerpt(value)}"


def _bad_pattern(error, doc: Document, path: tuple, where: str, report: Report) -> None:
    last = path[-1] if path else ""
    value = error.instance
    if last == "id" or (len(path) >= 2 and path[-2] == "id"):
        hint = "use lowercase letters a-z, digits and hyphens, starting with a letter, e.g. 'kommunens-klimatmal'"
        report.error(doc.pos(path), f"{where}: {excerpt(value)} is not a valid id", hint, "bad-id")
    elif error.validator_value == "^[a-z]{2,3}$":
        hint = "write an ISO 639 code of two or three lower-case letters, e.g. 'en' or 'fit'"
        report.error(doc.pos(path), f"{where}: {excerpt(value)} is not a language code", hint, "bad-language")
    elif error.validator_value == "\\S":
        report.error(doc.pos(path), f"{where}: is empty", "write the text, or remove the entry", "empty-text")
    elif last in ("number",) or (len(path) >= 2 and path[-2] == "acknowledged_refs"):
        report.error(
            doc.pos(path),
            f"{where}: {excerpt(value)} is not a section number",
            'write it like "9" or "3.2.1", in quotes',
            "bad-number",
        )
    elif last == "url":
        report.error(
            doc.pos(path),
            f"{where}: {excerpt(value)} is not a web address",
            "use an address starting with https:// (or http://)",
            "bad-url",
        )
    elif last == "signed_on":
        report.error(
            doc.pos(path),
            f"{where}: {excerpt(value)} is not a date",
            "write the date as YYYY-MM-DD, e.g. 2023-12-08",
            "bad-date",
        )
    else:
        report.error(
            doc.pos(path),
            f"{where}: {excerpt(value)} is not a four-digit year",
            'write it like "2024", in quotes',
            "bad-year",
        )


def _describe(path: tuple) -> str:
    if not path:
        return "the file"
    parts: list[str] = []
    for step in path:
        parts.append(f"[{step + 1}]" if isinstance(step, int) else (("." if parts else "") + str(step)))
    return "".join(parts)
