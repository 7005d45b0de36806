"""`lock --pdf` records only this version's contract signed by its own parties, as `verify` judges them."""

from __future__ import annotations

import shutil
from pathlib import Path

import attacks
import pytest
from pki import CA_NAME, _key, certificate, make_pki, name, write_party
from test_contract_identity import run

from contract.pdf import credentials
from contract.source.load import load

pytestmark = pytest.mark.slow  # signs PDFs with a test PKI

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), load(ROOT, "2023").parties)


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "repo"
    for name_ in ("years", "schema"):
        shutil.copytree(ROOT / name_, root / name_)
    return root


def _sign(party, data: bytes, field: str) -> bytes:
    creds = credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())
    return attacks.raw_sign(data, field, creds)


def _lock_bytes(root: Path) -> bytes:
    return (root / "years" / "2023" / "signed.lock").read_bytes()


def test_a_field_signed_with_another_partys_certificate_is_refused_and_nothing_is_recorded(
    pki, unsigned_2023_sv, root, tmp_path
):
    forged = tmp_path / "signed.pdf"
    forged.write_bytes(_sign(pki.parties["formas"], unsigned_2023_sv.read_bytes(), "vinnova"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", forged, "--trust", pki.ca_pem)
    assert code == 1 and "vinnova's signature: not this party's certificate" in out, out
    assert str(forged) in out and "Traceback" not in out
    assert _lock_bytes(root) == before


def test_a_genuine_pdf_is_recorded_and_the_parties_that_have_not_signed_are_named(
    pki, unsigned_2023_sv, root, tmp_path
):
    signed = tmp_path / "signed.pdf"
    data = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    signed.write_bytes(_sign(pki.parties["vinnova"], data, "vinnova"))
    code, out = run(root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    assert code == 0, out
    unsigned = load(ROOT, "2023").parties
    named = [p.id for p in unsigned if p.id not in ("boras-stad", "vinnova")]
    assert f"signed.pdf: not signed by {', '.join(named)}" in out
    assert "matched by name only" not in out
    assert "signed.pdf: sha256:" in _lock_bytes(root).decode()


def test_without_trust_a_genuine_pdf_is_recorded_with_a_note_that_names_matched_only(
    pki, unsigned_2023_sv, root, tmp_path
):
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    code, out = run(root, "lock", "2023", "--pdf", signed)
    assert code == 0 and "signers matched by name only (give --trust CA.pem" in out, out


def test_a_signer_outside_the_trusted_ca_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    # A certificate with Borås' exact name, issued by a CA of the attacker's own with the same name as ours.
    rogue_key = _key()
    rogue_ca = certificate(name(CA_NAME), rogue_key, name(CA_NAME), rogue_key, ca=True)
    key = _key()
    subject = pki.parties["boras-stad"].cert.subject
    cert = certificate(subject, key, rogue_ca.subject, rogue_key)
    rogue = write_party(tmp_path, "rogue", key, cert, [rogue_ca])
    forged = tmp_path / "signed.pdf"
    forged.write_bytes(_sign(rogue, unsigned_2023_sv.read_bytes(), "boras-stad"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", forged, "--trust", pki.ca_pem)
    assert code == 1 and "boras-stad's signature: the signer's certificate is not trusted" in out, out
    assert _lock_bytes(root) == before


def test_a_hidden_form_field_planted_after_signing_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    signed = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    attacked = tmp_path / "attacked.pdf"
    attacked.write_bytes(attacks.plant_text_field(signed, hidden=True, value="Borås betalar allt"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", attacked, "--trust", pki.ca_pem)
    assert code == 1 and "attacked.pdf" in out and "Traceback" not in out, out
    assert _lock_bytes(root) == before


def test_every_problem_of_every_pdf_is_named_at_once(pki, unsigned_2023_sv, draft_2024_sv, root, tmp_path):
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_sign(pki.parties["formas"], unsigned_2023_sv.read_bytes(), "vinnova"))
    other = tmp_path / "other-version.pdf"
    other.write_bytes(_sign(pki.parties["boras-stad"], draft_2024_sv.read_bytes(), "boras-stad"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", forged, "--pdf", other)
    assert code == 1, out
    assert "vinnova's signature: not this party's certificate" in out
    assert "this PDF is version 2024, not 2023" in out
    assert _lock_bytes(root) == before


def test_a_second_contract_of_a_language_already_recorded_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    first = tmp_path / "signed.pdf"
    first.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    assert run(root, "lock", "2023", "--pdf", first, "--trust", pki.ca_pem)[0] == 0
    # The same version built from another commit: another contract, signed as genuinely as the first.
    rebuilt = tmp_path / "rebuilt.pdf"
    assert run(root, "pdf", "2023", "--lang", "sv", "-o", rebuilt)[0] == 0
    second = tmp_path / "signed-again.pdf"
    second.write_bytes(_sign(pki.parties["boras-stad"], rebuilt.read_bytes(), "boras-stad"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", second, "--trust", pki.ca_pem)
    assert code == 1 and "holds another sv contract than the signed PDF recorded for version 2023" in out, out
    assert _lock_bytes(root) == before


def test_a_pdf_that_names_no_text_is_recorded_with_a_note_to_compare_it(pki, root, tmp_path):
    import dataclasses

    from contract import pdf as render
    from contract.source.provenance import Source

    # As an earlier klimatkontrakt made PDFs: no klimatkontrakt-content keyword.
    contract = dataclasses.replace(load(ROOT, "2023"), signed_content="")
    unsaid = render.render_pdf(contract, "sv", Source("abc1234", "2023-12-08", 1702029600, False))
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsaid, "boras-stad"))
    code, out = run(root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    assert code == 0, out
    assert "signed.pdf: the PDF does not name the text it was made from" in out
    assert "'klimatkontrakt verify FILE --against 2023' compares it" in out


def test_after_an_erratum_even_the_pdf_signed_before_it_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    # The text as signed is gone: nothing shows which text the PDF was made from (red team 46 forged one).
    clause = root / "years" / "2023" / "clause.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("Parterna är överens om", "Parterna är eniga om", 1))
    what = ["--what-sv", "Ett ord", "--why-sv", "Stavning", "--what-en", "A word", "--why-en", "Spelling"]
    code, out = run(root, "erratum", "2023", *what, "--section", "kontraktet", "--date", "2024-01-01")
    assert code == 0, out
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    before = _lock_bytes(root)
    code, out = run(root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    assert code == 1 and "the errata since the signing hide whether it was made from the text signed" in out, out
    assert "record the signed PDFs when the version is locked, before any erratum" in out
    assert _lock_bytes(root) == before
