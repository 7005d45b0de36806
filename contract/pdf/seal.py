"""The seal (PAdES B-LTA): once every party has signed, embed the validation data and a document timestamp.

The validation data (the signers' and time-stamping services' certificate chains with OCSP responses
or CRLs, fetched now from the addresses in the certificates) goes into the document security store,
and a document timestamp over everything proves it existed before any certificate expired or was
revoked. `verify` then judges each signature at its own signature timestamp.
"""

from __future__ import annotations

import asyncio
import io

import aiohttp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from ..errors import ContractError, Diagnostic
from ..model import Pos
from . import structure
from .pyhanko_adapter import KeepMetadataWriter


def _error(origin: str, message: str, hint: str, code: str) -> ContractError:
    return ContractError([Diagnostic(Pos(origin), "error", message, hint, code)])


def seal(origin: str, data: bytes, tsa_url: str, roots: list[x509.Certificate]) -> bytes:
    """Return the PDF with validation data and a document timestamp added in one incremental update."""
    reader, layout = structure.read(origin, data)
    if layout.problems:
        raise ContractError(
            [
                Diagnostic(Pos(origin), "error", p, "seal only a contract PDF the parties signed as made", "structure")
                for p in layout.problems
            ]
        )
    signed = {sig.field_name: sig for sig in reader.embedded_regular_signatures}
    missing = [p for p in layout.parties if p not in signed]
    if missing:
        raise _error(
            origin,
            f"not every party has signed yet: {', '.join(missing)}",
            "seal once all parties have signed ('klimatkontrakt verify' shows who has)",
            "unsigned",
        )
    anchors = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots]
    try:
        return asyncio.run(_seal(data, list(signed.values()), tsa_url, anchors))
    except Exception as exc:  # noqa: BLE001 - unreachable services or chains that cannot be completed: say which
        raise _error(
            origin,
            f"cannot seal: {type(exc).__name__}: {exc}",
            "check --tsa, that the signers' CA is given with --trust, and that its OCSP/CRL services answer",
            "seal",
        ) from None


async def _seal(data: bytes, signatures: list, tsa_url: str, anchors: list) -> bytes:
    """Collect every signature's validation data, then timestamp it all, in one event loop and one HTTP session."""
    async with aiohttp.ClientSession() as session:
        # Sealing is the archivist's explicit request to collect revocation data: fetching is its purpose.
        context = ValidationContext(
            trust_roots=anchors or None,
            allow_fetching=True,
            revocation_mode="hard-fail",
            fetcher_backend=AIOHttpFetcherBackend(session),
        )
        writer = KeepMetadataWriter(io.BytesIO(data), strict=False)
        for sig in signatures:
            paths = await collect_validation_info(sig, context)
            DocumentSecurityStore.supply_dss_in_writer(
                writer, sig.pkcs7_content.hex().encode("ascii"), validation_context=context, paths=paths
            )
        out = io.BytesIO()
        stamper = signers.PdfTimeStamper(HTTPTimeStamper(tsa_url, session=session, timeout=30))
        await stamper.async_timestamp_pdf(writer, "sha256", validation_context=context, output=out)
        return out.getvalue()
