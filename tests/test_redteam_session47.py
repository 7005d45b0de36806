"""Red team 47: the whole pipeline run by programme offices of other cities (not Borås 2023).

Each test says what a user (a civil servant at another municipality's programme office) expects. Tests that fail on
the current code are defects; the others are attacks that held and are kept for coverage. All contract texts are
invented here, in temporary folders; nothing is written into the repository's years/.
"""

from __future__ import annotations

import shutil
import types
from pathlib import Path

import pytest
from build_helpers import git as _git
from cli_runner import run_cli
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]

SJOBY = """Klimatkontrakt 2030

Sjöby kommun, Energimyndigheten, Formas, Naturvårdsverket, Tillväxtverket, Trafikverket, Vinnova och Viable Cities

Innehåll
1 Inledning ....... 2
2 Parter ....... 2
3 Kommunens åtaganden ....... 3
3.1 Omställning av transporter ....... 3
3.2 Energi och byggande ....... 4
4 Viable Cities åtaganden ....... 5
5 Myndigheternas åtaganden ....... 5
6 Uppföljning ....... 6
7 Kontraktet ....... 6

1 Inledning
Sjöby kommun har som mål att bli klimatneutral till år 2030.¹ Kommunen samverkar med näringsliv, akademi och \
civilsamhälle.

2 Parter
Parter i kontraktet är Sjöby kommun, Energimyndigheten, Formas, Naturvårdsverket, Tillväxtverket, Trafikverket, \
Vinnova och Viable Cities.

3 Kommunens åtaganden
Kommunen åtar sig följande.

3.1 Omställning av transporter
Kommunen ska:
- bygga ut laddinfrastruktur vid alla kommunala arbetsplatser,
- ställa om kollektivtrafiken till fossilfria drivmedel,
- halvera biltrafiken i centrum,
- införa bilpool för anställda.

3.2 Energi och byggande
Kommunen bygger energieffektivt.

4 Viable Cities åtaganden
Viable Cities stödjer kommunen med kunskap och nätverk.

5 Myndigheternas åtaganden
Myndigheterna stödjer kommunens omställning.

6 Uppföljning
Parterna följer upp kontraktet årligen.

7 Kontraktet
Kontraktet gäller ett år i taget.

¹ Beslut i kommunfullmäktige 2021-03-15.
"""

EXAMPLETON = """Climate City Contract 2030

Table of contents
1) Background ....... 2
2) Parties ....... 2
3) Commitments of the municipality ....... 3
4) Commitments of Viable Cities ....... 3
5) Commitments of the agencies ....... 4
6) Follow-up ....... 4
7) The contract ....... 5

1) Background
Exampleton has set out to become climate neutral by 2030. The work is described in the action plan.

2) Parties
The parties are Exampleton Municipality, the Swedish Energy Agency, Vinnova, Formas, the Swedish Environmental \
Protection Agency, the Swedish Agency for Economic and Regional Growth, the Swedish Transport Administration and \
Viable Cities.

3) Commitments of the municipality
The municipality commits to:
- reduce emissions from transport by 70 per cent,
- renovate all public buildings,
- build 40 km of cycle lanes.

4) Commitments of Viable Cities
Viable Cities supports the municipality.

5) Commitments of the agencies
The agencies support the transition.

6) Follow-up
The parties meet every year.

7) The contract
The contract is valid for one year at a time.
"""


def _empty_repo(root: Path, source: str = "sv", translation: str = "en") -> Path:
    """A new city's repository: the project's build inputs, no versions yet, committed."""
    root.mkdir(parents=True)
    for name in ("schema", "mkdocs.yml", "glossary.yaml", "overrides", "docs_assets", "hooks"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    (root / "years").mkdir()
    (root / "years" / ".keep").write_text("", encoding="utf-8")
    (root / "klimatkontrakt.yaml").write_text(
        f"languages:\n  source: {source}\n  translations: [{translation}]\n", encoding="utf-8"
    )
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "new city")
    return root


def _import(root: Path, tmp_path: Path, text: str, version: str, city: str, *extra: str):
    file = tmp_path / f"{version}-{city.replace(' ', '-')}.txt"
    file.write_text(text, encoding="utf-8")
    return run_cli(
        "--root",
        root,
        "import",
        file,
        "--version",
        version,
        "--municipality",
        city,
        "--out",
        root / "years" / version,
        *extra,
    )


def _all_yaml(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml")))


# ---------------------------------------------------------------- import: footnotes collected at the end


# A text saved from Word (or copied from a PDF) collects its footnotes at the end of the document, the mark a
# superscript "¹" after a full stop. The README says footnotes numbered "¹" are read. A user expects the footnote
# to become a footnote of "Inledning" ({fn:…}) — or, if the importer cannot place it, the report to say so with
# its line. Instead the mark is glued to the year ("år 2030.1 Kommunen", a wrong number in the contract), the
# footnote's text becomes a paragraph of the last chapter "Kontraktet" ("1 Beslut i kommunfullmäktige …"), and the
# report says "footnotes: 0" and "words of the input not in the output: 0", as if all were well.
def test_an_endnote_footnote_with_a_superscript_mark_is_a_footnote_not_contract_text(tmp_path):
    root = _empty_repo(tmp_path / "sjoby")
    result = _import(root, tmp_path, SJOBY, "2024", "Sjöby kommun")
    assert result.returncode == 0, result.stdout + result.stderr
    purpose = (root / "years" / "2024" / "purpose.yaml").read_text(encoding="utf-8")
    clause = (root / "years" / "2024" / "clause.yaml").read_text(encoding="utf-8")
    assert "2030.1 Kommunen" not in purpose, purpose
    assert "1 Beslut i kommunfullmäktige" not in clause, clause
    assert "{fn:" in purpose, result.stdout + result.stderr


# ---------------------------------------------------------------- new-year after an import


# The importer placed "6 Uppföljning" in updates.yaml, but nothing in the new draft is marked to_be_written (the
# follow-up rule is Borås's chapter 7 with its headings). new-year still tells the user to "write the follow-up
# sections marked to_be_written": a civil servant searches the files for a mark that is not there. A user expects
# the message to name only what new-year did (no such sections: say nothing of them, or say none were marked).
def test_new_year_does_not_point_at_to_be_written_sections_it_did_not_mark(tmp_path):
    root = _empty_repo(tmp_path / "sjoby")
    assert _import(root, tmp_path, SJOBY, "2024", "Sjöby kommun").returncode == 0
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "import 2024")
    result = run_cli("--root", root, "new-year", "2025")
    assert result.returncode == 0, result.stdout + result.stderr
    marked = "to_be_written" in _all_yaml(root / "years" / "2025")
    assert marked or "marked to_be_written" not in result.stderr, result.stderr


# ---------------------------------------------------------------- an English original: sign it


def sign_as_first(root: Path, parties: list, pdf: Path, out: Path, tmp_path: Path):
    """Run `klimatkontrakt sign` on pdf as the first party, with a certificate of a test PKI made for it."""
    from pki import make_pki  # imported where used, as the other tests here do

    pki = make_pki(tmp_path / "pki", parties[:1])
    party = pki.parties[parties[0].id]
    argv = ["--root", root, "sign", pdf, "--party", parties[0].id, "--p12", party.p12]
    return run_cli(*argv, "--passphrase-file", pki.passphrase_file, "-o", out)


def _sign_ready(root: Path, name_lang: str) -> list:
    """Give every party its certificate subject (as `klimatkontrakt parties` asks), set the version signed."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 200
    path = root / "years" / "2023" / "contract.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    for party in data["parties"]:
        party["certificate_subject"] = {"O": party["name"][name_lang]}
    data["status"] = "signed"
    data["signed_on"] = "2023-12-01"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "signed")
    return [
        types.SimpleNamespace(id=p["id"], certificate_subject=dict(p["certificate_subject"])) for p in data["parties"]
    ]


# README: "A new repository may have another source language (source: en): every text then requires that language,
# Swedish becomes a translation like any other". Exampleton's programme office keeps its English original so,
# imports it with --lang en, and renders the PDF of its original (`pdf 2023 --lang en`, which carries the
# signature fields; the Swedish PDF is "Översättning" and has none). A user expects the municipality to be able to
# sign its field. Instead `sign` refuses: "this is a translation: only the Swedish original is signed (sign the PDF
# made by 'klimatkontrakt pdf YEAR --lang sv')" — and the Swedish PDF has no fields: such a contract can never be
# signed.
@pytest.mark.slow
def test_an_english_source_repository_can_sign_its_english_original(tmp_path):

    root = _empty_repo(tmp_path / "exampleton", source="en", translation="sv")
    result = _import(root, tmp_path, EXAMPLETON, "2023", "Exampleton Municipality", "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    parties = _sign_ready(root, "en")
    unsigned = tmp_path / "exampleton-2023-en.pdf"
    made = run_cli("--root", root, "pdf", "2023", "--lang", "en", "-o", unsigned)
    assert made.returncode == 0, made.stdout + made.stderr
    signed = tmp_path / "signed.pdf"
    result = sign_as_first(root, parties, unsigned, signed, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert signed.exists()
