"""The attack corpus of issue #11: each attack, its expected verdict and exit code, and pyHanko's own verdict.

pyHanko's `pyhanko sign validate` judges each signature's bytes and the kind of later change; it
does not know which party owns which field, which fields the contract allows, or what the contract
says. Several attacks therefore pass pyHanko (and poppler-based viewers) while `klimatkontrakt
verify` rejects them: the column `pyhanko_accepts` records that, so a change on either side shows.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import attacks
import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from pki import NOW, issue, make_pki
from pyhanko_cli import pyhanko

from contract import pdf
from contract.cli.main import main
from contract.pdf import credentials
from contract.pdf.compile import compile_typst
from contract.pdf.identity import seed_value
from contract.pdf.signature_fields import add_signature_fields
from contract.source.load import load
from contract.source.provenance import Source

pytestmark = pytest.mark.slow  # renders, signs and validates PDFs

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Source(commit="abc1234", date="2023-12-08", timestamp=1702029600, dirty=False)


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *map(str, argv)])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), load(ROOT, "2023").parties)


@pytest.fixture(scope="module")
def unsigned(unsigned_2023_sv) -> bytes:
    return unsigned_2023_sv.read_bytes()


@pytest.fixture(scope="module")
def vinnova_signed(pki, unsigned) -> bytes:
    """The contract signed by Vinnova alone, with pyHanko directly: where attacks on one genuine signature start."""
    return attacks.raw_sign(unsigned, "vinnova", creds(pki, "vinnova"))


def creds(pki, party: str) -> credentials.Credentials:
    """A party's key and certificate, read once per PKI (reading an RSA key checks it, which is slow)."""
    return _read_creds(pki.parties[party].key_pem, pki.parties[party].cert_pem)


@functools.cache
def _read_creds(key_pem: Path, cert_pem: Path) -> credentials.Credentials:
    return credentials.load_pem("k", key_pem.read_bytes(), "c", cert_pem.read_bytes())


def pyhanko_accepts(path: Path, ca: Path) -> bool:
    """Return whether pyHanko's own validator calls every signature in the file valid and trusted."""
    code, _ = pyhanko("sign", "validate", "--no-revocation-check", "--trust", ca, path)
    return code == 0


@dataclass
class Attack:
    name: str
    build: Callable  # (pki, unsigned bytes) -> attacked bytes
    exit_code: int
    says: str  # a line fragment `klimatkontrakt verify --trust CA` must print
    pyhanko_accepts: bool | None  # None: not cross-checked (pyHanko validates one field at a time)


def _wrong_party(pki, data):
    return attacks.raw_sign(data, "trafikverket", creds(pki, "vinnova"))


def _hide_and_replace(pki, data):
    planted = attacks.plant_text_field(data, hidden=True)
    signed = attacks.raw_sign(
        attacks.raw_sign(planted, "boras-stad", creds(pki, "boras-stad")), "vinnova", creds(pki, "vinnova")
    )
    return attacks.reveal_and_fill(signed, "AMENDED: Vinnova shall pay 100 MSEK")


def _hide(pki, data):
    planted = attacks.plant_annotation(data, hidden=True)
    signed = attacks.raw_sign(planted, "vinnova", creds(pki, "vinnova"))
    return attacks.reveal_and_fill(signed, "")


def _replace(pki, data):
    planted = attacks.plant_text_field(data, hidden=False, value="Vinnova pays 0 SEK")
    signed = attacks.raw_sign(planted, "vinnova", creds(pki, "vinnova"))
    return attacks.reveal_and_fill(signed, "Vinnova shall pay 100 MSEK")


def _removed_field(pki, data):
    cut = attacks.remove_field(data, "formas")
    return attacks.raw_sign(cut, "vinnova", creds(pki, "vinnova"))


def _metadata_rewrite(pki, data):
    signed = attacks.raw_sign(data, "vinnova", creds(pki, "vinnova"))
    return attacks.rewrite_metadata(
        signed, "Klimatkontrakt 2099", "klimatkontrakt-version:2099, klimatkontrakt-status:void"
    )


def _forged_contract(pki, data):
    """A Typst PDF with invented text, the right keywords and the parties' fields, signed by a real party."""
    contract = load(ROOT, "2023")
    keywords = ", ".join(
        f'"{k}"'
        for k in [
            "Klimatkontrakt 2030",
            "klimatkontrakt-version:2023",
            "klimatkontrakt-status:signed",
            "klimatkontrakt-lang:sv",
            f"klimatkontrakt-commit:{SOURCE.label}",
            "klimatkontrakt-parties:" + ";".join(p.id for p in contract.parties),
        ]
    )
    source = (
        f'#set document(title: "Klimatkontrakt 2030", keywords: ({keywords},))\n#set text(lang: "sv")\n'
        "Vinnova ska betala 100 MSEK till Borås Stad.\n"
    )
    forged = compile_typst(source, SOURCE.timestamp)
    boxes = [
        pdf.SignatureBox(p.id, 0, (50.0, 50.0 + 40 * i, 250.0, 80.0 + 40 * i)) for i, p in enumerate(contract.parties)
    ]
    seeds = {p.id: seed_value(p.certificate_subject) for p in contract.parties}
    return attacks.raw_sign(add_signature_fields(forged, boxes, {}, seeds), "vinnova", creds(pki, "vinnova"))


def _self_signed(pki, data):
    from pki import _key, certificate, name, write_party

    key = _key()
    subject = name(
        {"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": "Signatory of Vinnova"}
    )
    cert = certificate(subject, key, subject, key)
    party = write_party(pki.folder, "selfsigned", key, cert, [])
    return attacks.raw_sign(
        data, "vinnova", credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())
    )


def _intruder_field(pki, data):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="intruder")
    signers.PdfSigner(
        meta,
        signer=creds(pki, "vinnova").signer(),
        new_field_spec=fields.SigFieldSpec("intruder", box=(10, 10, 110, 60)),
    ).sign_pdf(writer, output=out)
    return out.getvalue()


ATTACKS = [
    Attack(
        "wrong-party",
        _wrong_party,
        1,
        "not this party's certificate: O must be 'Trafikverket', the certificate has 'Vinnova'",
        True,
    ),
    Attack("shadow-hide-and-replace", _hide_and_replace, 1, "a contract PDF has signature fields only", None),
    Attack("shadow-hide", _hide, 1, "page 1 has an annotation (/FreeText) that the contract did not have", False),
    Attack("shadow-replace", _replace, 1, "has a form field 'overlay' of type /Tx", True),
    Attack(
        "removed-field",
        _removed_field,
        1,
        "the signature field of party 'formas' was removed after the contract was made",
        True,
    ),
    Attack(
        "metadata-rewrite", _metadata_rewrite, 1, "the document metadata (title, keywords, XMP) was rewritten", True
    ),
    Attack("self-signed-vinnova", _self_signed, 1, "which is not among the trusted certificates", False),
    Attack("intruder-field", _intruder_field, 1, "signature field 'intruder' is no party's, yet it is signed", True),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_rejected(attack, pki, unsigned, tmp_path):
    target = tmp_path / f"{attack.name}.pdf"
    target.write_bytes(attack.build(pki, unsigned))
    code, out = run("verify", target, "--trust", pki.ca_pem)
    assert code == attack.exit_code, out
    assert attack.says in out
    assert "NOT OK" in out.splitlines()[-1]
    as_json = json.loads(run("verify", target, "--trust", pki.ca_pem, "--json")[1])
    assert as_json["verdict"] == "NOT OK" and as_json["exit_code"] == attack.exit_code
    if attack.pyhanko_accepts is not None:
        assert pyhanko_accepts(target, pki.ca_pem) is attack.pyhanko_accepts


def test_metadata_rewrite_does_not_change_what_verify_reads(pki, unsigned, tmp_path):
    target = tmp_path / "rewritten.pdf"
    target.write_bytes(_metadata_rewrite(pki, unsigned))
    _code, out = run("verify", target, "--trust", pki.ca_pem)
    assert out.startswith("contract: version 2023 (sv), status signed")
    assert "2099" not in out.splitlines()[0]


def test_forged_contract_passes_structure_but_not_against_the_repository(pki, unsigned, tmp_path):
    target = tmp_path / "forged.pdf"
    target.write_bytes(_forged_contract(pki, unsigned))
    code, out = run("verify", target, "--trust", pki.ca_pem, "--against", "2023")
    assert code == 1
    assert (
        "contract text: DIFFERS from the PDF rebuilt from the repository (version 2023, sv): first difference at byte"
        in out
    )
    assert out.rstrip().endswith("NOT OK: the contract text")


def test_self_signed_identity_without_trust_is_unverified_not_ok(pki, unsigned, tmp_path):
    target = tmp_path / "selfsigned.pdf"
    target.write_bytes(_self_signed(pki, unsigned))
    code, out = run("verify", target)
    assert code == 3
    assert "identity unverified" in out and out.rstrip().endswith("so nobody's identity is confirmed")


def test_sign_refuses_every_attacked_pdf(pki, unsigned, tmp_path):
    for build in (
        lambda d: attacks.plant_text_field(d, hidden=True),
        lambda d: attacks.plant_annotation(d, hidden=True),
        lambda d: attacks.remove_field(d, "formas"),
    ):
        source = tmp_path / "attacked.pdf"
        source.write_bytes(build(unsigned))
        p = pki.parties["vinnova"]
        code, out = run(
            "sign", source, "--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "out.pdf"
        )
        assert (
            code == 1 and "revision(s) were added" not in out
        )  # nothing is signed yet: the planted update itself is refused
        assert "form field" in out or "annotation" in out or "was removed" in out, out
        assert not (tmp_path / "out.pdf").exists()


def test_sign_refuses_another_partys_certificate(pki, unsigned, tmp_path):
    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    p = pki.parties["vinnova"]
    code, out = run(
        "sign", source, "--party", "trafikverket", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "o.pdf"
    )
    assert code == 1
    assert "this certificate is not 'trafikverket''s: O must be 'Trafikverket', the certificate has 'Vinnova'" in out
    assert not (tmp_path / "o.pdf").exists()


def test_sign_refuses_a_draft_and_a_translation(pki, draft_2024_sv, tmp_path):
    draft = draft_2024_sv
    p = pki.parties["vinnova"]
    code, out = run(
        "sign", draft, "--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "o.pdf"
    )
    assert code == 1 and "this is the draft of version 2024: drafts are not signed" in out
    signed_draft = tmp_path / "signed-draft.pdf"
    signed_draft.write_bytes(attacks.raw_sign(draft.read_bytes(), "vinnova", creds(pki, "vinnova")))
    code, out = run("verify", signed_draft, "--trust", pki.ca_pem)
    assert code == 1 and "this is the draft of version 2024, yet it carries signatures" in out
    english = tmp_path / "en.pdf"
    english.write_bytes(pdf.render_pdf(load(ROOT, "2023"), "en", SOURCE))
    code, out = run(
        "sign", english, "--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "o.pdf"
    )
    assert code == 1 and "this PDF has no signature fields" in out


BAD_CERTIFICATES = {
    "expired": (
        {"not_before": NOW - datetime.timedelta(days=60), "not_after": NOW - datetime.timedelta(days=1)},
        "the certificate expired on",
    ),
    "not-yet-valid": ({"not_before": NOW + datetime.timedelta(days=2)}, "the certificate is not valid yet"),
    "ca": ({"ca": True}, "it is a CA certificate"),
    "key-agreement-only": (
        {"usage": {"digital_signature": False, "content_commitment": False, "key_agreement": True}},
        "its key usage does not allow signing (it allows only key agreement)",
    ),
    "server-auth-only": (
        {"eku": [ExtendedKeyUsageOID.SERVER_AUTH]},
        "its extended key usage (serverAuth) does not include document signing",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_CERTIFICATES))
def test_sign_refuses_a_certificate_that_may_not_sign(kind, pki, unsigned, tmp_path):
    options, says = BAD_CERTIFICATES[kind]
    bad = issue(
        pki,
        f"bad-{kind}",
        {"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": kind},
        **options,
    )
    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    code, out = run(
        "sign", source, "--party", "vinnova", "--key", bad.key_pem, "--cert", bad.cert_pem, "-o", tmp_path / "o.pdf"
    )
    assert code == 1 and f"error: this certificate may not sign: {says}" in out, out
    assert not (tmp_path / "o.pdf").exists()


def test_expired_signer_names_expiry_and_missing_intermediate_is_named(pki, unsigned, vinnova_signed, tmp_path):
    signed = tmp_path / "s.pdf"
    signed.write_bytes(vinnova_signed)
    later = (NOW + datetime.timedelta(days=90)).isoformat()
    code, out = run("verify", signed, "--trust", pki.ca_pem, "--at", later)
    assert code == 1 and "NOT TRUSTED (the certificate expired on" in out
    # A signer under an intermediate CA whose certificate is not in the file.
    from pki import _key, certificate, name, write_party

    interm_key = _key()
    interm = certificate(name({"C": "SE", "CN": "Intermediate"}), interm_key, pki.ca_cert.subject, pki.ca_key, ca=True)
    leaf_key = _key()
    leaf = certificate(
        name({"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": "x"}),
        leaf_key,
        interm.subject,
        interm_key,
    )
    party = write_party(pki.folder, "leaf", leaf_key, leaf, [])
    chained = tmp_path / "chained.pdf"
    chained.write_bytes(
        attacks.raw_sign(
            unsigned, "vinnova", credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())
        )
    )
    code, out = run("verify", chained, "--trust", pki.ca_pem)
    assert code == 1 and "its issuer's certificate (Common Name: Intermediate, Country: SE) is missing" in out


def test_stamp_font_never_comes_from_the_temp_folder(pki, unsigned, tmp_path, monkeypatch):
    import tempfile

    planted = Path(tempfile.gettempdir())
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None
    try:
        (tmp_path / "klimatkontrakt-stamp-0000000000000000.ttf").write_bytes(b"not a font")
        source = tmp_path / "c.pdf"
        source.write_bytes(unsigned)
        p = pki.parties["vinnova"]
        code, out = run(
            "sign", source, "--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "o.pdf"
        )
        assert code == 0, out
        assert sorted(f.name for f in tmp_path.iterdir()) == [
            "c.pdf",
            "klimatkontrakt-stamp-0000000000000000.ttf",
            "o.pdf",
        ]
    finally:
        tempfile.tempdir = None
    assert planted.exists()


def test_odd_files_and_arguments_get_clear_answers(pki, vinnova_signed, tmp_path):
    signed = vinnova_signed
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(signed + b"garbage\n")
    code, out = run("verify", appended, "--trust", pki.ca_pem)
    assert code == 1 and "problem: bytes were appended after the file's last revision" in out
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(signed[: len(signed) // 2])
    code, out = run("verify", truncated)
    assert code == 1 and out.startswith(f"{truncated}: error: this PDF cannot be read")
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    code, out = run("verify", good, "--trust", good)
    assert (
        code == 1
        and out == f"{good}: error: not an X.509 certificate (PEM or DER) (give a certificate file (PEM or DER) here)\n"
    )
    code, out = run("verify", good, "--at", "yesterday")
    assert code == 2 and "--at 'yesterday' is not an ISO date and time" in out


def test_signature_carries_reason_and_location_from_the_contract_data(pki, unsigned, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    p = pki.parties["vinnova"]
    code, out = run(
        "sign", source, "--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem, "-o", tmp_path / "s.pdf"
    )
    assert code == 0, out
    sig = PdfFileReader(io.BytesIO((tmp_path / "s.pdf").read_bytes()), strict=False).embedded_signatures[0]
    assert str(sig.sig_object["/Reason"]) == "Vinnova undertecknar Klimatkontrakt 2030 – VERSION 2023"
    assert str(sig.sig_object["/Location"]) == "Borås Stad"


def test_a_backdated_timestamp_from_an_untrusted_service_is_refused(pki, unsigned, tmp_path):
    """An expired signer cannot pass by bringing its own time-stamping service and a time of its choosing."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pki import _key, certificate, name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    expired = issue(
        pki,
        "expired-signer",
        {"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": "x"},
        not_before=NOW - datetime.timedelta(days=60),
        not_after=NOW - datetime.timedelta(days=1),
    )
    tsa_key = _key()
    tsa_name = name({"C": "SE", "CN": "Our own TSA"})
    tsa = certificate(tsa_name, tsa_key, tsa_name, tsa_key, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        asn1_x509.Certificate.load(tsa.public_bytes(der)),
        asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        fixed_dt=NOW - datetime.timedelta(days=30),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="vinnova", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signer = credentials.load_pem("k", expired.key_pem.read_bytes(), "c", expired.cert_pem.read_bytes()).signer()
    signers.PdfSigner(meta, signer=signer, timestamper=stamper).sign_pdf(writer, output=out)
    target = tmp_path / "backdated.pdf"
    target.write_bytes(out.getvalue())
    code, text = run("verify", target, "--trust", pki.ca_pem)
    assert code == 1
    assert "the signature's timestamp is not from a trusted time-stamping service" in text
    assert "(signer's claim)" in text  # the untrusted timestamp is not taken as the time
