"""A third language added to a copy of the repository with a partial translation: site, PDF and staleness work.

The Finnish strings below are test data written for this test (not contract content, not a real translation).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from build_helpers import ROOT, git, make_repo, run
from cli_runner import run_cli
from lxml import html

from contract.source.yamlwrite import rewrite

# Test-only Finnish: a title, a section title and one paragraph of 2024.
FINNISH = {
    "meta/title": "Testiotsikko 2030",
    "syftet-med-klimatkontrakt-2030/title": "Testiosion otsikko",
    "syftet-med-klimatkontrakt-2030/1": "Testikappale, jonka ruotsi muuttuu testissä.",
}
MISSING_NOTE = "Testi: suomenkielinen teksti puuttuu; ruotsinkielinen teksti näytetään."
STALE_NOTE = "Testi: suomenkielinen teksti on vanhentunut; ruotsinkielinen teksti näytetään."


def _add_finnish(root: Path) -> None:
    """Configure sv + en + fi, give fi its (test) labels, and write the Finnish of a few 2024 texts."""
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: sv\n  translations: [en, fi]\n", encoding="utf-8")
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8").splitlines()
    replaced = {
        "translation_missing": MISSING_NOTE,
        "translation_stale": STALE_NOTE,
        "contents": "Testisisällys",
        "site_language_name": "Suomi (testi)",
    }
    lines = [line for line in english if line.split(":", 1)[0] not in replaced]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in replaced.items()]
    (root / "i18n").mkdir()
    (root / "i18n/fi.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def title(data):
        data["title"]["fi"] = FINNISH["meta/title"]

    def purpose(data):
        section = data["sections"][0]
        section["title"]["fi"] = FINNISH["syftet-med-klimatkontrakt-2030/title"]
        section["body"][0]["p"]["fi"] = FINNISH["syftet-med-klimatkontrakt-2030/1"]

    rewrite(root / "years/2024/contract.yaml", title)
    rewrite(root / "years/2024/purpose.yaml", purpose)


@pytest.fixture(scope="module")
def finnish(tmp_path_factory) -> Path:
    """A committed copy of the repository with Finnish added, confirmed, one Swedish source then edited, and built."""
    root = make_repo(tmp_path_factory.mktemp("third") / "repo")
    _add_finnish(root)
    confirmed = run_cli("translations", "2024", "--lang", "fi", "--all-current", "--root", root)
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr

    def edit(data):  # the Swedish of the third Finnish text changes after its Finnish was confirmed
        data["sections"][0]["body"][0]["p"]["sv"] += " Ändrad i testet."

    rewrite(root / "years/2024/purpose.yaml", edit)
    code, out, err = run(root, "--drafts")
    assert code == 0, out + err
    return root


def _page(root: Path, path: str):
    return html.fromstring((root / "site" / path).read_bytes())


@pytest.mark.slow
def test_the_finnish_site_exists_and_every_language_switch_lists_all_three(finnish):
    for lang in ("sv", "en", "fi"):
        page = _page(finnish, f"{lang}/index.html")
        assert page.get("lang") == lang
        others = {a.get("hreflang") for a in page.xpath("//a[contains(@class, 'kk-lang')]")}
        assert others == {"sv", "en", "fi"} - {lang}
        alternates = {link.get("hreflang") for link in page.xpath("//link[@hreflang]")}
        assert alternates == {"sv", "en", "fi"}
    finnish_link = _page(finnish, "sv/index.html").xpath("//a[contains(@class, 'kk-lang')][@hreflang='fi']")[0]
    assert finnish_link.text_content().strip() == "Suomi (testi)"
    root_page = (finnish / "site/index.html").read_text(encoding="utf-8")
    assert 'hreflang="fi" href="fi/"' in root_page
    assert (finnish / "site/fi/pagefind").is_dir()  # search indexed per language


@pytest.mark.slow
def test_a_finnish_pdf_is_built_as_a_translation(finnish):
    pdf = finnish / "site/downloads/2024/klimatkontrakt-2024-fi.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert reader.get_fields() in (None, {})  # a translation carries no signature fields
    assert "Testiotsikko 2030" in reader.pages[0].extract_text()
    assert (finnish / "site/downloads/2024/redline-2023-2024-fi.pdf").is_file()  # the redline in Finnish too


@pytest.mark.slow
def test_the_finnish_redline_follows_the_changeset_schema(finnish):
    import jsonschema

    result = run_cli("diff", "2023", "2024", "--lang", "fi", "--format", "json", "--root", finnish)
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    schema = json.loads((ROOT / "schema/changeset.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(changes, schema)
    purpose = next(s for s in changes["sections"] if s["id"] == "syftet-med-klimatkontrakt-2030")
    assert set(purpose["title"]) == {"sv", "en", "fi"}
    assert all(set(b) >= {"sv", "en", "fi"} for b in purpose["blocks"])
    assert {"code": "translation_added", "target": "", "number": "", "lang": "fi", "source": "sv"} in purpose["flags"]
    english = run_cli("diff", "2023", "2024", "--lang", "en", "--root", finnish)
    assert "Finnish translation added in 1 sections." in english.stdout  # each translation language counted


@pytest.mark.slow
def test_texts_without_finnish_show_the_swedish_with_the_stand_in_note(finnish):
    page = (finnish / "site/fi/2024/index.html").read_text(encoding="utf-8")
    assert "Testiosion otsikko" in page  # a current Finnish text is shown
    assert '<span lang="sv">Borås Stad</span>' in page  # no Finnish: the Swedish, marked as Swedish
    assert MISSING_NOTE in page
    assert STALE_NOTE in page  # the Finnish whose Swedish changed is not shown: the Swedish is, with the note
    assert FINNISH["syftet-med-klimatkontrakt-2030/1"] not in page


@pytest.mark.slow
def test_translations_lists_the_finnish_per_language(finnish):
    result = run_cli("translations", "2024", "--lang", "fi", "--json", "--root", finnish)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["2024"]
    assert [t["key"] for t in report["stale"]] == ["syftet-med-klimatkontrakt-2030/1"]
    assert report["translated"] == 2 and len(report["missing"]) == report["total"] - 3
    english = json.loads(run_cli("translations", "2024", "--json", "--root", finnish).stdout)["2024"]
    assert [t["key"] for t in english["stale"]] == ["syftet-med-klimatkontrakt-2030/1"]  # English is per language
    assert english["missing"] == []
    lock = (finnish / "years/2024/translations.lock").read_text(encoding="utf-8")
    assert "\nfi meta/title " in lock and "\nen meta/title " in lock
    refused = run_cli("translations", "2024", "--lang", "xx", "--root", finnish)
    assert refused.returncode == 2 and "translation languages are en, fi" in refused.stderr
    refused = run_cli("outline", "2024", "--lang", "xx", "--root", finnish)
    assert refused.returncode == 2 and "its languages are sv, en, fi" in refused.stderr


# ---------------------------------------------------------------- another source language


def _strip_english_notes(node) -> None:
    """Remove every note_en: English is the source here, and a source has no translator's note."""
    if isinstance(node, dict):
        node.pop("note_en", None)
        for value in node.values():
            _strip_english_notes(value)
    elif isinstance(node, list):
        for value in node:
            _strip_english_notes(value)


def draft_alone(root: Path) -> Path:
    """Make root a repository of the draft 2024 alone, unlocked, one text without Swedish (fine for an English source)."""
    (root / "years").mkdir(parents=True)
    for name in ("schema", "years/2024"):
        shutil.copytree(ROOT / name, root / name)
    (root / "years/2024/translations.lock").unlink()  # nothing is confirmed in the new direction
    rewrite(root / "years/2024/contract.yaml", lambda data: data.pop("previous"))
    rewrite(root / "years/2024/purpose.yaml", lambda data: data["sections"][0]["body"][0]["p"].pop("sv"))
    return root


@pytest.fixture(scope="module")
def english_source(tmp_path_factory) -> Path:
    """A repository of the draft 2024 alone, configured with English as its source and Swedish as its translation."""
    root = draft_alone(tmp_path_factory.mktemp("english-source") / "repo")
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    for path in sorted((root / "years/2024").glob("*.yaml")):
        rewrite(path, _strip_english_notes)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "English source")
    return root


@pytest.mark.slow
def test_a_repository_with_another_source_requires_it_in_every_text_and_not_the_swedish(english_source, tmp_path):
    checked = run_cli("validate", "--root", english_source)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # a Swedish text may be missing: a translation
    broken = tmp_path / "repo"
    shutil.copytree(english_source, broken)
    rewrite(broken / "years/2024/purpose.yaml", lambda data: data["sections"][0]["body"][0]["p"].pop("en"))
    refused = run_cli("validate", "--root", broken)
    assert refused.returncode == 1
    assert "years/2024/purpose.yaml:" in refused.stdout + refused.stderr
    assert "the required field 'en' is missing (add a line 'en: ...')" in refused.stdout + refused.stderr


@pytest.mark.slow
def test_with_english_as_source_the_swedish_site_names_english_as_the_original(english_source):
    code, out, err = run(english_source, "--drafts")
    assert code == 0, out + err
    page = (english_source / "site/sv/2024/index.html").read_text(encoding="utf-8")
    assert "Svensk översättning saknas; den engelska texten visas." in page
    assert "Engelsk översättning saknas" not in page and "den svenska texten visas" not in page
    english = (english_source / "site/en/2024/index.html").read_text(encoding="utf-8")
    assert "translation missing" not in english and "out of date" not in english  # the source stands in for nothing
    from pypdf import PdfReader

    downloads = english_source / "site/downloads/2024"
    assert len(PdfReader(downloads / "klimatkontrakt-2024-en.pdf").get_fields() or {}) == 8  # the original is signed
    assert not PdfReader(downloads / "klimatkontrakt-2024-sv.pdf").get_fields()
    swedish_pdf = " ".join(p.extract_text() for p in PdfReader(downloads / "klimatkontrakt-2024-sv.pdf").pages[:3])
    assert "originalversionen på engelska" in swedish_pdf or "versionen på engelska" in swedish_pdf
