"""The readers' site in Debian's Chromium (Playwright): every page type free of WCAG 2.1 A/AA violations (axe-core) and
console errors in both languages, at desktop and phone width, light and dark; the 404 pages; the look and dark mode.
"""

from __future__ import annotations

import re
import urllib.request

import pytest
from lxml import html as lhtml
from readers_site import build_readers_site, search_results, serve_like_pages
from site_helpers import DESKTOP, PHONE, Page, describe

pytestmark = pytest.mark.slow

# Every page type: home, a signed version, a draft, a redline, compare (pair and choice), history, search.
# The readers' site is the test site (test_site_browser.py) with more kinds of change and a signed PDF: checking each
# page type here covers that site's pages too, so they are checked once, here.
PAGES = [
    "{lang}/",
    "{lang}/2023/",
    "{lang}/2024/",
    "{lang}/2024/redline/",
    "{lang}/compare/2023..2024/",
    "{lang}/compare/",
    "{lang}/history/",
    "{lang}/search/?q=klimat",
]
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = {"light": "default", "dark": "slate"}  # the system's colour scheme, and the Material scheme it must choose
LOCALE = {"sv": "sv-SE", "en": "en-GB"}


@pytest.fixture(scope="module")
def base(readers):
    with serve_like_pages(readers.out) as url:
        yield url


# ---------------------------------------------------------------- every page type


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_type_has_no_wcag_violations_and_no_console_errors(lang, path, width, scheme, base, open_page):
    page = open_page(base + path.format(lang=lang), WIDTHS[width], color_scheme=scheme, locale=LOCALE[lang])
    assert page.page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]
    if "search" in path:
        assert search_results(page), "the search found nothing"
    assert describe(page.axe()) == ""
    assert page.problems == []


# ---------------------------------------------------------------- 404


@pytest.mark.parametrize("prefix", ["/", "/klimatkontrakt/"])
def test_missing_pages_show_the_sites_own_404_with_working_links(prefix, readers, browser):
    with serve_like_pages(readers.out, prefix) as url:
        for missing in ("sv/nothing-here/", "en/2023/gone.html", "no-such-page"):
            page = Page(browser, PHONE)
            try:
                response = page.page.goto(url + missing)
                assert response.status == 404
                assert page.page.inner_text("h1#kk-sv") == "Sidan finns inte"
                host = url.split(prefix)[0] if prefix != "/" else url.rstrip("/")
                page.page.wait_for_function(f"document.querySelector('a.kk-home').href === {host + prefix + 'sv/'!r}")
                hrefs = page.page.eval_on_selector_all("a", "links => links.map(a => a.href)")
                assert hrefs == [host + prefix + "sv/", host + prefix + "en/"]
                assert all(urllib.request.urlopen(h).status == 200 for h in hrefs)
                loaded = page.page.evaluate(
                    "document.querySelectorAll('link[rel=stylesheet], img, script[src]').length"
                )
                assert loaded == 0  # the page carries its own styles: nothing to load from a path that may be wrong
                assert describe(page.axe()) == ""
            finally:
                page.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The readers' site built knowing its address (site_url): at a domain's root, or a project site's path."""
    sites = {}

    def get(prefix: str):
        if prefix not in sites:
            sites[prefix] = build_readers_site(tmp_path_factory.mktemp("published"), f"https://example.org{prefix}")
        return sites[prefix]

    return get


@pytest.mark.parametrize("prefix", ["/", "/klimatkontrakt/"])
def test_with_the_sites_address_known_the_404_page_works_without_javascript(prefix, published, browser):
    built = published(prefix)
    with serve_like_pages(built.out, prefix) as url:
        host = url.split(prefix)[0] if prefix != "/" else url.rstrip("/")
        for missing in ("sv/nothing-here/", "en/2023/gone.html", "no-such-page", "a/b/c/"):
            page = Page(browser, PHONE, java_script_enabled=False)
            try:
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
    doc = lhtml.fromstring((built.out / "en" / "2023" / "index.html").read_bytes())
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"https://example.org{prefix}en/2023/"]


def test_without_the_sites_address_the_404_page_says_how_to_reach_the_start_without_javascript(readers, browser):
    with serve_like_pages(readers.out, "/klimatkontrakt/") as url:
        page = Page(browser, PHONE, java_script_enabled=False)
        try:
            assert page.page.goto(url + "sv/nothing-here/").status == 404
            said = {
                lang: page.page.locator(f"section[lang={lang}] p").filter(visible=True).all_inner_texts()[-1]
                for lang in ("sv", "en")
            }
            assert said["sv"].startswith("Utan JavaScript vet sidan inte var webbplatsen börjar")
            assert said["en"].startswith("Without JavaScript this page cannot tell where the site starts")
        finally:
            page.close()


# ---------------------------------------------------------------- look and dark mode


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_the_site_has_a_look_of_its_own(base, open_page):
    page = open_page(base + "sv/2023/")
    header = page.page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    assert header != "rgb(64, 81, 181)"  # not Material's default indigo
    h1 = page.page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert _luminance(h1) < 0.05  # a dark, real heading, not light grey
    assert page.page.evaluate("document.querySelector('#kk-contents').closest('.admonition, details')") is None
    assert page.page.evaluate("getComputedStyle(document.querySelector('.footnote-backref')).opacity") == "1"
    size = page.page.evaluate(
        "(() => { const r = document.querySelector('.footnote-ref').getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    assert min(size) >= 24
    page.page.hover(".footnote-ref")
    page.page.wait_for_selector(".md-tooltip2", state="visible", timeout=5000)
    assert page.page.evaluate("[...document.querySelectorAll('a.headerlink')].every(a => a.tabIndex === -1)")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dark_mode_is_offered_and_follows_the_system(lang, base, open_page):
    page = open_page(base + f"{lang}/2023/", color_scheme="dark")
    assert page.page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    toggle = page.page.locator("form[data-md-component=palette] label:visible")
    assert toggle.count() == 1
    toggle.click()
    assert page.page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
