"""The readers' site in Debian's Chromium (Playwright), in Swedish: every page type free of WCAG 2.1 A/AA violations
(axe-core) and console errors at desktop and phone width, light and dark; the 404 pages.

The matrix is split by language so that pytest-xdist runs the two halves side by side.
"""

from __future__ import annotations

import urllib.request

import pytest
from readers_site import PAGE_TYPES, WIDTHS, check_page_type, serve_like_pages
from site_helpers import PHONE, Page, describe

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- every page type, light and dark


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_has_no_wcag_violations_and_no_console_errors_in_either_scheme(
    path, width, readers_base, open_page
):
    check_page_type(open_page, readers_base + path.format(lang="sv"), "sv", width)


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
