"""Red team session 18: lazy PDF workers, another source language, per-language redline flags, -o rules."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.build_helpers import copy_repo, edit_style, make_repo, run, tree
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "2023", "--format", "markdown", "-o", "-"),
        ("diff", "2023", "2024", "-o", "-"),
        ("diff", "2023", "2024", "--format", "json", "--output", "-"),
    ],
)
def test_dash_as_output_is_refused_not_written_as_a_file_named_dash(tmp_path, argv):
    result = run_cli("--root", ROOT, *argv, cwd=tmp_path)
    assert result.returncode == 2
    assert "'-' is not taken for standard output here" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the record of the PDFs' inputs


@pytest.mark.slow
def test_a_tampered_or_unwritable_pdf_inputs_record_never_fails_the_build(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")  # built: its PDFs come from the cache
    record = repo / ".cache" / "build" / "pdf-inputs.json"
    assert record.is_file()
    record.write_text("[" * 200_000, encoding="utf-8")  # deeper than json can read: RecursionError
    edit_style(repo)  # something to build
    code, _, err = run(repo)
    assert (code, "internal error" in err) == (0, False), err
    cold = tree(repo / "site" / "downloads")
    record.unlink()
    record.mkdir()  # the record cannot be written: the build is published all the same
    edit_style(repo)
    code, _, err = run(repo)
    assert (code, err) == (0, "")
    assert tree(repo / "site" / "downloads") == cold
    assert record.is_dir()


# ---------------------------------------------------------------- JSON nested deeper than json reads


@pytest.mark.parametrize("command", [("export", "2023"), ("diff", "2023", "2024")])
def test_an_existing_deeply_nested_json_file_is_refused_not_a_crash(tmp_path, command):
    target = tmp_path / "x.json"
    target.write_text("[" * 200_000, encoding="utf-8")
    result = run_cli("--root", ROOT, *command, "--format", "json", "-o", target)
    assert result.returncode == 2
    assert "exists and is not a file this command may replace" in result.stderr
    assert target.read_text(encoding="utf-8") == "[" * 200_000


def test_a_deeply_nested_json_exchange_file_is_a_located_error(tmp_path):
    repo = make_repo(tmp_path / "repo")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000, encoding="utf-8")
    before = tree(repo / "years")
    result = run_cli("--root", repo, "translations", "2023", "--import", deep)
    assert result.returncode == 1, result.stderr
    assert f"{deep}:1:1: error: not an exchange file: nested far too deeply" in result.stdout
    assert "internal error" not in result.stderr
    assert tree(repo / "years") == before


# ---------------------------------------------------------------- another source language


@pytest.mark.parametrize(
    ("command", "said"), [("export", "the source language in"), ("translations", "first translation")]
)
def test_the_help_names_no_language_as_the_default_a_repository_may_not_have(command, said):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    assert said in help_text and "klimatkontrakt.yaml)" in help_text
    assert "source language, sv" not in help_text and "klimatkontrakt.yaml, en" not in help_text


# ---------------------------------------------------------------- redline flags name the source language


def _english_source(contract):
    """Return the contract as a repository with English as its source and Swedish as its translation has it."""
    from contract.model import Translation
    from contract.source.load import _map_texts

    def swap(text):
        english = text.translation("en")
        if english.text is None:
            return text
        return dataclasses.replace(
            text, source=english.text, lang="en", translations=(("sv", Translation(text.source, status="current")),)
        )

    return dataclasses.replace(_map_texts(contract, swap), languages=("en", "sv"))


def test_a_flag_of_a_repository_with_another_source_names_that_source_in_json_and_text():
    from diff_cases.edit import map_section

    from contract.diff import compare
    from contract.render import redline_json, redline_text
    from contract.source.load import load

    old = _english_source(load(ROOT, "2024"))

    def edit(section):  # the English source of the first paragraph changes, its Swedish translation does not
        first = section.body[0]
        changed = dataclasses.replace(first.text, source=first.text.source + " Changed in a test.")
        return dataclasses.replace(section, body=(dataclasses.replace(first, text=changed), *section.body[1:]))

    changes = compare(old, map_section(old, "syftet-med-klimatkontrakt-2030", edit))
    document = redline_json.to_json(changes)
    schema = json.loads((ROOT / "schema/changeset.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    flags = [f for s in document["sections"] for f in s["flags"]]
    assert flags == [{"code": "sv_only", "target": "", "number": "", "lang": "sv", "source": "en"}]
    assert "The English text changed but the Swedish did not." in redline_text.to_text(changes, "en")


# ---------------------------------------------------------------- -o never writes into the repository's sources


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (("export", "2023", "--format", "markdown", "-o"), "years/2023/export.md"),
        (("diff", "2023", "2024", "--format", "json", "-o"), "years/2023/x.yaml"),  # failed every later validation
        (("translations", "2024", "--export"), "years/2024/sv.po"),
        (("export", "2023", "--format", "json", "-o"), "schema/export.json"),
    ],
)
def test_a_result_is_never_written_into_a_source_folder(tmp_path, argv, name):
    repo = make_repo(tmp_path / "repo")
    before = tree(repo)
    (tmp_path / "link").symlink_to(repo / Path(name).parent)  # nor through a link to one
    for target in (repo / name, Path(name), tmp_path / "link" / Path(name).name):
        result = run_cli("--root", repo, *argv, target, cwd=repo)
        assert result.returncode == 2, result.stderr
        assert f"is inside the repository's {name.split('/')[0]}/, which holds its sources" in result.stderr
    assert tree(repo) == before


@pytest.mark.slow  # hashes 2 GiB
def test_a_stray_giant_file_in_years_is_hashed_in_pieces_not_read_whole(tmp_path):
    import hashlib

    years = tmp_path / "years"
    years.mkdir()
    (years / "small.yaml").write_bytes(b"version: 2023\n")
    from contract.build.stamps import inputs_hash

    whole = hashlib.sha256(b"head" + b"years/small.yaml" + b"version: 2023\n").hexdigest()
    assert inputs_hash(tmp_path, ("years",), "head") == whole  # the same hash as before: the caches stay valid
    with open(years / "video.mp4", "wb") as file:  # sparse: no room on disk; half as large again as the memory cap
        file.truncate(384 * 2**20)
    limited = (  # 256 MiB of address space: the hashing process itself needs about 20 MiB, the file whole 384 MiB
        "import resource, sys; from pathlib import Path; from contract.build.stamps import inputs_hash; "
        "resource.setrlimit(resource.RLIMIT_AS, (2**28, 2**28)); "
        "print(len(inputs_hash(Path(sys.argv[1]), ('years',), 'head')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", limited, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "64\n", "")


@pytest.mark.slow  # two versions are loaded from git
def test_diff_refuses_versions_of_different_source_languages(tmp_path):
    from build_helpers import git
    from test_third_language import _strip_english_notes

    from contract.source.yamlwrite import rewrite

    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    for name in ("schema", "years/2024", "klimatkontrakt.yaml"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, root / name)
    rewrite(root / "years/2024/contract.yaml", lambda data: data.pop("previous"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the draft, Swedish source")
    # The draft's repository switches its source to English (allowed: 2024 is not signed).
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    (root / "years/2024/translations.lock").unlink()
    for path in sorted((root / "years/2024").glob("*.yaml")):
        rewrite(path, _strip_english_notes)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "English source")
    result = run_cli("--root", root, "diff", "HEAD~1:2024", "2024")
    assert (result.returncode, result.stdout) == (2, "")  # was: every section "retitled", "och" → "and"
    assert "HEAD~1:2024 was written with Swedish (sv) as its source language and 2024 with English (en)" in (
        result.stderr
    )
    same = run_cli("--root", root, "diff", "HEAD:2024", "2024")  # a revision is read in its own languages
    assert (same.returncode, same.stdout) == (
        0,
        "Changes from HEAD:2024 to 2024\n==============================\n\nNo changes.\n",
    )
