"""Red team 50: a careless or hostile user attacks `import` and `lock` with odd values and a real-looking text.

Each test says what a user expects. Tests that fail on the current code are defects; the others are attacks that
held, kept where they add coverage. All invented text is written in temporary folders, never in the repository's
years/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import attacks
import pytest
from cli_runner import run_cli
from pki import make_pki
from ruamel.yaml import YAML

from contract.pdf import credentials
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]

# A contract text as a user would save it from a PDF viewer: running header, page footers "Växjö kommun 1 (3)",
# form feeds between pages, a footnote at the bottom of a page, symbols, a dashed list after a colon and a table.
PAGES = """Klimatkontrakt 2030
Klimatneutrala Vaxjo 2030
VERSION 2025

Innehåll
1. Bakgrund ....... 2
2. Mål och ambitioner ....... 2
3. Åtgärder ....... 3

Växjö kommun 1 (3)
\f
Klimatkontrakt 2030
1. Bakgrund
Utsläppen ska minska med 70 % till 2030.¹ Ytan är 20 m² och energin 10³ kWh.
Temperaturen ≤ 1,5 °C enligt IPCC → se bilaga.

¹ Enligt kommunens klimatplan 2022.
Växjö kommun 2 (3)
\f
Klimatkontrakt 2030
2. Mål och ambitioner
Målen är följande:
- minska utsläppen,
- öka cyklingen.
{table}
3. Åtgärder
Staden gör mycket. {tail}
Växjö kommun 3 (3)
"""
TABLE = "Sektor | 2020 | 2030\nTransport | 100 | 30\n"
LONG = "https://www.vaxjo.se/sidor/kommun-och-politik/hallbarhet/klimat-och-energi/klimatkontrakt-2030-for-stader.html"


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("years", "schema"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "klimatkontrakt.yaml", root / "klimatkontrakt.yaml")
    return root


def _import(tmp_path: Path, text: str, *extra: str, municipality: str = "Växjö kommun"):
    source = tmp_path / "kontrakt.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "--root", _repo(tmp_path), "import", source, "--version", "2025",
        "--municipality", municipality, "--out", out, *extra,
    )  # fmt: skip
    return result, out


def _body(out: Path, file: str) -> list:
    return YAML(typ="safe").load((out / file).read_text(encoding="utf-8"))["sections"][0]["body"]


def test_a_real_looking_text_with_page_furniture_footnotes_and_symbols_arrives_whole(tmp_path):
    # Held: headers, footers, form feeds, the contents page and the cover are set aside; the footnote mark after a
    # year becomes a footnote while m² and 10³ stay powers; ≤, → and −/° are kept.
    result, out = _import(tmp_path, PAGES.format(table="\n", tail=""))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    text = (out / "purpose.yaml").read_text(encoding="utf-8")
    assert "2030.{fn:" in text and "20 m²" in text and "10³ kWh" in text and "≤ 1,5 °C" in text and "→" in text
    assert "Växjö kommun 2" not in text and "Klimatkontrakt 2030" not in text
    assert "words of the input not in the output: 0" in result.stdout


def test_table_rows_right_after_a_dashed_list_are_not_glued_into_its_last_item(tmp_path):
    # A user pastes a small table (" | " rows, as the importer itself writes Word tables) straight after a dashed
    # list. The rows are not list text: expected the list to end at "öka cyklingen." and each row to be its own
    # paragraph. Found: the last item reads "öka cyklingen. Sektor | 2020 | 2030 Transport | 100 | 30".
    result, out = _import(tmp_path, PAGES.format(table=TABLE, tail=""))
    assert result.returncode == 0, result.stderr
    items = next(block for block in _body(out, "parties.yaml") if "list" in block)["list"]
    assert items[-1]["sv"] == "öka cyklingen.", items


def test_a_tables_first_row_is_not_made_a_subheading(tmp_path):
    # The README says a table's rows are each one paragraph (its cells joined by " | "). Expected the header row
    # "Sektor | 2020 | 2030" as a paragraph like the rows under it. Found: it becomes a `heading:` block, so the
    # site and PDF show a table row as a bold subheading.
    result, out = _import(tmp_path, PAGES.format(table="\n" + TABLE, tail=""))
    assert result.returncode == 0, result.stderr
    blocks = _body(out, "parties.yaml")
    assert not any("heading" in block for block in blocks), blocks


def test_the_note_about_a_long_address_names_its_line_like_every_other_note(tmp_path):
    # Every finding reads FILE:LINE: what. Found: "kontrakt.txt:the address https://… is too long …" with no line
    # number and not even a space, so an editor cannot jump to it. Expected "kontrakt.txt:27: the address …".
    result, _ = _import(tmp_path, PAGES.format(table="\n", tail="Se " + LONG))
    assert result.returncode == 0, result.stderr
    note = [line for line in (result.stdout + result.stderr).splitlines() if "is too long for a line" in line]
    assert note, result.stderr
    assert re.match(r".*kontrakt\.txt:\d+: the address ", note[0]), note[0]


def test_a_municipality_name_with_a_control_character_is_refused_and_nothing_is_written(tmp_path):
    # A name pasted from a terminal carries ESC. An empty name is refused as bad usage (exit 2, nothing written);
    # expected the same for a name validate will reject. Found: the folder is written, the import exits 0 and only
    # the report's validate line says "1 error" (years/2025/contract.yaml:…: control character).
    result, out = _import(tmp_path, PAGES.format(table="\n", tail=""), municipality="Växjö\x1bkommun")
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert not out.exists()


def test_the_same_pdf_given_twice_to_lock_is_named_once(tmp_path):
    # A careless user repeats --pdf with the same file. Expected its problem named once (or a note that it was given
    # twice). Found: the identical error line printed twice.
    root = _repo(tmp_path)
    folder = tmp_path / "mapp med å"
    folder.mkdir()
    bad = folder / "a b é.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    before = (root / "years" / "2023" / "signed.lock").read_bytes()
    result = run_cli("--root", root, "lock", "2023", "--pdf", bad, "--pdf", bad)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    assert (root / "years" / "2023" / "signed.lock").read_bytes() == before
    errors = [line for line in output.splitlines() if "error" in line]
    assert len(errors) == 1, errors


def test_lock_refuses_odd_arguments_without_a_traceback(tmp_path):
    # Held: a missing file, a folder, /dev/null, a text file, a bad --trust and an escape sequence in a name each
    # give one clear error, exit 1, and leave signed.lock as it was.
    root = _repo(tmp_path)
    lock = root / "years" / "2023" / "signed.lock"
    before = lock.read_bytes()
    readme = ROOT / "README.md"
    cases = [
        (("--pdf", tmp_path / "nope.pdf"), "No such file"),
        (("--pdf", tmp_path), "Is a directory"),
        (("--pdf", "/dev/null"), "not a file"),
        (("--pdf", readme), "not a PDF"),
        (
            ("--pdf", readme, "--trust", "/dev/null"),
            "not a file but a device",
        ),  # a device is not read (a terminal waited)
        (("--pdf", tmp_path / "x\x1b[31m.pdf"), "\\x1b"),
    ]
    for args, words in cases:
        result = run_cli("--root", root, "lock", "2023", *args)
        output = result.stdout + result.stderr
        assert result.returncode == 1 and words in output, (args, output)
        assert "Traceback" not in output and "\x1b" not in output
    assert lock.read_bytes() == before


def test_the_import_report_counts_the_missing_translations_of_every_language_of_the_repository(tmp_path):
    # A repository translated into English and Finnish (i18n/fi.yaml present; validate warns "Finnish translation
    # missing" for each text). Expected the import's validate line to count the Finnish texts to translate as well.
    # Found: "11 English translations missing or to confirm", nothing about Finnish.
    source = tmp_path / "kontrakt.txt"
    source.write_text(PAGES.format(table="\n", tail=""), encoding="utf-8")
    root = _repo(tmp_path)
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: sv\n  translations: [en, fi]\n", encoding="utf-8")
    (root / "i18n").mkdir()
    shutil.copy(ROOT / "contract" / "i18n" / "en.yaml", root / "i18n" / "fi.yaml")
    result = run_cli(
        "--root", root, "import", source, "--version", "2025", "--municipality", "Växjö kommun",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("validate:"))
    assert "Finnish" in line, line


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), load(ROOT, "2023").parties)


@pytest.mark.slow
def test_the_same_signed_pdf_under_another_name_is_not_recorded_twice(pki, unsigned_2023_sv, tmp_path):
    # All eight parties sign; the clerk locks signed.pdf, then (careless) locks again the same file, and then a copy
    # from "mapp med å ü/kopia av signed (1).pdf". Held: locking the same file again changes nothing. Expected the
    # copy to be known as the contract already recorded (lock unchanged, or a note naming signed.pdf). Found:
    # "2 signed PDFs recorded": signed.lock lists both names with the same sha256, as if there were two contracts.
    root = _repo(tmp_path)
    data = unsigned_2023_sv.read_bytes()
    for party_id, party in pki.parties.items():
        creds = credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())
        data = attacks.raw_sign(data, party_id, creds)
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(data)
    folder = tmp_path / "mapp med å ü"
    folder.mkdir()
    copy = folder / "kopia av signed (1).pdf"
    copy.write_bytes(data)
    lock = root / "years" / "2023" / "signed.lock"
    first = run_cli("--root", root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = lock.read_bytes()
    again = run_cli("--root", root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    assert again.returncode == 0 and lock.read_bytes() == after_first
    copied = run_cli("--root", root, "lock", "2023", "--pdf", copy, "--trust", pki.ca_pem)
    assert "Traceback" not in copied.stdout + copied.stderr
    pdfs = YAML(typ="safe").load(lock.read_text(encoding="utf-8"))["pdfs"]
    assert len(pdfs) == 1, pdfs
