"""Signing with a key on a token (PKCS#11), as agency signatories do with card-based e-identities.

The token is SoftHSM2 from Debian, made in a temporary folder: its configuration points there, the
key is imported with softhsm2-util and the certificate with python-pkcs11.
"""

from __future__ import annotations

import io
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pki import make_pki

from contract.cli.main import main
from contract.source.load import load

pytestmark = pytest.mark.slow  # renders and signs a PDF

ROOT = Path(__file__).resolve().parents[1]
LIB = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, PIN = "kk-card", "5678"


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *map(str, argv)])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """A SoftHSM2 token holding Vinnova's test key and certificate under the label 'vinnova'."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    pki = make_pki(folder / "pki", load(ROOT, "2023").parties)
    party = pki.parties["vinnova"]
    util = ["softhsm2-util"]
    subprocess.run(
        [*util, "--init-token", "--free", "--label", TOKEN, "--so-pin", "1234", "--pin", PIN],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*util, "--import", str(party.key_pem), "--token", TOKEN, "--label", "vinnova", "--id", "01", "--pin", PIN],
        check=True,
        capture_output=True,
    )
    _import_certificate(party.cert)
    (folder / "pin.txt").write_text(PIN + "\n")
    yield folder, pki
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def _import_certificate(cert) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(LIB).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "vinnova",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )


@pytest.fixture(scope="module")
def unsigned(unsigned_2023_sv) -> Path:
    return unsigned_2023_sv


def test_sign_with_a_key_on_a_token_and_verify(token, unsigned, tmp_path):
    folder, pki = token
    target = tmp_path / "signed.pdf"
    code, out = run(
        "sign",
        unsigned,
        "--party",
        "vinnova",
        "--pkcs11-lib",
        LIB,
        "--token-label",
        TOKEN,
        "--key-label",
        "vinnova",
        "--pin-file",
        folder / "pin.txt",
        "-o",
        target,
    )
    assert code == 0, out
    assert "signed the field of vinnova as CN=Signatory of vinnova" in out
    code, out = run("verify", target, "--trust", pki.ca_pem)
    assert code == 0, out
    assert "vinnova: signed by Common Name: Signatory of vinnova" in out and "identity matches" in out


def test_token_key_refused_for_another_party(token, unsigned, tmp_path):
    folder, _ = token
    code, out = run(
        "sign",
        unsigned,
        "--party",
        "formas",
        "--pkcs11-lib",
        LIB,
        "--token-label",
        TOKEN,
        "--key-label",
        "vinnova",
        "--pin-file",
        folder / "pin.txt",
        "-o",
        tmp_path / "o.pdf",
    )
    assert code == 1 and "this certificate is not 'formas''s: O must be 'Formas'" in out
    assert not (tmp_path / "o.pdf").exists()


def test_wrong_pin_and_wrong_label_are_clear_errors(token, unsigned, tmp_path):
    folder, _ = token
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("0000\n")
    code, out = run(
        "sign",
        unsigned,
        "--party",
        "vinnova",
        "--pkcs11-lib",
        LIB,
        "--token-label",
        TOKEN,
        "--key-label",
        "vinnova",
        "--pin-file",
        wrong,
        "-o",
        tmp_path / "o.pdf",
    )
    assert code == 1 and "the PIN is wrong" in out, out
    code, out = run(
        "sign",
        unsigned,
        "--party",
        "vinnova",
        "--pkcs11-lib",
        LIB,
        "--token-label",
        TOKEN,
        "--key-label",
        "nobody",
        "--pin-file",
        folder / "pin.txt",
        "-o",
        tmp_path / "o.pdf",
    )
    assert code == 1 and "cannot use key 'nobody'" in out, out
    assert not (tmp_path / "o.pdf").exists()


def test_pkcs11_without_labels_is_a_usage_error(unsigned, tmp_path):
    code, out = run("sign", unsigned, "--party", "vinnova", "--pkcs11-lib", LIB, "-o", tmp_path / "o.pdf")
    assert code == 2 and "with --pkcs11-lib give --token-label L and --key-label K" in out
