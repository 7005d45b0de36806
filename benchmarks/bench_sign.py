"""Time signing and archiving: sign with a key file, on a PKCS#11 token, with a timestamp; seal; verify 8 signatures.

Uses the same test PKI and local services as the tests (certomancer on 127.0.0.1, SoftHSM2).
Run: python benchmarks/bench_sign.py
"""

from __future__ import annotations

import datetime
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PKI and services the tests use

import pki_services
from pki import make_pki

from contract import pdf
from contract.pdf import credentials, seal, sign, verify
from contract.source import provenance
from contract.source.load import load

LIB = "/usr/lib/softhsm/libsofthsm2.so"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_timed(fn) -> tuple[float, float]:
    """Return the wall and CPU seconds fn took (CPU time says more when other work shares the cores)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def verify_line(what: str, fn, runs: int = 5) -> None:
    walls, cpus = zip(*(cpu_timed(fn) for _ in range(runs)), strict=True)
    print(
        f"{what}: CPU median {statistics.median(cpus):.2f} s, min {min(cpus):.2f} s; "
        f"wall median {statistics.median(walls):.2f} s ({runs} runs)"
    )


def line(what: str, times: list[float]) -> None:
    print(
        f"{what}: median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s ({len(times)} runs)"
    )


def sign_all(unsigned: bytes, parties, creds_of, tsa: str | None = None) -> tuple[bytes, list[float]]:
    data, times = unsigned, []
    for party in parties:
        seconds, data = timed(lambda d=data, pid=party.id: sign.sign("bench", d, pid, creds_of(pid), tsa_url=tsa))
        times.append(seconds)
    return data, times


def pkcs11_times(folder: Path, unsigned: bytes, key_pem: Path, cert) -> list[float]:
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    util = "softhsm2-util"
    subprocess.run(
        [util, "--init-token", "--free", "--label", "bench", "--so-pin", "1234", "--pin", "5678"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [util, "--import", str(key_pem), "--token", "bench", "--label", "vinnova", "--id", "01", "--pin", "5678"],
        check=True,
        capture_output=True,
    )
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, CertificateType, ObjectClass

    with pkcs11.lib(LIB).get_token(token_label="bench").open(rw=True, user_pin="5678") as session:
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
    times = []
    for _ in range(5):

        def once():
            creds = credentials.load_pkcs11(LIB, "bench", "vinnova", b"5678")
            try:
                return sign.sign("bench", unsigned, "vinnova", creds)
            finally:
                creds.close()

        times.append(timed(once)[0])
    return times


@contextmanager
def mapping(how: str):
    """Map the signed revisions as verify does ("ours"), each in a full walk ("full", before a later revision
    repeated the earlier one's walk), or not at all, leaving it to pyHanko ("pyhanko", before the adapter)."""
    mapped = verify.preload_reverse_xref_caches
    if how == "full":
        verify.preload_reverse_xref_caches = lambda reader, revisions: [mapped(reader, [r]) for r in revisions]
    elif how == "pyhanko":
        verify.preload_reverse_xref_caches = lambda reader, revisions: None
    try:
        yield
    finally:
        verify.preload_reverse_xref_caches = mapped


def verify_lines(what: str, data: bytes, roots, moment=None) -> None:
    verify.verify("bench", data, roots, moment=moment)  # imports and first-call caches out of the figures
    for how, says in (
        ("ours", ""),
        ("full", ", each signed revision walked in full"),
        ("pyhanko", ", each signed revision mapped by pyHanko itself"),
    ):
        with mapping(how):
            verify_line(what + says, lambda: verify.verify("bench", data, roots, moment=moment))


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    contract = load(ROOT, "2023")
    unsigned = pdf.render_pdf(contract, "sv", provenance.source(ROOT, "2023"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pki = make_pki(folder / "pki", contract.parties)

        def key_file(pid):
            return credentials.load_pem(
                "k", pki.parties[pid].key_pem.read_bytes(), "c", pki.parties[pid].cert_pem.read_bytes()
            )

        signed, times = sign_all(unsigned, contract.parties, key_file)
        line("sign, key file (PAdES B-B), each of 8 parties in turn", times)
        verify_lines("verify 8 signatures (structure, identity, trust, modification analysis)", signed, [pki.ca_cert])
        line(
            "sign, PKCS#11 key on SoftHSM2 (B-B)",
            pkcs11_times(folder, unsigned, pki.parties["vinnova"].key_pem, pki.parties["vinnova"].cert),
        )
        services = pki_services.start(
            folder / "services", {p.id: dict(p.certificate_subject) for p in contract.parties}
        )
        try:

            def with_chain(pid):
                key, cert = services.signers[pid]
                return credentials.load_pem(
                    "k", key.read_bytes(), "c", cert.read_bytes(), services.chain_pem.read_bytes()
                )

            stamped, times = sign_all(unsigned, contract.parties, with_chain, services.tsa_url)
            line("sign with an RFC 3161 timestamp (PAdES B-T, local TSA), each of 8 parties", times)
            root = credentials.load_certificates("root", services.root_pem.read_bytes())
            seal_times = []
            for _ in range(3):
                seconds, sealed = timed(lambda: seal.seal("bench", stamped, services.tsa_url, root))
                seal_times.append(seconds)
            line("seal (validation data for 8 signers via local OCSP/CRL + document timestamp)", seal_times)
            later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=60)
            verify_lines("verify the sealed file 60 days later (8 signatures at their timestamps)", sealed, root, later)
        finally:
            services.stop()


if __name__ == "__main__":
    main()
