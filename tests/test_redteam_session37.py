"""Red team 37: broken schema files (schema/*.schema.json) and serve's watching of its inputs.

Each test states the behaviour the README promises. Found and fixed: the BROKEN cases below, another draft than 07,
serve's traceback for a broken schema, and a looping link made while serve runs (MkDocs' poller died in its thread).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from site_helpers import make_serve_repo
from test_redteam_session25 import _Serve

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = "sections.schema.json"


def _validate(repo: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo), "validate"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


def _edit(repo: Path, name: str, change) -> None:
    path = repo / "schema" / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _write(name: str, text: str):
    return lambda repo: (repo / "schema" / name).write_text(text, encoding="utf-8")


def _located(result: subprocess.CompletedProcess, name: str) -> None:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "internal error" not in out and "Traceback" not in out, out
    assert f"schema/{name}:" in out, out


DRAFT7 = '{"$schema": "http://json-schema.org/draft-07/schema#", '

BROKEN = {
    # json.loads raises RecursionError (not JSONDecodeError): "internal error", exit 2
    "deeply-nested-json": (SECTIONS, _write(SECTIONS, "[" * 100_000 + "]" * 100_000)),
    # json.loads raises ValueError (Python's 4300-digit limit on int conversion): "internal error", exit 2
    "huge-integer": (SECTIONS, _write(SECTIONS, DRAFT7 + '"maxLength": 1' + "0" * 5000 + "}")),
    # referencing raises UnknownDialect, caught neither in _check nor in schema_problems: "internal error", exit 2
    "garbage-$schema": (SECTIONS, lambda r: _edit(r, SECTIONS, lambda d: d.update({"$schema": "garbage"}))),
    # a $ref to its own root: jsonschema recurses for ever (RecursionError), schema_problems finds nothing
    "$ref-to-itself": (SECTIONS, lambda r: _edit(r, SECTIONS, lambda d: d.update({"allOf": [{"$ref": "#"}]}))),
    # a $ref cycle through definitions: the same RecursionError
    "$ref-cycle": (
        SECTIONS,
        lambda r: _edit(
            r,
            SECTIONS,
            lambda d: (
                d.setdefault("definitions", {}).update(
                    {"loop-a": {"$ref": "#/definitions/loop-b"}, "loop-b": {"$ref": "#/definitions/loop-a"}}
                ),
                d.update({"allOf": [{"$ref": "#/definitions/loop-a"}]}),
            ),
        ),
    ),
    # an "$id" moves the base URI: "defs.schema.json#..." then resolves against http://elsewhere/ at validation time
    # (Unresolvable, "internal error"), while schema_problems looks the $ref up from the file name and finds it
    "$id-of-another-address": (
        SECTIONS,
        lambda r: _edit(r, SECTIONS, lambda d: d.update({"$id": "http://elsewhere.invalid/sections.json"})),
    ),
    # README: a missing schema file is "an error in that file, exit 1"; defs.schema.json missing is a usage error
    # ("there are no contract schemas here ... run the command in the repository folder", exit 2)
    "missing-defs": ("defs.schema.json", lambda r: (r / "schema" / "defs.schema.json").unlink()),
    # duplicate keys: json.loads keeps the last silently; the schema is "valid" and every id in the YAML is blamed
    # (101 errors "expected a whole number" in years/2023/*.yaml), the schema file is never named
    "duplicate-key": (
        "defs.schema.json",
        lambda r: (r / "schema" / "defs.schema.json").write_text(
            (ROOT / "schema" / "defs.schema.json")
            .read_text(encoding="utf-8")
            .replace('"type": "string",\n      "pattern"', '"type": "string", "type": "integer",\n      "pattern"', 1),
            encoding="utf-8",
        ),
    ),
}


HELD = {
    "not-json": (SECTIONS, _write(SECTIONS, "{,")),
    "bad-pattern": ("defs.schema.json", lambda r: _edit(r, "defs.schema.json", lambda d: d["definitions"]["id"].update({"pattern": "[a-"}))),
    "remote-$ref": (SECTIONS, lambda r: _edit(r, SECTIONS, lambda d: d.update({"allOf": [{"$ref": "http://127.0.0.1:9/x.json"}]}))),
    "anchor-$ref": (SECTIONS, lambda r: _edit(r, SECTIONS, lambda d: d.update({"allOf": [{"$ref": "#nowhere"}]}))),
    "link-to-dev-zero": (SECTIONS, lambda r: ((r / "schema" / SECTIONS).unlink(), (r / "schema" / SECTIONS).symlink_to("/dev/zero"))),
    "missing-glossary": ("glossary.schema.json", lambda r: (r / "schema" / "glossary.schema.json").unlink()),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", [*BROKEN, *HELD])  # BROKEN: defects found, fixed; HELD: right already
def test_a_broken_schema_file_is_an_error_located_in_it(tmp_path, case):
    name, breaking = {**BROKEN, **HELD}[case]
    repo = make_serve_repo(tmp_path / "repo")
    breaking(repo)
    _located(_validate(repo), name)


@pytest.mark.slow
def test_a_schema_of_another_draft_is_not_silently_read_as_draft_07(tmp_path):
    repo = make_serve_repo(tmp_path / "repo")

    def change(data):
        data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        data["dependentRequired"] = {"sections": ["no-such-field"]}  # 2020-12 only: a draft-07 validator ignores it

    for name in ("sections.schema.json",):
        _edit(repo, name, change)
    result = _validate(repo)
    # Either the draft is honoured (the YAML lacks no-such-field) or refused in the schema file: never exit 0.
    assert result.returncode == 1, result.stdout + result.stderr


def _until_rebuilt(serve: _Serve) -> str:
    """Read serve's lines until a rebuild ended, well or not; return what it said since."""
    start = len(serve.seen)
    while True:
        line = serve.wait_for("")  # every line
        if "Reloading browsers" in line or "error happened during the rebuild" in line:
            return "".join(serve.seen[start:])


@pytest.mark.slow
def test_serve_names_a_schema_file_broken_while_it_runs(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    try:
        serve.wait_for("Serving on")
        _edit(repo, SECTIONS, lambda d: d.update({"$schema": "garbage"}))
        said = _until_rebuilt(serve)
        serve.stop(signal.SIGTERM)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    assert "Traceback" not in said and "UnknownDialect" not in said, said
    assert f"schema/{SECTIONS}" in said, said


@pytest.mark.slow
def test_serve_warns_of_a_looping_link_made_in_a_watched_folder_while_it_runs(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    try:
        serve.wait_for("Serving on")
        (repo / "overrides" / "loop").symlink_to("..")
        yaml = repo / "years" / "2023" / "purpose.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace("title:", "title: RED37", 1), encoding="utf-8")
        said = _until_rebuilt(serve)  # the rebuild looks at the inputs again (_watch_inputs) before this line
        serve.stop(signal.SIGTERM)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    everything = "".join(serve.seen)
    assert "overrides/loop" in said, everything
    assert "RecursionError" not in everything, everything


def test_the_watchers_stat_follows_links_but_never_round_in_a_circle(tmp_path):
    import stat

    from contract.build.assets import poll_stat

    top = tmp_path / "overrides"
    (top / "partials").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(top / "partials", top / "sibling")  # a folder beside: followed, as the build follows it
    os.symlink("..", top / "partials" / "up")  # back to a folder on its own path
    os.symlink(outside, top / "out")
    os.symlink(top, outside / "back")  # round through a folder elsewhere: overrides/out/back is overrides again
    os.symlink("/", top / "root")
    os.symlink("/proc/self", top / "me")
    assert stat.S_ISDIR(poll_stat(str(top / "sibling")).st_mode)
    assert stat.S_ISDIR(poll_stat(str(top / "out")).st_mode)
    for looping in ("partials/up", "out/back", "root", "me", "sibling/up"):
        assert stat.S_ISLNK(poll_stat(str(top / looping)).st_mode), looping
