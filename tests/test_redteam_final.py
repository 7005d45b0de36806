"""Red team (final): reproducers of defects found in the PDF cache record, source languages, verify and -o rules."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from contract.output.guard import mark
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent


def _site(tmp_path: Path) -> Path:
    """A build's marked output folder (as `build` leaves it) with its downloads/ folder."""
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    mark(site, ["downloads/"])
    return site


@pytest.mark.parametrize("link_to", ["site/downloads", ".cache/build"])
def test_o_through_a_linked_folder_never_writes_into_a_builds_output_or_cache(tmp_path, link_to):
    """-o site/downloads/x.json is refused; a link to that folder reached it, and the next build found a stranger."""
    _site(tmp_path)
    (tmp_path / ".cache" / "build").mkdir(parents=True)
    (tmp_path / "shortcut").symlink_to(tmp_path / link_to, target_is_directory=True)
    result = run_cli("--root", ROOT, "export", "2023", "--format", "json", "-o", "shortcut/x.json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "is in the output folder, lock or cache of a build" in result.stderr
    assert not (tmp_path / link_to / "x.json").exists()


def _english_source_repo(tmp_path: Path, source: str = "en") -> Path:
    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    (root / "klimatkontrakt.yaml").write_text(
        f"languages:\n  source: {source}\n  translations: [sv]\n", encoding="utf-8"
    )
    return root


def test_import_reads_an_original_in_the_repositorys_source_language_by_default(tmp_path):
    """Without --lang, an English original in an English-source repository was read as Swedish ('sv: Purpose')."""
    root = _english_source_repo(tmp_path)
    original = ROOT / "tests" / "import_texts" / "english-original.txt"
    argv = ("import", original, "--version", "2022", "--municipality", "Sampletown", "--out", root / "years/2022")
    result = run_cli("--root", root, *argv)
    assert result.returncode == 0, result.stderr
    assert "validate: 0 errors" in result.stdout, result.stdout
    purpose = yaml.safe_load((root / "years/2022/purpose.yaml").read_text(encoding="utf-8"))
    assert purpose["sections"][0]["title"]["en"] == "Purpose"


def test_import_without_lang_in_a_repository_whose_source_it_cannot_read_is_a_usage_error(tmp_path):
    root = _english_source_repo(tmp_path, source="fi")
    (root / "i18n").mkdir()
    shutil.copy2(ROOT / "contract" / "i18n" / "en.yaml", root / "i18n" / "fi.yaml")
    original = ROOT / "tests" / "import_texts" / "english-original.txt"
    argv = ("import", original, "--version", "2022", "--municipality", "Sampletown", "--out", root / "years/2022")
    result = run_cli("--root", root, *argv)
    assert result.returncode == 2, result.stderr
    assert "source language is 'fi', and import reads Swedish or English originals" in result.stderr
    assert not (root / "years/2022").exists()


def test_a_changed_certificate_subject_renders_the_contract_pdf_again():
    """The PDF's signature fields carry each party's certificate_subject as seed values, yet the cache key left it out:
    after 'add certificate_subject ... and rebuild the PDF' (sign's own hint) the build published the cached PDF."""
    from contract.build.jobs import fingerprint as _fingerprint
    from contract.source.load import load

    contract = load(ROOT, "2023")
    party = next(p for p in contract.parties if p.certificate_subject)
    changed = dataclasses.replace(
        contract,
        parties=tuple(
            dataclasses.replace(p, certificate_subject={**p.certificate_subject, "O": "Another Org"})
            if p is party
            else p
            for p in contract.parties
        ),
    )
    assert _fingerprint(changed) != _fingerprint(contract)


@pytest.mark.parametrize("inside", ["site/2022", ".cache/build/2022"])
def test_import_never_writes_into_a_builds_output_folder_or_cache(tmp_path, inside):
    """import --out site/2022 wrote a version folder into the build's output, which the next build then refused."""
    _site(tmp_path)
    (tmp_path / ".cache" / "build").mkdir(parents=True)
    original = ROOT / "tests" / "import_texts" / "english-original.txt"
    argv = ("import", original, "--lang", "en", "--version", "2022", "--municipality", "Sampletown", "--out", inside)
    result = run_cli("--root", ROOT, *argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "is in the output folder, lock or cache of a build" in result.stderr
    assert not (tmp_path / inside).exists()


@pytest.mark.slow
def test_pdfs_after_two_uncommitted_identity_edits_equal_a_cold_builds(tmp_path):
    """Both edits build as the same '<commit>+modified' source: only the cache key can tell the PDFs apart."""
    from tests.build_helpers import make_repo, run, tree

    repo = make_repo(tmp_path / "repo")
    # The draft: a signed version's certificate identities are locked (signed.lock's parts) and may not be edited.
    contract_file = repo / "years" / "2024" / "contract.yaml"
    original = contract_file.read_text(encoding="utf-8")
    assert "      O: Borås Stad\n" in original
    for name in ("Borås Stad A", "Borås Stad B"):
        contract_file.write_text(original.replace("      O: Borås Stad\n", f"      O: {name}\n"), encoding="utf-8")
        code, _, err = run(repo, "--drafts")
        assert code == 0, err
    cold = tmp_path / "cold"
    shutil.copytree(repo, cold, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site", ".site*"))
    code, _, err = run(cold, "--drafts")
    assert code == 0, err
    assert tree(repo / "site" / "downloads") == tree(cold / "site" / "downloads")
