"""Time and archive: signature timestamps (PAdES B-T), the seal (B-LTA), and verification years later.

Real services on 127.0.0.1 (certomancer): an RFC 3161 time-stamping service, an OCSP responder and
CRLs. "Years later" is time travel in validation (`verify --at`), never waiting.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pki_services
import pytest
from pyhanko_cli import pyhanko

from contract.cli.main import main
from contract.source.load import load

pytestmark = pytest.mark.slow  # a PKI with services, eight signatures with timestamps

ROOT = Path(__file__).resolve().parents[1]
LATER = (pki_services.NOW + datetime.timedelta(days=60)).isoformat()  # every signer's certificate has expired


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *map(str, argv)])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the services' request log
    parties = {p.id: dict(p.certificate_subject) for p in load(ROOT, "2023").parties}
    # Vinnova's certificate is revoked ten days from now: after it signed, before anyone verifies "later".
    parties["vinnova"]["_revoked"] = pki_services.NOW + datetime.timedelta(days=10)
    parties["revoked-signer"] = {
        "O": "Formas",
        "organizationIdentifier": "NTRSE-2021005232",
        "_revoked": pki_services.NOW - datetime.timedelta(hours=1),
    }
    running = pki_services.start(tmp_path_factory.mktemp("services"), parties)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def unsigned(unsigned_2023_sv) -> Path:
    return unsigned_2023_sv


def sign(services, source: Path, party: str, target: Path, label: str | None = None, tsa: bool = True) -> None:
    key, cert = services.signers[label or party]
    extra = ["--tsa", services.tsa_url] if tsa else []
    code, out = run(
        "sign",
        source,
        "--party",
        party,
        "--key",
        key,
        "--cert",
        cert,
        "--chain",
        services.chain_pem,
        *extra,
        "-o",
        target,
    )
    assert code == 0, out


@pytest.fixture(scope="module")
def all_signed(services, unsigned, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    current = unsigned
    for n, party in enumerate(p.id for p in load(ROOT, "2023").parties):
        target = folder / f"{n}-{party}.pdf"
        sign(services, current, party, target)
        current = target
    return current


@pytest.fixture(scope="module")
def sealed(services, all_signed, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("sealed") / "sealed.pdf"
    code, out = run("seal", all_signed, "--tsa", services.tsa_url, "--trust", services.root_pem, "-o", target)
    assert code == 0, out
    return target


def test_timestamped_signatures_verify_with_the_timestamp_as_time_source(services, all_signed):
    code, out = run("verify", all_signed, "--trust", services.root_pem, "--json")
    result = json.loads(out)
    assert code == 0 and result["verdict"] == "OK"
    assert {p["time_source"] for p in result["parties"]} == {"timestamp"}


def test_sealed_file_carries_validation_data_and_a_document_timestamp(services, sealed):
    code, out = run("verify", sealed, "--trust", services.root_pem, "--json")
    result = json.loads(out)
    assert code == 0, (result["structure_problems"], result["seal"], result["metadata_problems"])
    assert result["seal"]["sealed"] is True and len(result["seal"]["timestamps"]) == 1
    assert result["seal"]["validation_data"]["ocsp"] >= 1 and result["seal"]["validation_data"]["crls"] >= 1
    assert all(p["modification"] in ("NONE", "FORM_FILLING", "LTA_UPDATES") for p in result["parties"])


def test_sealed_file_verifies_after_expiry_and_revocation(services, sealed):
    code, out = run("verify", sealed, "--trust", services.root_pem, "--at", LATER)
    assert code == 0, out
    assert out.rstrip().endswith("8 of 8 parties signed; OK")
    assert "seal: document timestamp" in out


def test_without_a_timestamp_an_expired_signer_fails_with_the_real_reason(services, unsigned, tmp_path):
    target = tmp_path / "bb.pdf"
    sign(services, unsigned, "formas", target, tsa=False)
    code, out = run("verify", target, "--trust", services.root_pem, "--at", LATER)
    assert code == 1 and "NOT TRUSTED (the certificate expired on" in out


def test_a_revoked_signer_is_named_as_revoked(services, unsigned, tmp_path):
    target = tmp_path / "revoked.pdf"
    sign(services, unsigned, "formas", target, label="revoked-signer", tsa=False)
    code, out = run("verify", target, "--trust", services.root_pem, "--fetch")
    assert code == 1 and "NOT TRUSTED (the certificate was revoked on" in out


def test_seal_waits_for_every_party(services, unsigned, tmp_path):
    one = tmp_path / "one.pdf"
    sign(services, unsigned, "formas", one)
    code, out = run("seal", one, "--tsa", services.tsa_url, "-o", tmp_path / "sealed.pdf")
    assert code == 1 and "not every party has signed yet: boras-stad, energimyndigheten, vinnova" in out
    assert not (tmp_path / "sealed.pdf").exists()


def test_pyhanko_agrees_the_sealed_file_is_valid(services, sealed):
    code, out = pyhanko(
        "sign", "validate", "--trust", services.root_pem, "--trust-replace", "--no-revocation-check", sealed
    )
    assert code == 0, out
