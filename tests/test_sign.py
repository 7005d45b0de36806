"""Signing round trip with a CA made at test time: eight parties, tampering, clear errors."""

from __future__ import annotations

import hashlib
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from pki import make_pki
from pypdf import PdfReader, PdfWriter

from contract import pdf
from contract.cli.main import main
from contract.source.load import load

pytestmark = pytest.mark.slow  # renders and signs PDFs

ROOT = Path(__file__).resolve().parents[1]


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def parties() -> list[str]:
    return [p.id for p in load(ROOT, "2023").parties]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), load(ROOT, "2023").parties)


@pytest.fixture(scope="module")
def unsigned(unsigned_2023_sv) -> Path:
    return unsigned_2023_sv


def sign_as(pki, party: str, source: Path, target: Path, use_p12: bool = True) -> tuple[int, str, str]:
    creds = pki.parties[party]
    if use_p12:
        how = ["--p12", creds.p12, "--passphrase-file", pki.passphrase_file]
    else:
        how = ["--key", creds.key_pem, "--cert", creds.cert_pem, "--chain", pki.ca_pem]
    return run("sign", source, "--party", party, *how, "-o", target)


def sign_all(pki, order: list[str], start: Path, folder: Path) -> Path:
    current = start
    for n, party in enumerate(order):
        target = folder / f"{n}-{party}.pdf"
        code, _, err = sign_as(pki, party, current, target, use_p12=n % 2 == 0)
        assert code == 0, err
        assert pdf.metadata_disagreements(target.read_bytes()) == [], f"info and XMP disagree after {party}"
        current = target
    return current


def verify(path: Path, pki) -> tuple[int, dict]:
    code, out, _ = run("verify", path, "--trust", pki.ca_pem, "--json")
    return code, json.loads(out)


@pytest.fixture(scope="module")
def all_signed(pki, parties, unsigned, tmp_path_factory) -> Path:
    return sign_all(pki, parties, unsigned, tmp_path_factory.mktemp("signed"))


def test_all_eight_sign_in_turn_and_all_verify(all_signed, parties, pki):
    code, result = verify(all_signed, pki)
    assert code == 0 and result["ok"]
    assert [p["party"] for p in result["parties"]] == parties
    for party in result["parties"]:
        assert (party["signed"], party["valid"], party["intact"], party["trusted"]) == (True, True, True, True)
        assert party["signer"].startswith(f"Common Name: Signatory of {party['party']}, Organization")
        assert party["identity"] == "match"
        assert party["modification"] in ("NONE", "FORM_FILLING")
    assert result["parties"][-1]["coverage"] == "ENTIRE_FILE"
    assert {p["coverage"] for p in result["parties"][:-1]} == {"ENTIRE_REVISION"}
    assert result["metadata_problems"] == []


def test_each_signature_is_one_incremental_update(all_signed, unsigned, parties):
    signed = all_signed.read_bytes()
    assert signed.startswith(unsigned.read_bytes())
    assert signed.count(b"%%EOF") == unsigned.read_bytes().count(b"%%EOF") + len(parties)


def test_stamp_font_is_embedded(all_signed, tmp_path):
    import subprocess

    rows = subprocess.run(
        ["pdffonts", str(all_signed)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert all(row.split()[-5] == "yes" for row in rows)
    assert len(rows) >= 8 + 3  # a stamp font per signature, besides the document's own fonts


def test_without_trust_signatures_are_intact_but_identities_unverified(all_signed):
    code, out, _ = run("verify", all_signed)
    assert code == 3
    assert "boras-stad: signed by Common Name: Signatory of boras-stad, Organization: Borås Stad, Country: SE; " in out
    assert "identity unverified (O=Borås Stad; no --trust)" in out and "intact, trust not checked" in out
    assert out.rstrip().endswith(
        "8 of 8 parties signed; UNVERIFIED: no trust anchor given (--trust CA.pem), so nobody's identity is confirmed"
    )


def test_untrusted_ca_fails_when_trust_is_asked(all_signed, tmp_path, parties):
    other = make_pki(tmp_path / "other", ["x"])
    code, out, _ = run("verify", all_signed, "--trust", other.ca_pem)
    assert code == 1
    assert (
        "problem: the signer's certificate is not trusted: it chains to the root Common Name: Klimatkontrakt Test CA, "
        "Organization: Klimatkontrakt Test, Country: SE, which is not among the trusted certificates (--trust)"
    ) in out
    assert out.rstrip().endswith(f"8 of 8 parties signed; NOT OK: {', '.join(parties)}")


def test_parties_signing_in_another_order_all_verify(pki, parties, unsigned, tmp_path):
    # Four suffice: the last field signed first, a later signature filling a field listed before it (all_signed
    # above proves the eight in the contract's order).
    order = [parties[-1], parties[0], parties[4], parties[1]]
    signed = sign_all(pki, order, unsigned, tmp_path)
    code, result = verify(signed, pki)
    assert code == 0
    signatures = [p for p in result["parties"] if p["signed"]]
    assert [p["party"] for p in signatures] == sorted(order, key=parties.index)
    assert all(p["valid"] and p["intact"] and p["ok"] for p in signatures)


def test_partly_signed_file_verifies_and_lists_unsigned_parties(pki, unsigned, tmp_path):
    target = tmp_path / "one.pdf"
    assert sign_as(pki, "formas", unsigned, target)[0] == 0
    code, out, _ = run("verify", target, "--trust", pki.ca_pem)
    assert code == 0, out
    assert "boras-stad: not signed" in out and "vinnova: not signed" in out
    assert out.rstrip().endswith("1 of 8 parties signed; OK")


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def _stream_offset(data: bytes, start: int) -> int:
    """Return an offset inside the data of the first stream after start (flipping it keeps the PDF readable)."""
    found = re.compile(rb"(?<!end)stream\r?\n").search(data, start)
    return found.end() + 10


def test_flipped_byte_in_the_first_revision_breaks_every_signature(all_signed, parties, pki, tmp_path):
    data = all_signed.read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(_flip(data, _stream_offset(data, len(data) // 4)))
    code, out, _ = run("verify", broken, "--trust", pki.ca_pem)
    assert code == 1
    assert out.rstrip().endswith(f"8 of 8 parties signed; NOT OK: {', '.join(parties)}")
    assert out.count("problem: the signed bytes were changed after signing (digest mismatch)") == 8


def test_flipped_byte_in_the_last_revision_names_only_the_last_signer(all_signed, parties, pki, tmp_path):
    data = all_signed.read_bytes()
    last_revision = data.rindex(b"%%EOF", 0, len(data) - 10)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(_flip(data, _stream_offset(data, last_revision)))
    code, result = verify(broken, pki)
    assert code == 1
    assert [p["party"] for p in result["parties"] if not p["ok"]] == [parties[-1]]
    assert result["parties"][-1]["intact"] is False


def test_page_appended_after_signing_is_detected(all_signed, parties, tmp_path):
    writer = PdfWriter(all_signed, incremental=True)
    writer.add_blank_page()
    tampered = tmp_path / "appended.pdf"
    with tampered.open("wb") as out:
        writer.write(out)
    assert len(PdfReader(tampered).pages) == len(PdfReader(all_signed).pages) + 1
    code, out, _ = run("verify", tampered)
    assert code == 1
    assert out.count("problem: the document was changed after this signature beyond signing and sealing") == 8
    assert out.rstrip().endswith(f"NOT OK: {', '.join(parties)}")


def _untouched(path: Path):
    """Assert that a failing command left its input as it was and wrote no output."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_signing_a_field_twice_is_a_clear_error(pki, unsigned, tmp_path):
    once = tmp_path / "once.pdf"
    assert sign_as(pki, "vinnova", unsigned, once)[0] == 0
    before = _untouched(once)
    code, out, _ = sign_as(pki, "vinnova", once, tmp_path / "twice.pdf")
    assert code == 1
    assert out == (
        f"{once}: error: the field of party 'vinnova' is already signed "
        "(each party signs once; 'klimatkontrakt verify' shows who signed)\n"
    )
    assert _untouched(once) == before and not (tmp_path / "twice.pdf").exists()


def test_unknown_party_is_a_clear_error(pki, unsigned, tmp_path, parties):
    before = _untouched(unsigned)
    code, out, _ = run(
        "sign",
        unsigned,
        "--party",
        "kiruna",
        "--p12",
        pki.parties["formas"].p12,
        "--passphrase-file",
        pki.passphrase_file,
        "-o",
        tmp_path / "out.pdf",
    )
    assert code == 1
    assert (
        out
        == f"{unsigned}: error: this PDF has no signature field for party 'kiruna' (use one of: {', '.join(parties)})\n"
    )
    assert _untouched(unsigned) == before and not (tmp_path / "out.pdf").exists()


def test_key_not_matching_certificate_is_a_clear_error(pki, unsigned, tmp_path):
    code, out, _ = run(
        "sign",
        unsigned,
        "--party",
        "formas",
        "--key",
        pki.parties["vinnova"].key_pem,
        "--cert",
        pki.parties["formas"].cert_pem,
        "-o",
        tmp_path / "out.pdf",
    )
    assert code == 1
    assert out == (
        f"{pki.parties['vinnova'].key_pem}: error: the private key does not belong to the certificate of "
        "CN=Signatory of formas,organizationIdentifier=NTRSE-2021005232,O=Formas,C=SE (give the key and the certificate of the same signer)\n"
    )
    assert not (tmp_path / "out.pdf").exists()


def test_wrong_passphrase_is_a_clear_error(pki, unsigned, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n")
    code, out, _ = run(
        "sign",
        unsigned,
        "--party",
        "formas",
        "--p12",
        pki.parties["formas"].p12,
        "--passphrase-file",
        wrong,
        "-o",
        tmp_path / "out.pdf",
    )
    assert code == 1
    assert out == (
        f"{pki.parties['formas'].p12}: error: cannot open the PKCS#12 file: wrong passphrase, or it is not "
        "a PKCS#12 file (give the passphrase with --passphrase-file FILE (a file holding only the passphrase))\n"
    )
    assert not (tmp_path / "out.pdf").exists()


def test_a_pdf_that_is_not_ours_is_refused(pki, tmp_path):
    foreign = tmp_path / "foreign.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with foreign.open("wb") as out:
        writer.write(out)
    before = _untouched(foreign)
    code, out, _ = sign_as(pki, "formas", foreign, tmp_path / "out.pdf")
    assert code == 1
    assert out == (
        f"{foreign}: error: this PDF has no signature fields: it is not a contract PDF made for signing "
        "(sign the original's PDF, made by 'klimatkontrakt pdf YEAR --lang sv')\n"
    )
    assert _untouched(foreign) == before and not (tmp_path / "out.pdf").exists()
    code, out, _ = run("verify", foreign)
    assert code == 1 and "it is not a contract PDF made for signing" in out


def test_not_a_pdf_is_refused(pki, tmp_path):
    text = tmp_path / "notes.pdf"
    text.write_text("hello")
    code, out, _ = sign_as(pki, "formas", text, tmp_path / "out.pdf")
    assert code == 1
    assert out == f"{text}: error: this file is not a PDF (give the PDF made by 'klimatkontrakt pdf YEAR')\n"


def test_a_signature_field_added_after_the_pdf_was_made_is_reported(all_signed, pki, tmp_path):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from contract.pdf import credentials

    creds = credentials.load_p12("p12", pki.parties["formas"].p12.read_bytes(), b"test passphrase")
    writer = IncrementalPdfFileWriter(io.BytesIO(all_signed.read_bytes()), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="intruder")
    spec = fields.SigFieldSpec("intruder", box=(10, 10, 110, 60))
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=creds.signer(), new_field_spec=spec).sign_pdf(writer, output=out)
    tampered = tmp_path / "intruder.pdf"
    tampered.write_bytes(out.getvalue())
    code, result = verify(tampered, pki)
    assert code == 1
    assert "intruder" not in [p["party"] for p in result["parties"]]
    assert "signature field 'intruder' is no party's, yet it is signed" in result["structure_problems"]
    assert result["verdict"] == "NOT OK"
