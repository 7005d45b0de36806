"""The importer turns PDF-extracted contract text into a valid version folder, not only for Borås."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract import importer
from contract.cli.main import main
from contract.errors import ContractError
from contract.importer import walk
from contract.importer.write import write_folder
from contract.render.export import outline
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]


def seed_path() -> Path:
    """The seed text beside the repository (../shared/seeds/), wherever the checkout sits."""
    name = "000_e642925e7fb0b65d.txt"
    for base in (ROOT.parent, ROOT.parent.parent, ROOT.parent.parent.parent):
        if (base / "shared" / "seeds" / name).exists():
            return base / "shared" / "seeds" / name
    raise FileNotFoundError(f"the seed text {name} is not beside the repository (../shared/seeds/)")


# A made-up contract with the shape of the real ones: page footers, a hyphenated line break,
# a paragraph cut by a page break, footnotes at page bottoms, bullets, a skipped chapter number.
EXEMPEL = """ Klimatkontrakt 2030
Vi arbetar tillsammans för en klimat-
neutral stad. Detta är inledningen.

 1. Syftet med Klimatkontrakt 2030
Syftet är att öka tempot i omställningen1.

2. Parter
Parter i Klimatkontrakt 2030 är:

•\t Exempelstad.

•\t Myndigheterna: Energimyndigheten, Vinnova och Formas.

•\t Strategiska innovationsprogrammet Viable Cities2.

1 Omställningen beskrivs i stadens 
miljöprogram.

2 Viable Cities finansieras av tre myndigheter.

exempel.se 3

3. Stadens åtaganden
3.1. Mål
Staden ska minska utsläppen med 50 procent till 2030 och redovisa arbetet 
varje år i en rapport som går till

 kommunfullmäktige. Se avsnitt 3.2. för detaljer.

3.1.1 Delmål

Delmålen följs upp årligen.

3.2. Detaljer
Detaljerna finns i bilagan.

Cykling 
Staden bygger fler cykelbanor.

5. Kontraktet
Parterna är överens om att åtagandena ska gälla för 2025.

Bilaga 1 - Länkar
Nedan finns länkar.

•\t Miljöprogram (exempel.se)

https://www.exempel.se/miljoprogram.pdf
"""


def test_import_of_a_made_up_contract_finds_its_structure():
    result = importer.import_text(EXEMPEL, "2024", "Exempelstad")
    numbers = [(n.number, n.title) for n in walk(result.sections)]
    assert numbers == [
        ("1", "Syftet med Klimatkontrakt 2030"),
        ("2", "Parter"),
        ("3", "Stadens åtaganden"),
        ("3.1", "Mål"),
        ("3.1.1", "Delmål"),
        ("3.2", "Detaljer"),
        ("5", "Kontraktet"),
    ]
    assert result.title == "Klimatkontrakt 2030"
    assert result.preamble == [{"p": "Vi arbetar tillsammans för en klimatneutral stad. Detta är inledningen."}]
    goal = result.sections[2].children[0]
    assert goal.blocks == [
        {
            "p": "Staden ska minska utsläppen med 50 procent till 2030 och redovisa arbetet varje år i en rapport som går till "
            "kommunfullmäktige. Se avsnitt {ref:detaljer}. för detaljer."
        }
    ]
    assert result.sections[2].children[1].blocks == [
        {"p": "Detaljerna finns i bilagan."},
        {"heading": "Cykling"},
        {"p": "Staden bygger fler cykelbanor."},
    ]
    assert result.sections[0].blocks == [
        {"p": "Syftet är att öka tempot i omställningen{fn:omstallningen-beskrivs-i}."}
    ]
    assert result.sections[0].footnotes[0].text == "Omställningen beskrivs i stadens miljöprogram."
    assert (
        result.sections[1].blocks[1]["list"][2]
        == "Strategiska innovationsprogrammet Viable Cities{fn:viable-cities-finansieras}."
    )
    assert result.annex.documents == [
        {"title": "Miljöprogram (exempel.se)", "url": "https://www.exempel.se/miljoprogram.pdf"}
    ]


def test_an_imported_folder_validates_and_pins_the_skipped_number(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    source = tmp_path / "exempel.txt"
    source.write_text(EXEMPEL, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(
            [
                "import-text",
                str(source),
                "--version",
                "2024",
                "--municipality",
                "Exempelstad",
                "--out",
                str(root / "years" / "2024"),
            ]
        )
        assert code == 0
        assert err.getvalue().endswith(
            "wrote " + str(root / "years" / "2024") + " (7 numbered sections, 2 footnotes)\n"
        )
        code = main(["--root", str(root), "validate"])
    assert code == 0
    assert "years/2024/clause.yaml:3:9: warning: section number 5 leaves a gap: 4 is missing" in out.getvalue()
    contract = load(root, "2024")
    assert [p.id for p in contract.parties] == [
        "exempelstad",
        "energimyndigheten",
        "vinnova",
        "formas",
        "viable-cities",
    ]
    assert contract.meta.status == "draft" and contract.meta.valid_for == "2025"
    assert [s.group for s in contract.sections] == ["purpose", "parties", "municipality", "clause"]


def test_the_seed_imports_to_the_outline_of_version_2023():
    result = importer.import_file(seed_path(), "2023", "Borås Stad")
    imported = [(n.number, n.title, n.id) for n in walk(result.sections)]
    committed = [(r["number"], r["title"], r["id"]) for r in outline(load(ROOT, "2023"), "sv")]
    assert imported == committed
    assert result.footnote_count == 9


@pytest.mark.parametrize(
    "text",
    ["Bara löptext utan rubriker.\n", "Rubrik\nText.\n\n7 Sju\n"],
    ids=["no-headings", "no-first-heading"],
)
def test_text_without_numbered_headings_is_a_clear_error(text):
    with pytest.raises(ContractError) as error:
        importer.import_text(text, "2024", "Exempelstad", "avtal.txt")
    assert (
        str(error.value)
        == 'avtal.txt:1:1: error: no numbered section headings found (headings must look like "1. Title", "1 Title" or "3.2.1 Title")'
    )


def test_import_refuses_to_write_into_a_folder_with_files(tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "contract.yaml").write_text("x")
    result = importer.import_text(EXEMPEL, "2024", "Exempelstad")
    with pytest.raises(ContractError) as error:
        write_folder(result, tmp_path / "2024")
    assert "the output folder is not empty" in str(error.value)
    assert (tmp_path / "2024" / "contract.yaml").read_text() == "x"


@pytest.mark.slow
def test_the_seed_imports_to_version_2023_word_for_word(tmp_path):
    from import_compare import differences, shape

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    write_folder(importer.import_file(seed_path(), "2023", "Borås Stad"), root / "years" / "2023")
    assert differences(shape(load(ROOT, "2023"), "sv"), shape(load(root, "2023"), "sv")) == []


def test_import_carries_the_parties_certificate_identities_over_from_the_version_before(tmp_path):
    """The identities each party signs with are the repository's own record: an import of next year's text takes them
    from the version before, for the parties it names (it left them empty, and sign refused every party until someone
    typed them in again). A party the version before does not name gets none."""
    root = tmp_path / "repo"
    for name in ("schema", "years/2023"):
        shutil.copytree(ROOT / name, root / name)
    source = tmp_path / "exempel.txt"
    source.write_text(EXEMPEL, encoding="utf-8")
    before = {p.id: p.certificate_subject for p in load(root, "2023").parties}
    for municipality, version in (("Borås Stad", "2024"), ("Exempelstad", "2025")):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["--root", str(root), "import-text", str(source), "--version", version,
                         "--municipality", municipality, "--out", str(root / "years" / version)])  # fmt: skip
        assert code == 0, out.getvalue() + err.getvalue()
        parties = {p.id: p.certificate_subject for p in load(root, version).parties}
        named = [pid for pid in parties if pid in before]
        assert {pid: parties[pid] for pid in named} == {pid: before[pid] for pid in named}
        assert all(parties[pid] == {} for pid in parties if pid not in before)
        assert ("boras-stad" in named) == (municipality == "Borås Stad") and "formas" in named
        assert (
            f"certificate identities of {', '.join(named)} copied from version {'2023' if version == '2024' else '2024'}; "
            f"check them with 'klimatkontrakt parties {version}' before anyone signs\n"
        ) in err.getvalue()
