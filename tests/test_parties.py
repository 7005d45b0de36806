"""Party identity data: certificate_subject in contract.yaml, its schema, and `klimatkontrakt parties`."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from contract.cli.main import main
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]


def run(root: Path, *argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


def test_every_party_names_at_least_its_organisation():
    for version in ("2023", "2024"):
        for party in load(ROOT, version).parties:
            assert party.certificate_subject.get("O") == party.name.source


def test_organisation_numbers_only_where_a_source_confirmed_them():
    text = (ROOT / "years" / "2023" / "contract.yaml").read_text(encoding="utf-8")
    numbered = {
        p.id: p.certificate_subject["organizationIdentifier"]
        for p in load(ROOT, "2023").parties
        if "organizationIdentifier" in p.certificate_subject
    }
    assert numbered == {"vinnova": "NTRSE-2021005216", "formas": "NTRSE-2021005232"}
    for number in numbered.values():
        line = next(line for line in text.splitlines() if number in line)
        assert "# source: " in line and "https://" in line


def test_parties_json_lists_id_name_and_certificate_subject():
    code, out, _ = run(ROOT, "parties", "2023", "--json")
    data = json.loads(out)
    assert code == 0
    assert [p["id"] for p in data] == [p.id for p in load(ROOT, "2023").parties]
    assert data[2] == {
        "id": "vinnova",
        "name": "Vinnova",
        "signatory": None,
        "role": None,
        "certificate_subject": {"O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216"},
    }


def test_parties_text_says_what_each_certificate_must_carry():
    code, out, _ = run(ROOT, "parties", "2023")
    assert code == 0
    assert "boras-stad: Borås Stad (signatory not named); certificate must carry O=Borås Stad" in out.splitlines()


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "years", root / "years")
    shutil.copytree(ROOT / "schema", root / "schema")
    return root


def test_validate_reports_a_bad_organisation_identifier_with_its_position(tmp_path):
    root = _copy(tmp_path)
    path = root / "years" / "2024" / "contract.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "organizationIdentifier: NTRSE-2021005216", "organizationIdentifier: 202100-5216"
    )
    path.write_text(text, encoding="utf-8")
    code, out, err = run(root, "validate", "2024")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "202100-5216" in row)
    assert code == 1
    assert f"years/2024/contract.yaml:{line}:" in out + err and "202100-5216" in out + err


def test_validate_requires_the_organisation_name(tmp_path):
    root = _copy(tmp_path)
    path = root / "years" / "2024" / "contract.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      O: Formas\n", ""), encoding="utf-8")
    code, out, err = run(root, "validate", "2024")
    assert code == 1 and "certificate_subject: the required field 'O' is missing" in out + err


def test_new_year_carries_the_identities_over(tmp_path):
    root = _copy(tmp_path)
    code, out, err = run(root, "new-year", "2025", "--from", "2024")
    assert code == 0, out + err
    assert [p.certificate_subject for p in load(root, "2025").parties] == [
        p.certificate_subject for p in load(root, "2024").parties
    ]
    assert "# source: Vinnova" in (root / "years" / "2025" / "contract.yaml").read_text(encoding="utf-8")
