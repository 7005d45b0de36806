"""Render a version's PDF, import it, and get the version back: same tree, titles, words, footnotes, links."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from import_compare import differences, shape

from contract.importer import import_file
from contract.importer.write import write_folder
from contract.load import load
from contract.pdf import render_pdf
from contract.provenance import source

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("version", sorted(p.name for p in (ROOT / "years").iterdir() if (p / "contract.yaml").exists()))
def test_a_rendered_pdf_imports_back_to_its_version(tmp_path, version, lang):
    original = load(ROOT, version)
    pdf = tmp_path / f"{version}-{lang}.pdf"
    pdf.write_bytes(render_pdf(original, lang, source(ROOT, version)))
    result = import_file(pdf, version, "Borås Stad", lang)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    write_folder(result, root / "years" / version)
    assert differences(shape(original, lang), shape(load(root, version), lang)) == []
