"""Reproducers found by attacking the importer and the Word round trip, each kept as a test."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract import importer
from contract.cli.main import main
from contract.errors import ContractError
from contract.importer import walk
from contract.importer.write import move_into_place, write_folder

ROOT = Path(__file__).resolve().parents[1]

# A made-up contract of another municipality: lines end without spaces, as most extractors give them.
TEXT = """Klimatkontrakt 2030
Vi arbetar tillsammans för en klimatneutral stad och en hållbar
framtid för alla som bor här.

1. Syftet med Klimatkontrakt 2030
Syftet är att öka tempot i omställningen och att
samla stadens arbete.

2. Parter
Parter är Exempelstad och Viable Cities.

3. Kontraktet
Parterna är överens om åtagandena.
"""


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _result():
    return importer.import_text(TEXT, "2031", "Exempelstad")


# ---------------------------------------------------------------- the output folder


def test_out_as_the_current_empty_folder_is_written(tmp_path, monkeypatch):
    target = tmp_path / "new"
    target.mkdir()
    monkeypatch.chdir(target)
    write_folder(_result(), Path("."))
    assert (target / "contract.yaml").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_as_a_symlink_to_an_empty_folder_writes_into_the_folder(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    write_folder(_result(), tmp_path / "link")
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "real" / "contract.yaml").is_file()


def test_out_as_a_dangling_symlink_is_refused(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ContractError, match="symbolic link"):
        write_folder(_result(), tmp_path / "link")
    assert (tmp_path / "link").is_symlink() and not (tmp_path / "nowhere").exists()


def test_out_inside_a_version_folder_is_refused(tmp_path):
    version = tmp_path / "years" / "2023"
    version.mkdir(parents=True)
    (version / "contract.yaml").write_text("status: signed\n", encoding="utf-8")
    with pytest.raises(ContractError, match="inside the version folder"):
        write_folder(_result(), version / "imported")
    assert sorted(p.name for p in version.iterdir()) == ["contract.yaml"]


def test_a_folder_written_meanwhile_by_another_import_is_kept(tmp_path):
    """Two imports to one --out: the second finds the folder filled between its check and its move."""
    staging, out = tmp_path / ".out.import-1", tmp_path / "out"
    staging.mkdir()
    (staging / "contract.yaml").write_text("mine\n", encoding="utf-8")
    out.mkdir()
    (out / "contract.yaml").write_text("theirs\n", encoding="utf-8")
    with pytest.raises(ContractError, match="meanwhile"):
        move_into_place(staging, out)
    assert (out / "contract.yaml").read_text(encoding="utf-8") == "theirs\n"


def test_out_dot_through_the_command_is_no_internal_error(tmp_path, monkeypatch):
    source = tmp_path / "c.txt"
    source.write_text(TEXT, encoding="utf-8")
    target = tmp_path / "new"
    target.mkdir()
    monkeypatch.chdir(target)
    code, _, err = _run(
        [
            "--root",
            str(tmp_path),
            "import",
            str(source),
            "--version",
            "2031",
            "--municipality",
            "Exempelstad",
            "--out",
            ".",
        ]
    )
    assert code == 0, err
    assert "internal error" not in err
    assert (target / "contract.yaml").is_file()


# ---------------------------------------------------------------- text as real files give it


def _words(result) -> str:
    blocks = list(result.preamble)
    texts = []
    for node in walk(result.sections):
        texts.append(node.title)
        blocks += node.blocks
    for block in blocks:
        value = block.get("list", block.get("p", block.get("heading", "")))
        texts += value if isinstance(value, list) else [str(value)]
    return " ".join(texts)


def test_a_non_breaking_space_at_a_line_end_separates_the_words():
    text = TEXT.replace("hållbar\n", "hållbar\u00a0\n").replace("att\n", "att\u00a0\n")
    words = _words(importer.import_text(text, "2031", "Exempelstad"))
    assert "hållbar framtid" in words and "att samla" in words


def test_soft_hyphens_inside_a_line_and_ligatures_are_plain_letters():
    text = TEXT.replace("klimatneutral", "klimat\u00adneutral").replace("Syftet är", "Syf\ufb01tet är")
    words = _words(importer.import_text(text, "2031", "Exempelstad"))
    assert "klimatneutral stad" in words and "Syffitet är" in words
    assert "\u00ad" not in words and "\ufb01" not in words


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_text_file_with_its_mark_is_read(tmp_path, encoding):
    path = tmp_path / "c.txt"
    path.write_bytes(("\ufeff" if encoding != "utf-16" else "").encode(encoding) + TEXT.encode(encoding))
    result = importer.import_file(path, "2031", "Exempelstad")
    assert [n.number for n in walk(result.sections)] == ["1", "2", "3"]


def test_a_windows_1252_text_file_is_a_clear_error_at_its_place(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(TEXT.encode("cp1252"))
    with pytest.raises(ContractError) as error:
        importer.import_file(path, "2031", "Exempelstad")
    (diagnostic,) = error.value.diagnostics
    line = TEXT.splitlines()[1]
    assert (diagnostic.pos.line, diagnostic.pos.column) == (2, line.index("ö") + 1)
    assert "Windows-1252" in diagnostic.hint


# ---------------------------------------------------------------- Word files


def _docx(tmp_path: Path, text: str = TEXT) -> Path:
    """A Word file of the made-up contract, made with python-docx as a municipality would."""
    import docx

    document = docx.Document()
    for line in text.split("\n\n"):
        first, _, rest = line.partition("\n")
        if first[:1].isdigit():
            document.add_heading(first.split(" ", 1)[1], level=1)
            document.add_paragraph(" ".join(rest.split()))
        else:
            document.add_paragraph(" ".join(line.split()))
    path = tmp_path / "c.docx"
    document.save(str(path))
    return path


def _rezip(path: Path, name: str, transform) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(item.filename, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, data in parts:
            if filename == name:
                transform(target, data)
            else:
                target.writestr(filename, data)


def test_text_in_a_table_is_imported_not_dropped(tmp_path):
    path = _docx(tmp_path)
    import docx

    document = docx.Document(str(path))
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Tabelltext som inte får försvinna"
    table.cell(0, 1).text = "Andra kolumnen"
    document.save(str(path))
    words = _words(importer.import_file(path, "2031", "Exempelstad"))
    assert "Tabelltext som inte får försvinna" in words and "Andra kolumnen" in words


@pytest.mark.slow
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    from contract.word.read import MAX_PART

    path = _docx(tmp_path)

    def bomb(target, data: bytes) -> None:
        start = data.index(b"<w:body>") + len(b"<w:body>")
        with target.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(data[:start])
            for _ in range(MAX_PART // 2**20 + 1):
                out.write(b" " * 2**20)
            out.write(data[start:])

    _rezip(path, "word/document.xml", bomb)
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(ContractError, match="too large"):
        importer.import_file(path, "2031", "Exempelstad")


@pytest.fixture
def repo(tmp_path) -> Path:
    """A scratch repository with the signed 2023, the draft 2024 and a draft 2025 started from it."""
    import shutil

    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    shutil.copy(ROOT / "glossary.yaml", root / "glossary.yaml")
    for version in ("2023", "2024"):
        shutil.copytree(ROOT / "years" / version, root / "years" / version)
    return root


def _export(root: Path, version: str = "2024") -> Path:
    path = root.parent / f"{version}.docx"
    code, _, err = _run(["--root", str(root), "docx", version, "--lang", "sv", "-o", str(path)])
    assert code == 0, err
    return path


@pytest.mark.slow
def test_a_word_file_of_another_version_is_refused_and_nothing_is_written(repo):
    """The 2024 file applied to 2025 would silently undo every change 2025 made since."""
    assert _run(["--root", str(repo), "new-year", "2025"])[0] == 0
    preamble = repo / "years" / "2025" / "preamble.yaml"
    edited = preamble.read_text(encoding="utf-8").replace("vår tids största", "vår tids allra största", 1)
    preamble.write_text(edited, encoding="utf-8")
    code, out, err = _run(["--root", str(repo), "apply", str(_export(repo, "2024")), "--to", "2025"])
    assert code == 1
    assert "VERSION 2024" in out + err and "2025" in out + err
    assert preamble.read_text(encoding="utf-8") == edited


@pytest.mark.slow
def test_a_table_added_in_word_is_reported_with_its_place(repo):
    import docx

    path = _export(repo)
    document = docx.Document(str(path))
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Ny tabell"
    document.save(str(path))
    before = (repo / "years" / "2024" / "annex.yaml").read_text(encoding="utf-8")
    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024"])
    assert code == 1
    assert "in a table" in out + err and "'Ny tabell'" in out + err
    assert (repo / "years" / "2024" / "annex.yaml").read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_translator_notes_of_the_english_export_are_no_new_text_and_an_edited_one_is_reported(repo):
    """The export quotes translator's notes; apply took each for a new English paragraph and refused the file."""
    import docx

    path = _export_lang(repo, "en")
    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024", "--lang", "en"])
    assert code == 0, out + err
    document = docx.Document(str(path))
    note = next(p for p in document.paragraphs if p.text.startswith("Translator's note"))
    note.runs[-1].text += " Changed in Word."
    document.save(str(path))
    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024", "--lang", "en"])
    assert code == 1
    assert "translator's note was changed in Word" in out + err


def _export_lang(root: Path, lang: str) -> Path:
    path = root.parent / f"2024-{lang}.docx"
    code, _, err = _run(["--root", str(root), "docx", "2024", "--lang", lang, "-o", str(path)])
    assert code == 0, err
    return path


# ---------------------------------------------------------------- PDF files


def test_a_pdf_locked_with_a_password_says_so(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="hemligt", owner_password="ägare", algorithm="AES-256")
    path = tmp_path / "kontrakt.pdf"
    with path.open("wb") as out:
        writer.write(out)
    with pytest.raises(ContractError) as error:
        importer.import_file(path, "2031", "Exempelstad")
    (diagnostic,) = error.value.diagnostics
    assert "password" in diagnostic.message and "damaged" not in diagnostic.hint


# ---------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize("number", ["SIGINT", "SIGTERM"])
def test_a_stop_while_apply_writes_its_files_waits_until_all_are_written(tmp_path, number):
    import signal
    import threading

    from contract import interrupts
    from contract.output.files import write_atomic
    from contract.word.apply import interrupts_deferred

    files = [tmp_path / f"{name}.yaml" for name in ("a", "b", "c")]
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(interrupts.Terminated if number == "SIGTERM" else KeyboardInterrupt):
        with interrupts.handling(), interrupts_deferred():  # as in the apply command
            for index, path in enumerate(files):
                write_atomic(path, "new\n")
                if index == 0:
                    signal.pthread_kill(threading.get_ident(), getattr(signal, number))
                    for _ in range(1000):  # the handler runs at one of these bytecodes
                        pass
    assert [p.read_text(encoding="utf-8") for p in files] == ["new\n"] * 3
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# ---------------------------------------------------------------- numbering styles


def test_chapters_numbered_with_a_parenthesis_are_found():
    text = TEXT
    for chapter in ("1. Syftet", "2. Parter", "3. Kontraktet"):
        text = text.replace(chapter, chapter.replace(".", ")", 1))
    text = text.replace("Parter är Exempelstad", "Parter är:\n\n1) Exempelstad\n\n2) Viable Cities.\n\nDe är")
    result = importer.import_text(text, "2031", "Exempelstad")
    assert [(n.number, n.title) for n in walk(result.sections)] == [
        ("1", "Syftet med Klimatkontrakt 2030"),
        ("2", "Parter"),
        ("3", "Kontraktet"),
    ]
    assert "1) Exempelstad" in _words(result)


def test_a_numbered_list_with_parentheses_is_no_chapter():
    text = TEXT.replace("Parter är Exempelstad och Viable Cities.", "Parter är:\n\n1) Exempelstad\n\n2) Viable Cities")
    result = importer.import_text(text, "2031", "Exempelstad")
    assert [n.number for n in walk(result.sections)] == ["1", "2", "3"]
    assert "1) Exempelstad" in _words(result) and "2) Viable Cities" in _words(result)


def test_headings_of_a_word_file_made_in_swedish_word_are_found(tmp_path):
    """Swedish Word names its heading styles Rubrik1, Rubrik2 (their built-in names stay "heading 1", …)."""
    path = _docx(tmp_path)

    def swedish(target, data: bytes, part: str) -> None:
        data = data.replace(b'w:val="Heading1"', b'w:val="Rubrik1"')
        target.writestr(part, data.replace(b'w:styleId="Heading1"', b'w:styleId="Rubrik1"'))

    for part in ("word/document.xml", "word/styles.xml"):
        _rezip(path, part, lambda target, data, part=part: swedish(target, data, part))
    result = importer.import_file(path, "2031", "Exempelstad")
    assert [(n.number, n.title) for n in walk(result.sections)] == [
        ("1", "Syftet med Klimatkontrakt 2030"),
        ("2", "Parter"),
        ("3", "Kontraktet"),
    ]


def test_nothing_is_fetched_for_a_word_file_that_points_outside(tmp_path):
    """An external image relationship and an external entity both name a server that counts its requests."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"fetched")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        path = _docx(tmp_path)
        relationship = (
            f'<Relationship Id="rIdExt" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/image" Target="{url}/image.png" TargetMode="External"/></Relationships>'
        )
        _rezip(
            path,
            "word/_rels/document.xml.rels",
            lambda target, data: target.writestr(
                "word/_rels/document.xml.rels", data.replace(b"</Relationships>", relationship.encode())
            ),
        )
        entity = f'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "{url}/entity">]>'.encode()
        _rezip(
            path,
            "word/document.xml",
            lambda target, data: target.writestr(
                "word/document.xml", data.replace(b"?>", b"?>" + entity, 1).replace(b"Parter", b"Parter&ext;", 1)
            ),
        )
        try:
            result = importer.import_file(path, "2031", "Exempelstad")
            assert "fetched" not in _words(result)
        except ContractError:
            pass  # refusing the entity is as good as ignoring it
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.7\n%binary", "kontrakt.txt", "a PDF named .txt"),
        (b"PK\x03\x04rest", "kontrakt.txt", "a Word file"),
        (b"PK\x03\x04rest", "kontrakt.pdf", "a Word file"),
        (b"%PDF-1.7\n", "kontrakt.docx", "a PDF named .docx"),
    ],
)
def test_a_file_named_as_another_kind_says_what_it_is(tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ContractError, match=expected):
        importer.import_file(path, "2031", "Exempelstad")


def test_a_word_file_with_macros_is_told_to_be_saved_as_docx(tmp_path):
    path = tmp_path / "kontrakt.docm"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ContractError) as error:
        importer.import_file(path, "2031", "Exempelstad")
    assert "without macros" in error.value.diagnostics[0].hint and ".docx" in error.value.diagnostics[0].hint


# ---------------------------------------------------------------- page footers and footnote marks

PAGED = """Klimatkontrakt 2030
Vi arbetar tillsammans för en klimatneutral stad.

1. Syftet med Klimatkontrakt 2030
Syftet är att öka tempot i omställningen.

{footer1}
\f2. Parter
Parter är Exempelstad och Viable Cities.

{footer2}
\f3. Kontraktet
Parterna är överens om åtagandena.

{footer3}
"""


@pytest.mark.parametrize("footer", ["{page} (3)", "Exempelstad {page} (3)", "Exempelstad kommun {page} ( 3 )"])
def test_a_page_footer_with_the_page_count_in_parentheses_is_left_out(footer):
    text = PAGED.format(**{f"footer{n}": footer.format(page=n) for n in (1, 2, 3)})
    result = importer.import_text(text, "2031", "Exempelstad")
    assert "(3)" not in _words(result) and "( 3 )" not in _words(result)
    footers = [line for line, why in result.set_aside if why == "page footer"]
    assert footers == [text.split("\n").index(footer.format(page=n)) + 1 for n in (1, 2, 3)]


def test_a_sentence_ending_in_a_number_in_parentheses_is_text():
    text = TEXT.replace("Parterna är överens om åtagandena.", "Parterna är överens om åtagandena i\nbilaga 2 (3)")
    assert "bilaga 2 (3)" in _words(importer.import_text(text, "2031", "Exempelstad"))


def test_footnotes_numbered_with_superscript_digits_are_footnotes():
    text = TEXT.replace("i omställningen och att", "i omställningen¹ och att").replace(
        "samla stadens arbete.", "samla stadens arbete.\n\n¹ Omställningen beskrivs i miljöprogrammet."
    )
    text = text.replace("Parter är Exempelstad", "Parter på 30 m² är Exempelstad")
    result = importer.import_text(text, "2031", "Exempelstad")
    purpose = result.sections[0]
    assert [n.text for n in purpose.footnotes] == ["Omställningen beskrivs i miljöprogrammet."]
    assert "{fn:" in str(purpose.blocks[0]["p"]) and "¹" not in _words(result)
    assert "30 m² är" in _words(result)


def test_a_folder_that_is_not_empty_is_refused_before_the_input_is_read(tmp_path):
    out = tmp_path / "years" / "2023"
    out.mkdir(parents=True)
    (out / "contract.yaml").write_text("status: signed\n", encoding="utf-8")
    code, out_text, err = _run(
        [
            "--root",
            str(tmp_path),
            "import",
            str(tmp_path / "missing.pdf"),
            "--version",
            "2031",
            "--municipality",
            "Exempelstad",
            "--out",
            str(out),
        ]
    )
    assert code == 1
    assert "not empty" in out_text + err and "missing.pdf" not in out_text + err


@pytest.mark.slow
def test_a_pdf_set_in_two_columns_is_read_column_by_column(tmp_path):
    """pdftotext's blocks were sorted top-down across the page, interleaving the two columns' paragraphs."""
    import typst

    chapters = [
        ("1. Syftet med Klimatkontrakt 2030", "Syftet är att öka tempot i omställningen i staden"),
        ("2. Parter", "Parter är Exempelstad, myndigheterna och Viable Cities"),
        ("3. Stadens åtaganden", "Staden ska minska utsläppen och redovisa arbetet"),
        ("4. Kontraktet", "Parterna är överens om åtagandena"),
    ]
    body = ['#"Klimatkontrakt 2030"', ""]
    for heading, sentence in chapters:
        body += [f'#"{heading}"', ""]
        body += [" ".join(f"{sentence} (mening {n})." for n in range(1, 9)), ""]
    source = tmp_path / "two.typ"
    source.write_text(
        '#set page(paper: "a5", columns: 2)\n#set text(lang: "sv", size: 9pt)\n' + "\n".join(body), encoding="utf-8"
    )
    path = tmp_path / "two.pdf"
    path.write_bytes(typst.compile(str(source)))
    result = importer.import_file(path, "2031", "Exempelstad")
    assert [(n.number, n.title) for n in walk(result.sections)] == [
        (h.split(". ")[0], h.split(". ", 1)[1]) for h, _ in chapters
    ]
    for node, (_, sentence) in zip(result.sections, chapters, strict=True):
        # A paragraph cut at the foot of a column comes in two (not joined yet): compare the words in order.
        text = " ".join(str(b.get("p")) for b in node.blocks).split()
        assert text == " ".join(f"{sentence} (mening {n})." for n in range(1, 9)).split()


def test_a_translators_note_in_an_english_pdf_is_set_aside_not_imported():
    note = "\n\nTranslator's note: The signed Swedish\ntext says so."
    text = TEXT.replace("samla stadens arbete.", "samla stadens arbete." + note)
    result = importer.import_text(text, "2031", "Exempelstad", lang="en")
    assert "Translator" not in _words(result) and "signed Swedish" not in _words(result)
    start = text.split("\n").index("Translator's note: The signed Swedish") + 1
    assert [(line, why) for line, why in result.set_aside if why == "translator's note"] == [
        (start, "translator's note"),
        (start + 1, "translator's note"),
    ]
