"""What the readers' site says and links, in Debian's Chromium (Playwright): print, the redline's list of changes,
history, compare any two versions, search by version, signatures, every link and anchor, and the 404 page of a site
that knows its address.
"""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lhtml
from readers_site import EMPTIED, RENAMED, search_results, serve_like_pages
from site_helpers import PHONE, Page, describe

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- print


def _printed_pages(page: Page, tmp_path) -> list[str]:
    page.page.emulate_media(media="print")
    pdf = tmp_path / "printed.pdf"
    page.page.pdf(path=str(pdf), format="A4")
    # One pdftotext for the whole file (not one per page): it ends every page with a form feed.
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert pages[-1] == "", "pdftotext did not end the last page with a form feed"
    return pages[:-1]


@pytest.mark.parametrize("lang, mark", [("sv", "Version 2024 · Utkast"), ("en", "Version 2024 · Draft")])
def test_printed_contract_fills_page_one_and_names_version_and_status_on_every_page(
    lang, mark, readers_base, open_page, tmp_path
):
    page = open_page(readers_base + f"{lang}/2024/")
    printed = _printed_pages(page, tmp_path)
    assert len(printed) > 10
    assert [n for n, text in enumerate(printed, 1) if mark not in text] == []
    assert _lowest_text_on_page_one(page, tmp_path) > 0.75  # page 1 is filled, not a title and a blank page


def _lowest_text_on_page_one(page: Page, tmp_path) -> float:
    """Return how far down page 1 of the last print its text goes (0 top, 1 bottom), page margins left out."""
    words = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "printed.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', words)[1])
    bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', words)]
    inside = [y for y in bottoms if height * 0.06 < y < height * 0.92]  # not the margin boxes
    return max(inside) / height


def test_printed_contract_shows_annex_addresses(readers, readers_base, open_page, tmp_path):
    page = open_page(readers_base + "sv/2023/")
    text = re.sub(r"\s+", "", "".join(_printed_pages(page, tmp_path)))
    urls = [d.url for d in readers.contracts["2023"].annex.documents]
    assert urls and [u for u in urls if re.sub(r"\s+", "", u) not in text] == []


# ---------------------------------------------------------------- redline


def test_redline_lists_changes_by_chapter_with_counts_and_links(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/")
    chapters = page.page.locator(".redline-chapters > li")
    assert [
        " ".join(c.split())
        for c in chapters.evaluate_all(
            "items => items.map(i => i.firstChild.textContent + ' ' + i.children[1].textContent)"
        )
    ] == ["3 Kommunens åtaganden (ändrade avsnitt: 3)", "5 Myndigheternas åtaganden (ändrade avsnitt: 1)"]
    links = page.page.eval_on_selector_all(".redline-chapters a", "a => a.map(x => x.getAttribute('href'))")
    assert links == ["#klimatrad", f"#{EMPTIED}", f"#{RENAMED[1]}", "#myndigheternas-smart-policyutveckling"]
    assert all(page.page.evaluate(f"document.getElementById({link[1:]!r}) !== null") for link in links)


def test_redline_sections_have_badges_places_and_steps(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/")
    section = page.page.locator(f"article#{RENAMED[1]}")
    assert section.locator(".kk-badge").all_inner_texts() == ["ändrat"]
    places = section.locator(".redline-places a").evaluate_all(
        "a => a.map(x => [x.getAttribute('href'), x.textContent])"
    )
    assert places == [
        [f"../../2023/#{RENAMED[0]}", "Avsnittet i version 2023"],
        [f"../../2024/#{RENAMED[1]}", "Avsnittet i version 2024"],
        [f"../../history/#{RENAMED[1]}", "Avsnittets historik"],
    ]
    steps = section.locator(".redline-steps a").evaluate_all(
        "a => a.map(x => [x.getAttribute('href'), x.getAttribute('rel')])"
    )
    assert steps == [[f"#{EMPTIED}", "prev"], ["#myndigheternas-smart-policyutveckling", "next"]]
    emptied = page.page.locator(f"article#{EMPTIED}")
    assert "att skriva" in emptied.locator(".kk-badge").all_inner_texts()
    assert (
        emptied.locator(".kk-to-be-written").inner_text() == "Att skriva: texten till detta avsnitt är inte skriven än."
    )


def test_deleted_and_inserted_words_do_not_touch(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/")
    gap = page.page.evaluate("""() => {
      const del = document.querySelector('#klimatrad del'), ins = del.nextElementSibling;
      return ins.tagName === 'INS' ? ins.getBoundingClientRect().left - del.getBoundingClientRect().right : null;
    }""")
    assert gap is not None and gap >= 4


def test_english_redline_cues_are_in_english(readers_base, open_page):
    page = open_page(readers_base + "en/2024/redline/")
    langs = page.page.eval_on_selector_all(
        ".redline .visually-hidden", "els => [...new Set(els.map(e => e.closest('[lang]').lang))]"
    )
    assert langs == ["en"]


def test_redline_title_says_which_version_is_the_draft(readers):
    doc = lhtml.fromstring((readers.out / "sv" / "2024" / "redline" / "index.html").read_bytes())
    assert (
        " ".join(doc.xpath("//h1")[0].text_content().split()).rstrip("¶")
        == "Version 2024: ändringar mot version 2023 (Utkast)"
    )


# ---------------------------------------------------------------- history and compare


def test_history_follows_a_renamed_id_and_links_to_the_change(readers_base, open_page):
    page = open_page(readers_base + "sv/history/")
    rows = page.page.locator(f"#{RENAMED[1]} + ul > li").all_inner_texts()
    assert rows == [
        "Version 2023: 3.9.3 Cykling — första versionen i arkivet (äldre versioner finns inte här)",
        f"Version 2024: 3.9.3 Cykling — ändrat, id ändrat från {RENAMED[0]} (se ändringen)",
    ]
    links = page.page.locator(f"#{RENAMED[1]} + ul a").evaluate_all("a => a.map(x => x.getAttribute('href'))")
    assert links == [f"../2023/#{RENAMED[0]}", f"../2024/#{RENAMED[1]}", f"../2024/redline/#{RENAMED[1]}"]
    assert page.page.locator(f"#{RENAMED[0]}").count() == 0  # one entry for the section, not two


def test_contract_and_redline_link_to_the_history(readers_base, open_page):
    for path in ("sv/2023/", "sv/2024/redline/"):
        page = open_page(readers_base + path)
        page.page.click("article a:text('Avsnittens historik')")
        page.page.wait_for_url(readers_base + "sv/history/")


def test_compare_any_two_versions_from_a_version_page(readers_base, open_page):
    page = open_page(readers_base + "en/2023/")
    page.page.click("article a:text('Version 2024')")
    page.page.wait_for_url(readers_base + "en/compare/2023..2024/")
    assert page.page.inner_text("h1").rstrip("¶").strip() == "Comparison: version 2023 and version 2024 (Draft)"
    assert page.page.locator(f"article#{RENAMED[1]} ins").count() >= 1
    assert page.problems == []


def test_compare_choice_works_with_and_without_javascript(readers_base, open_page):
    page = open_page(readers_base + "sv/compare/")
    page.page.select_option("#kk-compare-from", "2024")
    page.page.select_option("#kk-compare-to", "2023")
    page.page.click("#kk-compare button")
    page.page.wait_for_url(readers_base + "sv/compare/2023..2024/")
    plain = open_page(readers_base + "sv/compare/", java_script_enabled=False)
    assert not plain.page.locator("#kk-compare").is_visible()
    plain.page.click("a.kk-pair")
    plain.page.wait_for_url(readers_base + "sv/compare/2023..2024/")


def test_compare_page_links_to_a_section(readers_base, open_page):
    page = open_page(readers_base + f"sv/compare/2023..2024/#{RENAMED[1]}")
    assert page.page.evaluate(f"document.getElementById({RENAMED[1]!r}).getBoundingClientRect().top") < 200


# ---------------------------------------------------------------- search


def test_search_defaults_to_the_newest_signed_version_and_names_the_version(readers_base, open_page):
    page = open_page(readers_base + "sv/search/?q=cykelstrategin")
    assert page.page.input_value("#kk-search-version") == "2023"
    results = search_results(page)
    assert results and {path for path, _ in results} == {"/sv/2023/"}
    assert {version for _, version in results} == {"(Version 2023)"}


def test_search_in_every_version_or_the_draft(readers_base, open_page):
    page = open_page(readers_base + "sv/search/?q=cykelstrategin&version=all")
    assert {path for path, _ in search_results(page)} == {"/sv/2023/", "/sv/2024/"}
    page = open_page(readers_base + "sv/search/?q=cykelstrategin")
    # The first search (the default version) is shown before the reader changes the version (a search that ends after
    # a newer one is dropped: test_a_search_that_ends_after_a_newer_one_does_not_replace_its_results).
    assert {version for _, version in search_results(page)} == {"(Version 2023)"}
    page.page.select_option("#kk-search-version", "2024")
    page.page.wait_for_url(re.compile(r"version=2024"))
    page.page.wait_for_function(
        "[...document.querySelectorAll('#kk-search-results a')].every(a => a.href.includes('/sv/2024/'))"
    )
    assert {version for _, version in search_results(page)} == {"(Version 2024)"}


def test_the_section_language_links_are_not_searched(readers_base, open_page):
    # "engelska" is in every section's link of 2023 and nowhere else on its page (2024's names an English PDF).
    page = open_page(readers_base + "sv/search/?q=engelska&version=2023")
    assert search_results(page) == []
    assert page.page.inner_text("#kk-search-status") == "Inga träffar för ”engelska”."


# ---------------------------------------------------------------- signatures and search engines


def test_signatures_name_every_party_in_full_the_date_and_how_to_verify(readers, readers_base, open_page):
    page = open_page(readers_base + "en/2023/")
    section = page.page.locator("#kk-signatures")
    items = page.page.locator("#kk-signatures ~ ul").first.locator("li").all_inner_texts()
    assert items[0] == "City of Borås (Borås Stad)" and len(items) == 8  # 2023 names no signatories: none shown
    assert "Signatory" not in " ".join(items)
    assert section.evaluate("h => h.nextElementSibling.textContent") == "The contract was signed on 8 December 2023."
    pdf = page.page.locator("a.kk-download:text('The signed contract (PDF)')")
    assert pdf.get_attribute("href") == "../../downloads/2023/klimatkontrakt-2023-sv-signed.pdf"
    assert "klimatkontrakt verify" in page.page.inner_text(".kk-verify")
    draft = open_page(readers_base + "en/2024/")
    assert (
        draft.page.evaluate("document.getElementById('kk-signatures').nextElementSibling.textContent")
        == "The contract has not been signed."
    )
    assert draft.page.locator(".kk-verify").count() == 0


def test_pages_name_their_other_language_for_search_engines(readers):
    doc = lhtml.fromstring((readers.out / "sv" / "2023" / "index.html").read_bytes())
    alternates = {link.get("hreflang"): link.get("href") for link in doc.xpath("//link[@hreflang]")}
    assert alternates == {"sv": "../../sv/2023/", "en": "../../en/2023/"}
    assert doc.findtext(".//title") == "Klimatkontrakt 2030, Version 2023"


# ---------------------------------------------------------------- links (issue 10: a renamed id breaks no link)


def test_every_link_points_at_a_page_and_an_anchor_that_exist(readers, readers_base):
    """Crawl both languages: every link, the redline's and the history's included, reaches an element id."""
    pages: dict[str, tuple[int, object, set[str]]] = {}  # each page parsed once, with its element ids

    def get(url: str):
        if url not in pages:
            try:
                with urllib.request.urlopen(url) as response:
                    body = response.read()
                    kind = response.headers.get_content_type()
                doc = lhtml.fromstring(body) if kind == "text/html" else None
                pages[url] = (200, doc, set(doc.xpath("//@id")) if doc is not None else set())
            except urllib.error.HTTPError as error:
                pages[url] = (error.code, None, set())
        return pages[url]

    queue, seen, broken = [readers_base + "sv/", readers_base + "en/"], set(), []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        doc = get(url)[1]
        for href in doc.xpath("//a/@href") if doc is not None else []:
            target = urllib.parse.urljoin(url, href)
            if not target.startswith(readers_base):
                continue
            address, fragment = urllib.parse.urldefrag(target)
            status, linked, ids = get(address)
            if status != 200:
                broken.append(f"{url} -> {href}: HTTP {status}")
            elif fragment and linked is not None and fragment not in ids:
                broken.append(f"{url} -> {href}: no element with id {fragment}")
            elif linked is not None:
                queue.append(address)
    assert broken == []
    assert {readers_base + p for p in ("sv/history/", "en/compare/2023..2024/", "sv/2024/redline/")} <= seen


# ---------------------------------------------------------------- the 404 page of a site that knows its address


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A site built knowing its address (site_url): at a domain's root, or a project site's path.

    The signed version 2023 alone: what the address changes (the 404 page, canonical links) is the same on every page
    type, and this site builds in half the time of the readers' site with its draft, redline and comparisons.
    """
    from site_helpers import make_repo

    from contract.build.site import build_site
    from contract.source.load import load

    sites = {}

    def get(prefix: str) -> Path:
        if prefix not in sites:
            root = make_repo(tmp_path_factory.mktemp("published"), draft=False)
            sites[prefix] = root.parent / "site"
            build_site(root, {"2023": load(root, "2023")}, sites[prefix], site_url=f"https://example.org{prefix}")
        return sites[prefix]

    return get


@pytest.mark.parametrize("prefix", ["/", "/klimatkontrakt/"])
def test_with_the_sites_address_known_the_404_page_works_without_javascript(prefix, published, browser):
    out = published(prefix)
    with serve_like_pages(out, prefix) as url:
        host = url.split(prefix)[0] if prefix != "/" else url.rstrip("/")
        page = Page(browser, PHONE, java_script_enabled=False)  # one reader going from missing page to missing page
        try:
            for missing in ("sv/nothing-here/", "en/2023/gone.html", "no-such-page", "a/b/c/"):
                assert page.page.goto(url + missing).status == 404
                hrefs = page.page.eval_on_selector_all("a", "links => links.map(a => a.href)")
                assert hrefs == [host + prefix + "sv/", host + prefix + "en/"]
                assert all(urllib.request.urlopen(h).status == 200 for h in hrefs)
                assert page.page.locator("noscript, script").count() == 0  # nothing to say or do: the links are right
                page.page.keyboard.press("Tab")
                page.page.keyboard.press("Enter")
                page.page.wait_for_url(host + prefix + "sv/")
                assert page.page.title() == "Klimatkontrakt 2030"
        finally:
            page.close()
        page = Page(browser, PHONE)
        try:
            page.page.goto(url + "no-such-page")
            assert describe(page.axe()) == ""
        finally:
            page.close()
    doc = lhtml.fromstring((out / "en" / "2023" / "index.html").read_bytes())
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"https://example.org{prefix}en/2023/"]
    # Search engines want the hreflang alternates absolute: the same page in each language, at the site's address.
    alternates = [(link.get("hreflang"), link.get("href")) for link in doc.xpath("//head/link[@hreflang]")]
    assert alternates == [(lang, f"https://example.org{prefix}{lang}/2023/") for lang in ("sv", "en")]


# A stand-in for Pagefind's module, so the test decides when each search finishes: kk.js is what is under test.
_HELD_PAGEFIND = """
export function options() { return Promise.resolve(); }
export function search(query) {
  return new Promise(resolve => (window.__kkHeld = window.__kkHeld || []).push(() => resolve({results: [{
    data: () => Promise.resolve({url: '/sv/' + query + '/', meta: {title: query, version: query}, excerpt: '',
                                 sub_results: []})}]})));
}
"""


def test_a_search_that_ends_after_a_newer_one_does_not_replace_its_results(readers_base, open_page):
    page = open_page(readers_base + "sv/search/?version=all")  # the stand-in's results are of no real version
    page.page.route(
        "**/pagefind/pagefind.js",
        lambda route: route.fulfill(body=_HELD_PAGEFIND, content_type="text/javascript"),
    )
    page.page.fill("form.kk-search input[type=search]", "first")
    page.page.evaluate("document.querySelector('form.kk-search').requestSubmit()")
    page.page.wait_for_function("(window.__kkHeld || []).length === 1")
    page.page.fill("form.kk-search input[type=search]", "second")
    page.page.evaluate("document.querySelector('form.kk-search').requestSubmit()")
    page.page.wait_for_function("window.__kkHeld.length === 2")
    page.page.evaluate("window.__kkHeld[1]()")  # the newer search finishes first ...
    page.page.wait_for_function("document.getElementById('kk-search-status').textContent !== ''")
    page.page.evaluate("window.__kkHeld[0]()")  # ... and the older one after it
    page.page.wait_for_function("new Promise(done => setTimeout(() => done(true), 0))")  # let its promises settle
    assert page.page.eval_on_selector_all("#kk-search-results a", "as => as.map(a => a.textContent)") == ["second"]
