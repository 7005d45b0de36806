"""The site as its readers use it, in Debian's Chromium (Playwright): keyboard, phone, 200 % zoom, print, 404,
language switch, redline navigation, compare any two versions, search by version, signatures, look and dark mode.

Each test here failed on the site before issue 13. 200 % zoom is emulated the way the browser lays a page out at
that zoom: a 640 × 450 CSS-pixel viewport with device_scale_factor 2 (a 1280 × 900 window at 200 %).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from lxml import html as lhtml
from readers_site import EMPTIED, RENAMED, build_readers_site, serve_like_pages
from site_helpers import DESKTOP, PHONE, Page, chromium, describe

pytestmark = pytest.mark.slow

ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
SIZES = {"phone": {"viewport": PHONE}, "zoom-200": ZOOM_200}
# Every page type: home, a signed version, a draft, a redline, compare (pair and choice), history, search.
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


@pytest.fixture(scope="session")
def readers(tmp_path_factory):
    return build_readers_site(tmp_path_factory.mktemp("readers"))


@pytest.fixture(scope="session")
def base(readers):
    with serve_like_pages(readers.out) as url:
        yield url


@pytest.fixture(scope="module")  # one Playwright at a time: other modules start their own
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def open_page(browser):
    opened: list[Page] = []

    def start(url: str, viewport=DESKTOP, **options) -> Page:
        page = Page(browser, viewport, **options)
        opened.append(page)
        page.page.goto(url)
        page.page.wait_for_load_state("networkidle")
        return page

    yield start
    for page in opened:
        page.close()


# ---------------------------------------------------------------- keyboard


FOCUSED = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  // Material's light/dark switch is a hidden radio button shown by the label after it.
  if (el.matches('input.md-option') && el.nextElementSibling && el.nextElementSibling.matches('label')) el = el.nextElementSibling;
  const r = el.getBoundingClientRect();
  const visible = el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  return {tag: el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          visible: visible && inView, inArticle: !!el.closest('article'), drawer: !!el.closest('.md-sidebar--primary')};
}"""


def _settled(page: Page) -> dict | None:
    """Return the focused element's state once it shows (a skip link slides in), or as it is after a second."""
    from playwright.sync_api import TimeoutError as Timeout

    with contextlib.suppress(Timeout):  # the element never showed: the caller reports it
        page.page.wait_for_function(f"(() => {{ const s = ({FOCUSED})(); return !s || s.visible; }})()", timeout=1000)
    return page.page.evaluate(FOCUSED)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_keyboard_walk_shows_every_focused_element_and_reaches_the_text_soon(size, lang, base, browser):
    page = Page(browser, **SIZES[size])
    try:
        page.page.goto(base + f"{lang}/2023/")
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
def test_menu_opens_and_closes_from_the_keyboard(size, base, browser):
    page = Page(browser, **SIZES[size])
    try:
        page.page.goto(base + "sv/2023/")
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


# ---------------------------------------------------------------- 404


@pytest.mark.parametrize("prefix", ["/", "/klimatkontrakt/"])
def test_missing_pages_show_the_sites_own_404_with_working_links(prefix, readers, browser):
    with serve_like_pages(readers.out, prefix) as url:
        for missing in ("sv/nothing-here/", "en/2023/gone.html", "no-such-page"):
            page = Page(browser, PHONE)
            try:
                response = page.page.goto(url + missing)
                assert response.status == 404
                page.page.wait_for_load_state("networkidle")
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


# ---------------------------------------------------------------- language switch


def test_language_switch_after_scrolling_lands_on_the_same_section(base, open_page):
    page = open_page(base + "sv/2023/")
    page.page.evaluate("document.getElementById('klimatrad').scrollIntoView()")
    page.page.mouse.wheel(0, 40)  # a little into the section's text, its heading scrolled away
    page.page.wait_for_function("document.getElementById('klimatrad').getBoundingClientRect().top < 30")
    page.page.click("a.kk-lang")
    page.page.wait_for_url(base + "en/2023/#klimatrad")
    top = page.page.evaluate("document.getElementById('klimatrad').getBoundingClientRect().top")
    assert 0 <= top < 200


def test_language_switch_keeps_the_search_query(base, open_page):
    page = open_page(base + "sv/search/?q=klimatr%C3%A5d")
    page.page.click("a.kk-lang")
    page.page.wait_for_url(re.compile(r".*/en/search/\?q=klimatr%C3%A5d$"))


# Without JavaScript the header's language link keeps the page only; the section reached by its link offers itself.
SECTION_PAGES = [
    ("sv/2023/", "klimatrad", "en/2023/", "Läs avsnittet på engelska"),
    ("en/2023/", "klimatrad", "sv/2023/", "Read this section in Swedish"),
    ("sv/2024/redline/", EMPTIED, "en/2024/redline/", "Läs avsnittet på engelska"),
    ("en/compare/2023..2024/", RENAMED[1], "sv/compare/2023..2024/", "Read this section in Swedish"),
]
SECTION_LINKS = ".kk-section-lang a"


@pytest.mark.parametrize("path, section, other, text", SECTION_PAGES)
def test_without_javascript_the_section_in_the_address_links_to_itself_in_the_other_language(
    path, section, other, text, base, open_page
):
    page = open_page(base + f"{path}#{section}", java_script_enabled=False)
    shown = page.page.locator(SECTION_LINKS).filter(visible=True)
    assert shown.count() == 1 and shown.inner_text() == text
    assert shown.evaluate(f"a => a.closest('#{section}, #{section} + .kk-section-lang') !== null")
    page.page.keyboard.press("Tab")  # from the section the address went to, the next stop is its language link
    assert page.page.evaluate("document.activeElement.matches('.kk-section-lang a')")
    assert page.page.evaluate(f"({FOCUSED})().visible")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(base + f"{other}#{section}")
    assert 0 <= page.page.evaluate(f"document.getElementById({section!r}).getBoundingClientRect().top") < 200
    assert page.problems == []


@pytest.mark.parametrize("path", ["sv/2023/", "en/2024/redline/"])
def test_without_a_fragment_no_section_language_link_shows_or_takes_a_tab_stop(path, base, open_page):
    page = open_page(base + path, java_script_enabled=False)
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


def test_with_javascript_the_section_links_agree_with_the_header_link(base, open_page):
    page = open_page(base + "sv/2024/redline/#klimatrad")
    header = page.page.locator("a.kk-lang")
    assert header.evaluate("a => a.href") == base + "en/2024/redline/#klimatrad"
    assert page.page.locator(SECTION_LINKS).filter(visible=True).evaluate_all("a => a.map(x => x.href)") == [
        base + "en/2024/redline/#klimatrad"
    ]
    assert describe(page.axe()) == ""  # the shown link keeps the page free of violations
    page.page.keyboard.press("j")  # the next change becomes the target: its link shows, the last one hides
    page.page.wait_for_url(base + f"sv/2024/redline/#{EMPTIED}")
    assert page.page.locator(SECTION_LINKS).filter(visible=True).evaluate_all("a => a.map(x => x.href)") == [
        base + f"en/2024/redline/#{EMPTIED}"
    ]
    page.page.wait_for_function(  # kk.js updates the header link when the fragment has changed
        f"document.querySelector('a.kk-lang').href === {base + 'en/2024/redline/#' + EMPTIED!r}", timeout=5000
    )
    assert page.page.evaluate("document.activeElement.id") == f"{EMPTIED}-title"
    dark = open_page(base + "en/2023/#klimatrad", PHONE, color_scheme="dark")
    assert dark.page.locator(SECTION_LINKS).filter(visible=True).count() == 1
    assert describe(dark.axe()) == ""


def test_pages_name_their_other_language_for_search_engines(readers):
    doc = lhtml.fromstring((readers.out / "sv" / "2023" / "index.html").read_bytes())
    alternates = {link.get("hreflang"): link.get("href") for link in doc.xpath("//link[@hreflang]")}
    assert alternates == {"sv": "../../sv/2023/", "en": "../../en/2023/"}
    assert doc.findtext(".//title") == "Klimatkontrakt 2030, Version 2023"


# ---------------------------------------------------------------- print


def _printed_pages(page: Page, tmp_path) -> list[str]:
    page.page.emulate_media(media="print")
    pdf = tmp_path / "printed.pdf"
    page.page.pdf(path=str(pdf), format="A4")
    count = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        )[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("lang, mark", [("sv", "Version 2024 · Utkast"), ("en", "Version 2024 · Draft")])
def test_printed_contract_fills_page_one_and_names_version_and_status_on_every_page(
    lang, mark, base, open_page, tmp_path
):
    page = open_page(base + f"{lang}/2024/")
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


def test_printed_contract_shows_annex_addresses(readers, base, open_page, tmp_path):
    page = open_page(base + "sv/2023/")
    text = re.sub(r"\s+", "", "".join(_printed_pages(page, tmp_path)))
    urls = [d.url for d in readers.contracts["2023"].annex.documents]
    assert urls and [u for u in urls if re.sub(r"\s+", "", u) not in text] == []


# ---------------------------------------------------------------- redline navigation


def test_redline_lists_changes_by_chapter_with_counts_and_links(base, open_page):
    page = open_page(base + "sv/2024/redline/")
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


def test_redline_sections_have_badges_places_and_steps(base, open_page):
    page = open_page(base + "sv/2024/redline/")
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


def test_j_and_k_move_between_changes_and_announce_them(base, open_page):
    page = open_page(base + "sv/2024/redline/")
    assert page.page.inner_text("#kk-keys") == "Tangenterna j och k går till nästa och föregående ändring."
    page.page.keyboard.press("j")
    assert page.page.evaluate("document.activeElement.id") == "klimatrad-title"
    page.page.keyboard.press("j")
    assert page.page.evaluate("document.activeElement.id") == f"{EMPTIED}-title"
    assert page.page.inner_text(".redline [role=status]") == "Ändring 2 av 4: 3.3.8 Klimatväxling"
    page.page.keyboard.press("k")
    assert page.page.evaluate("document.activeElement.id") == "klimatrad-title"
    assert page.page.evaluate(f"({FOCUSED})().visible")


def test_next_change_link_is_reachable_by_keyboard(base, open_page):
    page = open_page(base + "sv/2024/redline/#klimatrad")
    page.page.focus("#klimatrad .kk-step-next")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(re.compile(f"#{EMPTIED}$"))


def test_deleted_and_inserted_words_do_not_touch(base, open_page):
    page = open_page(base + "sv/2024/redline/")
    gap = page.page.evaluate("""() => {
      const del = document.querySelector('#klimatrad del'), ins = del.nextElementSibling;
      return ins.tagName === 'INS' ? ins.getBoundingClientRect().left - del.getBoundingClientRect().right : null;
    }""")
    assert gap is not None and gap >= 4


def test_english_redline_cues_are_in_english(base, open_page):
    page = open_page(base + "en/2024/redline/")
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


def test_history_follows_a_renamed_id_and_links_to_the_change(base, open_page):
    page = open_page(base + "sv/history/")
    rows = page.page.locator(f"#{RENAMED[1]} + ul > li").all_inner_texts()
    assert rows == [
        "Version 2023: 3.9.3 Cykling — första versionen i arkivet (äldre versioner finns inte här)",
        f"Version 2024: 3.9.3 Cykling — ändrat, id ändrat från {RENAMED[0]} (se ändringen)",
    ]
    links = page.page.locator(f"#{RENAMED[1]} + ul a").evaluate_all("a => a.map(x => x.getAttribute('href'))")
    assert links == [f"../2023/#{RENAMED[0]}", f"../2024/#{RENAMED[1]}", f"../2024/redline/#{RENAMED[1]}"]
    assert page.page.locator(f"#{RENAMED[0]}").count() == 0  # one entry for the section, not two


def test_contract_and_redline_link_to_the_history(base, open_page):
    for path in ("sv/2023/", "sv/2024/redline/"):
        page = open_page(base + path)
        page.page.click("article a:text('Avsnittens historik')")
        page.page.wait_for_url(base + "sv/history/")


def test_compare_any_two_versions_from_a_version_page(base, open_page):
    page = open_page(base + "en/2023/")
    page.page.click("article a:text('Version 2024')")
    page.page.wait_for_url(base + "en/compare/2023..2024/")
    assert page.page.inner_text("h1").rstrip("¶").strip() == "Comparison: version 2023 and version 2024 (Draft)"
    assert page.page.locator(f"article#{RENAMED[1]} ins").count() >= 1
    assert page.problems == []


def test_compare_choice_works_with_and_without_javascript(base, open_page):
    page = open_page(base + "sv/compare/")
    page.page.select_option("#kk-compare-from", "2024")
    page.page.select_option("#kk-compare-to", "2023")
    page.page.click("#kk-compare button")
    page.page.wait_for_url(base + "sv/compare/2023..2024/")
    plain = open_page(base + "sv/compare/", java_script_enabled=False)
    assert not plain.page.locator("#kk-compare").is_visible()
    plain.page.click("a.kk-pair")
    plain.page.wait_for_url(base + "sv/compare/2023..2024/")


def test_compare_page_links_to_a_section(base, open_page):
    page = open_page(base + f"sv/compare/2023..2024/#{RENAMED[1]}")
    assert page.page.evaluate(f"document.getElementById({RENAMED[1]!r}).getBoundingClientRect().top") < 200


# ---------------------------------------------------------------- search


def _results(page: Page) -> list[tuple[str, str]]:
    page.page.wait_for_function("document.getElementById('kk-search-status').textContent !== ''", timeout=15000)
    return page.page.eval_on_selector_all(
        "#kk-search-results li",
        """items => items.map(i =>
        [new URL(i.querySelector('a').href).pathname, i.querySelector('.kk-result-version').textContent])""",
    )


def test_search_defaults_to_the_newest_signed_version_and_names_the_version(base, open_page):
    page = open_page(base + "sv/search/?q=cykelstrategin")
    assert page.page.input_value("#kk-search-version") == "2023"
    results = _results(page)
    assert results and {path for path, _ in results} == {"/sv/2023/"}
    assert {version for _, version in results} == {"(Version 2023)"}


def test_search_in_every_version_or_the_draft(base, open_page):
    page = open_page(base + "sv/search/?q=cykelstrategin&version=all")
    assert {path for path, _ in _results(page)} == {"/sv/2023/", "/sv/2024/"}
    page = open_page(base + "sv/search/?q=cykelstrategin")
    page.page.select_option("#kk-search-version", "2024")
    page.page.wait_for_url(re.compile(r"version=2024"))
    page.page.wait_for_function(
        "[...document.querySelectorAll('#kk-search-results a')].every(a => a.href.includes('/sv/2024/'))"
    )
    assert {version for _, version in _results(page)} == {"(Version 2024)"}


def test_the_section_language_links_are_not_searched(base, open_page):
    # "engelska" is in every section's link of 2023 and nowhere else on its page (2024's names an English PDF).
    page = open_page(base + "sv/search/?q=engelska&version=2023")
    assert _results(page) == []
    assert page.page.inner_text("#kk-search-status") == "Inga träffar för ”engelska”."


# ---------------------------------------------------------------- signatures and look


def test_signatures_name_every_party_in_full_the_date_and_how_to_verify(readers, base, open_page):
    page = open_page(base + "en/2023/")
    section = page.page.locator("#kk-signatures")
    items = page.page.locator("#kk-signatures ~ ul").first.locator("li").all_inner_texts()
    assert items[0] == "City of Borås (Borås Stad)" and len(items) == 8  # 2023 names no signatories: none shown
    assert "Signatory" not in " ".join(items)
    assert section.evaluate("h => h.nextElementSibling.textContent") == "The contract was signed on 8 December 2023."
    pdf = page.page.locator("a.kk-download:text('The signed contract (PDF)')")
    assert pdf.get_attribute("href") == "../../downloads/2023/klimatkontrakt-2023-sv-signed.pdf"
    assert "klimatkontrakt verify" in page.page.inner_text(".kk-verify")
    draft = open_page(base + "en/2024/")
    assert (
        draft.page.evaluate("document.getElementById('kk-signatures').nextElementSibling.textContent")
        == "The contract has not been signed."
    )
    assert draft.page.locator(".kk-verify").count() == 0


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


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_type_has_no_wcag_violations(lang, path, width, scheme, base, open_page):
    page = open_page(base + path.format(lang=lang), DESKTOP if width == "desktop" else PHONE, color_scheme=scheme)
    if "search" in path:
        page.page.wait_for_function("document.getElementById('kk-search-status').textContent !== ''", timeout=15000)
    assert describe(page.axe()) == ""
    assert page.problems == []


# ---------------------------------------------------------------- links (issue 10: a renamed id breaks no link)


def test_every_link_points_at_a_page_and_an_anchor_that_exist(readers, base):
    """Crawl both languages: every link, the redline's and the history's included, reaches an element id."""
    pages: dict[str, tuple[int, object]] = {}

    def get(url: str):
        if url not in pages:
            try:
                with urllib.request.urlopen(url) as response:
                    body = response.read()
                    kind = response.headers.get_content_type()
                pages[url] = (200, lhtml.fromstring(body) if kind == "text/html" else None)
            except urllib.error.HTTPError as error:
                pages[url] = (error.code, None)
        return pages[url]

    queue, seen, broken = [base + "sv/", base + "en/"], set(), []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        doc = get(url)[1]
        for href in doc.xpath("//a/@href") if doc is not None else []:
            target = urllib.parse.urljoin(url, href)
            if not target.startswith(base):
                continue
            address, fragment = urllib.parse.urldefrag(target)
            status, linked = get(address)
            if status != 200:
                broken.append(f"{url} -> {href}: HTTP {status}")
            elif fragment and linked is not None and not linked.xpath(f"//*[@id='{fragment}']"):
                broken.append(f"{url} -> {href}: no element with id {fragment}")
            elif linked is not None:
                queue.append(address)
    assert broken == []
    assert {base + p for p in ("sv/history/", "en/compare/2023..2024/", "sv/2024/redline/")} <= seen
