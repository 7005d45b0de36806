"""The readers' site from the keyboard and across languages, in Debian's Chromium (Playwright): the tab order at phone
width and 200 % zoom, the menu, the language switch with and without JavaScript, moving between the redline's changes.

200 % zoom is emulated the way the browser lays a page out at that zoom: a 640 × 450 CSS-pixel viewport with
device_scale_factor 2 (a 1280 × 900 window at 200 %).
"""

from __future__ import annotations

import contextlib
import re

import pytest
from readers_site import EMPTIED, FOCUSED, RENAMED, SECTION_LINKS
from site_helpers import PHONE, Page, describe

pytestmark = pytest.mark.slow

ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
SIZES = {"phone": {"viewport": PHONE}, "zoom-200": ZOOM_200}


# ---------------------------------------------------------------- keyboard


def _settled(page: Page) -> dict | None:
    """Return the focused element's state once it shows (a skip link slides in), or as it is after a second."""
    from playwright.sync_api import TimeoutError as Timeout

    with contextlib.suppress(Timeout):  # the element never showed: the caller reports it
        page.page.wait_for_function(f"(() => {{ const s = ({FOCUSED})(); return !s || s.visible; }})()", timeout=1000)
    return page.page.evaluate(FOCUSED)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_keyboard_walk_shows_every_focused_element_and_reaches_the_text_soon(size, lang, readers_base, browser):
    page = Page(browser, **SIZES[size])
    try:
        page.page.goto(readers_base + f"{lang}/2023/")
        stops = []
        for _ in range(40):
            page.page.keyboard.press("Tab")
            stops.append(_settled(page))
        hidden = [s for s in stops if s and not s["visible"]]
        assert hidden == [], hidden
        assert not any(s and s["drawer"] for s in stops), "the closed menu is in the tab order"
        first = next(i for i, s in enumerate(stops) if s and s["inArticle"])
        assert first < 12, stops[: first + 1]
        assert not any(s and s["text"] == "¶" for s in stops)
    finally:
        page.close()


@pytest.mark.parametrize("size", SIZES)
def test_menu_opens_and_closes_from_the_keyboard(size, readers_base, browser):
    page = Page(browser, **SIZES[size])
    try:
        page.page.goto(readers_base + "sv/2023/")
        for _ in range(10):
            page.page.keyboard.press("Tab")
            if page.page.evaluate("document.activeElement.matches('label[for=__drawer]')"):
                break
        button = page.page.locator(".md-header label[for=__drawer]")
        assert page.page.evaluate("document.activeElement.matches('label[for=__drawer]')"), (
            "the menu button is not a tab stop"
        )
        assert button.get_attribute("role") == "button" and button.get_attribute("aria-expanded") == "false"
        assert button.get_attribute("aria-label") == "Meny"
        page.page.keyboard.press("Enter")
        page.page.wait_for_function("document.activeElement.closest('.md-sidebar--primary') !== null")
        assert button.get_attribute("aria-expanded") == "true"
        page.page.wait_for_function(f"({FOCUSED})().visible")
        page.page.keyboard.press("Escape")
        assert page.page.evaluate("document.getElementById('__drawer').checked") is False
        assert page.page.evaluate("document.activeElement.matches('label[for=__drawer]')")
    finally:
        page.close()


# ---------------------------------------------------------------- language switch


def test_language_switch_after_scrolling_lands_on_the_same_section(readers_base, open_page):
    page = open_page(readers_base + "sv/2023/")
    page.page.evaluate("document.getElementById('klimatrad').scrollIntoView()")
    page.page.mouse.wheel(0, 40)  # a little into the section's text, its heading scrolled away
    page.page.wait_for_function("document.getElementById('klimatrad').getBoundingClientRect().top < 30")
    page.page.click("a.kk-lang")
    page.page.wait_for_url(readers_base + "en/2023/#klimatrad")
    top = page.page.evaluate("document.getElementById('klimatrad').getBoundingClientRect().top")
    assert 0 <= top < 200


def test_language_switch_keeps_the_search_query(readers_base, open_page):
    page = open_page(readers_base + "sv/search/?q=klimatr%C3%A5d")
    page.page.click("a.kk-lang")
    page.page.wait_for_url(re.compile(r".*/en/search/\?q=klimatr%C3%A5d$"))


# Without JavaScript the header's language link keeps the page only; the section reached by its link offers itself.
SECTION_PAGES = [
    ("sv/2023/", "klimatrad", "en/2023/", "Läs avsnittet på engelska"),
    ("en/2023/", "klimatrad", "sv/2023/", "Read this section in Swedish"),
    ("sv/2024/redline/", EMPTIED, "en/2024/redline/", "Läs avsnittet på engelska"),
    ("en/compare/2023..2024/", RENAMED[1], "sv/compare/2023..2024/", "Read this section in Swedish"),
]


@pytest.mark.parametrize("path, section, other, text", SECTION_PAGES)
def test_without_javascript_the_section_in_the_address_links_to_itself_in_the_other_language(
    path, section, other, text, readers_base, open_page
):
    page = open_page(readers_base + f"{path}#{section}", java_script_enabled=False)
    shown = page.page.locator(SECTION_LINKS).filter(visible=True)
    assert shown.count() == 1 and shown.inner_text() == text
    assert shown.evaluate(f"a => a.closest('#{section}, #{section} + .kk-section-lang') !== null")
    page.page.keyboard.press("Tab")  # from the section the address went to, the next stop is its language link
    assert page.page.evaluate("document.activeElement.matches('.kk-section-lang a')")
    assert page.page.evaluate(f"({FOCUSED})().visible")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(readers_base + f"{other}#{section}")
    assert 0 <= page.page.evaluate(f"document.getElementById({section!r}).getBoundingClientRect().top") < 200
    assert page.problems == []


@pytest.mark.parametrize("path", ["sv/2023/", "en/2024/redline/"])
def test_without_a_fragment_no_section_language_link_shows_or_takes_a_tab_stop(path, readers_base, open_page):
    page = open_page(readers_base + path, java_script_enabled=False)
    assert page.page.locator(SECTION_LINKS).count() > 3  # they are there, for the section a link may lead to
    assert page.page.locator(SECTION_LINKS).filter(visible=True).count() == 0
    walk, first = [], None
    for _ in range(400):  # the whole tab order, until it comes round to its first stop again
        page.page.keyboard.press("Tab")
        stop = page.page.evaluate(
            "(() => { const a = document.activeElement; return a === document.body ? '' :"
            " a.tagName + ' ' + (a.getAttribute('href') || a.id) + ' ' + a.matches('.kk-section-lang a'); })()"
        )
        if stop and stop == first:
            break
        first = first or stop
        walk.append(stop)
    assert len(walk) < 400, "the keyboard walk never came round"
    assert len(walk) > 20 and not [s for s in walk if s.endswith(" true")]


def test_with_javascript_the_section_links_agree_with_the_header_link(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/#klimatrad")
    header = page.page.locator("a.kk-lang")
    assert header.evaluate("a => a.href") == readers_base + "en/2024/redline/#klimatrad"
    assert page.page.locator(SECTION_LINKS).filter(visible=True).evaluate_all("a => a.map(x => x.href)") == [
        readers_base + "en/2024/redline/#klimatrad"
    ]
    assert describe(page.axe()) == ""  # the shown link keeps the page free of violations
    page.page.keyboard.press("j")  # the next change becomes the target: its link shows, the last one hides
    page.page.wait_for_url(readers_base + f"sv/2024/redline/#{EMPTIED}")
    assert page.page.locator(SECTION_LINKS).filter(visible=True).evaluate_all("a => a.map(x => x.href)") == [
        readers_base + f"en/2024/redline/#{EMPTIED}"
    ]
    page.page.wait_for_function(  # kk.js updates the header link when the fragment has changed
        f"document.querySelector('a.kk-lang').href === {readers_base + 'en/2024/redline/#' + EMPTIED!r}", timeout=5000
    )
    assert page.page.evaluate("document.activeElement.id") == f"{EMPTIED}-title"
    dark = open_page(readers_base + "en/2023/#klimatrad", PHONE, color_scheme="dark")
    assert dark.page.locator(SECTION_LINKS).filter(visible=True).count() == 1
    assert describe(dark.axe()) == ""


# ---------------------------------------------------------------- redline navigation


def test_j_and_k_move_between_changes_and_announce_them(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/")
    assert page.page.inner_text("#kk-keys") == "Tangenterna j och k går till nästa och föregående ändring."
    page.page.keyboard.press("j")
    assert page.page.evaluate("document.activeElement.id") == "klimatrad-title"
    page.page.keyboard.press("j")
    assert page.page.evaluate("document.activeElement.id") == f"{EMPTIED}-title"
    assert page.page.inner_text(".redline [role=status]") == "Ändring 2 av 4: 3.3.8 Klimatväxling"
    page.page.keyboard.press("k")
    assert page.page.evaluate("document.activeElement.id") == "klimatrad-title"
    assert page.page.evaluate(f"({FOCUSED})().visible")


def test_next_change_link_is_reachable_by_keyboard(readers_base, open_page):
    page = open_page(readers_base + "sv/2024/redline/#klimatrad")
    page.page.focus("#klimatrad .kk-step-next")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(re.compile(f"#{EMPTIED}$"))


# After a footnote, its back link returns the reader to the mark, with focus on the mark's link: the next Tab goes on
# from the mark. Before, the back link only moved the page: focus stayed on the back link, out of sight, and the next
# Tab landed on the same mark again.
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_footnotes_back_link_returns_focus_to_its_mark(lang, readers_base, open_page):
    page = open_page(readers_base + f"{lang}/2023/")
    page.page.focus('a.footnote-backref[href="#fnref:1"]')
    page.page.keyboard.press("Enter")
    page.page.wait_for_url("**#fnref:1")
    page.page.wait_for_function("document.activeElement.matches('a.footnote-ref')")
    assert page.page.evaluate("document.activeElement.getAttribute('href')") == "#fn:1"
    assert page.page.evaluate(f"({FOCUSED})().visible")  # on screen where the reader returned, its outline shown
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.getAttribute('href')") != "#fn:1"
