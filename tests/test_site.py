"""The contract website as built files: pages, drafts, permalinks, downloads, redlines, footer, safety, reproducibility."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lhtml
from ruamel.yaml import YAML
from site_helpers import ROOT, listening_port, make_repo, tree

from contract.build.site import build_site
from contract.errors import ContractError
from contract.model import (
    Annex,
    AnnexDocument,
    BulletList,
    Contract,
    Footnote,
    Heading,
    Meta,
    Paragraph,
    Party,
    Section,
    Text,
    Translation,
)
from contract.render import labels
from contract.render.page_templates import render_root
from contract.render.pages import SiteContext, render_pages
from contract.render.plain import Resolver, plain
from contract.source.load import load
from contract.source.provenance import Source

GOLDEN = Path(__file__).parent / "golden" / "site"
# A paragraph written to break out of the text: HTML, script, URLs, Markdown and Jinja syntax.
MALICIOUS = (
    '<script>window.__kk_pwned = 1</script> <img src=x onerror="window.__kk_pwned = 2"> '
    "[klicka här](javascript:window.__kk_pwned=3) {{ 7*7 }} {% if true %}ja{% endif %} "
    "# rubrik __fet__ <b>fet</b> ![bild](x.png) [^1] {#kk-title} "
    "1. lista | a | b | `kod` &amp; &lt;ok&gt; ///Footnotes Go Here///"
)


@pytest.fixture(scope="module")
def built(test_site):
    """The site of a scratch repository: version 2023 (signed) and a draft 2024, built with drafts."""
    return test_site


def page(out: Path, path: str):
    """Parse a built HTML page."""
    return lhtml.fromstring((out / path).read_bytes())


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def facts(dl) -> dict[str, list[str]]:
    """Return a definition list's terms with their definitions."""
    out: dict[str, list[str]] = {}
    term = None
    for child in dl:
        if child.tag == "dt":
            term = text_of(child)
            out[term] = []
        elif child.tag == "dd":
            out[term].append(text_of(child))
    return out


# ---------------------------------------------------------------- layout and home page


def test_site_has_both_languages_every_version_and_a_root_page(built):
    for lang in ("sv", "en"):
        for path in (
            "index.html",
            "2023/index.html",
            "2024/index.html",
            "2024/redline/index.html",
            "compare/index.html",
            "compare/2023..2024/index.html",
            "search/index.html",
            "pagefind/pagefind.js",
            "kk.css",
            "kk.js",
        ):
            assert (built.out / lang / path).is_file(), f"{lang}/{path} missing"
        assert not (built.out / lang / "sitemap.xml").exists()
        # 2022, the version before 2023, is not in the archive: no page pretends to show its changes.
        assert not (built.out / lang / "2023" / "redline").exists()
        assert not (built.out / lang / "404.html").exists()
    assert (built.out / "404.html").is_file()
    root = page(built.out, "index.html")
    links = {a.get("href"): (a.get("hreflang"), text_of(a)) for a in root.xpath("//a")}
    assert links == {"sv/": ("sv", "Läs på svenska"), "en/": ("en", "Read in English")}
    assert [s.get("lang") for s in root.xpath("//section")] == ["sv", "en"]


def test_home_page_lists_every_version_with_its_facts(built):
    home = page(built.out, "sv/index.html")
    headings = [text_of(h) for h in home.xpath("//article//h2")]
    assert headings == ["Version 2024 (Utkast)¶", "Version 2023¶"]
    entries = _version_entries(home)
    assert entries["2023"] == {
        "Status": ["Signerad"],
        "Signeringsdatum": ["8 december 2023"],
        "Giltighetstid": ["2024"],
        "Parter": [", ".join(p.name.source for p in built.contracts["2023"].parties)],
        "Nedladdningar": ["Kontraktet som PDF (svenska)"],
    }
    assert entries["2024"]["Signeringsdatum"] == ["Inte signerad"]
    assert entries["2024"]["Nedladdningar"] == [
        "Kontraktet som PDF (svenska)",
        "Kontraktet som PDF (engelska)",
        "Ändringar mot version 2023 som PDF (svenska)",
    ]
    english = _version_entries(page(built.out, "en/index.html"))
    assert english["2023"]["Date of signing"] == ["8 December 2023"]
    assert english["2023"]["Parties"] == [", ".join(p.name.get("en") for p in built.contracts["2023"].parties)]
    assert english["2023"]["Downloads"] == ["The contract as PDF (Swedish)"]


def _version_entries(doc) -> dict[str, dict[str, list[str]]]:
    """Return each version's facts on a home page, by version."""
    headings = doc.xpath("//article//h2[starts-with(@id, 'version-')]")
    return {h.get("id").removeprefix("version-"): facts(h.xpath("following-sibling::dl[1]")[0]) for h in headings}


def test_downloads_link_only_files_that_exist(built):
    for path in (
        "sv/index.html",
        "en/index.html",
        "sv/2023/index.html",
        "en/2024/index.html",
        "sv/2024/redline/index.html",
    ):
        for link in page(built.out, path).xpath("//a[contains(@class, 'kk-download')]"):
            target = (built.out / path).parent / link.get("href")
            assert target.resolve().is_file(), f"{path} links {link.get('href')}"
            assert link.get("type") == "application/pdf"
    hrefs = [a.get("href") for a in page(built.out, "en/2023/index.html").xpath("//a[contains(@class, 'kk-download')]")]
    assert hrefs == ["../../downloads/2023/klimatkontrakt-2023-sv.pdf"]


# ---------------------------------------------------------------- drafts


def test_draft_is_marked_on_every_page_of_its_version(built):
    banner = {
        "sv": "UTKAST Utkast: den här versionen är inte signerad och kan ändras.",
        "en": "DRAFT Draft: this version is not signed and may change.",
    }
    for lang in ("sv", "en"):
        for path in ("2024/index.html", "2024/redline/index.html"):
            doc = page(built.out, f"{lang}/{path}")
            assert [text_of(b) for b in doc.xpath("//*[@id='kk-draft']")] == [banner[lang]], path
            assert f"({labels.label(lang, 'status_draft')})" in doc.findtext(".//title")
        assert not page(built.out, f"{lang}/2023/index.html").xpath("//*[@id='kk-draft']")
        assert len(page(built.out, f"{lang}/index.html").xpath("//*[@id='kk-draft']")) == 1


@pytest.mark.slow
def test_drafts_are_left_out_unless_asked_for(tmp_path):
    root = make_repo(tmp_path)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(root), "site", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"wrote {out / 'sv'}, {out / 'en'}, {out / 'index.html'}, {out / '404.html'}"
    assert not (out / "sv" / "2024").exists() and (out / "sv" / "2023" / "index.html").is_file()
    assert [h.get("id") for h in page(out, "sv/index.html").xpath("//article//h2")] == ["version-2023"]
    assert not page(out, "sv/2023/index.html").xpath("//nav//a[contains(@href, '2024/')]")


# ---------------------------------------------------------------- the contract page


def test_each_section_has_its_stable_id_as_anchor_in_both_languages_and_versions(built):
    contract = built.contracts["2023"]
    for lang in ("sv", "en"):
        for version in ("2023", "2024"):
            doc = page(built.out, f"{lang}/{version}/index.html")
            for section in contract.walk():
                heading = doc.get_element_by_id(section.id)
                title = plain(section.title, lang, Resolver.of(contract))
                assert heading.tag == f"h{min(section.depth + 1, 6)}"
                assert text_of(heading) == f"{section.number} {title}¶"
                assert heading.xpath("a[@class='headerlink']/@href") == [f"#{section.id}"]


def test_contract_page_has_contents_footnotes_and_annex_links(built):
    contract = built.contracts["2023"]
    doc = page(built.out, "sv/2023/index.html")
    contents = doc.get_element_by_id("kk-contents")
    assert contents.tag == "nav" and not doc.xpath("//details")  # a plain list, not a note box
    assert [a.get("href") for a in contents.xpath(".//li/a")] == [f"#{s.id}" for s in contract.walk()]
    notes = doc.xpath("//div[@class='footnote']/ol/li")
    assert [n.get("id") for n in notes] == [f"fn:{n.number}" for n in contract.footnotes()]
    first = contract.footnotes()[0]
    assert text_of(notes[0]).removesuffix("↩").strip() == plain(first.text, "sv", Resolver.of(contract))
    refs = doc.xpath("//sup/a[@class='footnote-ref']/@href")
    assert set(refs) == {f"#fn:{n.number}" for n in contract.footnotes()}
    annex = doc.get_element_by_id("kk-annex")
    assert [a.get("href") for a in annex.xpath("following-sibling::ul[1]//a")] == [
        d.url for d in contract.annex.documents
    ]


def test_cross_references_link_to_the_section(built):
    doc = page(built.out, "sv/2023/index.html")
    links = doc.xpath("//article//p//a[@href='#klimatanpassning']")
    assert [text_of(a) for a in links] == ["3.8"]


# ---------------------------------------------------------------- redlines


def test_redline_page_shows_the_changes_or_says_why_not(built):
    sv = page(built.out, "sv/2024/redline/index.html")
    assert text_of(sv.xpath("//h1")[0]) == "Version 2024: ändringar mot version 2023 (Utkast)¶"
    assert sv.xpath("//section[@class='redline']//a[@href='#cykling']")
    assert [text_of(i) for i in sv.xpath("//article[@id='cykling']//ins")] == ["infogat: den nya (slut på infogat)"]
    links = sv.xpath("//a[contains(@class, 'kk-download')]")
    assert [(a.get("href"), text_of(a)) for a in links] == [
        ("../../../downloads/2024/redline-2023-2024-sv.pdf", "Ändringar mot version 2023 som PDF (svenska)")
    ]
    # 2023's predecessor (2022) is not in the archive: no page and no link offers changes there are none of.
    for lang in ("sv", "en"):
        assert not (built.out / lang / "2023" / "redline").exists()
        assert not page(built.out, f"{lang}/2023/index.html").xpath("//article//a[contains(@href, 'redline')]")
        assert not page(built.out, f"{lang}/index.html").xpath("//a[contains(@href, '2023/redline')]")


def test_a_version_without_predecessor_says_so():
    contract = small_contract()
    first = dataclasses.replace(contract, meta=dataclasses.replace(contract.meta, previous=None))
    pages = render_pages({"2099": first}, "sv", small_context())
    assert "2099/redline/index.md" not in pages.files
    assert "redline/index.md" not in pages.files["2099/index.md"] + pages.files["index.md"]


# ---------------------------------------------------------------- footer and language links


def test_footer_names_version_status_commit_and_commit_date(built):
    expected = {
        "sv": ["Version 2023 · Signerad", f"Byggd från {built.commit}, 15 januari 2024"],
        "en": ["Version 2023 · Signed", f"Built from {built.commit}, 15 January 2024"],
    }
    for lang, lines in expected.items():
        doc = page(built.out, f"{lang}/2023/index.html")
        assert [text_of(p) for p in doc.xpath("//footer//p[@class='kk-footer__line']")] == lines
        draft = page(built.out, f"{lang}/2024/redline/index.html")
        assert text_of(draft.xpath("//footer//p")[0]) == f"Version 2024 · {labels.label(lang, 'status_draft')}"


def test_language_link_points_at_the_same_page(built):
    cases = {
        "sv/index.html": "../en/",
        "sv/2023/index.html": "../../en/2023/",
        "en/2024/redline/index.html": "../../../sv/2024/redline/",
        "en/search/index.html": "../../sv/search/",
    }
    for path, href in cases.items():
        links = page(built.out, path).xpath("//a[contains(@class, 'kk-lang')]")
        assert [(a.get("href"), a.get("hreflang")) for a in links] == [(href, "en" if path.startswith("sv") else "sv")]


# ---------------------------------------------------------------- safety and translations


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    """A site whose 2023 has a malicious paragraph, a missing English title and a stale English paragraph."""
    base = tmp_path_factory.mktemp("tampered")
    root = make_repo(base, draft=False)
    (root / "years" / "2023" / "signed.lock").unlink(missing_ok=True)
    _edit_yaml(
        root / "years" / "2023" / "preamble.yaml", lambda d: d["body"][0]["p"].update(sv=MALICIOUS, en=MALICIOUS)
    )
    _edit_yaml(root / "years" / "2023" / "municipality.yaml", _break_translations)
    out = base / "site"
    build_site(root, {"2023": load(root, "2023")}, out)
    return out


def _edit_yaml(path: Path, change) -> None:
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _find(sections, section_id):
    for section in sections:
        if section["id"] == section_id:
            return section
        found = _find(section.get("sections") or [], section_id)
        if found is not None:
            return found
    return None


def _break_translations(data) -> None:
    del _find(data["sections"], "klimatrad")["title"]["en"]
    paragraph = _find(data["sections"], "cykling")["body"][0]["p"]
    paragraph["sv"] = paragraph["sv"].replace("Cykelstrategi som är ett", "Cykelstrategi, som är ett")


def test_malicious_paragraph_comes_out_as_literal_text(tampered):
    for lang in ("sv", "en"):
        doc = page(tampered, f"{lang}/2023/index.html")
        article = doc.xpath("//article")[0]
        hits = [p for p in article.xpath(".//p") if "__kk_pwned" in p.text_content()]
        assert [text_of(p) for p in hits] == [" ".join(MALICIOUS.split())]
        # Only the paragraph itself, and on the English page the lang="sv" of the Swedish standing in for it.
        assert [(el.tag, dict(el.attrib)) for el in hits[0].iter()][1:] == (
            [] if lang == "sv" else [("span", {"lang": "sv"})]
        )
        assert not article.xpath(".//script | .//img | .//b") and not doc.xpath("//a[starts-with(@href, 'javascript')]")
        assert [h.get("id") for h in doc.xpath("//*[@id='kk-title']")] == ["kk-title"]


def test_swedish_stands_in_for_missing_and_stale_english_with_a_note(tampered):
    doc = page(tampered, "en/2023/index.html")
    heading = doc.get_element_by_id("klimatrad")
    assert [(s.get("lang"), text_of(s)) for s in heading.xpath("span")] == [("sv", "Klimatråd")]
    assert text_of(_after_language_links(heading)) == "English translation missing; the Swedish text is shown."
    stale = doc.get_element_by_id("cykling")
    assert text_of(_after_language_links(stale)) == "The English translation is out of date; the Swedish text is shown."
    paragraph = stale.xpath("following-sibling::p[not(@class)][1]")[0]
    assert paragraph.xpath("span/@lang") == ["sv"] and "Cykelstrategi, som är ett" in text_of(paragraph)
    assert not page(tampered, "sv/2023/index.html").xpath("//*[@class='kk-translation-note'] | //article//span[@lang]")


def _after_language_links(heading):
    """Return what follows a section's heading and its (hidden) links to the section in the other languages."""
    links = heading.getnext()
    assert links.get("class") == "kk-section-lang"
    return links.getnext()


def test_section_ids_the_site_needs_are_refused():
    contract = small_contract()
    clash = dataclasses.replace(
        contract, sections=(dataclasses.replace(contract.sections[0], id="kk-title"), *contract.sections[1:])
    )
    with pytest.raises(ContractError) as caught:
        render_pages({"2099": clash}, "sv", small_context())
    assert str(caught.value) == "kk-title: error: section id 'kk-title' is reserved by the website (choose another id)"


# ---------------------------------------------------------------- reproducibility


def test_two_builds_of_the_same_commit_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(built.out / "downloads", again / "downloads")
    # The second build runs with a clock a year and a day ahead (libfaketime, also for the tools it starts):
    # any date or time taken from the clock, not from the commit, would differ. Both clocks move: with the
    # monotonic clock left real (FAKETIME_DONT_FAKE_MONOTONIC=1), libfaketime 0.9.10 makes every
    # time.sleep() fail with EINVAL, and the build's timed waits reach time.sleep() inside subprocess.
    script = (
        "import sys; from pathlib import Path; from contract.build.run import gather; "
        "from contract.build.redlines import default_redlines; from contract.build.site import build_site; "
        "contracts, _ = gather(Path(sys.argv[1]), drafts=True); "
        "build_site(Path(sys.argv[1]), contracts, Path(sys.argv[2]), drafts=True, redlines=default_redlines(contracts))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = ["faketime", "-f", "+366d", sys.executable, "-c", script, str(built.root), str(again)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = tree(built.out), tree(again)
    assert sorted(first) == sorted(second)
    differing = [p for p in first if first[p] != second[p]]
    assert differing == [], _first_difference(first, second, differing)
    assert any(p.startswith("sv/pagefind/") for p in first)


def _first_difference(first: dict[str, bytes], second: dict[str, bytes], paths: list[str]) -> str:
    """Say where two builds differ first, to make a reproducibility failure readable."""
    for path in paths:
        a, b = first[path].decode("utf-8", "replace"), second[path].decode("utf-8", "replace")
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return f"{path} differs at character {at}: {a[max(0, at - 80) : at + 80]!r} != {b[max(0, at - 80) : at + 80]!r}"
    return ""


# ---------------------------------------------------------------- the rendered Markdown (golden files)


def small_context() -> SiteContext:
    return SiteContext(
        Source("abc1234", "2024-01-15", 1705320000, False),
        drafts=True,
        downloads={("2099", "sv", "contract"): "downloads/2099/klimatkontrakt-2099-sv.pdf"},
    )


def small_contract() -> Contract:
    """A made-up two-section draft exercising every construct the pages render (not contract content)."""

    def text(key, sv, en=None, status="current"):
        return Text(key, sv, (("en", Translation(en, status=status if en is not None else "missing")),))

    note = Footnote(
        "kalla",
        1,
        text(
            "n", "Källa: [Exempel](https://example.org/a?b=1&c=2)", "Source: [Example](https://example.org/a?b=1&c=2)"
        ),
    )
    child = Section(
        "delmal",
        "1.1",
        text("t2", "Delmål"),
        "purpose",
        2,
        body=(
            Heading(text("h", "Fossilfri *trafik*", "Fossil-free *traffic*")),
            BulletList((text("l1", "- första", "- first"), text("l2", "1. andra: 3 < 4", "1. second: 3 < 4"))),
        ),
    )
    first = Section(
        "syfte",
        "1",
        text("t1", "Syfte", "Purpose"),
        "purpose",
        1,
        body=(
            Paragraph(
                text(
                    "p1",
                    "Kontraktet *ska* öka takten, se {ref:uppfoljning}.{fn:kalla}",
                    "The contract *shall* raise the pace, see {ref:uppfoljning}.{fn:kalla}",
                )
            ),
        ),
        children=(child,),
        footnotes=(note,),
    )
    second = Section(
        "uppfoljning",
        "3",
        text("t3", "Uppföljning", "Follow-up"),
        "updates",
        1,
        pinned=True,
        body=(
            Paragraph(
                text(
                    "p2",
                    "Följs upp årligen, se {ref:1.7} och [länk](ftp://example.org).",
                    "Followed up yearly.",
                    status="stale",
                )
            ),
        ),
    )
    annex = Annex(
        text("a", "Bilaga 1", "Annex 1"),
        (Paragraph(text("ap", "Dokument:", "Documents:")),),
        (AnnexDocument(text("d1", "Plan (exempel.se)"), "https://example.org/plan.pdf"),),
    )
    meta = Meta(
        "2099",
        "2100",
        "draft",
        "exempelstad",
        text("m", "Klimatkontrakt 2030", "Climate City Contract 2030"),
        previous="2098",
    )
    party = Party("exempelstad", "municipality", text("pn", "Exempelstad", "Example City"))
    return Contract(
        meta, (party,), (Paragraph(text("pre", "Inledande text \\*med\\* stjärnor.")),), (first, second), annex
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pages_of_a_small_contract_match_the_golden_markdown(lang, golden):
    pages = render_pages({"2099": small_contract()}, lang, small_context())
    parts = [f"<!-- nav -->\n{json.dumps(pages.nav, ensure_ascii=False, indent=1)}\n"]
    parts += [f"<!-- {path} -->\n{text}" for path, text in sorted(pages.files.items())]
    golden(GOLDEN / f"small-{lang}.md", "\n".join(parts))


def test_root_page_matches_the_golden_html(golden):
    golden(GOLDEN / "root.html", render_root())


# ---------------------------------------------------------------- live preview


@pytest.mark.slow
def test_serve_rebuilds_when_a_yaml_file_changes(tmp_path):
    root = make_repo(tmp_path, site_files=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "contract", "--root", str(root), "serve", "--dev-addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = ServerLog(server)
    try:
        log.wait_for("Serving on")  # MkDocs serves once the first build is done
        url = f"http://127.0.0.1:{listening_port(server.pid)}/2024/"
        assert "I den nya Cykelstrategin anges att" in _fetch(url)
        yaml_file = root / "years" / "2024" / "municipality.yaml"
        yaml_file.write_text(
            yaml_file.read_text(encoding="utf-8").replace("I den nya Cykelstrategin", "I den ändrade Cykelstrategin"),
            encoding="utf-8",
        )
        text = ""
        while "I den ändrade Cykelstrategin anges att" not in text:  # each rebuild ends with this line of the log
            log.wait_for("Reloading browsers")
            text = _fetch(url)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


class ServerLog:
    """The lines a server prints, read in a thread, so that a test can wait for one without polling."""

    def __init__(self, process: subprocess.Popen):
        self.process, self.lines, self.seen = process, queue.Queue(), []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)  # the server ended

    def wait_for(self, needle: str) -> None:
        """Block until the server prints a line containing needle; fail when it ends first (the timeout guards a hang)."""
        while True:
            line = self.lines.get(timeout=300)
            if line is None:
                pytest.fail(f"the server stopped before printing {needle!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if needle in line:
                return

    def close(self) -> None:
        self.thread.join(timeout=60)
        self.process.stdout.close()


def _fetch(url: str) -> str:
    """Return the page's text with its whitespace collapsed."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return " ".join(response.read().decode("utf-8").split())


def test_preview_shows_what_stops_the_contract_from_loading(tmp_path):
    from contract.build.site import preview_pages

    root = make_repo(tmp_path)
    meta = root / "years" / "2024" / "contract.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("status: draft", "status: draft\nstatus: signed"), encoding="utf-8"
    )
    pages = preview_pages(root, "sv")
    assert list(pages.files) == ["index.md"]
    text = pages.files["index.md"]
    assert "# Kontraktet kunde inte läsas {: #kk-title }" in text
    assert "\n- years/2024/contract.yaml:5:1: error: duplicate key 'status'" in text


def test_a_site_without_versions_still_has_its_pages():
    pages = render_pages({}, "en", small_context())
    assert sorted(pages.files) == ["index.md", "search/index.md"]
    assert pages.nav == [{"Versions": "index.md"}, {"Search": "search/index.md"}]


def test_serve_needs_the_site_configuration(tmp_path):
    root = make_repo(tmp_path, draft=False)
    result = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(root), "serve"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert (
        result.stdout.strip()
        == f"{root / 'mkdocs.yml'}: error: no MkDocs configuration here (run the command in the repository, or pass --root)"
    )


@pytest.mark.slow  # builds the site
def test_site_into_a_relative_folder_and_never_through_a_link_in_the_way(repo_copy, tmp_path, monkeypatch, capsys):
    # A relative --out was read from the configuration's folder by MkDocs and from the current folder by Pagefind: the
    # command failed unless run from the repository. And MkDocs' pages, written beside each language's folder since
    # they left TMPDIR, must never go through a link that has their name.
    from contract.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["--root", str(repo_copy), "site", "--out", "out"]) == 0
    page = tmp_path / "out" / "sv" / "index.html"
    before = page.read_bytes()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out" / ".sv.building").symlink_to(elsewhere)
    (tmp_path / "out" / ".en.staging").write_text("not the build's")
    capsys.readouterr()
    assert main(["--root", str(repo_copy), "site", "--out", "out"]) == 1
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert f"{tmp_path / 'out' / '.sv.building'}: error: a link or file has the name of a folder the build" in err
    assert "Traceback" not in err and "internal error" not in err
    assert list(elsewhere.iterdir()) == [] and (tmp_path / "out" / ".sv.building").is_symlink()
    assert (tmp_path / "out" / ".en.staging").read_text() == "not the build's"
    assert page.read_bytes() == before
