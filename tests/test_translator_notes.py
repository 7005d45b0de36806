"""Translator's notes: data beside the English, shown in the English site and PDF only, set apart as a note."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.render import typst
from contract.render.pages import SiteContext, render_pages
from contract.source.load import load
from contract.source.provenance import Source
from contract.source.yamlwrite import rewrite

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Source("abc1234", "2024-01-15", 1705320000, False)
SECTION_1_7 = "The signed Swedish text refers to section 1.7, which this contract does not have"


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def site_page(root: Path, lang: str) -> str:
    return render_pages({"2023": load(root, "2023")}, lang, SiteContext(SOURCE, drafts=True)).files["2023/index.md"]


def test_the_review_notes_are_data_on_the_english_of_2023():
    notes = {t.key: t.translation("en").note for t in load(ROOT, "2023").texts() if t.translation("en").note}
    assert set(notes) == {
        "akademi/1",
        "samordnad-finansiering/2.2",
        "myndigheternas-ataganden/2",
        "starkt-myndighetssamverkan/1",
    }
    assert notes["akademi/1"].startswith(SECTION_1_7)
    assert "Swedish Model for Sustainable Urban Development" in notes["starkt-myndighetssamverkan/1"]


def test_the_english_site_shows_a_note_after_its_paragraph_and_the_swedish_site_none():
    english, swedish = site_page(ROOT, "en"), site_page(ROOT, "sv")
    paragraph = english.index("accompanying researchers in its work on innovation in the public sector")
    note = english.index(
        '<p class="kk-translator-note" role="note" markdown="span"><strong>Translator\'s note:</strong> ' + SECTION_1_7
    )
    assert paragraph < note < english.index("The University of Borås is a hub")
    assert english[paragraph:note].count("\n\n") == 1  # its own block, never inside the sentence
    assert "kk-translator-note" not in swedish and "Translator" not in swedish and "Översättarens" not in swedish


def test_the_english_pdf_source_sets_the_note_apart_and_the_swedish_has_none():
    contract = load(ROOT, "2023")
    english, swedish = typst.document(contract, "en", SOURCE), typst.document(contract, "sv", SOURCE)
    assert english.count("#kk.translator-note(") == 4
    assert "#kk.translator-note(" not in swedish


def test_a_note_is_hidden_while_the_swedish_stands_in_for_stale_english(repo_copy):
    (repo_copy / "years/2023/signed.lock").unlink()  # as in a draft: the Swedish may change

    def edit(data):
        paragraph = data["sections"][0]["sections"][3]["sections"][1]["body"][0]["p"]
        assert paragraph["note_en"].startswith(SECTION_1_7)
        paragraph["sv"] += " Ändrad."

    rewrite(repo_copy / "years/2023/municipality.yaml", edit)
    assert SECTION_1_7 not in site_page(repo_copy, "en")
    assert typst.document(load(repo_copy, "2023"), "en", SOURCE).count("#kk.translator-note(") == 3


def test_notes_are_not_part_of_the_signed_lock(repo_copy):
    def edit(data):
        data["sections"][0]["sections"][3]["sections"][1]["body"][0]["p"]["note_en"] = "Another note."

    rewrite(repo_copy / "years/2023/municipality.yaml", edit)
    assert run(repo_copy, "validate", "--strict", "2023")[0] == 0


def test_a_note_where_nothing_shows_it_is_a_warning_and_a_bad_note_an_error(repo_copy):
    def edit(data):
        data["sections"][0]["footnotes"][0]["text"]["note_en"] = "On a footnote."

    rewrite(repo_copy / "years/2023/parties.yaml", edit)
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 0
    assert "warning: a translator's note here is not shown anywhere (fn/viable-cities-ar)" in out
    rewrite(
        repo_copy / "years/2023/parties.yaml",
        lambda data: data["sections"][0]["footnotes"][0]["text"].update(note_en=3),
    )
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1 and "note_en: expected text, found the number 3" in out


@pytest.mark.slow
def test_the_english_pdf_prints_the_notes_and_the_swedish_pdf_does_not(tmp_path):
    for lang in ("en", "sv"):
        assert run(ROOT, "pdf", "2023", "--lang", lang, "-o", str(tmp_path / f"{lang}.pdf"))[0] == 0
    english = subprocess.run(
        ["pdftotext", str(tmp_path / "en.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    swedish = subprocess.run(
        ["pdftotext", str(tmp_path / "sv.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert english.count("Translator's note:") == 4
    assert (
        "innovation in the public sector (see section 1.7).\nTranslator's note: The signed Swedish text refers to section 1.7"
        in english
    )
    assert "Translator" not in swedish and "Översättarens" not in swedish


@pytest.mark.slow
def test_the_built_english_site_sets_the_notes_apart_and_the_swedish_site_has_none(tmp_path):
    from lxml import html

    code, _, err = run(ROOT, "site", "--out", str(tmp_path / "site"))
    assert code == 0, err
    english = html.fromstring((tmp_path / "site/en/2023/index.html").read_bytes())
    notes = english.xpath("//p[contains(concat(' ', @class, ' '), ' kk-translator-note ')]")
    assert len(notes) == 4 and all(n.get("role") == "note" for n in notes)
    assert notes[0].text_content().startswith("Translator's note: " + SECTION_1_7)
    assert notes[0].getprevious().text_content().endswith("innovation in the public sector (see section 1.7).")
    swedish = html.fromstring((tmp_path / "site/sv/2023/index.html").read_bytes())
    assert not swedish.xpath("//*[contains(@class, 'kk-translator-note')]")


def test_the_english_markdown_export_quotes_the_notes_and_the_swedish_has_none():
    from contract.render.export import to_markdown

    contract = load(ROOT, "2023")
    english = to_markdown(contract, "en")
    assert "(see section 1.7).\n\n> *Translator's note:* " + SECTION_1_7 in english
    assert english.count("> *Translator's note:*") == 4
    assert "Translator" not in to_markdown(contract, "sv")
