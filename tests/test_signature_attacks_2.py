"""More signature attacks (red team, issue #11): each with the verdict and exit code `verify` must give.

The building blocks are those of tests/test_signature_attacks.py: a party's real key used with pyHanko
directly, none of our checks applied, then `klimatkontrakt verify --trust CA` (or `sign`) on the result.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import attacks
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pki import _key, certificate, write_party
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from test_signature_attacks import (  # noqa: F401 - fixtures shared with the first corpus
    creds,
    pki,
    run,
    unsigned,
    vinnova_signed,
)

from contract.pdf import credentials

pytestmark = pytest.mark.slow  # renders, signs and validates PDFs

ORG_ID = x509.ObjectIdentifier("2.5.4.97")


def _signer_with_subject(pki, label: str, attributes: list[tuple]) -> credentials.Credentials:  # noqa: F811
    key = _key()
    subject = x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])
    party = write_party(pki.folder, label, key, certificate(subject, key, pki.ca_cert.subject, pki.ca_key), [])
    return credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())


def _verify(tmp_path: Path, name: str, data: bytes, pki) -> tuple[int, str]:  # noqa: F811
    target = tmp_path / f"{name}.pdf"
    target.write_bytes(data)
    return run("verify", target, "--trust", pki.ca_pem)


def test_a_certificate_with_two_organisations_is_no_partys(pki, unsigned, tmp_path):  # noqa: F811
    """O=Vinnova and O=Trafikverket in one subject must not pass as either party."""
    both = _signer_with_subject(
        pki,
        "two-o",
        [
            (NameOID.COUNTRY_NAME, "SE"),
            (NameOID.ORGANIZATION_NAME, "Vinnova"),
            (NameOID.ORGANIZATION_NAME, "Trafikverket"),
            (ORG_ID, "NTRSE-2021005216"),
            (NameOID.COMMON_NAME, "two organisations"),
        ],
    )
    code, out = _verify(tmp_path, "two-o", attacks.raw_sign(unsigned, "trafikverket", both), pki)
    assert code == 1, out
    assert "not this party's certificate: the certificate carries O more than once ('Vinnova', 'Trafikverket')" in out
    assert out.rstrip().endswith("NOT OK: trafikverket")


def test_sign_refuses_a_certificate_with_two_organisation_identifiers(pki, unsigned, tmp_path):  # noqa: F811
    both = _signer_with_subject(
        pki,
        "two-orgid",
        [
            (NameOID.COUNTRY_NAME, "SE"),
            (NameOID.ORGANIZATION_NAME, "Vinnova"),
            (ORG_ID, "NTRSE-2021005232"),
            (ORG_ID, "NTRSE-2021005216"),
            (NameOID.COMMON_NAME, "two ids"),
        ],
    )
    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    both_files = pki.folder / "two-orgid"
    code, out = run(
        "sign",
        source,
        "--party",
        "vinnova",
        "--key",
        f"{both_files}.key.pem",
        "--cert",
        f"{both_files}.cert.pem",
        "-o",
        tmp_path / "o.pdf",
    )
    assert both.cert is not None and code == 1, out
    assert "the certificate carries organizationIdentifier more than once" in out
    assert not (tmp_path / "o.pdf").exists()


@pytest.mark.parametrize(
    "organisation",
    ["TRAFIKVER\u212aET", "Trafikverket\u200b", "Тrafikverket", "TRAFIKVERKET"],
    ids=["kelvin-sign", "zero-width-space", "cyrillic-te", "upper-case"],
)
def test_lookalike_organisation_names_do_not_match(organisation, pki, unsigned, tmp_path):  # noqa: F811
    """Only the exact name (after Unicode NFC) matches: no case folding, which maps the Kelvin sign to 'k'."""
    lookalike = _signer_with_subject(
        pki,
        "lookalike",
        [(NameOID.COUNTRY_NAME, "SE"), (NameOID.ORGANIZATION_NAME, organisation), (NameOID.COMMON_NAME, "lookalike")],
    )
    code, out = _verify(tmp_path, "lookalike", attacks.raw_sign(unsigned, "trafikverket", lookalike), pki)
    assert code == 1, out
    assert "not this party's certificate: O must be 'Trafikverket'" in out


def test_o_only_in_ou_or_cn_does_not_match(pki, unsigned, tmp_path):  # noqa: F811
    elsewhere = _signer_with_subject(
        pki,
        "ou-cn",
        [
            (NameOID.COUNTRY_NAME, "SE"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, "Trafikverket"),
            (NameOID.COMMON_NAME, "Trafikverket"),
        ],
    )
    code, out = _verify(tmp_path, "ou-cn", attacks.raw_sign(unsigned, "trafikverket", elsewhere), pki)
    assert code == 1 and "O must be 'Trafikverket', the certificate has nothing" in out, out


def _certify(data: bytes, party: str, creds_: credentials.Credentials) -> bytes:
    """Sign as a certification (author) signature that forbids every later change (DocMDP P=1)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=party,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=creds_.signer()).sign_pdf(writer, output=out)
    return out.getvalue()


def test_a_certification_signature_that_locks_out_the_other_parties_is_refused(pki, unsigned, tmp_path):  # noqa: F811
    locked = _certify(unsigned, "vinnova", creds(pki, "vinnova"))
    code, out = _verify(tmp_path, "certified", locked, pki)
    assert code == 1, out
    assert "the signature of 'vinnova' certifies the document (DocMDP)" in out
    p = pki.parties["trafikverket"]
    code, out = run(
        "sign",
        tmp_path / "certified.pdf",
        "--party",
        "trafikverket",
        "--key",
        p.key_pem,
        "--cert",
        p.cert_pem,
        "-o",
        tmp_path / "o.pdf",
    )
    assert code == 1 and "certifies the document (DocMDP)" in out and "signing failed" not in out, out
    assert not (tmp_path / "o.pdf").exists()


def _acroform_update(data: bytes, key: str, value) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.root["/AcroForm"]
    form[generic.pdf_name(key)] = value
    writer.update_container(form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_need_appearances_set_after_a_signature_is_a_failure(pki, vinnova_signed, tmp_path):  # noqa: F811
    """pyHanko files this under LTA_UPDATES; it makes viewers redraw fields, which the contract does not allow."""
    signed = vinnova_signed
    code, out = _verify(
        tmp_path, "needappearances", _acroform_update(signed, "/NeedAppearances", generic.BooleanObject(True)), pki
    )
    assert code == 1, out
    assert "problem: the form asks viewers to redraw its fields (/NeedAppearances)" in out


def test_an_xfa_form_is_a_failure(pki, vinnova_signed, tmp_path):  # noqa: F811
    """An XFA form is shown instead of the pages by some viewers: a second, unsigned text."""
    signed = vinnova_signed
    xfa = generic.StreamObject(stream_data=b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    form = writer.root["/AcroForm"]
    form[generic.pdf_name("/XFA")] = writer.add_object(xfa)
    writer.update_container(form)
    out = io.BytesIO()
    writer.write(out)
    code, text = _verify(tmp_path, "xfa", out.getvalue(), pki)
    assert code == 1 and "problem: the form carries an XFA form (/XFA)" in text, text


def test_verify_refuses_a_huge_file_quickly(tmp_path):
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(2 * 1024**3)
    code, out = run("verify", sparse)
    assert code == 1
    assert out.startswith(f"{sparse}: error: the PDF is 2048 MiB, larger than any contract PDF (at most 256 MiB)")


def test_sign_never_overwrites_an_existing_file(pki, unsigned, tmp_path):  # noqa: F811
    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    precious = tmp_path / "precious.pdf"
    precious.write_bytes(b"someone else's file")
    p = pki.parties["vinnova"]
    how = ["--party", "vinnova", "--key", p.key_pem, "--cert", p.cert_pem]
    code, out = run("sign", source, *how, "-o", precious)
    assert code == 2 and f"-o {precious} exists" in out, out
    assert precious.read_bytes() == b"someone else's file"
    code, out = run("sign", source, *how, "-o", source)
    assert code == 2 and "is the PDF being signed" in out, out
    assert source.read_bytes() == unsigned
    code, out = run("seal", source, "--tsa", "http://127.0.0.1:9/", "-o", precious)  # refused before any request
    assert code == 2 and f"-o {precious} exists" in out, out
    assert precious.read_bytes() == b"someone else's file"


def test_pkcs11_lib_that_is_not_a_library_is_named(pki, unsigned, tmp_path):  # noqa: F811
    source = tmp_path / "c.pdf"
    source.write_bytes(unsigned)
    for lib in (source, tmp_path / "missing.so"):
        code, out = run(
            "sign",
            source,
            "--party",
            "vinnova",
            "--pkcs11-lib",
            lib,
            "--token-label",
            "t",
            "--key-label",
            "k",
            "-o",
            tmp_path / "o.pdf",
        )
        assert code == 1, out
        assert f"{lib}: error: cannot load the PKCS#11 library" in out and "--token-label" not in out, out


def test_an_intermediate_without_ca_basic_constraints_is_named(pki, unsigned, tmp_path):  # noqa: F811
    from cryptography.hazmat.primitives import serialization
    from pki import name

    issuer_key = _key()
    issuer = certificate(name({"C": "SE", "CN": "Not a CA"}), issuer_key, pki.ca_cert.subject, pki.ca_key, ca=False)
    leaf_key = _key()
    subject = name({"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": "leaf"})
    leaf = certificate(subject, leaf_key, issuer.subject, issuer_key)
    party = write_party(pki.folder, "under-non-ca", leaf_key, leaf, [issuer])
    chain = issuer.public_bytes(serialization.Encoding.PEM)
    signer = credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes(), chain)
    code, out = _verify(tmp_path, "non-ca", attacks.raw_sign(unsigned, "vinnova", signer), pki)
    assert code == 1, out
    assert "its issuer (Common Name: Not a CA, Country: SE) is not a CA certificate (no CA basic constraints)" in out
    assert "is missing" not in out


@pytest.mark.parametrize(
    "change", [(0, -10, 0, 0), (0, 0, 0, 400), (0, 0, 0, -100)], ids=["gap", "past-eof", "short-tail"]
)
def test_a_byte_range_with_a_gap_or_past_eof_is_not_intact(change, pki, vinnova_signed, tmp_path):  # noqa: F811
    import re

    signed = vinnova_signed
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    values = [int(v) + d for v, d in zip(found.groups(), change, strict=True)]
    patched = ("/ByteRange [" + " ".join(map(str, values)) + "]").encode().ljust(len(found.group(0)))
    assert len(patched) == len(found.group(0))
    code, out = _verify(tmp_path, "byterange", signed[: found.start()] + patched + signed[found.end() :], pki)
    assert code == 1, out
    assert "the signature does not cover its whole revision" in out
    assert "NOT TRUSTED" not in out and "is missing" not in out  # the chain is fine; the bytes are not


def test_an_encrypted_pdf_is_named_as_such(pki, vinnova_signed, tmp_path):  # noqa: F811
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    signed = vinnova_signed
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(signed), strict=False))
    writer._assign_security_handler(StandardSecurityHandler.build_from_pw("owner", ""))
    out = io.BytesIO()
    writer.write(out)
    code, text = _verify(tmp_path, "encrypted", out.getvalue(), pki)
    assert code == 1 and "error: this PDF is encrypted; a contract PDF never is" in text, text


def test_a_claimed_signing_time_before_the_certificate_was_valid_is_a_failure(pki, unsigned, tmp_path):  # noqa: F811
    """Signed now with a certificate valid only from tomorrow; validated the day after, when the chain is valid."""
    from pki import NOW, issue

    later = issue(
        pki,
        "valid-tomorrow",
        {"C": "SE", "O": "Vinnova", "organizationIdentifier": "NTRSE-2021005216", "CN": "x"},
        not_before=NOW + datetime.timedelta(days=1),
    )
    signer = credentials.load_pem("k", later.key_pem.read_bytes(), "c", later.cert_pem.read_bytes())
    target = tmp_path / "claimed.pdf"
    target.write_bytes(attacks.raw_sign(unsigned, "vinnova", signer))
    code, out = run("verify", target, "--trust", pki.ca_pem, "--at", (NOW + datetime.timedelta(days=2)).isoformat())
    assert code == 1, out
    assert "problem: the signer claims to have signed at" in out and "when its certificate was not valid" in out


def test_a_contract_that_runs_javascript_when_opened_is_refused(pki, unsigned, tmp_path):  # noqa: F811
    """The Typst document rewritten with an /OpenAction, then given the parties' fields: shaped like our contract."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    from contract import pdf
    from contract.pdf import structure
    from contract.pdf.identity import seed_value
    from contract.pdf.signature_fields import add_signature_fields
    from contract.source.load import load

    first = unsigned[: structure.revision_end(PdfFileReader(io.BytesIO(unsigned), strict=False), unsigned, 0)]
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(first), strict=False))
    script = {"/S": "/JavaScript", "/JS": "app.launchURL('http://example.invalid/')"}
    action = generic.DictionaryObject(
        {
            generic.pdf_name("/S"): generic.pdf_name(script["/S"]),
            generic.pdf_name("/JS"): generic.TextStringObject(script["/JS"]),
        }
    )
    writer.root[generic.pdf_name("/OpenAction")] = writer.add_object(action)
    out = io.BytesIO()
    writer.write(out)
    parties = load(Path(__file__).resolve().parents[1], "2023").parties
    boxes = [pdf.SignatureBox(p.id, 0, (50.0, 50.0 + 40 * i, 250.0, 80.0 + 40 * i)) for i, p in enumerate(parties)]
    shaped = add_signature_fields(out.getvalue(), boxes, {}, {p.id: seed_value(p.certificate_subject) for p in parties})
    code, text = _verify(tmp_path, "javascript", attacks.raw_sign(shaped, "vinnova", creds(pki, "vinnova")), pki)
    assert code == 1, text
    assert "problem: the document runs an action when opened (/OpenAction /JavaScript)" in text


def _overlay(party: str, text: bytes):
    """Give a party's widget a new appearance (a stamp overlay) in an update."""

    def change(writer) -> None:
        box = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 200, 50)])
        look = generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                generic.pdf_name("/BBox"): box,
            },
            stream_data=b"BT 5 20 Td (" + text + b") Tj ET",
        )
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/T") == party:
                field[generic.pdf_name("/AP")] = generic.DictionaryObject(
                    {generic.pdf_name("/N"): writer.add_object(look)}
                )
                writer.update_container(field)

    return change


def _new_page(writer) -> None:
    size = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)])
    content = writer.add_object(generic.StreamObject(stream_data=b"BT 50 700 Td (Amendment) Tj ET"))
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): size,
                generic.pdf_name("/Contents"): content,
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
    )


def _open_action(writer) -> None:
    action = generic.DictionaryObject(
        {
            generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
            generic.pdf_name("/JS"): generic.TextStringObject("app.alert('x')"),
        }
    )
    writer.root[generic.pdf_name("/OpenAction")] = writer.add_object(action)
    writer.update_root()


AFTER_SIGNING = {
    "stamp-overlay-on-the-signed-field": (_overlay("vinnova", b"Finnova"), "beyond signing and sealing (OTHER)"),
    "fake-stamp-on-an-unsigned-field": (
        _overlay("trafikverket", b"Signed by Trafikverket"),
        "beyond signing and sealing",
    ),
    "new-page": (_new_page, "beyond signing and sealing (OTHER)"),
    "javascript-open-action": (_open_action, "the document runs an action when opened (/OpenAction /JavaScript)"),
}


@pytest.mark.parametrize("attack", list(AFTER_SIGNING))
def test_changes_after_a_signature_are_failures(attack, pki, vinnova_signed, tmp_path):  # noqa: F811
    change, says = AFTER_SIGNING[attack]
    signed = vinnova_signed
    code, out = _verify(tmp_path, attack, attacks.updated(signed, change), pki)
    assert code == 1, out
    assert says in out and "NOT OK" in out.splitlines()[-1]


def test_an_update_whose_prev_skips_the_signatures_is_refused(pki, vinnova_signed, tmp_path):  # noqa: F811
    """Incremental saving attack: the last update's /Prev points past the signed revisions, hiding them."""
    import re

    signed = attacks.raw_sign(vinnova_signed, "trafikverket", creds(pki, "trafikverket"))
    updated = attacks.updated(signed, lambda writer: writer.update_container(writer.trailer["/Info"]))
    contract_xref = [int(x) for x in re.findall(rb"startxref\s+(\d+)", updated)][1]
    tail = updated[len(signed) :]
    found = re.search(rb"/Prev (\d+)", tail)
    hidden = (
        signed
        + tail[: found.start()]
        + f"/Prev {contract_xref}".encode().ljust(len(found.group(0)))
        + tail[found.end() :]
    )
    code, out = _verify(tmp_path, "prev-skip", hidden, pki)
    assert code == 1, out
    assert (
        "the file holds 5 revisions, but its cross-reference chain reaches only 3: an update hides earlier ones" in out
    )


def test_an_unsigned_contract_changed_in_an_update_is_not_ok(pki, unsigned, tmp_path):  # noqa: F811
    def change(writer) -> None:
        page = writer.find_page_for_modification(0)[0].get_object()
        page[generic.pdf_name("/Contents")] = writer.add_object(
            generic.StreamObject(stream_data=b"BT 50 700 Td (x) Tj ET")
        )
        writer.update_container(page)

    code, out = _verify(tmp_path, "changed-unsigned", attacks.updated(unsigned, change), pki)
    assert code == 1, out
    assert "problem: 1 update(s) follow the contract, yet nothing is signed: only signatures may follow it" in out
