"""A throwaway PKI made at test time: one CA and a signing certificate per party (never committed).

Each party's certificate carries the subject its contract.yaml requires (O, organizationIdentifier),
so the signatures match their parties. `issue` makes odd certificates for the attack tests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = b"test passphrase"
NOW = datetime.datetime.now(datetime.UTC)
_OIDS = {
    "O": NameOID.ORGANIZATION_NAME,
    "organizationIdentifier": x509.ObjectIdentifier("2.5.4.97"),
    "C": NameOID.COUNTRY_NAME,
    "CN": NameOID.COMMON_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
}


@dataclass(frozen=True)
class Party:
    """One party's test credentials, also written to files for the command line."""

    id: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    p12: Path
    key_pem: Path
    cert_pem: Path


@dataclass(frozen=True)
class Pki:
    ca_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate
    ca_pem: Path
    parties: dict[str, Party]
    passphrase_file: Path
    folder: Path


def name(attributes: dict[str, str]) -> x509.Name:
    """Return an X.509 name from short attribute names."""
    return x509.Name([x509.NameAttribute(_OIDS[k], v) for k, v in attributes.items()])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(
    subject: x509.Name,
    key,
    issuer: x509.Name,
    issuer_key,
    ca: bool = False,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    usage: dict | None = None,
    eku: list | None = None,
) -> x509.Certificate:
    """Return a certificate; by default a signing certificate valid from yesterday for 30 days."""
    flags = {
        "digital_signature": True,
        "content_commitment": not ca,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": ca,
        "crl_sign": ca,
        "encipher_only": False,
        "decipher_only": False,
    }
    flags.update(usage or {})
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - datetime.timedelta(days=1))
        .not_valid_after(not_after or NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**flags), critical=True)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


CA_NAME = {"C": "SE", "O": "Klimatkontrakt Test", "CN": "Klimatkontrakt Test CA"}


def make_pki(folder: Path, parties) -> Pki:
    """Create a CA and one certificate per party; write .p12, key and certificate files.

    `parties` are model parties (their certificate_subject is used) or plain ids (then O is the id).
    """
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca_cert = certificate(
        name(CA_NAME), ca_key, name(CA_NAME), ca_key, ca=True, not_after=NOW + datetime.timedelta(days=3650)
    )
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    passphrase_file = folder / "passphrase.txt"
    passphrase_file.write_bytes(PASSPHRASE + b"\n")
    pki = Pki(ca_key, ca_cert, ca_pem, {}, passphrase_file, folder)
    for party in parties:
        pid = getattr(party, "id", party)
        subject = dict(getattr(party, "certificate_subject", None) or {"O": pid})
        pki.parties[pid] = issue(pki, pid, {"C": "SE", **subject, "CN": f"Signatory of {pid}"})
    return pki


def issue(pki: Pki, label: str, subject: dict[str, str], issuer: tuple | None = None, **options) -> Party:
    """Issue a certificate under the test CA (or another issuer) and write its files under the PKI folder."""
    key = _key()
    issuer_cert, issuer_key = issuer or (pki.ca_cert, pki.ca_key)
    cert = certificate(name(subject), key, issuer_cert.subject, issuer_key, **options)
    return write_party(pki.folder, label, key, cert, [issuer_cert])


def write_party(folder: Path, label: str, key, cert: x509.Certificate, chain: list) -> Party:
    """Write a signer's .p12 (with chain), PEM key and PEM certificate."""
    p12 = folder / f"{label}.p12"
    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    p12.write_bytes(pkcs12.serialize_key_and_certificates(label.encode(), key, cert, chain, encryption))
    key_pem = folder / f"{label}.key.pem"
    key_pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_pem = folder / f"{label}.cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Party(label, key, cert, p12, key_pem, cert_pem)
