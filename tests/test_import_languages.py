"""The importer's words come from one table per language (contract/i18n/import-<code>.yaml); --lang follows them.

The Finnish words below are test data written for these tests (not contract content, not a real translation).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from build_helpers import ROOT
from cli_runner import run_cli

from contract.importer import import_text, words
from contract.importer.write import write_folder

TEXTS = ROOT / "tests" / "import_texts"
SWEDISH = TEXTS / "first-generation-crlf.txt"
ENGLISH = TEXTS / "english-original.txt"


def _repo(tmp_path: Path, source: str, translations: str) -> Path:
    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    config = f"languages:\n  source: {source}\n  translations: [{translations}]\n"
    (root / "klimatkontrakt.yaml").write_text(config, encoding="utf-8")
    for code in translations.split(", "):
        if code == "fi":  # test labels: the English ones
            (root / "i18n").mkdir(exist_ok=True)
            shutil.copy2(ROOT / "contract/i18n/en.yaml", root / "i18n/fi.yaml")
    return root


def _import(root: Path, original: Path, *extra: str):
    out = root / "years/2022"
    return run_cli(
        "--root", root, "import", original, "--version", "2022", "--municipality", "Sampletown", "--out", out, *extra
    )


def test_the_importer_reads_the_languages_it_has_tables_for():
    assert words.languages() == ("sv", "en")
    assert words.table("fi") is None
    assert words.party_names("energimyndigheten") == {"sv": "Energimyndigheten", "en": "Swedish Energy Agency"}


@pytest.mark.parametrize("config", [("sv", "en"), ("sv", "en, fi")], ids=["default", "with-finnish"])
def test_an_original_in_a_language_without_a_table_is_a_usage_error(tmp_path, config):
    root = _repo(tmp_path, *config)
    result = _import(root, ENGLISH, "--lang", "fi")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "import: --lang 'fi': import reads Swedish or English originals (sv, en)" in result.stderr
    assert "Traceback" not in result.stderr and not (root / "years/2022").exists()


@pytest.mark.parametrize("given", ["EN", "", "en\n"])
def test_a_lang_that_is_not_a_code_is_a_usage_error(tmp_path, given):
    root = _repo(tmp_path, "sv", "en")
    result = _import(root, ENGLISH, "--lang", given)
    assert result.returncode == 2
    assert "is not a language code; import reads Swedish or English originals" in result.stderr
    assert "give --lang sv or --lang en" in result.stderr and not (root / "years/2022").exists()


def test_an_original_in_a_language_the_repository_lacks_is_a_usage_error(tmp_path):
    root = _repo(tmp_path, "sv", "fi")
    result = _import(root, ENGLISH, "--lang", "en")
    assert result.returncode == 2
    assert "--lang 'en' is not a language of this repository; its languages are sv, fi" in result.stderr
    assert not (root / "years/2022").exists()


def test_a_swedish_original_in_an_english_source_repository_stands_under_both(tmp_path):
    root = _repo(tmp_path, "en", "sv")
    result = _import(root, SWEDISH, "--lang", "sv")
    assert result.returncode == 0, result.stderr
    assert (
        "a Swedish original: its texts stand under both en and sv (en is required); "
        "put the signed English text under en if there is one"
    ) in result.stdout
    purpose = yaml.safe_load((root / "years/2022/purpose.yaml").read_text(encoding="utf-8"))
    assert purpose["sections"][0]["title"] == {
        "en": "Syftet med Klimatkontrakt 2030",
        "sv": "Syftet med Klimatkontrakt 2030",
    }
    contract = yaml.safe_load((root / "years/2022/contract.yaml").read_text(encoding="utf-8"))
    agency = next(p for p in contract["parties"] if p["id"] == "energimyndigheten")
    assert agency["name"] == {
        "en": "Swedish Energy Agency",
        "sv": "Energimyndigheten",
    }  # named in both, from the tables


def test_an_original_in_the_source_language_stands_under_the_source_only(tmp_path):
    root = _repo(tmp_path, "sv", "en, fi")
    result = _import(root, SWEDISH)
    assert result.returncode == 0, result.stderr
    assert "stand under both" not in result.stdout
    assert "English and " in result.stdout and " Finnish translations missing or to confirm" in result.stdout
    purpose = yaml.safe_load((root / "years/2022/purpose.yaml").read_text(encoding="utf-8"))
    assert purpose["sections"][0]["title"] == {"sv": "Syftet med Klimatkontrakt 2030"}
    contract = yaml.safe_load((root / "years/2022/contract.yaml").read_text(encoding="utf-8"))
    agency = next(p for p in contract["parties"] if p["id"] == "energimyndigheten")
    assert agency["name"] == {"sv": "Energimyndigheten", "en": "Swedish Energy Agency"}  # no Finnish table: no fi


# Test-only words of a Finnish table: a new language for the importer is this file, no code.
FINNISH_TABLE = """order: 3
title: [Testisopimus 2030]
version: [Versio]
contents: [Testisisällys]
signatures: [Testiallekirjoitukset]
annex: [Testiliite]
to_be_written: ["Testi: kirjoitetaan myöhemmin."]
groups:
  purpose: ["^testitarkoitus"]
  clause: ["^testisopimus"]
parties:
  energimyndigheten: Testivirasto
"""
FINNISH_TEXT = """Testisopimus 2030
VERSIO 2022

1. Testitarkoitus
Testikappale, jossa Testivirasto mainitaan.

2. Testiosa
Testi: kirjoitetaan myöhemmin.

3. Testisopimus
Testikappale.

Testiliite
- Testiasiakirja
https://example.org/testi
"""


@pytest.fixture
def finnish_table(tmp_path, monkeypatch):
    """The package's tables plus a test table for Finnish."""
    table = tmp_path / "import-fi.yaml"
    table.write_text(FINNISH_TABLE, encoding="utf-8")
    shipped = words._files()
    monkeypatch.setattr(words, "_files", lambda: [*shipped, table])
    words.clear()
    yield
    monkeypatch.undo()
    words.clear()


def test_a_new_language_is_a_table(finnish_table, tmp_path):
    assert words.languages() == ("sv", "en", "fi")
    result = import_text(FINNISH_TEXT, "2022", "Sampletown", "in.txt", "fi", ("sv", "en", "fi"))
    assert result.title == "Testisopimus 2030"
    assert [n.title for n in result.sections] == ["Testitarkoitus", "Testiosa", "Testisopimus"]
    assert result.sections[1].to_be_written and result.annex is not None and result.annex.title == "Testiliite"
    assert not any("VERSIO" in line for line in result.notes)  # the cover's year is the one given
    out = tmp_path / "2022"
    write_folder(result, out)
    purpose = yaml.safe_load((out / "purpose.yaml").read_text(encoding="utf-8"))
    assert purpose["sections"][0]["title"] == {"sv": "Testitarkoitus", "fi": "Testitarkoitus"}
    assert (out / "clause.yaml").is_file() and (out / "annex.yaml").is_file()
    contract = yaml.safe_load((out / "contract.yaml").read_text(encoding="utf-8"))
    agency = next(p for p in contract["parties"] if p["id"] == "energimyndigheten")
    assert agency["name"] == {"sv": "Energimyndigheten", "en": "Swedish Energy Agency", "fi": "Testivirasto"}
    assert contract["title"] == {"sv": "Testisopimus 2030", "fi": "Testisopimus 2030"}
    cover = import_text(FINNISH_TEXT.replace("VERSIO 2022", "VERSIO 2021"), "2022", "S", "in.txt", "fi")
    assert any("the cover says VERSION 2021" in line for line in cover.notes)


def test_without_a_title_the_report_names_the_title_of_the_originals_language(tmp_path):
    from collections import Counter

    from contract.importer import report

    english = import_text("1. Purpose\nText.\n\n2. Parties\nText.\n", "2022", "Sampletown", "in.txt", "en")
    assert report.lines(english, Counter())[0] == "title: (none found: Climate City Contract 2030 used)"
    write_folder(english, tmp_path / "2022")
    contract = yaml.safe_load((tmp_path / "2022/contract.yaml").read_text(encoding="utf-8"))
    assert contract["title"] == {"sv": "Climate City Contract 2030", "en": "Climate City Contract 2030"}
    swedish = import_text("1. Syftet\nText.\n\n2. Parter\nText.\n", "2022", "Exempelby", "in.txt", "sv")
    assert report.lines(swedish, Counter())[0] == "title: (none found: Klimatkontrakt 2030 used)"
