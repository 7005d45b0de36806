"""Red team 52: real-looking Word originals, the certificate identities import copies from the version before, and
Ctrl-C/SIGTERM during import.

Each test says what a user expects. Tests that fail on the current code are defects. Every file is written in a
temporary copy of the repository, never in the repository's years/.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from build_helpers import make_repo
from cli_runner import run_cli
from docx.oxml import parse_xml
from docx_parts import rewrite
from processes import PATCH_AT_IMPORT, _default_ctrl_c, hooked
from ruamel.yaml import YAML
from test_importer import EXEMPEL

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _contract_docx(path: Path, commitments) -> Path:
    """A municipal contract as Word saves it: a title, numbered Heading 1 chapters, bullets, and chapter 3 from
    commitments(document)."""
    d = docx.Document()
    d.add_paragraph("Klimatkontrakt 2030", style="Title")
    d.add_paragraph("Vi arbetar tillsammans för en klimatneutral stad.")
    d.add_heading("1. Syftet med Klimatkontrakt 2030", 1)
    d.add_paragraph("Syftet är att öka tempot i omställningen.")
    d.add_heading("2. Parter", 1)
    d.add_paragraph("Parter i Klimatkontrakt 2030 är:")
    for item in ("Exempelstad.", "Myndigheterna: Energimyndigheten, Vinnova och Formas.", "Viable Cities."):
        d.add_paragraph(item, style="List Bullet")
    d.add_heading("3. Stadens åtaganden", 1)
    commitments(d)
    d.add_heading("4. Kontraktet", 1)
    d.add_paragraph("Parterna är överens om att åtagandena ska gälla för 2025.")
    d.save(path)
    return path


def _plain(d) -> None:
    d.add_paragraph("Staden bygger fler cykelbanor.")


def _import(repo: Path, original: Path, version: str = "2025"):
    out = repo / "years" / version
    result = run_cli(
        "--root", repo, "import", original, "--version", version, "--municipality", "Exempelstad", "--out", out
    )  # fmt: skip
    return result, out


def imported_with(tmp_path: Path, commitments) -> tuple:
    """Import a Word contract whose chapter 3 is commitments(document) into a new repository; the result and folder."""
    return _import(_repo(tmp_path), _contract_docx(tmp_path / "kontrakt.docx", commitments))


def _written(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.yaml")))


def _kept_or_refused(result, out: Path, words: str) -> None:
    """Either the words arrive in the version folder, or the import is refused clearly and writes nothing."""
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "internal error" not in said, said
    if result.returncode == 0:
        assert words in " ".join(_written(out).split()), f"{words!r} silently left out; the report said:\n{said}"
    else:
        assert result.returncode == 1 and not out.exists(), said


# ---------------------------------------------------------------- Word originals: text silently lost


# A chapter with a text box (Insert > Text Box: a highlighted commitment beside the text). The importer reads only
# runs' w:t, so the box's sentence vanishes and the report says "words of the input not in the output: 0".
def test_the_sentence_in_a_word_text_box_is_not_dropped_silently(tmp_path):
    def commitments(d):
        p = d.add_paragraph("Staden gör följande satsning.")
        p._p.append(
            parse_xml(
                f'<w:r {W} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
                "<w:p><w:r><w:t>Staden satsar 40 miljoner kronor på laddinfrastruktur.</w:t></w:r></w:p>"
                "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
            )
        )

    result, out = imported_with(tmp_path, commitments)
    _kept_or_refused(result, out, "40 miljoner kronor på laddinfrastruktur")


# Hidden text (Font > Hidden, w:vanish): a drafting note the author hid before printing the PDF the parties signed.
# Word neither shows nor prints it, yet the import makes it contract text ("UTKAST: stryk före underskrift.").
# Expected: what the document shows, and no hidden sentence, or a refusal that writes nothing.
def test_hidden_word_text_does_not_become_contract_text(tmp_path):
    def commitments(d):
        p = d.add_paragraph("Staden minskar utsläppen.")
        p._p.append(
            parse_xml(
                f'<w:r {W}><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve"> UTKAST: stryk före underskrift.</w:t></w:r>'
            )
        )

    result, out = imported_with(tmp_path, commitments)
    hidden_text_left_out(result, out)


def hidden_text_left_out(result, out: Path) -> None:
    """The import shows what the document shows ("Staden minskar utsläppen."), without the hidden "UTKAST…", or
    refuses clearly and writes nothing."""
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "internal error" not in said, said
    if result.returncode == 0:
        written = _written(out)
        assert "Staden minskar utsläppen." in written
        assert "UTKAST" not in written, written
    else:
        assert result.returncode == 1 and not out.exists(), said


def word_numbered(path: Path, subheading: str) -> Path:
    """A contract whose headings Word numbers itself (Heading 1 and 2, no digits typed), with one subheading given."""
    d = docx.Document()
    d.add_paragraph("Klimatkontrakt 2030", style="Title")
    d.add_paragraph("Vi arbetar tillsammans för en klimatneutral stad.")
    d.add_heading("Syftet med Klimatkontrakt 2030", 1)
    d.add_paragraph("Syftet är att öka tempot i omställningen.")
    d.add_heading("Parter", 1)
    d.add_paragraph("Parter i Klimatkontrakt 2030 är Exempelstad, Energimyndigheten och Vinnova.")
    d.add_heading("Stadens åtaganden", 1)
    d.add_heading(subheading, 2)
    d.add_paragraph("Staden halverar utsläppen.")
    d.add_heading("Cykling", 2)
    d.add_paragraph("Staden bygger cykelbanor.")
    d.add_heading("Kontraktet", 1)
    d.add_paragraph("Parterna är överens.")
    d.save(path)
    return path


# Word numbers the headings itself (Heading 1/2 styles, no digits typed). The import numbers them as Word shows
# them, unless one heading's text starts with a number: a subheading "2030 års mål" makes the importer take every
# heading for typed-in numbering, and the whole file is refused, "no numbered section headings found". With
# "Mål till år 2030" instead, the same document imports with chapters 1 to 4.
def test_a_word_heading_that_starts_with_a_year_does_not_unnumber_the_document(tmp_path):
    repo = _repo(tmp_path)
    plain, _ = _import(repo, word_numbered(tmp_path / "plain.docx", "Mål till år 2030"), "2026")
    assert plain.returncode == 0 and "chapter 4 Kontraktet" in plain.stdout, plain.stdout + plain.stderr
    result, out = _import(repo, word_numbered(tmp_path / "kontrakt.docx", "2030 års mål"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "chapter 3 Stadens åtaganden: 3 sections" in result.stdout, result.stdout
    assert "2030 års mål" in _written(out)


def _with_endnotes(path: Path) -> Path:
    """Add word/endnotes.xml (with its content type and relationship) to a .docx, as Word writes it."""
    override = (
        b'<Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.endnotes+xml"/></Types>'
    )
    relationship = (
        b'<Relationship Id="rIdEn" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/endnotes" Target="endnotes.xml"/></Relationships>'
    )
    endnotes = (
        f'<w:endnotes {W}><w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:endnote><w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        '</w:r></w:p></w:endnote><w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space='
        '"preserve"> Utsläppen mäts enligt Naturvårdsverkets nationella statistik.</w:t></w:r></w:p>'
        "</w:endnote></w:endnotes>"
    )
    edit = {
        "[Content_Types].xml": lambda data: data.replace(b"</Types>", override),
        "word/_rels/document.xml.rels": lambda data: data.replace(b"</Relationships>", relationship),
    }
    return rewrite(path, edit, {"word/endnotes.xml": endnotes})


# Word's References > Insert Endnote: the note's number in the text and the note at the end of the document. The
# importer reads footnotes.xml only: the mark and the note's text are both gone, the report says 0 words lost.
def test_a_word_endnote_is_kept_like_a_footnote(tmp_path):
    def commitments(d):
        p = d.add_paragraph("Staden minskar utsläppen")
        p._p.append(
            parse_xml(
                f'<w:r {W}><w:rPr><w:rStyle w:val="EndnoteReference"/></w:rPr><w:endnoteReference w:id="1"/></w:r>'
            )
        )
        p.add_run(" varje år.")

    repo = _repo(tmp_path)
    original = _with_endnotes(_contract_docx(tmp_path / "kontrakt.docx", commitments))
    result, out = _import(repo, original)
    _kept_or_refused(result, out, "Naturvårdsverkets nationella statistik")
    if result.returncode == 0:
        assert "1 footnotes" in result.stderr or "(4 numbered sections, 1 footnote" in result.stderr, result.stderr


# A running-text paragraph "Läs mer i [stadens klimatplan](https://...)": the contract's markup has links, and a list
# item's address is kept, but a paragraph's is dropped without a word, leaving a link text that points nowhere.
def test_the_address_of_a_word_hyperlink_in_running_text_is_kept(tmp_path):
    def commitments(d):
        p = d.add_paragraph("Läs mer i ")
        link = parse_xml(
            f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:id="{d.part.relate_to("https://www.exempel.se/klimatplan", HYPERLINK, is_external=True)}">'
            "<w:r><w:t>stadens klimatplan</w:t></w:r></w:hyperlink>"
        )
        p._p.append(link)
        p.add_run(" som antogs 2022.")

    result, out = imported_with(tmp_path, commitments)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "https://www.exempel.se/klimatplan" in _written(out), _written(out)


# ---------------------------------------------------------------- broken Word files: one clear error, exit 1


def _rezipped(path: Path, document: bytes | None = None, flag: int = 0, method: int | None = None) -> Path:
    """The .docx at path with word/document.xml replaced, or every entry's zip flags or compression method patched."""
    data = path.read_bytes()
    if document is not None:
        source = zipfile.ZipFile(io.BytesIO(data))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for info in source.infolist():
                z.writestr(info, document if info.filename == "word/document.xml" else source.read(info.filename))
        data = buffer.getvalue()
    raw = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = raw.find(signature)
        while at >= 0:
            raw[at + flag_at] |= flag
            if method is not None:
                raw[at + method_at : at + method_at + 2] = struct.pack("<H", method)
            at = raw.find(signature, at + 4)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param({"document": f"<w:document {W}/>".encode()}, id="document-without-a-body"),
        pytest.param({"flag": 1}, id="zip-entries-encrypted"),  # a .docx zipped again with a password (7-Zip, WinZip)
        pytest.param({"method": 9}, id="zip-deflate64"),  # Windows' "Send to > Compressed folder" of large files
    ],
)
def test_a_damaged_word_file_is_one_clear_error_not_an_internal_error(tmp_path, damage):
    repo = _repo(tmp_path)
    original = _rezipped(_contract_docx(tmp_path / "kontrakt.docx", _plain), **damage)
    result, out = _import(repo, original)
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "internal error" not in said and "Traceback" not in said, said
    assert f"{original}: error: " in result.stdout and not out.exists(), said  # errors go to standard output


# A Word file saved with File > Info > Protect Document > Encrypt with Password is an OLE compound file, not a zip.
# The import says "the file is not a Word document (File is not a zip file)": the user's file is a Word document,
# and the hint "save it from Word as .docx" is what they already did. The message should name the password (or an
# old .doc), the thing to undo.
def test_a_password_protected_word_file_is_named_as_such(tmp_path):
    repo = _repo(tmp_path)
    original = tmp_path / "kontrakt.docx"
    original.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)  # the compound file header Word writes
    result, out = _import(repo, original)
    assert result.returncode == 1 and not out.exists(), result.stdout + result.stderr
    said = result.stdout.lower()  # errors go to standard output
    assert "password" in said or "encrypt" in said, result.stdout


# ---------------------------------------------------------------- certificate identities from the version before


def _subjects(out: Path) -> dict[str, dict]:
    data = YAML(typ="safe").load((out / "contract.yaml").read_text(encoding="utf-8"))
    return {p["id"]: p.get("certificate_subject") or {} for p in data["parties"]}


def _text_original(tmp_path: Path) -> Path:
    original = tmp_path / "kontrakt.txt"
    original.write_text(EXEMPEL, encoding="utf-8")
    return original


# years/2024/contract.yaml has a slip in one party (a subject typed as one string). The import then copies nothing,
# for any party, and says nothing: the user learns only when sign refuses every party. A user expects a note that
# the identities of version 2024 could not be read and were left empty.
def test_import_says_when_the_identities_of_the_version_before_could_not_be_read(tmp_path):
    repo = _repo(tmp_path)
    contract = repo / "years/2024/contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(
        text.replace("    certificate_subject:\n      O: Borås Stad\n", "    certificate_subject: O=Borås Stad\n", 1),
        encoding="utf-8",
    )
    result, out = _import(repo, _text_original(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not _subjects(out)["vinnova"]  # as designed: nothing copied from a version that does not load
    lines = [line for line in result.stderr.splitlines() if "2024" in line and "certificate" in line]
    assert lines, result.stderr


# A Finder/Explorer copy "years/2024 kopia" (not a version: validate names it an error) sorts after 2024 and before
# 2025, so import takes it for the version before, reads nothing there and copies no identity, silently, though
# years/2024 records them all.
def test_a_stray_copy_folder_in_years_is_not_taken_for_the_version_before(tmp_path):
    repo = _repo(tmp_path)
    (repo / "years/2024 kopia").mkdir()
    result, out = _import(repo, _text_original(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _subjects(out)["vinnova"].get("O") == "Vinnova", result.stderr
    assert "copied from version 2024" in result.stderr, result.stderr


# A municipality whose id is a national party's ("Formas", as the brief's party-id clash): the import writes a
# contract.yaml naming the party "formas" twice, copies its identity twice ("formas, energimyndigheten, vinnova,
# formas"), exits 0 and reports "validate: 1 error" (duplicate party id). Expected: refused up front as a usage
# error with nothing written, or a folder validate accepts.
def test_a_municipality_whose_id_is_a_national_partys_is_refused_or_gives_a_valid_folder(tmp_path):
    repo = _repo(tmp_path)
    out = repo / "years/2025"
    result = run_cli(
        "--root", repo, "import", _text_original(tmp_path), "--version", "2025", "--municipality", "Formas",
        "--out", out,
    )  # fmt: skip
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "internal error" not in said, said
    if result.returncode == 0:
        assert "validate: 0 errors" in result.stdout, said
        assert result.stderr.count("formas") <= 1, said
    else:
        assert result.returncode in (1, 2) and not out.exists(), said


# Held: an import of a version older than every existing one (2022 beside 2023 and 2024) copies nothing and says
# nothing about identities; an import written outside years/ copies from the repository's version before it.
def test_held_an_older_import_copies_nothing_and_one_outside_years_copies_from_the_version_before(tmp_path):
    repo = _repo(tmp_path)
    older, out = _import(repo, _text_original(tmp_path), "2022")
    assert older.returncode == 0, older.stdout + older.stderr
    assert "certificate identities" not in older.stderr and not _subjects(out)["vinnova"]
    outside = tmp_path / "utkast"
    result = run_cli(
        "--root", repo, "import", _text_original(tmp_path), "--version", "2025", "--municipality", "Exempelstad",
        "--out", outside,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert _subjects(outside)["vinnova"].get("O") == "Vinnova"
    assert "copied from version 2024" in result.stderr


# ---------------------------------------------------------------- Ctrl-C and SIGTERM during import

# A sitecustomize: the process sends itself SIG_NUMBER as SIG_TARGET ("module:function") is first called.
SIGNAL_AT_CALL = (
    """
import os, signal, sys, threading
_PLAN = [{"target": os.environ["SIG_TARGET"]}]
_patched = set()
def _wrap(original, step):
    def wrapper(*args, **kwargs):
        signal.pthread_kill(threading.get_ident(), int(os.environ["SIG_NUMBER"]))
        return original(*args, **kwargs)
    return wrapper
"""
    + PATCH_AT_IMPORT
)


# Ctrl-C (or a CI job's SIGTERM) while import runs validate over the folder it has just moved into place: the
# command ends with "interrupted" and 130/143, and never says "wrote", but years/2025 stays. The user runs the
# import again and is told the folder is not empty. Interrupted means nothing new in years/.
@pytest.mark.slow
@pytest.mark.parametrize("number", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_an_import_interrupted_while_it_checks_the_new_folder_leaves_no_new_version(tmp_path, number):
    repo = _repo(tmp_path)
    env = hooked(
        tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.importer.report:validate_folder", SIG_NUMBER=str(number)
    )
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo), "import", str(_text_original(tmp_path)),
         "--version", "2025", "--municipality", "Exempelstad", "--out", str(repo / "years/2025")],
        cwd=repo, env=env, capture_output=True, text=True, preexec_fn=_default_ctrl_c, check=False,
    )  # fmt: skip
    assert done.returncode == 128 + number, done.stdout + done.stderr
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"], done.stderr


# A second stop while the interrupted import takes its folder back (the last stop's named gap: with a fault point it
# has a moment of its own, no sleep): the first is SIGTERM as validate starts, the second Ctrl-C as the removal
# starts. The removal runs whole (the second is recorded), and the import ends interrupted with no new version.
@pytest.mark.slow
def test_a_second_stop_while_an_interrupted_import_removes_its_folder_leaves_no_new_version(tmp_path):
    import os
    import signal

    from processes import start_command_paused

    repo = _repo(tmp_path)
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET="contract.importer.report:validate_folder", SIG_NUMBER="15")
    argv = [sys.executable, "-m", "contract", "--root", str(repo), "import", str(_text_original(tmp_path)),
            "--version", "2025", "--municipality", "Exempelstad", "--out", str(repo / "years/2025")]  # fmt: skip
    done, resume = start_command_paused(argv, "import-removing", _default_ctrl_c, cwd=repo, env=env)
    try:
        assert (repo / "years/2025").is_dir()  # written, not yet taken back
        done.send_signal(signal.SIGINT)
    finally:
        os.close(resume)
    out, err = done.communicate(timeout=120)  # a hang guard
    assert done.returncode in (130, 143) and "interrupted" in err and "Traceback" not in err, out + err
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"], out + err


# Held: interrupted while the staging folder is written or just before it is renamed into place, import ends with
# 130/143 and "interrupted" and leaves no folder and no .2025.import-PID staging folder.
@pytest.mark.slow
@pytest.mark.parametrize("target", ["contract.importer.write:move_into_place", "contract.source.yamlwrite:dump"])
def test_held_an_import_interrupted_while_writing_leaves_nothing(tmp_path, target):
    repo = _repo(tmp_path)
    env = hooked(tmp_path, SIGNAL_AT_CALL, SIG_TARGET=target, SIG_NUMBER="15")
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo), "import", str(_text_original(tmp_path)),
         "--version", "2025", "--municipality", "Exempelstad", "--out", str(repo / "years/2025")],
        cwd=repo, env=env, capture_output=True, text=True, preexec_fn=_default_ctrl_c, check=False,
    )  # fmt: skip
    assert done.returncode == 143 and "interrupted" in done.stderr, done.stdout + done.stderr
    assert sorted(p.name for p in (repo / "years").iterdir()) == ["2023", "2024"]


# Held: Ctrl-C or SIGTERM while `lock 2023` has written the new signed.lock beside the old one, before the rename:
# 130/143, "interrupted", signed.lock byte for byte as before, no temporary file left in years/2023.
@pytest.mark.slow
@pytest.mark.parametrize("number", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_held_lock_interrupted_before_its_rename_leaves_signed_lock_unchanged(tmp_path, number):
    import os

    from processes import start_command_paused

    repo = _repo(tmp_path)
    folder = repo / "years/2023"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    argv = [sys.executable, "-m", "contract", "--root", str(repo), "lock", "2023"]
    process, resume = start_command_paused(argv, "written-2023", _default_ctrl_c, cwd=repo)
    process.send_signal(number)
    os.close(resume)
    out, err = process.communicate()
    assert process.returncode == 128 + number, out + err
    assert "interrupted" in err and "Traceback" not in err, err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
