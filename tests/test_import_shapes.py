"""The importer on made-up contract texts in the shapes real ones come in (never real contract content)."""

from __future__ import annotations

import io
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from test_importer import seed_path

from contract.cli.main import main
from contract.errors import ContractError
from contract.importer import import_file, import_text, walk
from contract.importer.front import toc_entries
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]
TEXTS = Path(__file__).parent / "import_texts"


def _outline(result) -> list[tuple[str, str]]:
    return [(n.number, n.title) for n in walk(result.sections)]


def test_first_generation_numbering_crlf_cover_contents_and_page_markers():
    result = import_file(TEXTS / "first-generation-crlf.txt", "2020", "Exempelby kommun")
    assert _outline(result) == [
        ("1", "Syftet med Klimatkontrakt 2030"),
        ("2", "Parter"),
        ("3", "Kommunens åtaganden"),
        ("3.1", "Kommunens klimatmål"),
        ("3.2", "Mark- och exploatering"),
        ("4", "Kontraktet"),
    ]
    assert result.title == "Klimatkontrakt 2030"
    assert result.preamble == [
        {"p": "Vi vill gå före i omställningen. Här beskrivs utvecklingen av arbetet med energi- och klimatfrågor."}
    ]
    goal = result.sections[2].children[0]
    assert goal.blocks == [
        {
            "p": "Kommunen ska halvera utsläppen till 2030 enligt mark- och exploateringsavtalen. "
            "Se avsnitt {ref:mark-och-exploatering}."
        }
    ]
    assert result.sections[0].blocks == [{"p": "Syftet är att öka takten.{fn:takten-mats-varje}"}]
    assert [(n.id, n.text) for n in result.sections[0].footnotes] == [("takten-mats-varje", "Takten mäts varje år.")]
    assert [(e.number, e.title, e.page) for e in result.toc][:2] == [
        ("1", "Syftet med Klimatkontrakt 2030", 3),
        ("2", "Parter", 3),
    ]
    assert sorted({why for _, why in result.set_aside}) == ["cover page", "page footer", "table of contents"]
    assert result.notes == []


def test_english_original_with_several_contents_entries_on_a_line_and_an_annex():
    result = import_file(TEXTS / "english-original.txt", "2022", "Sampletown", "en")
    assert _outline(result) == [
        ("1", "Purpose"),
        ("2", "Parties"),
        ("3", "The municipality's commitments"),
        ("3.1", "Climate goals"),
        ("4", "The contract"),
    ]
    assert result.title == "Climate City Contract 2030"
    assert result.preamble == [{"p": "We act together, step by step."}]
    assert result.sections[2].children[0].blocks == [{"list": ["Halve emissions by 2030.", "Report every year."]}]
    assert result.annex is not None and result.annex.documents == [
        {"title": "Climate plan (sampletown.example)", "url": "https://sampletown.example/plan.pdf"}
    ]
    assert len(result.toc) == 5


@pytest.mark.parametrize(
    ("line", "entries"),
    [
        ("3.1. Kommunens klimatmål 5", [("3.1", "Kommunens klimatmål", 5)]),
        ("Klimatkontrakt 2030 . . . . . . 5", [("", "Klimatkontrakt 2030", 5)]),
        (
            "1. Syftet med Klimatkontrakt 2030 4 2. Parter 4 3. Kommunens åtaganden 5",
            [("1", "Syftet med Klimatkontrakt 2030", 4), ("2", "Parter", 4), ("3", "Kommunens åtaganden", 5)],
        ),
        ("7.1.10 2023 års kommunrankningar ....... 22", [("7.1.10", "2023 års kommunrankningar", 22)]),
        ("3.3.5 Klimatneutrala Exempelby 2030", []),
        ("Kommunen har cirka 130 medlemmar", []),
    ],
)
def test_contents_entries_of_each_shape(line, entries):
    assert [(e.number, e.title, e.page) for e in toc_entries(line, 1)] == entries


def test_the_contents_are_left_out_and_not_taken_for_headings():
    text = (
        "Innehåll\n1. Syftet 2\n2. Parter 2\n3. Kontraktet 3\n\f"
        "1. Syftet\nSyftet är att gå före.\n\n2. Parter\nParterna är två.\n\n3. Kontraktet\nParterna är överens.\n"
    )
    result = import_text(text, "2021", "Exempelby kommun")
    assert _outline(result) == [("1", "Syftet"), ("2", "Parter"), ("3", "Kontraktet")]
    assert result.sections[0].blocks == [{"p": "Syftet är att gå före."}]


@pytest.mark.parametrize(
    "cover",
    ["1 1 D E C E M B E R 2 0 2 0\n", "(1)\n", "- 1 -\n", "Sida 1 av 3\n", "exempelby.se 1\n"],
    ids=["spaced-date", "page-marker", "dashed-page-number", "sida-av", "footer"],
)
def test_a_number_like_line_before_any_heading_is_no_crash(cover):
    text = f"Klimatkontrakt 2030\n{cover}Inledningen kommer här.\n\n1. Syftet\nSyftet är att gå före.\n"
    result = import_text(text, "2021", "Exempelby kommun")
    assert _outline(result) == [("1", "Syftet")]
    assert result.preamble == [{"p": "Inledningen kommer här."}]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        ("utveck-\nlingen", "utvecklingen"),
        ("energi-\noch klimatstrategi", "energi- och klimatstrategi"),
        ("mark-\noch exploatering", "mark- och exploatering"),
        ("EU-\nkommissionen", "EU-kommissionen"),
        ("med sig -\nfrån start", "med sig - från start"),
        ("Horisont Europa 2021–\n2027", "Horisont Europa 2021–2027"),
        ("e-\nhandel och e-handel", "e-handel och e-handel"),
        ("ett lokal\noch globalt", "ett lokal och globalt"),
    ],
)
def test_line_ends_with_and_without_a_dash(lines, joined):
    result = import_text(f"1. Syftet\nText {lines} här.\n", "2021", "Exempelby kommun")
    assert result.sections[0].blocks == [{"p": f"Text {joined} här."}]


def test_the_seed_without_trailing_spaces_imports_without_glued_words():
    text = "\n".join(line.rstrip() for line in seed_path().read_text(encoding="utf-8").split("\n"))
    result = import_text(text, "2023", "Borås Stad")
    assert result.section_count == 84 and result.footnote_count == 9
    words = " ".join(str(b.get("p", "")) for n in walk(result.sections) for b in n.blocks)
    assert not re.search(r"lokaloch|hotarförutsättningarna|energioch", words)
    assert "energi- och klimatstrategi" in words


def test_a_missing_section_number_is_pinned_and_reported():
    result = import_text("1. Ett\nText.\n\n2. Två\nText.\n\n4. Fyra\nText.\n", "2021", "Exempelby kommun")
    assert [(n.number, n.pinned) for n in result.sections] == [("1", False), ("2", False), ("4", True)]
    assert result.notes == ["7: section 4 follows 2: a number is missing; the printed number is pinned"]


def test_a_link_that_fits_nowhere_is_reported_with_its_line():
    result = import_text(
        "1. Ett\nText utan fotnot.\n\n\n\n\nMer text.\nhttps://exempel.se/x\n", "2021", "Exempelby kommun"
    )
    assert result.notes == ["8: the link https://exempel.se/x could not be placed; add it by hand"]


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def test_import_command_reports_and_validates(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    code, out, err = _run(
        [
            "import",
            str(TEXTS / "first-generation-crlf.txt"),
            "--version",
            "2020",
            "--municipality",
            "Exempelby kommun",
            "--out",
            str(root / "years" / "2020"),
        ]
    )
    assert code == 0, err
    assert out.splitlines() == [
        "title: Klimatkontrakt 2030",
        "chapter 1 Syftet med Klimatkontrakt 2030: 1 section",
        "chapter 2 Parter: 1 section",
        "chapter 3 Kommunens åtaganden: 3 sections",
        "chapter 4 Kontraktet: 1 section",
        "contents: 6 entries",
        "left out as cover page: lines 1–3",
        "left out as table of contents: lines 4–10",
        "left out as page footer: lines 20, 31",
        "footnotes: 1 (1)",
        "words of the input not in the output: 0",
        "validate: 0 errors, 0 other findings, 17 English translations missing or to confirm",
    ]
    contract = load(root, "2020")
    assert [s.group for s in contract.sections] == ["purpose", "parties", "municipality", "clause"]
    assert [p.id for p in contract.parties] == ["exempelby-kommun", "energimyndigheten", "vinnova"]


def test_import_refuses_a_version_validate_would_reject_before_writing(tmp_path):
    code, _out, err = _run(
        [
            "import",
            str(TEXTS / "english-original.txt"),
            "--version",
            "seed2023",
            "--municipality",
            "Sampletown",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert err == (
        "klimatkontrakt: error: import: the version 'seed2023' is not a four-digit year label like 2023 "
        "(validate would reject it; nothing was written)\n"
    )
    assert not (tmp_path / "out").exists()


def test_import_refuses_a_non_empty_folder_and_leaves_it_alone(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    code, out, _err = _run(
        [
            "import-text",
            str(TEXTS / "english-original.txt"),
            "--version",
            "2022",
            "--municipality",
            "Sampletown",
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
        ]
    )
    assert code == 1
    assert "the output folder is not empty" in out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"not a pdf", "the file is not a PDF"),
        ("a.docx", b"not a zip", "the file is not a Word document"),
        ("a.txt", b"caf\xe9", "the file is not UTF-8 text (byte 3)"),
        ("a.odt", b"x", "cannot import a .odt"),
    ],
)
def test_unreadable_inputs_are_clear_errors(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ContractError) as error:
        import_file(tmp_path / name, "2022", "Exempelby kommun")
    assert message in str(error.value)


def test_a_word_file_written_by_a_municipality_imports(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Klimatkontrakt 2030", level=1)
    document.add_paragraph("Inledningen om Exempelby.")
    document.add_heading("Syftet med Klimatkontrakt 2030", level=1)
    document.add_paragraph("Syftet är att gå före.")
    document.add_heading("Kommunens åtaganden", level=1)
    document.add_heading("Mål", level=2)
    document.add_paragraph("Halvera utsläppen.", style="List Bullet")
    document.add_paragraph("Rapportera varje år.", style="List Bullet")
    document.save(str(tmp_path / "exempelby.docx"))
    result = import_file(tmp_path / "exempelby.docx", "2021", "Exempelby kommun")
    assert result.title == "Klimatkontrakt 2030"
    assert _outline(result) == [("1", "Syftet med Klimatkontrakt 2030"), ("2", "Kommunens åtaganden"), ("2.1", "Mål")]
    assert result.preamble == [{"p": "Inledningen om Exempelby."}]
    assert result.sections[1].children[0].blocks == [{"list": ["Halvera utsläppen.", "Rapportera varje år."]}]


def test_the_report_names_contents_entries_without_a_heading_and_the_reverse():
    from contract.importer import report

    text = (
        "Innehåll\n1. Syftet 2\n2. Parter 2\n3. Uppföljning 3\n\f"
        "1. Syftet\nSyftet är att gå före.\n\n2. Parter\nParterna är två.\n\n2.1. Kommunen\nKommunen är en.\n"
    )
    result = import_text(text, "2021", "Exempelby kommun")
    lines = report.lines(result, __import__("collections").Counter(result.input_words))
    assert "line 4: the contents entry 3 'Uppföljning' matches no heading" in lines
    assert "line 11: the heading 2.1 'Kommunen' is not in the contents" in lines


def test_a_pdf_without_text_and_a_damaged_pdf_are_clear_errors(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(tmp_path / "scan.pdf", "wb") as handle:
        writer.write(handle)
    (tmp_path / "damaged.pdf").write_bytes(b"%PDF-1.4\nnot really")
    with pytest.raises(ContractError) as error:
        import_file(tmp_path / "scan.pdf", "2022", "Exempelby kommun")
    assert str(error.value).endswith(
        "error: the PDF has no text layer (a scan?) (run OCR on it first, or give its text as .txt)"
    )
    with pytest.raises(ContractError) as error:
        import_file(tmp_path / "damaged.pdf", "2022", "Exempelby kommun")
    assert "cannot read the PDF's text" in str(error.value) and "the PDF may be damaged" in str(error.value)


def test_a_cover_naming_another_version_is_reported():
    text = "Klimatkontrakt 2030\nVERSION 2021\n\fInledning.\n\n1. Syftet\nText.\n"
    result = import_text(text, "2022", "Exempelby kommun")
    assert result.notes == ["2: the cover says VERSION 2021, but --version is 2022; check which is right"]


def test_import_outside_the_repository_still_validates_and_refuses_a_nameless_municipality(tmp_path):
    code, out, err = _run(
        [
            "--root",
            str(ROOT),
            "import",
            str(TEXTS / "english-original.txt"),
            "--version",
            "2022",
            "--municipality",
            "Sampletown",
            "--out",
            str(tmp_path / "elsewhere"),
            "--lang",
            "en",
        ]
    )
    assert code == 0, err
    assert out.splitlines()[1].startswith("an English original: its texts stand under both sv and en")
    assert "validate: 0 errors, 0 other findings" in out
    code, out, err = _run(
        [
            "import",
            str(TEXTS / "english-original.txt"),
            "--version",
            "2022",
            "--municipality",
            " ",
            "--out",
            str(tmp_path / "nameless"),
        ]
    )
    assert code == 2 and "the municipality ' ' has no letters to make its id from" in err
    assert not (tmp_path / "nameless").exists()


def test_other_chapters_and_dashed_lists_import_and_are_placed_by_position(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    code, out, err = _run(
        [
            "--root",
            str(root),
            "import",
            str(TEXTS / "other-chapters.txt"),
            "--version",
            "2021",
            "--municipality",
            "Regionstaden",
            "--out",
            str(root / "years" / "2021"),
        ]
    )
    assert code == 0, err
    assert (
        "chapter 2 matches no section group by its title: stored in parties.yaml by its place; "
        "move it to the file that fits" in out.splitlines()
    )
    assert "words of the input not in the output: 0" in out and "validate: 0 errors, 0 other findings" in out
    contract = load(root, "2021")
    assert [s.number for s in contract.walk()] == ["1", "2", "2.1", "2.2", "3", "4", "5"]
    measures = contract.section("atgarder")
    assert measures is not None and [t.source for t in measures.body[0].items] == [
        "Fler cykelbanor.",
        "Solceller på skolor.",
    ]
