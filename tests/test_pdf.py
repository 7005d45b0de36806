"""The archival PDF: text and order, footnotes, parties, PDF/A-2b + PDF/UA-1, fonts, fields, bytes."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from contract import inline, pdf
from contract.model import block_texts
from contract.render import labels
from contract.render import typst as typst_render
from contract.render.plain import Resolver, plain
from contract.source.load import load
from contract.source.provenance import Source
from contract.source.signed_content import fingerprint
from contract.versions import locking

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Source(commit="abc1234", date="2023-12-08", timestamp=1702029600, dirty=False)


@pytest.fixture(scope="module")
def contract():
    return load(ROOT, "2023")


@pytest.fixture(scope="module")
def sv_pdf(contract) -> bytes:
    return pdf.render_pdf(contract, "sv", SOURCE)


@pytest.fixture(scope="module")
def en_pdf(contract) -> bytes:
    return pdf.render_pdf(contract, "en", SOURCE)


def pdftotext(data: bytes, first: int | None = None, last: int | None = None) -> str:
    """Return the text poppler extracts, hyphenated line breaks joined."""
    args = ["pdftotext", "-enc", "UTF-8"]
    args += ["-f", str(first)] if first else []
    args += ["-l", str(last)] if last else []
    text = subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")
    return text.replace("\u00ad\n", "").replace("\u2060", "")


def words(text: str) -> str:
    """Collapse all whitespace, so line breaks do not matter."""
    return re.sub(r"\s+", " ", text).strip()


def heading(section) -> str:
    title = plain(section.title, "sv", Resolver())
    return f"{section.number}. {title}" if section.depth == 1 else f"{section.number} {title}"


def body_text(data: bytes, lang: str) -> str:
    """Return the text after the table of contents (which ends with the signatures entry)."""
    text = words(pdftotext(data))
    marker = labels.label(lang, "signatures")
    return text[text.index(marker) + len(marker) :]


def test_every_section_heading_appears_in_order_with_its_number(contract, sv_pdf):
    text = body_text(sv_pdf, "sv")
    position = 0
    for section in contract.walk():
        found = text.find(heading(section), position)
        assert found >= 0, f"heading {heading(section)!r} missing or out of order"
        position = found
    assert "7.4.5 Klimatkontrakt som governancemodell" in text
    assert text.index("7.4.5 Klimatkontrakt som governancemodell") < text.index("9. Kontraktet")
    assert "8. " not in re.sub(r"\d8\. ", "", text.split("9. Kontraktet")[0][-3000:])


def test_table_of_contents_lists_sections_with_page_numbers(contract, sv_pdf):
    toc = words(pdftotext(sv_pdf, 2, 3))
    assert toc.startswith("Klimatkontrakt 2030 VERSION 2023 Innehåll")
    for section in contract.walk():
        if section.depth <= 3:
            assert re.search(re.escape(heading(section)) + r"[ .]+\d+", toc), heading(section)


def test_footnotes_are_real_footnotes_with_the_model_numbers(contract, sv_pdf):
    text = body_text(sv_pdf, "sv")
    resolver = Resolver.of(contract)
    for note in contract.footnotes():
        shown = words(plain(note.text, "sv", resolver))
        assert f"{note.number}{shown[:60]}" in text, f"footnote {note.number} missing"
    assert "Strategiska innovationsprogrammet Viable Cities1." in text


def test_signature_page_has_a_block_per_party_and_no_lines_to_fill(contract, sv_pdf):
    last = words(pdftotext(sv_pdf, len(PdfReader(io.BytesIO(sv_pdf)).pages)))
    assert last.startswith(
        "Klimatkontrakt 2030 VERSION 2023 Underskrifter Parterna undertecknar kontraktet elektroniskt"
    )
    assert "Kontraktet är komplett när alla 8 parters underskrifter finns i dokumentet." in last
    for party in contract.parties:
        assert f"För {party.name.source}" in last
    # A digitally signed file has no lines that can never be filled in; 2023 names no signatories.
    for label in ("Ort och datum", "Namnförtydligande", "Befattning", "Digital signatur"):
        assert label not in last


def test_english_pdf_is_a_translation_without_signature_fields(en_pdf):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields

    assert list(fields.enumerate_sig_fields(PdfFileReader(io.BytesIO(en_pdf), strict=False))) == []
    notice = "Translation. The signed original is the Swedish version; where they differ, the Swedish text prevails."
    assert notice in words(pdftotext(en_pdf, 1, 1))
    assert notice in str(PdfReader(io.BytesIO(en_pdf)).metadata["/Subject"])
    assert "This is a translation. The contract is signed in the Swedish original" in words(
        pdftotext(en_pdf, len(PdfReader(io.BytesIO(en_pdf)).pages))
    )


def test_cover_like_the_original(contract, sv_pdf):
    cover = words(pdftotext(sv_pdf, 1, 1))
    assert cover == (
        "Klimatkontrakt 2030 VERSION 2023 Mellan Borås Stad och myndigheterna Energimyndigheten, Vinnova, "
        "Formas, Tillväxtverket, Trafikverket, Naturvårdsverket samt Viable Cities"
    )


def test_running_header_and_page_numbers(sv_pdf):
    pages = len(PdfReader(io.BytesIO(sv_pdf)).pages)
    page = words(pdftotext(sv_pdf, 5, 5))
    assert page.startswith("Klimatkontrakt 2030 VERSION 2023")
    assert page.endswith(f"Sida 5 av {pages}")


def test_about_thirty_to_thirty_five_pages(sv_pdf, en_pdf):
    assert 30 <= len(PdfReader(io.BytesIO(sv_pdf)).pages) <= 35
    assert 30 <= len(PdfReader(io.BytesIO(en_pdf)).pages) <= 35


def test_annex_links_work(contract, sv_pdf):
    reader = PdfReader(io.BytesIO(sv_pdf))
    uris = {
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if a.get_object().get("/Subtype") == "/Link" and "/URI" in a.get_object().get("/A", {})
    }
    for doc in contract.annex.documents:
        assert doc.url in uris


def test_declares_pdfa_2b_and_pdfua_1_with_language_title_and_tags(sv_pdf, en_pdf):
    for data, lang in ((sv_pdf, "sv-SE"), (en_pdf, "en-GB")):
        xmp = pdf.xmp_properties(data)
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"], xmp["pdfuaid:part"]) == ("2", "B", "1")
        root = PdfReader(io.BytesIO(data)).trailer["/Root"]
        assert root["/Lang"] == lang
        assert data.startswith(b"%PDF-1.7\n")
        assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean object)
        assert "/StructTreeRoot" in root
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
        assert pdf.metadata_disagreements(data) == []


def test_metadata_names_version_status_and_commit(sv_pdf):
    info = PdfReader(io.BytesIO(sv_pdf)).metadata
    assert info["/Title"] == "Klimatkontrakt 2030 – VERSION 2023"
    assert info["/Subject"] == "Klimatkontrakt 2030, VERSION 2023. Signerad. Byggd från abc1234, 2023-12-08."
    parties = "boras-stad;energimyndigheten;vinnova;formas;tillvaxtverket;trafikverket;naturvardsverket;viable-cities"
    facts = pdf.facts(sv_pdf)
    assert facts == {
        "version": "2023",
        "status": "signed",
        "lang": "sv",
        "source": "sv",
        "commit": "abc1234",
        "parties": parties,
        "content": facts["content"],
    }
    # The signed content it was made from, as signed.lock records it: what `lock --pdf` compares.
    lock = locking.read_lock(ROOT / "years" / "2023")
    assert lock is not None and facts["content"] == fingerprint(lock.files, lock.parts["details"])
    assert info["/CreationDate"] == "D:20231208100000Z"


def test_all_fonts_embedded(sv_pdf, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(sv_pdf)
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    assert any("SourceSansPro" in row for row in rows)


def test_two_renders_are_byte_identical(contract, sv_pdf):
    assert pdf.render_pdf(contract, "sv", SOURCE) == sv_pdf


def test_signature_fields_sit_on_the_boxes_and_are_tagged(contract, sv_pdf):
    reader = PdfReader(io.BytesIO(sv_pdf))
    fields = [f.get_object() for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
    assert [f["/T"] for f in fields] == [p.id for p in contract.parties]
    last = reader.pages[-1]
    assert [a.get_object()["/T"] for a in last["/Annots"]] == [p.id for p in contract.parties]
    assert last["/Tabs"] == "/S"
    for field in fields:
        assert field["/FT"] == "/Sig" and "/V" not in field
        assert field["/F"] & 4 and not field["/F"] & (1 | 2 | 32), "PDF/A: printed, never hidden"
        assert "/N" in field["/AP"], "PDF/A: a widget needs an appearance"
        assert field["/TU"].startswith("Digital signatur: ")
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        assert round(x2 - x1) == 210 and round(y2 - y1) == 45  # 7.4 cm × 1.6 cm, as the layout draws it
        parent = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
        form = dict(zip(parent[::2], parent[1::2]))[field["/StructParent"]].get_object()
        assert form["/S"] == "/Form" and form["/K"]["/Obj"].get_object() == field
        group = form["/P"].get_object()  # the party's block: a group opening with the party's heading
        first = group["/K"][0].get_object()
        assert group["/S"] == "/Div" and first["/S"] == "/H2" and first["/T"] == "För " + field["/TU"].split(": ", 1)[1]


def test_boxes_come_from_the_layout(contract):
    text = typst_render.document(contract, "sv", SOURCE)
    with pdf._compiler(text) as comp:
        boxes = pdf.signature_boxes(comp)
    assert [b.party for b in boxes] == [p.id for p in contract.parties]
    left = [b for b in boxes if b.rect[0] < 100]
    assert len(left) == 4 and all(b.page == boxes[0].page for b in boxes)
    tops = sorted({b.rect[3] for b in boxes}, reverse=True)
    assert len(tops) == 4 and all(a - b > 60 for a, b in itertools.pairwise(tops))


def test_draft_is_watermarked_on_every_page(contract):
    draft = dataclasses.replace(contract, meta=dataclasses.replace(contract.meta, status="draft"))
    data = pdf.render_pdf(draft, "sv", SOURCE)
    # pypdf, not poppler: poppler splits the diagonal word into its letters
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, 1):
        assert "UTKAST" in page.extract_text(), f"page {number} has no watermark"
    assert pdf.facts(data)["status"] == "draft"


def test_signed_version_has_no_watermark(sv_pdf):
    assert not any("UTKAST" in page.extract_text() for page in PdfReader(io.BytesIO(sv_pdf)).pages)


def test_english_pdf_is_english_and_marks_swedish_stand_ins(contract, en_pdf):
    text = words(pdftotext(en_pdf))
    assert PdfReader(io.BytesIO(en_pdf)).trailer["/Root"]["/Lang"] == "en-GB"
    assert (
        "Signatures" in text
        and "The parties sign this contract electronically" in text
        and "Place and date" not in text
    )
    groups = [list(s.texts()) for s in contract.walk()]
    groups += [list(block_texts(contract.preamble))]
    groups += [list(contract.annex.texts())]
    groups += [[contract.meta.title, *(p.name for p in contract.parties)]]
    expected = sorted(filter(None, (labels.stand_in_note(g, "en") for g in groups)))
    found = sorted(
        re.findall(
            r"The English translation is out of date; the Swedish text is shown\.|English translation missing; the Swedish text is shown\.",
            text,
        )
    )
    assert found == expected


INJECTION = r'#eval("1") $x$ <label> @ref \*bold\* \\ ] [ `code` _u_ // c /* c */ ~ "\")#panic(\"x\")#(\"'
# A backslash escapes only a backslash, { } [ ] and *: before a quote it stays, as the editor wrote it.
SHOWN = r'#eval("1") $x$ <label> @ref *bold* \ ] [ `code` _u_ // c /* c */ ~ "\")#panic(\"x\")#(\"'


def test_untrusted_text_never_becomes_typst_code(contract):
    first = contract.sections[0]
    text = dataclasses.replace(first.body[0].text, source=INJECTION + " *vald* slut")
    poisoned = dataclasses.replace(first, body=(dataclasses.replace(first.body[0], text=text),))
    title = dataclasses.replace(first.title, source="Rubrik #set text(red) = $y$")
    poisoned = dataclasses.replace(poisoned, title=title)
    changed = dataclasses.replace(contract, sections=(poisoned, *contract.sections[1:]))
    data = pdf.render_pdf(changed, "sv", SOURCE)
    text = words(pdftotext(data))
    assert inline.parse(INJECTION + " *vald* slut")[-2] == inline.Emphasis((inline.Literal("vald"),))
    assert SHOWN + " vald slut" in text
    assert "1. Rubrik #set text(red) = $y$" in text


def test_typst_string_literal_escapes_quotes_and_backslashes():
    assert typst_render.string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    source = f'#set document(title: "t")\n#{typst_render.string(SHOWN)}'
    assert words(pdftotext(pdf.compile_typst(source, 0))) == SHOWN


def test_typst_errors_become_contract_errors():
    from contract.errors import ContractError

    with pytest.raises(ContractError) as caught:
        pdf.compile_typst('#set document(title: "t")\n#panic("boom")', 0)
    assert str(caught.value) == (
        "klimatkontrakt: error: Typst could not compile the PDF: panicked with: boom "
        "(this is a bug in the PDF template (contract/templates/); please report it with the input)"
    )


def _run(*argv) -> tuple[int, str, str]:
    from contextlib import redirect_stderr, redirect_stdout

    from contract.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


def test_pdf_command_writes_the_draft_of_2024_watermarked(tmp_path):
    target = tmp_path / "out" / "2024-en.pdf"
    target.parent.mkdir()  # -o never makes a folder: see test_redteam_cli
    code, _, err = _run("pdf", "2024", "--lang", "en", "-o", target)
    assert code == 0 and err == f"wrote {target}\n"
    assert [p.name for p in target.parent.iterdir()] == ["2024-en.pdf"]  # no temporary file left
    data = target.read_bytes()
    assert pdf.facts(data)["status"] == "draft" and pdf.facts(data)["version"] == "2024"
    assert all("DRAFT" in page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_command_reports_a_missing_version(tmp_path):
    code, out, _ = _run("pdf", "1999", "-o", tmp_path / "x.pdf")
    assert code == 1 and "1999" in out and not (tmp_path / "x.pdf").exists()


def test_docx_command_writes_word_reproducibly_and_marks_stand_ins(tmp_path, contract):
    import zipfile

    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    assert _run("docx", "2023", "--lang", "en", "-o", first)[0] == 0
    assert _run("docx", "2023", "--lang", "en", "-o", second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    import html

    xml = html.unescape(zipfile.ZipFile(first).read("word/document.xml").decode("utf-8"))
    for section in contract.walk():
        assert f"{section.number} {plain(section.title, 'en', Resolver())}<" in xml  # exactly, quotes as written
    note = labels.stand_in_note(list(contract.texts()), "en")
    assert (note in xml) if note else ("the Swedish text is shown" not in xml)
