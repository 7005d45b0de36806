"""Red team 38: broken schema files (schema/*.schema.json) must be named there with exit 1, never "internal error".

Every finding below is fixed in the commit that added this file; each test failed before it.

Held: a top-level list, number or `true` ("no $schema"), a "$ref" that is not text, a malformed JSON pointer, a
remote "$ref"; maxLength 1e308 and multipleOf 1e-320 (tried by hand) validate without a crash.
Found: a schema that check_schema refuses (a "pattern" Python cannot compile) validates with exit 0 while no string
reaches that keyword: check_schema is only run once validation has raised.
Found (exit 2, "internal error: ..."):
- a "$ref" that resolves to something that is not a schema ("#/title", "#/required"): AttributeError while validating;
  schema_problems' resolver finds the target, so the error is re-raised as ours;
- a nested "$id" that changes the base URI, so a "$ref" resolvable from the file's root is not resolvable where it is
  written: _WrappedReferencingError; schema_problems looks every $ref up from the file's root only;
- a repository whose source is not Swedish, with defs.schema.json's "text" edited (no "sv" property, or "text" a
  $ref): with_source indexes the definitions blindly (KeyError) before any check of the schema files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from site_helpers import make_serve_repo

ROOT = Path(__file__).resolve().parents[1]


def _edit(repo: Path, name: str, change) -> None:
    path = repo / "schema" / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _run(repo: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo), command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def _assert_named(result: subprocess.CompletedProcess, file_name: str) -> None:
    output = result.stdout + result.stderr
    assert "internal error" not in output, output
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    assert f"schema/{file_name}" in output and ": error: " in output, output


def _body(schema: dict):
    return lambda data: data["properties"].__setitem__("body", schema)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command, body",
    [
        pytest.param("validate", {"$ref": "#/title"}, id="validate-ref-to-a-string"),
        pytest.param("validate", {"$ref": "#/required"}, id="validate-ref-to-a-list"),
        pytest.param("build", {"$ref": "#/title"}, id="build-ref-to-a-string"),
        pytest.param(
            "validate",
            {"$id": "http://example.com/x/", "allOf": [{"$ref": "defs.schema.json#/definitions/body"}]},
            id="validate-nested-id-moves-the-base",
        ),
    ],
)
def test_a_ref_the_validator_cannot_use_is_named_in_the_schema_file(tmp_path, command, body):
    repo = make_serve_repo(tmp_path / "repo")
    _edit(repo, "preamble.schema.json", _body(body))
    _assert_named(_run(repo, command), "preamble.schema.json")


@pytest.mark.slow
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["definitions"]["text"]["properties"].pop("sv"), id="no-sv"),
        pytest.param(
            lambda d: d["definitions"].__setitem__("text", {"$ref": "#/definitions/body"}),
            id="text-is-a-ref",
        ),
    ],
)
def test_an_edited_text_definition_in_an_english_source_repository_is_named(tmp_path, change):
    repo = make_serve_repo(tmp_path / "repo")
    (repo / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    _edit(repo, "defs.schema.json", change)
    _assert_named(_run(repo, "validate"), "defs.schema.json")


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        '[{"$schema": "http://json-schema.org/draft-07/schema#"}]',
        "5",
        "true",
        pytest.param(
            json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "pattern": "\\p{L}"}),
            id="unused-bad-pattern",
        ),
        json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "$ref": 5}),
        json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "http://example.com/x.json"}),
        json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "defs.schema.json#/definitions/~2"}),
    ],
)
def test_held_a_broken_schema_is_named(tmp_path, text):
    repo = make_serve_repo(tmp_path / "repo")
    (repo / "schema" / "preamble.schema.json").write_text(text, encoding="utf-8")
    _assert_named(_run(repo, "validate"), "preamble.schema.json")
