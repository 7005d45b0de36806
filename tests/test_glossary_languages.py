"""The glossary follows klimatkontrakt.yaml: forms under the source's code, renderings per translation language.

The Finnish strings are test data written for these tests (not contract content, not a real translation).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from build_helpers import ROOT
from cli_runner import run_cli
from test_third_language import FINNISH, _add_finnish

from contract.errors import Report
from contract.source.load import load
from contract.translate.glossary import load_glossary

# A test-only Finnish rendering: the Finnish test texts of 2024 use none of it.
GLOSSARY = """terms:
  - id: klimatkontrakt-2030
    sv: [Klimatkontrakt 2030]
    en: [Climate City Contract 2030]
    fi: [Testisopimus 2030]
  - id: syfte
    sv: [Syftet]
    en: [purpose]
keep: {fi: [Klimatkontrakt]}
"""


@pytest.fixture(scope="module")
def finnish(tmp_path_factory) -> Path:
    """Versions 2023 and 2024 with Finnish added to 2024 (a few texts, all confirmed), without a glossary."""
    root = tmp_path_factory.mktemp("glossary-fi") / "repo"
    (root / "years").mkdir(parents=True)
    for name in ("schema", "years/2023", "years/2024"):
        shutil.copytree(ROOT / name, root / name)
    _add_finnish(root)
    confirmed = run_cli("translations", "2024", "--lang", "fi", "--all-current", "--root", root)
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    return root


@pytest.fixture
def repo(finnish, tmp_path) -> Path:
    """A copy of the Finnish repository to give a glossary."""
    return shutil.copytree(finnish, tmp_path / "repo")


def _glossary_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if "glossary" in line]


def test_a_finnish_rendering_is_checked_in_the_finnish_at_its_line(repo):
    (repo / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    result = run_cli("validate", "2024", "--root", repo)
    assert result.returncode == 0, result.stdout + result.stderr  # warnings only
    title = next(t for t in load(repo, "2024").texts() if t.key == "meta/title")
    section = next(t for t in load(repo, "2024").texts() if t.key == "syftet-med-klimatkontrakt-2030/title")
    assert title.get("fi") == FINNISH["meta/title"]
    warnings = _glossary_lines(result)
    assert (
        f"{title.at('fi')}: warning: glossary: the Swedish says 'Klimatkontrakt 2030' and the Finnish uses none of "
        "the glossary's renderings (meta/title) (write 'Testisopimus 2030', as glossary.yaml (term "
        "'klimatkontrakt-2030') says)"
    ) in warnings
    assert title.at("fi").file == "years/2024/contract.yaml" and title.at("fi").line > 1
    assert any(w.startswith(f"{section.at('fi')}: warning: glossary: the Swedish says") for w in warnings)
    assert any(
        "the name 'Klimatkontrakt' is kept as it is in Finnish, but this Finnish lacks it (meta/title)" in w
        for w in warnings
    )
    english = [w for w in warnings if "the English" in w]  # English is checked with its own renderings
    assert english and all("the Swedish says 'Syftet'" in w and "write 'purpose'" in w for w in english)


def test_a_term_without_renderings_in_a_language_is_not_checked_in_it_and_the_command_says_so(repo):
    (repo / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    section = next(t for t in load(repo, "2024").texts() if t.key == "syftet-med-klimatkontrakt-2030/title")
    warnings = _glossary_lines(run_cli("validate", "2024", "--root", repo))
    assert not any("'Syftet' and the Finnish" in w for w in warnings)  # 'syfte' has no Finnish renderings
    listed = run_cli("glossary", "2024", "--lang", "fi", "--root", repo)
    assert listed.returncode == 0, listed.stderr
    assert "syfte: Syftet -> (no Finnish rendering: validate does not check this term in Finnish)\n" in listed.stdout
    assert "klimatkontrakt-2030: Klimatkontrakt 2030 -> Testisopimus 2030\n" in listed.stdout
    assert f"  {section.at('fi')}: syftet-med-klimatkontrakt-2030/title\n" in listed.stdout  # where the Finnish is
    entries = {
        e["id"]: e for e in json.loads(run_cli("glossary", "2024", "--lang", "fi", "--json", "--root", repo).stdout)
    }
    assert entries["syfte"]["checked"] is False and entries["syfte"]["fi"] == []
    assert entries["klimatkontrakt-2030"]["fi"] == ["Testisopimus 2030"] and entries["Klimatkontrakt"]["kind"] == "keep"
    english = {e["id"]: e for e in json.loads(run_cli("glossary", "2024", "--json", "--root", repo).stdout)}
    assert english["syfte"]["en"] == ["purpose"] and english["syfte"]["checked"] is True
    assert "Klimatkontrakt" not in english  # kept in Finnish only
    refused = run_cli("glossary", "--lang", "sv", "--root", repo)
    assert refused.returncode == 2 and "translation languages are en, fi" in refused.stderr


def test_a_language_the_repository_does_not_have_is_a_located_error(repo):
    (repo / "glossary.yaml").write_text(
        "terms:\n  - id: x\n    sv: [Syftet]\n    de: [Zweck]\n    fi: [testi]\nkeep:\n  de: [Viable Cities]\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "2024", "--root", repo)
    assert result.returncode == 1
    assert "glossary.yaml:4:5: error: glossary: 'de' is not a language of this repository" in result.stdout
    assert "glossary.yaml:7:3: error: glossary: 'de' is not a language of this repository" in result.stdout
    assert "add 'de' to languages.translations in klimatkontrakt.yaml" in result.stdout
    assert run_cli("glossary", "--root", repo).returncode == 1


def test_per_language_rules_are_checked_against_the_terms_languages(repo):
    (repo / "glossary.yaml").write_text(
        "terms:\n"
        "  - id: a\n    sv: [Syftet]\n    en: [purpose]\n    fi: [testi]\n    not: [aim]\n"
        "  - id: b\n    sv: [Borås]\n    en: [Borås]\n    not: {fi: [x]}\n"
        "  - id: c\n    fi: [testi]\n",
        encoding="utf-8",
    )
    report = Report()
    load_glossary(repo, report, ("sv", "en", "fi"))
    messages = [str(d) for d in report.errors]
    assert any(
        m.startswith("glossary.yaml:6:10: error: 'not' is a list, but the term has renderings in several")
        for m in messages
    ), messages
    assert any(m.startswith("glossary.yaml:10:11: error: not.fi: the term has no Finnish renderings") for m in messages)
    assert any(
        m.startswith("glossary.yaml:11:5: error: the term 'c' has no forms in the source language (Swedish, sv)")
        for m in messages
    ), messages
    assert len(messages) == 3, messages
    (repo / "glossary.yaml").write_text("terms:\n  - id: d\n    sv: [Syftet]\n    sv2: [x]\n", encoding="utf-8")
    report = Report()
    load_glossary(repo, report, ("sv", "en", "fi"))
    assert [str(d) for d in report.errors] == [
        "glossary.yaml:4:5: error: unknown field 'sv2' (allowed here: exact_case, except, id, not, note or a language code)"
    ]


def test_an_english_source_reads_the_english_forms_and_checks_the_swedish(repo):
    (repo / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    (repo / "glossary.yaml").write_text(
        "terms:\n  - id: a\n    en: [forerunner]\n    sv: [föregångare]\n    not: [pionjär]\nkeep: [Viable Cities]\n",
        encoding="utf-8",
    )
    report = Report()
    glossary = load_glossary(repo, report)
    assert report.errors == []
    (term,) = glossary.for_lang("sv")
    assert term.forms == ("forerunner",) and term.wrong == ("pionjär",)
    assert glossary.kept("sv") == ("Viable Cities",) and glossary.kept("en") == ()
    (repo / "glossary.yaml").write_text("terms:\n  - id: a\n    sv: [x]\n    en: [y]\n", encoding="utf-8")
    report = Report()
    load_glossary(repo, report)
    assert [d.message for d in report.errors] == []  # en forms, sv renderings: valid in either direction


def test_a_number_as_a_key_is_a_located_error_not_a_crash(repo):
    """jsonschema raised TypeError on a key that is not text (a language code pattern tried on 12)."""
    (repo / "glossary.yaml").write_text("terms:\n  - {id: x, sv: [a], 12: [b]}\n", encoding="utf-8")
    result = run_cli("glossary", "--root", repo)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert "glossary.yaml:2:22: error: the key 12 is not a name" in result.stdout
    (repo / "glossary.yaml").unlink()
    purpose = repo / "years/2024/purpose.yaml"
    purpose.write_text(
        purpose.read_text(encoding="utf-8").replace("    title:\n", "    title:\n      12: x\n", 1), "utf-8"
    )
    result = run_cli("validate", "2024", "--root", repo)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert "years/2024/purpose.yaml:5:7: error: the key 12 is not a name" in result.stdout
