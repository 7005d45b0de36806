"""A throwaway PKI made at test time: one CA and a signing certificate per party (never committed)."""
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


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    usage = dict(content_commitment=not ca, key_encipherment=False, data_encipherment=False, key_agreement=False,
                 key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, **usage), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def make_pki(folder: Path, party_ids: list[str]) -> Pki:
    """Create a CA and one certificate per party; write .p12, key and certificate files."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca_cert = _certificate("Klimatkontrakt Test CA", ca_key, "Klimatkontrakt Test CA", ca_key, ca=True)
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    passphrase_file = folder / "passphrase.txt"
    passphrase_file.write_bytes(PASSPHRASE + b"\n")
    parties = {pid: _party(folder, pid, ca_key, ca_cert) for pid in party_ids}
    return Pki(ca_key, ca_cert, ca_pem, parties, passphrase_file)


def _party(folder: Path, pid: str, ca_key, ca_cert) -> Party:
    key = _key()
    cert = _certificate(f"Signatory of {pid}", key, "Klimatkontrakt Test CA", ca_key, ca=False)
    p12 = folder / f"{pid}.p12"
    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    p12.write_bytes(pkcs12.serialize_key_and_certificates(pid.encode(), key, cert, [ca_cert], encryption))
    key_pem = folder / f"{pid}.key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_pem = folder / f"{pid}.cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Party(pid, key, cert, p12, key_pem, cert_pem)
