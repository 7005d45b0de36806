"""Untrusted text stays text everywhere, and damaged or tricky input gives a located error."""

from __future__ import annotations

import dataclasses
import html
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import markdown
import pytest
from lxml import html as lhtml
from site_helpers import make_repo

from contract.build.jobs import fingerprint as _fingerprint
from contract.build.run import gather
from contract.build.site import build_site
from contract.cli.main import main
from contract.diff import compare
from contract.render import markdown as md
from contract.render.redline_text import to_markdown
from contract.source.load import load


def run(root: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_a_contract_title_cannot_inject_html_into_the_site(tmp_path):
    root = make_repo(tmp_path, draft=False)
    (root / "years" / "2023" / "signed.lock").unlink()
    _edit(
        root / "years" / "2023" / "contract.yaml",
        "  sv: Klimatkontrakt 2030",
        "  sv: 'Klimatkontrakt </title> <script> alert(1) </script> & Co'",
    )
    assert run(root, "lock", "2023")[0] == 0  # a signed version needs its lock
    contracts, _ = gather(root)
    build_site(root, contracts, tmp_path / "site")
    page = (tmp_path / "site" / "sv" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "<script> alert(1)" not in page  # words spaced: the cover (51 pt) holds no longer word (contract.wordwidth)
    assert (
        lhtml.fromstring(page.encode())
        .findtext(".//title")
        .startswith("Klimatkontrakt </title> <script> alert(1) </script> & Co, ")
    )


def test_markdown_keeps_paragraph_starts_and_link_addresses_as_text():
    extensions = ["footnotes"]
    first = md.line_start("[^1]: swallowed?") + "\n\n[^1]: note"
    assert "swallowed?" in markdown.markdown(first, extensions=extensions)
    for start in ("---", "1. one", "- item", "+ item", ": term"):
        assert html.unescape(markdown.markdown(md.line_start(md.escape(start)))) == f"<p>{start}</p>"
    assert (
        markdown.markdown(md.link("x", "https://a.example/\\") + " tail")
        == '<p><a href="https://a.example/%5C">x</a> tail</p>'
    )


def test_the_pull_request_comment_mentions_nobody_and_links_no_issue(repo_copy):
    old = load(repo_copy, "2023")
    (repo_copy / "years" / "2023" / "signed.lock").unlink()
    _edit(
        repo_copy / "years" / "2023" / "clause.yaml",
        "Parterna är överens",
        "1. Parterna, även @octocat (#1), är överens",
    )
    comment = to_markdown(compare(old, load(repo_copy, "2023")), "sv")
    assert "@\u200boctocat" in comment and "#\u200b1" in comment
    assert "@octocat" not in comment and "(#1)" not in comment


def test_a_section_marked_to_be_written_changes_the_cache_key():
    contract = load(Path(__file__).resolve().parents[1], "2024")
    first = next(s for s in contract.walk() if s.to_be_written)
    flipped = dataclasses.replace(
        contract,
        sections=tuple(
            dataclasses.replace(
                top,
                children=tuple(
                    dataclasses.replace(c, to_be_written=False) if c.id == first.id else c for c in top.children
                ),
            )
            for top in contract.sections
        ),
    )
    assert _fingerprint(flipped) != _fingerprint(contract)


def test_an_erratum_for_one_section_refuses_edits_elsewhere(repo_copy):
    _edit(repo_copy / "years" / "2023" / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    _edit(repo_copy / "years" / "2023" / "purpose.yaml", "öka tempot", "höja tempot")
    code, out = run(
        repo_copy, "erratum", "2023", "--section", "klimatvaxling", "--what-sv", "Avgiften.", "--why-sv", "Skrivfel."
    )
    assert code == 1
    assert out == (
        "years/2023/purpose.yaml: error: files other than municipality.yaml changed too: purpose.yaml (undo those edits, "
        "or record each correction as its own erratum (without --section to cover several files))\n"
    )


def test_a_damaged_lock_is_a_located_error(repo_copy):
    (repo_copy / "years" / "2023" / "signed.lock").write_text("files: [a, b]\n", encoding="utf-8")
    code, out = run(repo_copy, "validate", "2023")
    assert code == 1
    assert (
        "years/2023/signed.lock:1:1: error: signed.lock is damaged (KeyError) (restore it from git: git checkout -- years/2023/signed.lock)"
        in out
    )
