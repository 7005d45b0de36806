"""The redline PDF: compiled by the real Typst, checked through its extracted text, fonts and tags."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from diff_cases import scenario
from diff_cases.edit import Copy, set_body, text
from pypdf import PdfReader

from contract.diff import compare
from contract.render import redline_pdf
from contract.source.provenance import Source

SOURCE = Source(commit="abc1234", date="2024-12-06", timestamp=1733443200, dirty=False)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    old, new = scenario.build(tmp_path_factory.mktemp("scenario") / "root")
    return compare(old.load(), new.load())


def pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_shows_the_redline_and_embeds_every_font(edited, tmp_path):
    path = tmp_path / "redline.pdf"
    path.write_bytes(redline_pdf.render_redline_pdf(edited, "sv", SOURCE))
    words = " ".join(pdftotext(path).split())
    assert words.startswith(
        "Ändringar från 2023 till 2024 Infogad text är understruken och grön, borttagen text är överstruken och röd."
    )
    assert "Kommunfullmäktige antog beslutade om en energi- och klimatstrategi 2020" in words
    assert "hänvisningen till Klimatanpassning visar nu 3.9 (tidigare 3.8)" in words
    assert "flyttat 3.3.4 3.3.9 Klimatprat" in words
    assert "Rubrik: Smart Lärande arbetssätt för policyutveckling" in words
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


def test_pdf_is_tagged_and_describes_itself(edited, tmp_path):
    reader = PdfReader(io.BytesIO(redline_pdf.render_redline_pdf(edited, "en", SOURCE)))
    assert reader.metadata.title == "Climate City Contract 2030 – Changes from 2023 to 2024"
    assert "klimatkontrakt-commit:abc1234" in reader.metadata["/Keywords"]
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"


def test_pdf_is_byte_identical_for_the_same_inputs(edited):
    assert redline_pdf.render_redline_pdf(edited, "sv", SOURCE) == redline_pdf.render_redline_pdf(edited, "sv", SOURCE)


def test_contract_text_cannot_inject_typst(tmp_path):
    base = Copy(tmp_path / "root").load()
    hostile = '#panic("x") ] [ *fet* $x$ <etikett> @ref "citat" \\ `kod` // kommentar'
    cs = compare(base, set_body(base, "klimatrapport", text(hostile)))
    path = tmp_path / "hostile.pdf"
    path.write_bytes(redline_pdf.render_redline_pdf(cs, "sv", SOURCE))
    words = " ".join(pdftotext(path).split())
    # A backslash escapes only a backslash, { } [ ] and *: before a space it stays, as written.
    assert '#panic("x") ] [ fet $x$ <etikett> @ref "citat" \\ `kod` // kommentar' in words


def test_pdf_without_changes_says_so(tmp_path):
    base = Copy(tmp_path / "root").load()
    path = tmp_path / "none.pdf"
    path.write_bytes(redline_pdf.render_redline_pdf(compare(base, base), "sv", SOURCE))
    assert " ".join(pdftotext(path).split()) == "Ändringar från 2023 till 2023 Inga ändringar."


def test_pdf_from_the_command_line_is_reproducible(tmp_path):
    Copy(tmp_path / "root")
    Copy(tmp_path / "root", version="2024")
    out = tmp_path / "redline.pdf"
    cmd = [
        sys.executable,
        "-m",
        "contract",
        "--root",
        str(tmp_path / "root"),
        "diff",
        "2023",
        "2024",
        "--format",
        "pdf",
        "--lang",
        "en",
        "-o",
        str(out),
    ]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1733443200"}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    data = out.read_bytes()
    words = " ".join(pdftotext(out).split())
    assert "Changes from 2023 to 2024" in words and "version: 2023 → 2024" in words
    subprocess.run(cmd, capture_output=True, env=env, check=True)
    assert out.read_bytes() == data
