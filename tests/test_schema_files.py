"""The repository's schema files broken as an editor can break them: a located error in that file, exit 1.

Before, each was "internal error … not in your files" (exit 2), and serve printed a traceback on every rebuild
(red team 36).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from contract.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DRAFT7 = '"$schema": "http://json-schema.org/draft-07/schema#"'


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schemas")
    for name in ("years", "schema"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("klimatkontrakt.yaml", "glossary.yaml"):
        shutil.copy2(ROOT / name, root / name)
    return root


def _validate(root: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "validate"])
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"{", "schema/sections.schema.json:1:2: error: the schema is not valid JSON: Expecting property name"),
        (b'{\n  "type": "object",\n}', "schema/sections.schema.json:3:1: error: the schema is not valid JSON"),
        (b"\xff{}", "schema/sections.schema.json:1:1: error: the file is not UTF-8 text (byte 0xff"),
        (b"[]", 'schema/sections.schema.json: error: the file is not a JSON Schema: it has no "$schema"'),
        (b'{"type": "object"}', "schema/sections.schema.json: error: the file is not a JSON Schema"),
        (
            b'{"$schema": ["x"]}',
            'schema/sections.schema.json: error: the schemas are draft-07, but "$schema" names ["x"]',
        ),
        (f'{{{DRAFT7}, "type": 5}}'.encode(), "schema/sections.schema.json: error: the schema is not valid at $.type"),
        (
            f'{{{DRAFT7}, "$ref": "nothere.schema.json#/x"}}'.encode(),
            "schema/sections.schema.json: error: the schema refers to nothere.schema.json#/x, which no schema file",
        ),
        (None, "schema/sections.schema.json: error: the schema file is missing"),
    ],
    ids=[
        "not-json",
        "trailing-comma",
        "not-utf8",
        "a-list",
        "no-draft",
        "draft-a-list",
        "bad-keyword",
        "dangling-ref",
        "missing",
    ],
)
def test_a_broken_schema_file_is_an_error_in_that_file(repository, content, said):
    path = repository / "schema" / "sections.schema.json"
    original = path.read_bytes()
    try:
        if content is None:
            path.unlink()
        else:
            path.write_bytes(content)
        code, printed = _validate(repository)
    finally:
        path.write_bytes(original)
    assert code == 1, printed
    assert said in printed, printed
    assert "git checkout -- schema/" in printed or "UTF-8" in printed, printed
    assert "internal error" not in printed and "Traceback" not in printed, printed
    assert _validate(repository)[0] == 0  # put back, the same process validates again (nothing stale kept)


def test_a_dangling_reference_deep_in_the_shared_definitions_is_named(repository):
    path = repository / "schema" / "defs.schema.json"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace('"$ref": "#/definitions/text"', '"$ref": "#/definitions/nothing"', 1), "utf-8")
        assert path.read_text(encoding="utf-8") != original
        code, printed = _validate(repository)
    finally:
        path.write_text(original, encoding="utf-8")
    assert code == 1, printed
    assert "schema/defs.schema.json: error: the schema refers to #/definitions/nothing, which no" in printed, printed
    assert "internal error" not in printed, printed


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_schema_that_is_not_a_file_is_named_not_read(repository, kind):
    import os

    path = repository / "schema" / "odd.schema.json"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    try:
        code, printed = _validate(repository)  # a named pipe read would wait for ever
    finally:
        if kind == "fifo":
            path.unlink()
        else:
            path.rmdir()
    assert code == 1, printed
    assert "schema/odd.schema.json: error: the schema is not a file" in printed, printed
