"""Render a version's PDF, import it, and get the version back: same tree, titles, words, footnotes, links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from import_compare import differences, shape

from contract.importer import import_file
from contract.importer.write import write_folder
from contract.pdf import render_pdf
from contract.source.load import load
from contract.source.provenance import source

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(
    "version", sorted(p.name for p in (ROOT / "years").iterdir() if (p / "contract.yaml").exists())
)
def test_a_rendered_pdf_imports_back_to_its_version(tmp_path, version, lang):
    original = load(ROOT, version)
    pdf = tmp_path / f"{version}-{lang}.pdf"
    pdf.write_bytes(render_pdf(original, lang, source(ROOT, version)))
    result = import_file(pdf, version, "Borås Stad", lang)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    write_folder(result, root / "years" / version)
    assert differences(shape(original, lang), shape(load(root, version), lang)) == []


@pytest.mark.slow
def test_a_word_export_imports_back_to_its_version(tmp_path):
    from contract.word.export import render_docx

    original = load(ROOT, "2023")
    path = tmp_path / "2023.docx"
    path.write_bytes(render_docx(original, "sv", source(ROOT, "2023")))
    result = import_file(path, "2023", "Borås Stad")
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    write_folder(result, root / "years" / "2023")
    assert differences(shape(original, "sv"), shape(load(root, "2023"), "sv")) == []
    assert result.notes == [
        "553: section 9 follows 7: a number is missing; the printed number is pinned",
        "a reference to section 1.7, which the text does not have; kept as plain text",
    ]
