"""The readers' site in Debian's Chromium (Playwright), in English: every page type free of WCAG 2.1 A/AA violations
(axe-core) and console errors at desktop and phone width, light and dark; dark mode and the site's own look.
"""

from __future__ import annotations

import re

import pytest
from readers_site import PAGE_TYPES, WIDTHS, check_page_type

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- every page type, light and dark


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_has_no_wcag_violations_and_no_console_errors_in_either_scheme(
    path, width, readers_base, open_page
):
    check_page_type(open_page, readers_base + path.format(lang="en"), "en", width)


# ---------------------------------------------------------------- look and dark mode


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_the_site_has_a_look_of_its_own(readers_base, open_page):
    page = open_page(readers_base + "sv/2023/")
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
def test_dark_mode_is_offered_and_follows_the_system(lang, readers_base, open_page):
    page = open_page(readers_base + f"{lang}/2023/", color_scheme="dark")
    assert page.page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    toggle = page.page.locator("form[data-md-component=palette] label:visible")
    assert toggle.count() == 1
    toggle.click()
    assert page.page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
