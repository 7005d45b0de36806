"""Input that validates renders; input that cannot render does not validate; contract content never reaches out."""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import ClassVar

import markdown
import pytest
from test_invalid_inputs import VERSION, make_base

from contract.cli.main import main
from contract.render import export
from contract.render import typst as typst_render
from contract.source.load import load
from contract.source.provenance import source

PURPOSE = "sv: Syftet är att öka tempot i klimatomställningen, se avsnitt {ref:kontraktet}."
SECRET = "root:x:0:0:secret-line-that-must-never-be-printed"


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def write_purpose(root: Path, new: str) -> None:
    path = root / "years" / VERSION / "purpose.yaml"
    text = path.read_text(encoding="utf-8")
    assert PURPOSE in text
    path.write_text(text.replace(PURPOSE, new, 1), encoding="utf-8")


@pytest.fixture
def base(tmp_path) -> Path:
    return make_base(tmp_path)


# ---------------------------------------------------------------- links, symlinks, version arguments


def test_a_symlinked_file_is_refused_and_never_quoted(base, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text(f"{SECRET}\n" * 40, encoding="utf-8")
    target = base / "years" / VERSION / "purpose.yaml"
    target.unlink()
    target.symlink_to(outside)
    for fmt in ("text", "github", "json"):
        code, out, err = run(base, "validate", "--format", fmt)
        assert code == 1 and SECRET not in out + err
    code, out, _ = run(base, "validate")
    assert out == (
        "years/2024/purpose.yaml:1:1: error: the file is a symbolic link; contract files are never read through links "
        "(replace the link with the file itself)\n"
    )


def test_a_symlinked_lock_or_version_folder_is_refused(base, tmp_path):
    lock = base / "years" / VERSION / "translations.lock"
    lock.unlink()
    lock.symlink_to(tmp_path / "elsewhere.lock")
    code, out, _ = run(base, "outline", VERSION)
    assert (code, out) == (
        1,
        (
            "years/2024/translations.lock:1:1: error: the file is a symbolic link; contract files are never read "
            "through links (replace the link with the file itself)\n"
        ),
    )
    (base / "years" / VERSION).rename(tmp_path / "real")
    (base / "years" / VERSION).symlink_to(tmp_path / "real")
    code, out, _ = run(base, "validate")
    assert (code, out) == (
        1,
        (
            "years/2024: error: the version folder is a symbolic link or lies outside the repository "
            "(keep the real files in years/2024/ inside the repository)\n"
        ),
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["outline", "../../outside/2024"],
        ["validate", ".."],
        ["export", "../years/2024", "--format", "json"],
        ["new-year", "2025", "--from", "../../x"],
        ["new-year", "../2025"],
        ["translations", "../2024"],
        ["lock", "2024/.."],
        ["erratum", "/etc", "--what-sv", "a", "--why-sv", "b"],
        ["pdf", "2024/../2024", "--lang", "sv"],
        ["docx", "~", "--lang", "sv"],
        ["diff", "../x", "2024"],
        ["diff", "HEAD:..", "2024"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_a_version_argument_is_a_name_under_years(base, argv):
    code, out, err = run(base, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("klimatkontrakt: error: ") and "is not a version" in err and "Traceback" not in err


def test_a_path_as_version_gets_one_clear_message(base):
    assert run(base, "outline", "../../outside/2024") == (
        2,
        "",
        (
            "klimatkontrakt: error: '../../outside/2024' is not a version: give the name of a folder under years/, "
            "four digits such as 2024 (versions here: 2024)\n"
        ),
    )


# ---------------------------------------------------------------- text stays text


def test_a_backslash_before_other_characters_stays(base):
    write_purpose(base, 'sv: "Sidbrytning: \\\\newpage, C:\\\\temp och \\\\{ref:x} samt \\\\*"')
    contract = load(base, VERSION)
    page = export.to_markdown(contract, "sv")
    html = markdown.markdown(page)
    assert "Sidbrytning: \\newpage, C:\\temp och {ref:x} samt *" in html
    assert "\\\\newpage" in typst_render.document(contract, "sv", source(base, VERSION))


def test_thousands_of_nested_brackets_in_a_text_are_text(base):
    # The inline language nests at most two deep (emphasis in a link label or the reverse), so no limit is needed.
    nested = "[" * 5000 + "x" + "]" * 5000 + " " + "*[" * 200 + "y" + "](https://a.example)*" * 200
    write_purpose(base, f"sv: '{nested}'")
    code, out, err = run(base, "validate")
    # The nesting is no problem; the one objection is the 10,001-character word no PDF line can hold.
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert code == 1 and len(errors) == 1 and "is too long for a line of the PDF" in errors[0], out + err
    contract = load(base, VERSION)
    assert "\\[" * 5000 in export.to_markdown(contract, "sv")
    assert "x" in typst_render.document(contract, "sv", source(base, VERSION))


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        self.send_error(404)

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def watched_address():
    """Yield an image address on a local server that records every request made to it."""
    _Counting.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.png"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_an_image_in_a_text_stays_text_in_the_markdown_export(base):
    write_purpose(base, "sv: Se ![karta](https://evil.example/x.png) och !{ref:kontraktet}.")
    page = export.to_markdown(load(base, VERSION), "sv")
    html = markdown.markdown(page)
    assert "<img" not in html
    assert '!<a href="https://evil.example/x.png">karta</a>' in html


@pytest.mark.slow
def test_an_image_in_a_text_is_never_fetched_by_the_docx_export(base, tmp_path):
    with watched_address() as address:
        write_purpose(base, f"sv: Se ![karta]({address}) här.")
        code, _, err = run(base, "docx", VERSION, "--lang", "sv", "-o", str(tmp_path / "out.docx"))
        assert code == 0, err
        assert _Counting.requests == []
    with zipfile.ZipFile(tmp_path / "out.docx") as docx:
        assert not [name for name in docx.namelist() if name.startswith("word/media/")]
        body = docx.read("word/document.xml").decode("utf-8")
    assert "karta" in body and "<pic:pic" not in body


@pytest.mark.slow
def test_an_image_in_a_text_is_no_image_on_the_site(base, tmp_path):
    from contract.build.site import build_site

    with watched_address() as address:
        write_purpose(base, f"sv: Se ![karta]({address}) här.")
        build_site(base, {VERSION: load(base, VERSION)}, tmp_path / "site", drafts=True)
        assert _Counting.requests == []
    page = (tmp_path / "site" / "sv" / VERSION / "index.html").read_text(encoding="utf-8")
    assert address not in [part.split('"')[0] for part in page.split('src="')[1:]]
    assert f'!<a href="{address}">karta</a>' in page


# ---------------------------------------------------------------- a PDF that names a language we do not make


@pytest.mark.slow
def test_signing_a_pdf_that_names_an_unknown_language_is_a_clear_error(tmp_path):
    from pki import make_pki
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Keywords": "klimatkontrakt-version:2023, klimatkontrakt-lang:../../xx"})
    pdf = tmp_path / "odd.pdf"
    with pdf.open("wb") as stream:
        writer.write(stream)
    party = make_pki(tmp_path / "pki", ["vinnova"]).parties["vinnova"]
    code, out, _err = run(
        tmp_path,
        "sign",
        str(pdf),
        "--party",
        "vinnova",
        "--key",
        str(party.key_pem),
        "--cert",
        str(party.cert_pem),
        "-o",
        str(tmp_path / "signed.pdf"),
    )
    # Refused before its language is ever used (the signature check made in #11 reads the structure first).
    assert (code, out) == (
        1,
        (
            f"{pdf}: error: this PDF has no signature fields: it is not a contract PDF made for signing "
            "(sign the original's PDF, made by 'klimatkontrakt pdf YEAR --lang sv')\n"
        ),
    )
    assert not (tmp_path / "signed.pdf").exists()
