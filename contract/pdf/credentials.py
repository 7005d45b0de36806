"""A signer's credentials: key and certificate from a PKCS#12 file, PEM/DER files, or a PKCS#11 token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..errors import ContractError, Diagnostic
from ..model import Pos

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")


def _error(origin: str, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(origin), "error", message, hint, code)])


@dataclass(frozen=True)
class Credentials:
    """A signer's certificate, the certificates that lead to its CA, and a way to sign with its key."""

    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    key: Any = None  # a cryptography private key, or None when the key stays on a token
    token_signer: Any = None  # a pyHanko PKCS11Signer when the key is on a token

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string({ORGANIZATION_IDENTIFIER: "organizationIdentifier"})

    def close(self) -> None:
        """Log out of the token, if the key is on one."""
        if self.token_signer is not None:
            self.token_signer.pkcs11_session.close()

    def signer(self) -> signers.Signer:
        """Return the pyHanko signer for these credentials."""
        if self.token_signer is not None:
            return self.token_signer
        der = serialization.Encoding.DER
        key = self.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        certs = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.chain]
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(self.cert.public_bytes(der)),
            signing_key=asn1_keys.PrivateKeyInfo.load(key),
            cert_registry=SimpleCertificateStore.from_certs(certs),
        )


def load_p12(path: str, data: bytes, passphrase: bytes | None) -> Credentials:
    """Read a PKCS#12 file (.p12/.pfx) holding key, certificate and chain."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        problem = "wrong passphrase" if passphrase else "it needs a passphrase"
        raise _error(
            path,
            f"cannot open the PKCS#12 file: {problem}, or it is not a PKCS#12 file",
            "give the passphrase with --passphrase-file FILE (a file holding only the passphrase)",
            "p12",
        ) from None
    if key is None or cert is None:
        raise _error(
            path,
            "the PKCS#12 file holds no private key with its certificate",
            "export the signing certificate together with its private key",
            "p12",
        )
    return _checked(path, Credentials(cert, tuple(chain or ()), key))


def load_pem(
    key_path: str,
    key_data: bytes,
    cert_path: str,
    cert_data: bytes,
    chain_data: bytes = b"",
    passphrase: bytes | None = None,
) -> Credentials:
    """Read a PEM (or DER) private key, its certificate and an optional PEM chain."""
    key = _load_key(key_path, key_data, passphrase)
    cert = load_certificates(cert_path, cert_data)[0]
    chain = tuple(load_certificates("--chain", chain_data)) if chain_data.strip() else ()
    return _checked(cert_path, Credentials(cert, chain, key), key_path)


def load_pkcs11(lib: str, token_label: str, key_label: str, pin: bytes | None, chain_data: bytes = b"") -> Credentials:
    """Open a key on a smart card or HSM through its PKCS#11 library; the key never leaves the token."""
    token = f"PKCS#11 token {token_label!r} ({lib})"  # named in the message: a token is not a file to point at
    session = _open_session(lib, token, token_label, pin)
    signer, cert_der = _token_signer(session, token, key_label)
    chain = tuple(load_certificates("--chain", chain_data)) if chain_data.strip() else ()
    return Credentials(x509.load_der_x509_certificate(cert_der), chain, token_signer=signer)


def _open_session(lib: str, token: str, token_label: str, pin: bytes | None) -> Any:
    """Log in to the token; a wrong PIN, a missing token and a file that is no PKCS#11 module are told apart."""
    from pkcs11 import exceptions as p11_errors
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    unloadable = "give the card's or HSM's PKCS#11 module with --pkcs11-lib (a .so file)"
    absent = "check --token-label (the card must be inserted)"
    try:
        return pkcs11.open_pkcs11_session(
            lib, token_criteria=TokenCriteria(label=token_label), user_pin=pin.decode() if pin is not None else None
        )
    except p11_errors.PinIncorrect:
        raise _token_error(token, "the PIN is wrong", "check the file given with --pin-file") from None
    except p11_errors.PKCS11Error as exc:
        if "while loading" in str(exc):  # python-pkcs11 wraps the dynamic loader's error: the module is not a library
            raise _error(lib, f"cannot load the PKCS#11 library: {exc}", unloadable, "pkcs11") from None
        raise _token_error(token, f"cannot open the token: {type(exc).__name__} {exc}".strip(), absent) from None
    except (OSError, RuntimeError) as exc:  # the module itself cannot be loaded
        raise _error(lib, f"cannot load the PKCS#11 library: {exc}", unloadable, "pkcs11") from None
    except Exception as exc:
        raise _token_error(token, f"cannot open the token: {exc}", absent) from None


def _token_signer(session: Any, token: str, key_label: str) -> tuple[Any, bytes]:
    """Return the signer of the labelled key and its certificate (DER); close the session when there is none."""
    from pyhanko.sign import pkcs11

    try:
        signer = pkcs11.PKCS11Signer(session, key_label=key_label)
        return signer, signer.signing_cert.dump()
    except Exception as exc:
        session.close()
        hint = "check --key-label (the certificate must carry the same label)"
        raise _token_error(token, f"cannot use key {key_label!r}: {exc}".strip(), hint) from None


def _token_error(token: str, message: str, hint: str) -> ContractError:
    return ContractError([Diagnostic(None, "error", f"{token}: {message}", hint, "pkcs11")])


def _load_key(path: str, data: bytes, passphrase: bytes | None):
    loaders = (serialization.load_pem_private_key, serialization.load_der_private_key)
    for load in loaders:
        try:
            return load(data, password=passphrase)
        except TypeError:
            raise _error(
                path,
                "the private key is encrypted and no passphrase was given",
                "give the passphrase with --passphrase-file FILE",
                "key",
            ) from None
        except ValueError as exc:
            if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
                raise _error(
                    path,
                    "cannot decrypt the private key: wrong passphrase",
                    "check the file given with --passphrase-file",
                    "key",
                ) from None
    raise _error(path, "not a private key (PEM or DER)", "give the key file with --key", "key")


def load_certificates(path: str, data: bytes) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise _error(
            path, "not an X.509 certificate (PEM or DER)", "give a certificate file (PEM or DER) here", "cert"
        ) from None


def _checked(origin: str, creds: Credentials, key_origin: str | None = None) -> Credentials:
    """Refuse a key that does not belong to the certificate (the signature would never verify)."""
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    mine = creds.key.public_key().public_bytes(serialization.Encoding.DER, public)
    theirs = creds.cert.public_key().public_bytes(serialization.Encoding.DER, public)
    if mine != theirs:
        raise _error(
            key_origin or origin,
            f"the private key does not belong to the certificate of {creds.subject}",
            "give the key and the certificate of the same signer",
            "key-mismatch",
        )
    return creds
