"""Red team 44: `lock YEAR --pdf FILE [--trust CA.pem]` records only this version's contract, signed by its parties.

Each test says what an archivist or the programme office would expect of `lock`. Tests that fail on the
current code are defects; the others are attacks that held and are kept for coverage.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import attacks
import pytest
import test_lock_signed_pdfs
from pki import _key, certificate, name, write_party
from test_contract_identity import run
from test_timestamp_seal import all_signed, sealed, services, unsigned  # noqa: F401 (fixtures)

from contract.source.load import load

pytestmark = pytest.mark.slow  # signs PDFs with a test PKI

ROOT = Path(__file__).resolve().parents[1]
# The feature's own tests' PKI, scratch repository and signer, shared (fixtures by assignment, not import).
pki, root, _sign = test_lock_signed_pdfs.pki, test_lock_signed_pdfs.root, test_lock_signed_pdfs._sign
LOCK = Path("years") / "2023" / "signed.lock"


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of version 2023's folder (a refused lock leaves them byte-identical and adds no temporary file)."""
    folder = root / "years" / "2023"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(root: Path, before: dict[str, bytes], code: int, out: str, expected: int = 1) -> None:
    assert code == expected, out
    assert "Traceback" not in out, out
    assert _snapshot(root) == before, "a refused lock wrote or left a file"


def _render(contract, lang: str = "sv") -> bytes:
    from contract import pdf
    from contract.source.provenance import Source

    source = Source(commit="abc1234", date="2023-12-08", timestamp=1702029600, dirty=False)
    return pdf.render_pdf(contract, lang, source)


# ------------------------------------------------------------------ defects


def test_the_recorded_hash_is_of_the_bytes_that_were_verified(pki, unsigned_2023_sv, root, tmp_path, monkeypatch):
    """lock reads each PDF twice: once to hash it, once to verify it. A file swapped in between (a shared folder,
    a sync client) gets the hash of a forged file recorded as the verified signed PDF. Expected: the hash recorded
    is that of the very bytes verified (read once), or the run refuses. Actual: the forged file's hash is recorded."""
    import hashlib

    from contract.versions import locking

    genuine = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    forged = _sign(pki.parties["formas"], unsigned_2023_sv.read_bytes(), "boras-stad")
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(forged)
    original = locking.file_hash

    def hash_then_swap(path: Path) -> str:
        digest = original(path)
        if path == pdf:
            pdf.write_bytes(genuine)  # the genuine file replaces the forged one just after it was hashed
        return digest

    monkeypatch.setattr(locking, "file_hash", hash_then_swap)
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf)
    forged_digest = "sha256:" + hashlib.sha256(forged).hexdigest()
    if code == 0:
        assert forged_digest not in (root / LOCK).read_text(encoding="utf-8"), "a forged PDF's hash was recorded"
    else:
        _refused(root, before, code, out)


def test_the_readmes_cycle_command_with_an_english_pdf_can_succeed(pki, unsigned_2023_sv, root, tmp_path):
    """README "The yearly cycle" step 3 tells the office to run
    `klimatkontrakt lock 2025 --pdf signed-sv.pdf --pdf signed-en.pdf --trust parties-ca.pem`; but the English PDF
    has no signature fields ("For signatories"), `sign` refuses it, and lock refuses it as "no signature fields".
    Expected: either lock records the English PDF beside the signed Swedish one, or the README does not tell
    users to give it. Actual: the documented command always fails with exit 1."""
    signed = tmp_path / "signed-sv.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    english = tmp_path / "signed-en.pdf"
    english.write_bytes(_render(load(ROOT, "2023"), "en"))
    code, out = run(root, "lock", "2023", "--pdf", signed, "--pdf", english, "--trust", pki.ca_pem)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert code == 0 or "--pdf signed-en.pdf" not in readme, out


def test_a_pdf_of_version_2023_with_another_text_is_not_recorded_as_its_signed_contract(pki, root, tmp_path):
    """A PDF that says "version 2023" but whose text is not the repository's version 2023 is not this
    version's contract. Expected: lock refuses it (as `verify --against 2023` would), nothing written.
    Actual: the first PDF of a language is recorded whatever contract it holds, and from then on `verify`
    compares every copy with that forged contract."""
    forged_repo = tmp_path / "forged"
    shutil.copytree(root, forged_repo)
    clause = forged_repo / "years" / "2023" / "clause.yaml"
    text = clause.read_text(encoding="utf-8")
    assert "Parterna är överens om" in text
    clause.write_text(
        text.replace("Parterna är överens om", "Vinnova betalar allt och parterna är överens om"), "utf-8"
    )
    forged_unsigned = _render(load(forged_repo, "2023"))
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], forged_unsigned, "boras-stad"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", signed, "--trust", pki.ca_pem)
    _refused(root, before, code, out)
    assert str(signed) in out


def test_a_missing_pdf_is_named_with_exit_1_and_no_traceback(root, tmp_path):
    """`lock 2023 --pdf missing.pdf`: expected an error naming the file (exit 1 or 2), never a traceback."""
    before = _snapshot(root)
    missing = tmp_path / "missing.pdf"
    code, out = run(root, "lock", "2023", "--pdf", missing)
    assert code in (1, 2) and "Traceback" not in out and str(missing) in out, out
    assert _snapshot(root) == before


def test_a_directory_as_pdf_is_named_and_nothing_is_written(root, tmp_path):
    """`lock 2023 --pdf SOMEDIR`: expected an error naming the path, no traceback, nothing written."""
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", folder)
    assert code in (1, 2) and "Traceback" not in out and str(folder) in out, out
    assert _snapshot(root) == before


def test_every_bad_file_is_named_at_once_also_a_missing_one(pki, unsigned_2023_sv, root, tmp_path):
    """A missing file and a forged one given together: both are named in one run."""
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_sign(pki.parties["formas"], unsigned_2023_sv.read_bytes(), "vinnova"))
    missing = tmp_path / "missing.pdf"
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", forged, "--pdf", missing)
    assert code in (1, 2) and "Traceback" not in out, out
    assert str(missing) in out and "vinnova's signature: not this party's certificate" in out, out
    assert _snapshot(root) == before


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "text", "pdf"])
def test_a_trust_file_that_is_no_certificate_is_a_usage_error_naming_it(root, tmp_path, unsigned_2023_sv, kind):
    """--trust given something that is no CA certificate: an error naming the file, exit 1 or 2, nothing written."""
    path = tmp_path / f"ca-{kind}.pem"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("not a certificate\n")
    elif kind == "pdf":
        path.write_bytes(unsigned_2023_sv.read_bytes())
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--trust", path)
    assert code in (1, 2) and "Traceback" not in out and str(path) in out, out
    assert _snapshot(root) == before


def test_the_same_party_signing_a_second_field_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    """Vinnova signs its own field and Formas' field: Formas' field is not Formas' signature."""
    data = _sign(pki.parties["vinnova"], unsigned_2023_sv.read_bytes(), "vinnova")
    twice = tmp_path / "twice.pdf"
    twice.write_bytes(_sign(pki.parties["vinnova"], data, "formas"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", twice, "--trust", pki.ca_pem)
    _refused(root, before, code, out)
    assert "formas's signature: not this party's certificate" in out, out


def test_a_rogue_ca_certificate_without_trust_matches_by_name_only_and_says_so(pki, unsigned_2023_sv, root, tmp_path):
    """Without --trust, a certificate with the party's name from another CA is recorded with the note that
    names were matched only (the lock cannot know better); with --trust it is refused."""
    rogue_key = _key()
    rogue_ca = certificate(name({"CN": "Rogue"}), rogue_key, name({"CN": "Rogue"}), rogue_key, ca=True)
    key = _key()
    cert = certificate(pki.parties["vinnova"].cert.subject, key, rogue_ca.subject, rogue_key)
    rogue = write_party(tmp_path, "rogue", key, cert, [rogue_ca])
    pdf = tmp_path / "rogue.pdf"
    pdf.write_bytes(_sign(rogue, unsigned_2023_sv.read_bytes(), "vinnova"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf, "--trust", pki.ca_pem)
    _refused(root, before, code, out)
    code, out = run(root, "lock", "2023", "--pdf", pdf)
    assert code == 0 and "matched by name only" in out, out


@pytest.mark.parametrize("when", ["expired", "not-yet-valid"])
def test_a_certificate_outside_its_validity_is_refused(pki, unsigned_2023_sv, root, tmp_path, when):
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    span = (
        {"not_before": now - datetime.timedelta(days=60), "not_after": now - datetime.timedelta(days=30)}
        if when == "expired"
        else {"not_before": now + datetime.timedelta(days=30), "not_after": now + datetime.timedelta(days=60)}
    )
    key = _key()
    cert = certificate(pki.parties["vinnova"].cert.subject, key, pki.ca_cert.subject, pki.ca_key, **span)
    party = write_party(tmp_path, when, key, cert, [pki.ca_cert])
    pdf = tmp_path / f"{when}.pdf"
    pdf.write_bytes(_sign(party, unsigned_2023_sv.read_bytes(), "vinnova"))
    for trust in ([], ["--trust", pki.ca_pem]):
        before = _snapshot(root)
        code, out = run(root, "lock", "2023", "--pdf", pdf, *trust)
        _refused(root, before, code, out)
        assert "vinnova's signature" in out, out


@pytest.mark.parametrize(
    "attack",
    ["annotation", "metadata", "remove-other-field", "remove-own-field", "appended-bytes", "stray-signed-field"],
)
def test_changes_after_signing_are_refused(pki, unsigned_2023_sv, root, tmp_path, attack):
    signed = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    if attack == "annotation":
        data = attacks.plant_annotation(signed, hidden=False)
    elif attack == "metadata":
        data = attacks.rewrite_metadata(signed, "Klimatkontrakt 2030 – 2099", "2099")
    elif attack == "remove-other-field":
        data = attacks.remove_field(signed, "vinnova")
    elif attack == "remove-own-field":
        data = attacks.remove_field(signed, "boras-stad")
    elif attack == "appended-bytes":
        data = signed + b"\n% appended after signing: Vinnova betalar allt\n"
    else:
        data = _sign(pki.parties["vinnova"], signed, "no-party")  # a new signature field that is no party's
    pdf = tmp_path / "attacked.pdf"
    pdf.write_bytes(data)
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf, "--trust", pki.ca_pem)
    _refused(root, before, code, out)
    assert str(pdf) in out


@pytest.mark.parametrize("kind", ["empty", "text", "truncated", "unsigned", "draft", "english"])
def test_files_that_are_not_this_versions_signed_pdf_are_refused(
    pki, unsigned_2023_sv, draft_2024_sv, root, tmp_path, kind
):
    pdf = tmp_path / f"{kind}.pdf"
    signed = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    data = {
        "empty": b"",
        "text": b"hello, not a PDF\n",
        "truncated": signed[: len(signed) // 2],
        "unsigned": unsigned_2023_sv.read_bytes(),
        "draft": _sign(pki.parties["boras-stad"], draft_2024_sv.read_bytes(), "boras-stad"),
    }.get(kind)
    if kind == "english":
        data = _render(load(ROOT, "2023"), "en")
    pdf.write_bytes(data)
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf)
    _refused(root, before, code, out)
    assert str(pdf) in out


def test_lock_twice_with_the_same_pdf_is_idempotent_and_a_later_copy_with_more_signatures_is_added(
    pki, unsigned_2023_sv, root, tmp_path
):
    one = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    first = tmp_path / "signed.pdf"
    first.write_bytes(one)
    assert run(root, "lock", "2023", "--pdf", first, "--trust", pki.ca_pem)[0] == 0
    after = _snapshot(root)
    assert run(root, "lock", "2023", "--pdf", first, "--trust", pki.ca_pem)[0] == 0
    assert _snapshot(root) == after
    more = _sign(pki.parties["vinnova"], one, "vinnova")
    same_name = tmp_path / "again" / "signed.pdf"
    same_name.parent.mkdir()
    same_name.write_bytes(more)
    code, out = run(root, "lock", "2023", "--pdf", same_name, "--trust", pki.ca_pem)
    _refused(root, after, code, out)
    assert "never replaced" in out
    other_name = tmp_path / "signed-2.pdf"
    other_name.write_bytes(more)
    code, out = run(root, "lock", "2023", "--pdf", other_name, "--trust", pki.ca_pem)
    assert code == 0, out
    text = (root / LOCK).read_text(encoding="utf-8")
    assert "signed.pdf:" in text and "signed-2.pdf:" in text


def test_the_same_file_given_twice_and_through_a_symlink(pki, unsigned_2023_sv, root, tmp_path):
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    link = tmp_path / "link.pdf"
    link.symlink_to(signed)
    code, out = run(root, "lock", "2023", "--pdf", signed, "--pdf", signed, "--pdf", link)
    assert code == 0 and "Traceback" not in out, out


def test_two_different_files_with_one_name_in_one_run_are_refused(pki, unsigned_2023_sv, root, tmp_path):
    """Two different signed PDFs both named signed.pdf (other folders): the lock can record only one name."""
    one = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    a, b = tmp_path / "a" / "signed.pdf", tmp_path / "b" / "signed.pdf"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_bytes(one)
    b.write_bytes(_sign(pki.parties["vinnova"], one, "vinnova"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", a, "--pdf", b)
    _refused(root, before, code, out)
    assert str(b) in out


def test_a_file_name_with_a_newline_cannot_forge_lines_of_the_output(pki, unsigned_2023_sv, root, tmp_path):
    """A file named "x.pdf\\nlocked 2023: ... recorded" must not print a line that looks like lock's own."""
    signed = tmp_path / "x.pdf\nlocked 2023: 0 files, 99 signed PDFs recorded"
    signed.write_bytes(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    _code, out = run(root, "lock", "2023", "--pdf", signed)
    assert "Traceback" not in out, out
    assert not any(line.startswith("locked 2023: 0 files, 99") for line in out.splitlines()), out


def test_a_non_utf8_file_name_is_refused_or_recorded_without_a_traceback(pki, unsigned_2023_sv, root, tmp_path):
    """A file name that is not UTF-8 (b'sign\\xe9.pdf'): either recorded readably or refused, never a crash, and
    a refusal writes nothing."""
    raw = os.fsencode(tmp_path) + b"/sign\xe9.pdf"
    with open(raw, "wb") as f:
        f.write(_sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", os.fsdecode(raw))
    assert "Traceback" not in out, out
    if code != 0:
        _refused(root, before, code, out)
    else:
        (root / LOCK).read_text(encoding="utf-8")


def test_a_version_not_signed_is_refused_with_its_pdf(pki, draft_2024_sv, root, tmp_path):
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(_sign(pki.parties["boras-stad"], draft_2024_sv.read_bytes(), "boras-stad"))
    before = {str(p): p.read_bytes() for p in (root / "years").rglob("*") if p.is_file()}
    code, out = run(root, "lock", "2024", "--pdf", pdf)
    assert code == 1 and "Traceback" not in out and "not signed" in out, out
    assert {str(p): p.read_bytes() for p in (root / "years").rglob("*") if p.is_file()} == before


def test_a_sealed_file_is_recorded(services, sealed, root):  # noqa: F811
    """The archivists' path: `lock 2023 --pdf sealed.pdf` after `seal` (a document timestamp) records it."""
    code, out = run(root, "lock", "2023", "--pdf", sealed, "--trust", services.root_pem)
    assert code == 0 and "Traceback" not in out, out
    assert "sealed.pdf: sha256:" in (root / LOCK).read_text(encoding="utf-8")


def test_an_annotation_added_after_the_seal_is_refused(services, sealed, root, tmp_path):  # noqa: F811
    pdf = tmp_path / "after-seal.pdf"
    pdf.write_bytes(attacks.plant_annotation(sealed.read_bytes(), hidden=True))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf, "--trust", services.root_pem)
    _refused(root, before, code, out)
    assert str(pdf) in out


def test_a_file_over_256_mib_is_refused_and_named(root, tmp_path):
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(257 * 1024 * 1024)
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", huge)
    _refused(root, before, code, out)
    assert str(huge) in out


def test_a_pipe_and_a_huge_file_are_refused_unread_and_both_named(root, tmp_path):
    """`lock --pdf` read a 257 MiB file whole and parsed it (a minute of CPU) before refusing it, and a pipe given
    beside it stopped the command before the other files were looked at. Now each is refused unread, as `import`
    and `docx --apply` refuse them, and both are named in one run."""
    pipe, huge = tmp_path / "pipe.pdf", tmp_path / "huge.pdf"
    os.mkfifo(pipe)
    with open(huge, "wb") as f:
        f.truncate(257 * 1024 * 1024)
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pipe, "--pdf", huge)
    _refused(root, before, code, out)
    assert f"{pipe}: error: this is not a file but a pipe, which is never read" in out, out
    assert f"{huge}: error: the PDF is 257 MiB, more than the 256 MiB of any contract document" in out, out


def test_two_locks_at_once_one_refuses_and_the_lock_is_whole(pki, unsigned_2023_sv, root, tmp_path):
    """Two `lock --pdf` runs at once (two processes): each ends with exit 0 or 1, no traceback, and signed.lock
    is one of the two results, whole, with no temporary file left."""
    import subprocess
    import sys

    one = _sign(pki.parties["boras-stad"], unsigned_2023_sv.read_bytes(), "boras-stad")
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(one)
    b.write_bytes(_sign(pki.parties["vinnova"], one, "vinnova"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "contract", "--root", str(root), "lock", "2023", "--pdf"]
    pipe = subprocess.PIPE
    procs = [subprocess.Popen([*cmd, str(p)], env=env, stdout=pipe, stderr=pipe, text=True) for p in (a, b)]
    results = [(p.returncode, "".join(p.communicate(timeout=300))) for p in procs]
    results = [(p.returncode, out) for p, (_, out) in zip(procs, results, strict=True)]
    for code, out in results:
        assert code in (0, 1) and "Traceback" not in out, out
    assert any(code == 0 for code, _ in results), results
    text = (root / LOCK).read_text(encoding="utf-8")
    assert "a.pdf: sha256:" in text or "b.pdf: sha256:" in text
    leftovers = [p.name for p in (root / "years" / "2023").iterdir() if p.name.startswith(".") or "tmp" in p.name]
    assert not leftovers, leftovers


def test_a_tls_server_certificate_with_the_partys_name_is_refused(pki, unsigned_2023_sv, root, tmp_path):
    """A certificate whose extended key usage allows only TLS server authentication (a web server's certificate
    from the same CA, carrying the party's O and organisationsnummer) may not sign documents: `sign` refuses it
    ("may not sign (key usage or extended key usage)"). Expected: lock refuses a signature made with it by another
    tool, nothing written. Actual: it is recorded as the party's signature."""
    test_a_certificate_that_may_not_sign_is_refused(pki, unsigned_2023_sv, root, tmp_path, "server-auth-only")


@pytest.mark.parametrize("kind", ["ca-certificate", "no-signing-usage"])
def test_a_certificate_that_may_not_sign_is_refused(pki, unsigned_2023_sv, root, tmp_path, kind):
    """`sign` refuses a CA certificate or one whose key usage or extended key usage does not allow signing; a
    signature made with one by another tool is no valid signature of the party either: lock refuses it."""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    options = {
        "ca-certificate": {"ca": True},
        "no-signing-usage": {
            "usage": {"digital_signature": False, "content_commitment": False, "key_encipherment": True}
        },
        "server-auth-only": {"eku": [ExtendedKeyUsageOID.SERVER_AUTH]},
    }[kind]
    key = _key()
    cert = certificate(pki.parties["vinnova"].cert.subject, key, pki.ca_cert.subject, pki.ca_key, **options)
    party = write_party(tmp_path, kind, key, cert, [pki.ca_cert])
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(_sign(party, unsigned_2023_sv.read_bytes(), "vinnova"))
    before = _snapshot(root)
    code, out = run(root, "lock", "2023", "--pdf", pdf, "--trust", pki.ca_pem)
    _refused(root, before, code, out)
    assert "vinnova's signature" in out, out


@pytest.mark.parametrize("version", ["../2023", "2023/", "23", "2023 ", ""])
def test_a_version_that_is_no_version_name_is_refused_without_writing(root, version):
    before = {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, out = run(root, "lock", version)
    assert code in (1, 2) and "Traceback" not in out, out
    assert {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
