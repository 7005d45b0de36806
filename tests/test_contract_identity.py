"""Is this our contract? `verify --against YEAR` rebuilds the PDF; `lock --pdf` records the contract's hash."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import attacks
import pytest
from pki import make_pki

from contract import pdf
from contract.cli.main import main
from contract.pdf import credentials
from contract.source.load import load
from contract.source.provenance import Source

pytestmark = pytest.mark.slow  # renders and signs PDFs

ROOT = Path(__file__).resolve().parents[1]


def run(root: Path, *argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *map(str, argv)])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), load(ROOT, "2023").parties)


def _signed(pki, data: bytes, party: str = "vinnova") -> bytes:
    p = pki.parties[party]
    return attacks.raw_sign(
        data, party, credentials.load_pem("k", p.key_pem.read_bytes(), "c", p.cert_pem.read_bytes())
    )


def test_against_the_repository_a_genuine_contract_is_identical_and_an_edited_one_differs(
    pki, unsigned_2023_sv, tmp_path
):
    built = tmp_path / "built.pdf"
    assert run(ROOT, "pdf", "2023", "-o", built)[0] == 0
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_signed(pki, built.read_bytes()))
    code, out = run(ROOT, "verify", signed, "--trust", pki.ca_pem, "--against", "2023")
    assert code == 0, out
    assert "contract text: identical to the PDF rebuilt from the repository (version 2023, sv)" in out
    # The same contract built from another commit is another contract: its first revision differs.
    other = tmp_path / "other.pdf"
    other.write_bytes(_signed(pki, unsigned_2023_sv.read_bytes()))  # built from commit abc1234
    code, out = run(ROOT, "verify", other, "--trust", pki.ca_pem, "--against", "2023", "--json")
    result = json.loads(out)
    assert code == 1 and result["contract"]["same"] is False and result["contract"]["first_difference"] > 0


def test_lock_records_the_contract_and_verify_compares_with_it(pki, unsigned_2023_sv, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "years", root / "years")
    shutil.copytree(ROOT / "schema", root / "schema")
    genuine = tmp_path / "signed.pdf"
    genuine.write_bytes(_signed(pki, unsigned_2023_sv.read_bytes()))
    code, out = run(root, "lock", "2023", "--pdf", genuine)
    assert code == 0, out
    lock = (root / "years" / "2023" / "signed.lock").read_text(encoding="utf-8")
    assert "contracts:\n  sv: sha256:" in lock
    code, out = run(root, "verify", genuine, "--trust", pki.ca_pem)
    assert code == 0 and "contract text: matches the contract hash recorded in years/2023/signed.lock" in out
    later = tmp_path / "later.pdf"
    later.write_bytes(_signed(pki, genuine.read_bytes(), "formas"))
    assert "matches the contract hash recorded" in run(root, "verify", later, "--trust", pki.ca_pem)[1]
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(
        _signed(pki, pdf.render_pdf(load(ROOT, "2023"), "sv", Source("fffffff", "2023-12-08", 1702029600, False)))
    )
    code, out = run(root, "verify", forged, "--trust", pki.ca_pem)
    assert code == 1 and "contract text: DIFFERS from the contract hash recorded in years/2023/signed.lock" in out


def test_lock_refuses_another_versions_pdf(pki, draft_2024_sv, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "years", root / "years")
    shutil.copytree(ROOT / "schema", root / "schema")
    signed = tmp_path / "signed-2024.pdf"  # signed, so that only the version is wrong
    signed.write_bytes(_signed(pki, draft_2024_sv.read_bytes()))
    code, out = run(root, "lock", "2023", "--pdf", signed)
    assert code == 1 and "this PDF is version 2024, not 2023" in out


def test_a_drafts_redline_pdf_carries_the_watermark_and_no_fields(tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "redline.pdf"
    code, out = run(ROOT, "diff", "2023", "2024", "--format", "pdf", "--lang", "sv", "-o", target)
    assert code == 0, out
    reader = PdfReader(target)
    assert all("UTKAST" in page.extract_text() for page in reader.pages)
    assert "/AcroForm" not in reader.trailer["/Root"]
