"""The contract website in a real browser (Debian's Chromium via Playwright), served on 127.0.0.1.

The root page's accessibility (axe-core, WCAG 2.1 A/AA) and language choice, that axe catches a planted violation,
the language switch, every internal link and PDF link, search, and safety. Every other page type's accessibility and
console is checked on the readers' site, a superset of this one (test_site_readers_a11y.py).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from lxml import html as lhtml
from ruamel.yaml import YAML
from site_helpers import DESKTOP, PHONE, Page, describe, make_repo, serve

from contract.build.site import build_site
from contract.source.load import load

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
MALICIOUS = (
    '<script>window.__kk_pwned = 1</script> <img src=x onerror="window.__kk_pwned = 2"> '
    '[klicka](javascript:window.__kk_pwned=3) {{ 7*7 }} rubrikord <b>fet</b> <svg onload="window.__kk_pwned=4">'
)


@pytest.fixture(scope="module")
def built(test_site):
    return test_site


@pytest.fixture(scope="module")
def base(built):
    with serve(built.out) as url:
        yield url


def search(page: Page) -> list[tuple[str, str]]:
    """Wait for the search page's results; return each result's link path and text."""
    page.page.wait_for_function("document.getElementById('kk-search-status').textContent !== ''", timeout=15000)
    links = page.page.query_selector_all("#kk-search-results li > a")
    return [
        (
            urllib.parse.urlsplit(a.get_attribute("href")).path
            + "#"
            + urllib.parse.urlsplit(a.get_attribute("href")).fragment,
            a.inner_text(),
        )
        for a in links
    ]


# ---------------------------------------------------------------- the root page and axe itself


@pytest.mark.parametrize("width", WIDTHS)
def test_root_page_offers_both_languages_accessibly(width, base, open_page):
    page = open_page(base, WIDTHS[width], locale="de-DE")  # a language the site lacks: the visitor chooses
    assert page.page.url == base
    links = page.page.query_selector_all("a[hreflang]")
    assert [(a.get_attribute("href"), a.inner_text()) for a in links] == [
        ("sv/", "Läs på svenska"),
        ("en/", "Read in English"),
    ]
    assert describe(page.axe()) == ""
    assert page.problems == []


@pytest.mark.parametrize("locale, lang", [("sv-SE", "sv"), ("en-GB", "en"), ("en-US", "en")])
def test_root_page_sends_visitors_to_their_language(locale, lang, base, open_page):
    page = open_page(base, locale=locale)
    page.page.wait_for_url(base + f"{lang}/")
    assert page.page.evaluate("document.documentElement.lang") == lang


def test_axe_reports_a_planted_violation(base, open_page):
    page = open_page(base + "sv/")
    page.page.evaluate("document.querySelector('article').insertAdjacentHTML('beforeend', '<img src=\"data:,\">')")
    assert "image-alt" in [v["id"] for v in page.axe()]


# ---------------------------------------------------------------- language switch and links


@pytest.mark.parametrize(
    "start, target",
    [
        ("sv/2023/#klimatrad", "en/2023/#klimatrad"),
        ("en/2024/redline/#cykling", "sv/2024/redline/#cykling"),
        ("sv/#version-2023", "en/#version-2023"),
    ],
)
def test_language_switch_keeps_page_and_anchor(start, target, base, open_page):
    page = open_page(base + start)
    page.page.click("a.kk-lang")
    page.page.wait_for_url(base + target)
    anchor = target.split("#")[1]
    assert page.page.evaluate(f"document.getElementById('{anchor}') !== null")
    assert page.problems == []


def test_language_switch_follows_the_anchor_the_reader_moved_to(base, open_page):
    page = open_page(base + "sv/2023/")
    page.page.click("#kk-contents a[href='#cykling']")
    assert page.page.get_attribute("a.kk-lang", "href") == base + "en/2023/#cykling"


def test_language_switch_keeps_the_page_without_javascript(base, open_page):
    page = open_page(base + "sv/2024/redline/#x", java_script_enabled=False)
    page.page.click("a.kk-lang")
    page.page.wait_for_url(base + "en/2024/redline/")


def test_every_internal_link_and_pdf_link_resolves(base):
    cache: dict[str, tuple[int, bytes, str]] = {}
    ids: dict[str, set[str]] = {}  # the element ids of each page, parsed once (not once per link to it)
    visited, queue, broken, pdfs = set(), [base], [], 0

    def get(url: str) -> tuple[int, bytes, str]:
        if url not in cache:
            cache[url] = _fetch(url)
        return cache[url]

    def ids_of(url: str) -> set[str]:
        if url not in ids:
            ids[url] = set(lhtml.fromstring(get(url)[1]).xpath("//@id"))
        return ids[url]

    while queue:
        url = queue.pop()
        if url in visited or get(url)[2] != "text/html":
            continue
        visited.add(url)
        for link in _links(url, get(url)[1]):
            address, fragment = urllib.parse.urldefrag(link)
            status, _, kind = get(address)
            pdfs += kind == "application/pdf"
            if status != 200:
                broken.append(f"{url} -> {link}: HTTP {status}")
            elif fragment and kind == "text/html" and fragment not in ids_of(address):
                broken.append(f"{url} -> {link}: no element with id {fragment}")
            elif kind == "text/html":
                queue.append(address)
    assert broken == []
    assert pdfs >= 4
    assert {
        base + p for p in ("sv/2023/", "en/2024/redline/", "sv/search/", "en/compare/2023..2024/", "sv/history/")
    } <= visited


def _fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        return error.code, b"", ""


def _links(url: str, body: bytes) -> list[str]:
    """Return the absolute addresses a page links to or loads on this site."""
    doc = lhtml.fromstring(body)
    out = []
    for value in doc.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
        absolute = urllib.parse.urljoin(url, value)
        if urllib.parse.urlsplit(absolute).netloc == urllib.parse.urlsplit(url).netloc and absolute.startswith("http"):
            out.append(absolute)
    return out


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query, expected",
    [
        ("cykelstrategin", ("/sv/2023/#cykling", "3.9.3 Cykling")),
        ("klimatrådet", ("/sv/2023/#klimatrad", "3.3.1 Klimatråd")),
        ("klimatrådets", ("/sv/2023/#klimatrad", "3.3.1 Klimatråd")),  # not in the text: found by Swedish stemming
        ("Cykelstrategier", ("/sv/2023/#cykling", "3.9.3 Cykling")),
        ("3.2.1", ("/sv/2023/#delat-ansvar", "3.2.1 Delat ansvar")),
    ],
)
def test_swedish_search_finds_inflected_words_and_section_numbers(query, expected, base, open_page):
    page = open_page(base + "sv/search/?q=" + urllib.parse.quote(query), locale="sv-SE")
    results = search(page)
    assert expected in results
    assert page.problems == []


def test_search_by_section_number_puts_that_section_first(base, open_page):
    page = open_page(base + "en/search/?q=3.2.1")
    assert search(page)[0] == ("/en/2023/#delat-ansvar", "3.2.1 Shared responsibility")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("query", ["klimatrådet", "climate", "3.2.1", "Borås"])
def test_search_never_returns_the_other_languages_pages(lang, query, base, open_page):
    page = open_page(base + f"{lang}/search/?q=" + urllib.parse.quote(query))
    results = search(page)
    assert [path for path, _ in results if not path.startswith(f"/{lang}/")] == []


def test_search_form_submits_and_results_lead_to_the_section(base, open_page):
    page = open_page(base + "sv/search/")
    page.page.fill("#kk-search-input", "cykelstrategin")
    page.page.click(".kk-search button")
    assert ("/sv/2023/#cykling", "3.9.3 Cykling") in search(page)
    assert page.page.url == base + "sv/search/?q=cykelstrategin&version=2023"
    page.page.click("#kk-search-results a[href$='#cykling']")
    page.page.wait_for_url(base + "sv/2023/#cykling")
    assert page.problems == []


# ---------------------------------------------------------------- safety and translations


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    """A site whose 2023 preamble starts with a malicious paragraph and lacks one English title."""
    base = tmp_path_factory.mktemp("browser-tampered")
    root = make_repo(base, draft=False)
    (root / "years" / "2023" / "signed.lock").unlink(missing_ok=True)
    yaml = YAML()
    preamble = root / "years" / "2023" / "preamble.yaml"
    data = yaml.load(preamble.read_text(encoding="utf-8"))
    data["body"][0]["p"]["sv"] = data["body"][0]["p"]["en"] = MALICIOUS
    with preamble.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    build_site(root, {"2023": load(root, "2023")}, base / "site")
    with serve(base / "site") as url:
        yield url


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_malicious_text_stays_text_in_the_browser(lang, tampered, open_page):
    page = open_page(tampered + f"{lang}/2023/")
    assert page.page.evaluate("typeof window.__kk_pwned") == "undefined"
    paragraph = page.page.locator("article p", has_text="__kk_pwned")
    assert paragraph.count() == 1
    assert " ".join(paragraph.inner_text().split()) == " ".join(MALICIOUS.split())
    assert (
        page.page.evaluate("document.querySelectorAll('article script, article img, article svg, article b').length")
        == 0
    )
    assert page.page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert page.problems == []


def test_malicious_text_stays_text_in_search_results(tampered, open_page):
    page = open_page(tampered + "sv/search/?q=rubrikord")
    results = search(page)
    assert results and results[0][0] == "/sv/2023/#kk-preamble"
    assert "<script>" in page.page.inner_text("#kk-search-results")
    assert (
        page.page.evaluate(
            "document.querySelectorAll('#kk-search-results script, #kk-search-results img, #kk-search-results svg, #kk-search-results b').length"
        )
        == 0
    )
    assert page.page.evaluate("typeof window.__kk_pwned") == "undefined"


def test_swedish_standing_in_for_english_is_marked_visibly(tampered, open_page):
    page = open_page(tampered + "en/2023/")
    # Right after the heading and its no-JS language link (hidden unless the preamble is the #target).
    note = page.page.locator("#kk-preamble + p.kk-section-lang + p.kk-translation-note")
    assert note.is_visible()
    assert note.inner_text() == "The English translation is out of date; the Swedish text is shown."
    assert page.page.evaluate(
        "document.querySelector('#kk-preamble ~ p span[lang=sv]').textContent.includes('__kk_pwned')"
    )
