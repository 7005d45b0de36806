"""A test PKI with real services on 127.0.0.1: RFC 3161 time stamping, OCSP and CRLs (certomancer).

Keys are made at test time; certomancer issues the certificates from a configuration written here
and its WSGI "animator" answers time-stamp, OCSP and CRL requests over HTTP on a port bound to 0.
Each party's certificate carries the subject its contract.yaml requires. Two extra signers test
revocation: one revoked before the tests run, one revoked 10 days from now.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
SERVICE_NAMES = ["root", "interm", "ocsp", "tsa"]


@dataclass
class Services:
    """The running services, where the signers' files are, and how to stop it all."""

    url: str
    tsa_url: str
    root_pem: Path
    folder: Path
    signers: dict[str, tuple[Path, Path]]  # label -> (key PEM, certificate PEM)
    chain_pem: Path  # the intermediate CA certificate
    server: object

    def stop(self) -> None:
        self.server.shutdown()


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _write_key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _ku(*usages: str) -> dict:
    return {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": list(usages)}}


def _signer_cert(extra: dict | None = None) -> dict:
    cert = {
        "issuer": "interm",
        "validity": {
            "valid-from": _iso(NOW - datetime.timedelta(days=1)),
            "valid-to": _iso(NOW + datetime.timedelta(days=30)),
        },
        "extensions": [
            _ku("digital_signature", "non_repudiation"),
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
            },
            {
                "id": "authority_information_access",
                "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}},
            },
        ],
    }
    cert.update(extra or {})
    return cert


def config(url: str, keydir: Path, parties: dict[str, dict[str, str]]) -> dict:
    """Return the certomancer configuration: root, intermediate, OCSP responder, TSA, one signer per label."""
    long = {"valid-from": "2000-01-01T00:00:00+0000", "valid-to": "2100-01-01T00:00:00+0000"}
    entities = {
        "root": {"common-name": "KK Test Root"},
        "interm": {"common-name": "KK Test Intermediate"},
        "ocsp": {"common-name": "KK Test OCSP"},
        "tsa": {"common-name": "KK Test TSA"},
    }
    certs: dict = {
        "root": {
            "subject": "root",
            "subject-key": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": long,
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                _ku("digital_signature", "key_cert_sign", "crl_sign"),
            ],
        },
        "interm": {
            "issuer": "root",
            "validity": long,
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True, "path-len-constraint": 0}},
                _ku("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "ocsp": {
            "issuer": "interm",
            "validity": long,
            "extensions": [
                _ku("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": long,
            "extensions": [
                _ku("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
    }
    for label, subject in parties.items():
        entities[label] = {"country-name": "SE", "common-name": f"Signatory of {label}", **_entity(subject)}
        revocation = subject.get("_revoked")
        certs[label] = _signer_cert(
            {"revocation": {"revoked-since": _iso(revocation), "reason": "key_compromise"}} if revocation else None
        )
    keys = {name: {"path": f"{name}.key.pem"} for name in [*SERVICE_NAMES, *parties]}
    return {
        "external-url-prefix": url,
        "keysets": {"kk": {"path-prefix": str(keydir), "keys": keys}},
        "pki-architectures": {
            "kk": {
                "keyset": "kk",
                "entity-defaults": {"country-name": "SE", "organization-name": "Klimatkontrakt Test PKI"},
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P90D"},
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


def _entity(subject: dict[str, str]) -> dict[str, str]:
    names = {"O": "organization-name", "organizationIdentifier": "organization-identifier", "C": "country-name"}
    return {names[k]: v for k, v in subject.items() if k in names}


def start(folder: Path, parties: dict[str, dict[str, str]]) -> Services:
    """Start the services on 127.0.0.1 (port 0) and write each signer's key and certificate chain."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig

    keydir = folder / "keys"
    keydir.mkdir(parents=True, exist_ok=True)
    for name in [*SERVICE_NAMES, *parties]:
        _write_key(keydir / f"{name}.key.pem")
    server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    arch = CertomancerConfig(config(url, keydir, parties), key_search_dir=str(folder)).get_pki_arch("kk")
    server.app = Animator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root_pem = folder / "root.pem"
    root_pem.write_bytes(_pem(arch.get_cert("root")))
    chain_pem = folder / "interm.pem"
    chain_pem.write_bytes(_pem(arch.get_cert("interm")))
    signers = {}
    for label in parties:
        cert_pem = folder / f"{label}.cert.pem"
        cert_pem.write_bytes(_pem(arch.get_cert(label)))
        signers[label] = (keydir / f"{label}.key.pem", cert_pem)
    return Services(url, f"{url}/kk/tsa/tsa", root_pem, folder, signers, chain_pem, server)


def _pem(cert) -> bytes:
    from cryptography import x509

    return x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)
