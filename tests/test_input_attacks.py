"""Red-team reproducers: hostile contract data that once validated and then rendered wrongly or not at all."""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest
from test_input_safety import run, write_purpose
from test_invalid_inputs import VERSION, make_base
from test_property_inputs import SITE_EXTENSIONS, SOURCE

from contract.render import export
from contract.render import typst as typst_render
from contract.render.pages import SiteContext, render_pages
from contract.source.load import load


@pytest.fixture
def base(tmp_path) -> Path:
    return make_base(tmp_path)


def site_html(root: Path, lang: str = "sv") -> str:
    """The version's site page as HTML, made by Python-Markdown with the site's extensions."""
    pages = render_pages({VERSION: load(root, VERSION)}, lang, SiteContext(SOURCE, drafts=True))
    return markdown.markdown(pages.files[f"{VERSION}/index.md"], extensions=SITE_EXTENSIONS)


def hrefs(page: str) -> list[str]:
    """Every link address of an HTML page, as a browser reads it (character references decoded)."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


# ---------------------------------------------------------------- link addresses


@pytest.mark.parametrize(
    "address, shown",
    [
        # A pair of backticks made a code span inside the address: the site linked to https://x.example/ab.
        ("https://x.example/a`b`", "https://x.example/a%60b%60"),
        # A character reference was decoded by the browser: the site linked to .../a<b, the PDF to .../a&lt;b.
        ("https://x.example/a&lt;b&#x41;?c=1&d=2", "https://x.example/a&lt;b&#x41;?c=1&d=2"),
    ],
)
def test_a_link_address_reaches_the_site_and_the_markdown_export_as_written(base, address, shown):
    write_purpose(base, f"sv: Se [sidan]({address}) här.")
    code, out, _ = run(base, "validate")
    assert code == 0, out
    assert shown in hrefs(site_html(base))
    assert shown in hrefs(markdown.markdown(export.to_markdown(load(base, VERSION), "sv")))
    assert f'#link("{address}")' in typst_render.document(load(base, VERSION), "sv", SOURCE)


# ---------------------------------------------------------------- version folders


@pytest.mark.parametrize("name", ["2025 ", "2025.0", "utkast", "２０２５"])
def test_a_version_folder_not_named_like_a_version_is_refused(base, name):
    # The old message told the editor to write version: "2025 " in contract.yaml, which the schema refuses.
    folder = base / "years" / name
    folder.mkdir()
    for file in (base / "years" / VERSION).iterdir():
        folder.joinpath(file.name).write_bytes(file.read_bytes())
    code, out, _ = run(base, "validate")
    assert code == 1
    assert out.splitlines()[0] == (
        f"years/{name}: error: the folder name {name!r} is not a version name "
        f"(rename the folder to years/{VERSION}, the version its contract.yaml names)"
    )


# ---------------------------------------------------------------- words no line can hold


def test_a_word_too_long_for_a_line_of_the_pdf_is_refused(base):
    # Typst cannot break it: it ran off the right edge of the page, and the end of the word was lost.
    write_purpose(base, "sv: Se https://www.exempel.se/" + "a" * 300 + " här.")
    code, out, _ = run(base, "validate")
    assert code == 1
    assert out.splitlines()[0] == (
        "years/2024/purpose.yaml:9:15: error: the word 'https://www.exempel.se/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'… "
        "(323 characters) is too long for a line of the PDF, which cannot break it (put spaces or hyphens in it, or "
        "shorten it; a long address belongs in a link: [text](https://…))"
    )


def test_long_words_that_break_at_hyphens_pass(base):
    write_purpose(base, "sv: (" + "-".join(["Samhällsbyggnadsförvaltningens"] * 12) + ")")
    code, out, _ = run(base, "validate")
    assert code == 0, out


def _widest(limit: float) -> str:
    """The longest run of the widest letter that validate still lets through at this limit."""
    from contract.checks import wordwidth

    word = "W"
    while wordwidth.width_em(word + "W") <= limit:
        word += "W"
    return word


@pytest.mark.slow
def test_the_widest_words_validate_lets_through_stay_inside_the_text_column(base, tmp_path):
    import subprocess

    from contract import pdf
    from contract.checks import wordwidth

    heading, narrow, cover = _widest(wordwidth.TEXT_EM), _widest(wordwidth.SIGNATURE_EM), _widest(wordwidth.COVER_EM)
    purpose = base / "years" / VERSION / "purpose.yaml"
    text = purpose.read_text(encoding="utf-8")
    purpose.write_text(text.replace("sv: Syftet med Klimatkontrakt 2030", f"sv: {heading}"), encoding="utf-8")
    contract_yaml = base / "years" / VERSION / "contract.yaml"
    text = contract_yaml.read_text(encoding="utf-8").replace("  sv: Klimatkontrakt 2030", f"  sv: {cover}", 1)
    signatory = f"    signatory:\n      name: {narrow}\n      role:\n        sv: {narrow}\n"
    text = text.replace("      sv: Vinnova", f"      sv: {narrow}")
    text = text.replace("    kind: municipality\n", "    kind: municipality\n" + signatory)
    contract_yaml.write_text(text, encoding="utf-8")
    code, out, _ = run(base, "validate")
    assert code == 0 and "long-word" not in out, out
    (tmp_path / "c.pdf").write_bytes(pdf.render_pdf(load(base, VERSION), "sv", SOURCE))
    command = ["pdftotext", "-bbox", str(tmp_path / "c.pdf"), "-"]
    boxes = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    right_edge = 595.28 - 2.6 / 2.54 * 72  # A4 less the right margin of the layout
    words = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
    assert {heading, narrow, cover} <= {w for _, w in words}
    assert [w for x, w in words if float(x) > right_edge + 1] == []


# ---------------------------------------------------------------- the signature page


@pytest.mark.slow
def test_a_signatory_name_or_role_that_wraps_stays_clear_of_the_lines_above_it(base, tmp_path):
    # The value sat in a box one line high, aligned to its bottom: a second line ran up over the line above.
    # The signature page now sets name and role as text in the party's block; wrapping must still not overlap.
    import subprocess

    from contract import pdf

    role = (
        "Ordförande i kommunstyrelsen och ledamot av kommunfullmäktiges presidium samt ersättare "
        "i regionens samverkansråd för klimatfrågor"
    )
    contract_yaml = base / "years" / VERSION / "contract.yaml"
    signatory = f"    signatory:\n      name: Anna Andersson Långnamn-Efternamnsson\n      role:\n        sv: {role}\n"
    text = contract_yaml.read_text(encoding="utf-8")
    text = text.replace("    kind: municipality\n", "    kind: municipality\n" + signatory)
    contract_yaml.write_text(text, encoding="utf-8")
    assert run(base, "validate")[0] == 0
    (tmp_path / "c.pdf").write_bytes(pdf.render_pdf(load(base, VERSION), "sv", SOURCE))
    command = ["pdftotext", "-bbox", "-f", "5", str(tmp_path / "c.pdf"), "-"]
    boxes = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', boxes)
    # The left column of the signature page.
    left = [(float(top), float(bottom), word) for x, top, bottom, word in found if float(x) < 297]
    top = {word: y for y, _, word in reversed(left)}  # the first block of the column: the first occurrence
    bottom = {word: y for _, y, word in reversed(left)}
    assert top["Anna"] >= bottom["Exempelstad"] - 1  # the name below the party's heading
    assert top["son"] >= bottom["Anna"] - 1  # the long name hyphenated onto a second line ("…Efternamns-son")
    assert top["Ordförande"] >= bottom["son"] - 1  # the role below the name's last line
    assert top["klimatfrågor"] >= bottom["Ordförande"] - 1  # the role wrapped onto lines below its first


# ---------------------------------------------------------------- errata


@pytest.mark.slow
def test_an_erratum_that_would_not_validate_is_refused_and_nothing_is_written(repo_copy):
    # It was written and locked: the signed version then failed validate for good (a locked erratum cannot be edited).
    year = repo_copy / "years" / "2023"
    municipality = year / "municipality.yaml"
    text = municipality.read_text(encoding="utf-8")
    municipality.write_text(text.replace("1,50 kronor", "2,50 kronor", 1), encoding="utf-8")
    before = {path.name: path.read_bytes() for path in year.iterdir()}
    code, out, err = run(
        repo_copy,
        "erratum",
        "2023",
        "--date",
        "2024-02-01",
        "--what-sv",
        "Se {ref:finns-inte}.",
        "--why-sv",
        "[Skrivfel](javascript:alert(1))",
    )
    assert code == 1, err
    assert out.splitlines() == [
        "years/2023/contract.yaml: error: the new erratum: reference to unknown section 'finns-inte' "
        "(write {ref:ID} with the id of an existing section)",
        "years/2023/contract.yaml: error: the new erratum: link address 'javascript:alert(1)' is not allowed "
        "(links must start with https://, http:// or mailto:)",
    ]
    assert {path.name: path.read_bytes() for path in year.iterdir()} == before


def test_a_signed_lock_copied_from_another_version_is_named_as_such(base):
    # A folder copied by hand from the signed 2023 kept its lock: every file was "changed since it was signed".
    lock = Path(__file__).parents[1] / "years" / "2023" / "signed.lock"
    (base / "years" / VERSION / "signed.lock").write_bytes(lock.read_bytes())
    code, out, _ = run(base, "validate")
    assert (code, out) == (
        1,
        (
            "years/2024/signed.lock:1:1: error: this signed.lock records version 2023, not 2024 "
            "(the folder was copied from another version: delete years/2024/signed.lock; "
            "klimatkontrakt lock 2024 records a new one once 2024 is signed)\n"
        ),
    )


# ---------------------------------------------------------------- links that are not links


def test_a_link_the_syntax_did_not_take_is_a_warning_and_an_escaped_one_is_not(base):
    # "[text](https://x/a b)" silently became the literal text "[text](https://x/a b)" in the signed document.
    en = "en: The purpose is to speed up the climate transition, see section {ref:kontraktet}."
    path = base / "years" / VERSION / "purpose.yaml"
    text = path.read_text(encoding="utf-8")
    assert en in text
    new = "en: 'See [the page](https://www.exempel.se/a b), section {ref:kontraktet}, and \\[x](y).'"
    path.write_text(text.replace(en, new), encoding="utf-8")
    code, out, _ = run(base, "validate")
    assert (code, out.splitlines()[0]) == (
        0,
        (
            "years/2024/purpose.yaml:10:15: warning: '[the page](https://www.exempel.se/a b)' is shown as written, "
            "not as a link: "
            "the address holds a space or an unbalanced parenthesis (write a space in an address as %20 and a parenthesis "
            "as %28 or %29; to show brackets write \\[ and \\])"
        ),
    )
    assert len(out.splitlines()) == 1  # "\\[x](y)" is meant as text: no second warning


# ---------------------------------------------------------------- line breaks other than "\n"


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\x85", "\u2028"])
def test_a_bad_character_is_located_whatever_line_breaks_the_file_uses(base, newline):
    # YAML reads CR, NEL and LS as line breaks; the character's position counted only "\n": line 1, column 695.
    path = base / "years" / VERSION / "purpose.yaml"
    text = path.read_text(encoding="utf-8").replace("sv: Delmål\n", 'sv: "Del\\u202emål"\n', 1)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    code, out, _ = run(base, "validate")
    assert code == 1
    assert out.splitlines()[0].startswith("years/2024/purpose.yaml:22:19: error: the character U+202E")


# ---------------------------------------------------------------- links outside years/


def test_a_symlinked_glossary_is_refused_and_never_quoted(base, tmp_path):
    # It was read, and validate --format github quoted its first line (a password file's) into CI annotations.
    secret = "root:x:0:0:secret-line-that-must-never-be-printed"
    (tmp_path / "passwd").write_text(f"{secret}\n" * 40, encoding="utf-8")
    (base / "glossary.yaml").symlink_to(tmp_path / "passwd")
    for fmt in ("text", "github", "json"):
        code, out, err = run(base, "validate", "--format", fmt)
        assert code == 1 and secret[:20] not in out + err
    expected = (
        "glossary.yaml:1:1: error: the file is a symbolic link; contract files are never "
        "read through links (replace the link with the file itself)\n"
    )
    assert run(base, "validate")[1] == expected
