"""Red team, session 19b: reproducers of defects found by attacking the features of session 19."""

from __future__ import annotations

from pathlib import Path

import pytest
from build_helpers import ROOT, copy_repo, edit_style, run
from cli_runner import run_cli

ENGLISH = ROOT / "tests" / "import_texts" / "english-original.txt"


# ---------------------------------------------------------------- import: the original's language


def _import_repo(tmp_path: Path) -> Path:
    from test_import_languages import _repo  # a repository of these languages with the real schemas

    return _repo(tmp_path, "sv", "en")


def test_one_heading_left_in_the_other_language_does_not_pass_an_original_for_it(tmp_path):
    # An English original whose "Parties" chapter kept its Swedish title ("Parter") was stored as Swedish with
    # --lang sv: one title placed by the Swedish words was enough to skip the check, three English ones or not.
    original = tmp_path / "mixed.txt"
    original.write_text(ENGLISH.read_text(encoding="utf-8").replace("2. Parties", "2. Parter"), encoding="utf-8")
    root = _import_repo(tmp_path)
    out = root / "years" / "2022"
    result = run_cli(
        "--root", root, "import", original, "--version", "2022", "--municipality", "Sampletown", "--out", out,
        "--lang", "sv",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--lang sv, but the original's chapter titles are English" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    fixed = run_cli(
        "--root", root, "import", original, "--version", "2022", "--municipality", "Sampletown", "--out", out,
        "--lang", "en",
    )  # fmt: skip
    assert fixed.returncode in (0, 1), fixed.stderr
    assert (out / "contract.yaml").is_file()


# ---------------------------------------------------------------- build: what a __pycache__ folder holds


def _stamp(root: Path) -> str:
    from contract.build import stamps

    return stamps.inputs_hash(root, ("years", *stamps.SITE_INPUTS), "head")


def test_a_pycache_folder_outside_the_hooks_bytecode_is_an_input(tmp_path):
    # Every __pycache__ folder of every input was skipped, not only Python's bytecode of hooks/: a file in
    # docs_assets/__pycache__/ (copied into the site whole) or a folder years/__pycache__/ (listed as a version)
    # changed what a cold build makes while the build said "nothing changed".
    for name in ("docs_assets", "years/2023", "overrides", "hooks"):
        (tmp_path / name).mkdir(parents=True)
    before = _stamp(tmp_path)
    for planted in (
        "docs_assets/__pycache__/extra.css",
        "years/__pycache__/contract.yaml",
        "overrides/__pycache__/a.html",
    ):
        (tmp_path / planted).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / planted).write_text("x", encoding="utf-8")
        assert _stamp(tmp_path) != before, planted
        before = _stamp(tmp_path)
    # A hook's source beside its bytecode, or a file in hooks/__pycache__/ that is not bytecode, is an input too.
    (tmp_path / "hooks" / "__pycache__").mkdir()
    (tmp_path / "hooks" / "__pycache__" / "notes.py").write_text("x = 1\n", encoding="utf-8")
    assert _stamp(tmp_path) != before


def test_the_hooks_bytecode_is_still_not_an_input(tmp_path):
    (tmp_path / "hooks" / "__pycache__").mkdir(parents=True)
    (tmp_path / "hooks" / "mkdocs_hook.py").write_text("x = 1\n", encoding="utf-8")
    before = _stamp(tmp_path)
    (tmp_path / "hooks" / "__pycache__" / "mkdocs_hook.cpython-311.pyc").write_bytes(b"\x00bytecode")
    assert _stamp(tmp_path) == before


@pytest.mark.slow
def test_an_edited_file_in_a_pycache_folder_of_the_assets_is_published(built_repo, tmp_path):
    # docs_assets/ is copied into each language's site whole, __pycache__/ included: its edit went unpublished.
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    extra = repo / "docs_assets" / "__pycache__" / "extra.css"
    extra.parent.mkdir()
    extra.write_text("body {}\n", encoding="utf-8")
    assert run(repo)[0] == 0
    extra.write_text("body { color: red; }\n", encoding="utf-8")
    code, out, err = run(repo)
    assert code == 0 and out.startswith("built 2023: site"), out + err
    assert (repo / "site" / "sv" / "__pycache__" / "extra.css").read_text(encoding="utf-8") == extra.read_text()


def test_a_file_in_a_linked_folder_of_the_inputs_is_an_input(tmp_path):
    # MkDocs reads overrides/ and copies docs_assets/ through a linked folder (a shared theme, a vendored
    # library), but the walk of the inputs did not enter one: an edit there left the build saying nothing changed.
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "footer.html").write_text("old", encoding="utf-8")
    for name in ("docs_assets", "overrides"):
        (tmp_path / "repo" / name).mkdir(parents=True)
        (tmp_path / "repo" / name / "shared").symlink_to(shared, target_is_directory=True)
    before = _stamp(tmp_path / "repo")
    (shared / "footer.html").write_text("new", encoding="utf-8")
    assert _stamp(tmp_path / "repo") != before


def test_a_linked_folder_that_loops_is_walked_once(tmp_path):
    (tmp_path / "overrides" / "partials").mkdir(parents=True)
    (tmp_path / "overrides" / "partials" / "up").symlink_to(tmp_path / "overrides", target_is_directory=True)
    (tmp_path / "overrides" / "main.html").write_text("x", encoding="utf-8")
    before = _stamp(tmp_path)
    (tmp_path / "overrides" / "main.html").write_text("y", encoding="utf-8")
    assert _stamp(tmp_path) != before


@pytest.mark.slow
def test_an_edit_in_a_linked_folder_of_the_assets_is_published(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.css").write_text("a {}\n", encoding="utf-8")
    (repo / "docs_assets" / "vendor").symlink_to(tmp_path / "vendor", target_is_directory=True)
    assert run(repo)[0] == 0
    (tmp_path / "vendor" / "v.css").write_text("a { color: red; }\n", encoding="utf-8")
    code, out, err = run(repo)
    assert code == 0 and out.startswith("built 2023: site"), out + err
    assert (repo / "site" / "en" / "vendor" / "v.css").read_text(encoding="utf-8") == "a { color: red; }\n"


@pytest.mark.slow
def test_a_schema_edited_between_builds_of_one_process_is_the_one_checked(built_repo, tmp_path):
    # klimatkontrakt serve rebuilds in one process: the JSON Schemas were read once per folder and kept, so a
    # build after an edit of schema/ checked the versions against the schemas as they were (a cold build refuses).
    import json

    repo = copy_repo(built_repo.root, tmp_path / "repo")
    edit_style(repo)  # a build that loads and checks every version in this process (not "nothing changed")
    first = run(repo)
    assert first[0] == 0 and first[1].startswith("built 2023: site"), first
    schema = repo / "schema" / "version.schema.json"
    data = json.loads(schema.read_text(encoding="utf-8"))
    data["required"].append("new_field")
    schema.write_text(json.dumps(data, indent=2), encoding="utf-8")
    code, out, err = run(repo)
    assert code == 1, out + err
    assert "new_field" in out + err, out + err


@pytest.mark.slow
def test_overrides_edited_between_builds_of_one_process_are_published(built_repo, tmp_path):
    # serve: the compiled templates are kept in memory between builds; an edited override must
    # be what the next build uses (Jinja's key is the template's file, its entry holds the source's checksum).
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    edit_style(repo)
    assert run(repo)[0] == 0
    footer = repo / "overrides" / "partials" / "footer.html"
    kept = footer.read_text(encoding="utf-8")
    footer.write_text(kept + "<p>edited-footer</p>\n", encoding="utf-8")
    assert run(repo)[0] == 0
    page = (repo / "site" / "sv" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "edited-footer" in page
    footer.write_text(kept, encoding="utf-8")
    assert run(repo)[0] == 0
    page = (repo / "site" / "sv" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "edited-footer" not in page
