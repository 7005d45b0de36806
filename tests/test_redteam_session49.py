"""Red team 49: the readers' site of a contract that is not Borås 2023, walked by keyboard and read by a screen reader.

The scratch repository is the readers' site's (2023 and a 2024 draft) with the draft stressed: every party's name
made very long, a section given 30 footnotes (each with a link), a very long link text, a paragraph of " | " rows,
a list of 60 items and three levels of new subsections (4 levels of numbering). Its new texts have no reviewed
translation yet, so the English pages show them in Swedish. Each test says what a user expects; tests that fail on
the current code are defects, the others are attacks that held, kept where they cover more than
test_site_readers_keyboard.py. All invented text is written in temporary folders, never in the repository's years/.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from readers_site import FOCUSED, make_readers_repo, serve_like_pages
from ruamel.yaml import YAML
from site_helpers import TEST_PDFS, Page, chromium, commit_all, describe, placeholder_pdfs

pytestmark = pytest.mark.slow


def _t(sv: str, en: str) -> dict:
    return {"sv": sv, "en": en}


def _stress(root: Path) -> None:
    """Make the 2024 draft unusual but valid: long party names, 30 footnotes, a 60-item list, 4 levels of sections."""
    yaml = YAML()
    yaml.width = 4096
    path = root / "years" / "2024" / "purpose.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    section = data["sections"][0]
    sv = " ".join(f"Mening {i}.{{fn:not-{i}}}" for i in range(1, 31))
    en = " ".join(f"Sentence {i}.{{fn:not-{i}}}" for i in range(1, 31))
    section["body"] = [
        *section["body"],
        {"p": _t(sv, en)},
        {
            "p": _t(
                "Se [" + "mycket lång länktext " * 20 + "](https://example.invalid/lang).",
                "See [" + "very long link text " * 20 + "](https://example.invalid/long).",
            )
        },
        {"p": _t("Rad | ett | två\nRad | tre | fyra", "Row | one | two\nRow | three | four")},
        {"list": [_t(f"Punkt {i} i en lång lista", f"Item {i} of a long list") for i in range(1, 61)]},
    ]
    section["footnotes"] = [
        *(section.get("footnotes") or []),
        *(
            {
                "id": f"not-{i}",
                "text": _t(
                    f"Fotnot {i} med [en länk {i}](https://example.invalid/{i}).",
                    f"Footnote {i} with [a link {i}](https://example.invalid/{i}).",
                ),
            }
            for i in range(1, 31)
        ),
    ]
    level4 = {"id": "niva-4", "title": _t("Nivå fyra", "Level four"), "body": [{"p": _t("Nivå fyra.", "Level four.")}]}
    level3 = {"id": "niva-3", "title": _t("Nivå tre", "Level three"), "body": [{"p": _t("Tre.", "Three.")}]}
    level3["sections"] = [level4]
    level2 = {"id": "niva-2", "title": _t("Nivå två", "Level two"), "body": [{"p": _t("Två.", "Two.")}]}
    level2["sections"] = [level3]
    section["sections"] = [level2]
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    contract = root / "years" / "2024" / "contract.yaml"
    meta = yaml.load(contract.read_text(encoding="utf-8"))
    for party in meta["parties"]:
        party["name"]["sv"] += " – " + "Förvaltningen för långsiktig hållbar samhällsutveckling " * 2
        party["name"]["en"] += " – " + "Administration for long-term sustainable development " * 2
    with contract.open("w", encoding="utf-8") as stream:
        yaml.dump(meta, stream)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the stressed site once for the module and serve it like GitHub Pages; yield (base URL, browser)."""
    from contract.build.redlines import default_redlines
    from contract.build.run import gather
    from contract.build.site import build_site

    base = tmp_path_factory.mktemp("rt49")
    root = make_readers_repo(base)
    _stress(root)
    commit_all(root)
    out = base / "site"
    placeholder_pdfs(out, TEST_PDFS)
    contracts, _ = gather(root, drafts=True)
    build_site(root, contracts, out, drafts=True, redlines=default_redlines(contracts))
    with serve_like_pages(out) as url, chromium() as browser:
        yield url, browser


@pytest.fixture
def open_page(site):
    url, browser = site
    pages = []

    def opener(path: str, **options) -> Page:
        page = Page(browser, **options)
        pages.append(page)
        page.open(url + path)
        return page

    yield opener
    for page in pages:
        page.close()


# Text nodes matching a pattern, with the language the nearest lang attribute gives them and where they sit.
LANGS_OF = """re => { const out = []; const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n; while ((n = walk.nextNode())) { const el = n.parentElement;
    if (new RegExp(re).test(n.textContent) && el.checkVisibility())
      out.push({lang: el.closest('[lang]').lang, text: n.textContent.trim().slice(0, 40),
                where: el.closest('nav, h1, h2, h3, h4, h5, h6, li, p').tagName + '.' + el.closest('nav, h1, h2, h3, h4, h5, h6, li, p').className}); }
  return out; }"""


# ---------------------------------------------------------------- defects: language of parts (WCAG 3.1.2)


# The draft's new subsection "Nivå två" has no reviewed English yet, so the English contract page shows it in Swedish;
# the heading in the text and the site's own contents list say so (lang="sv"), and a screen reader switches to its
# Swedish voice. Material's table of contents in the sidebar copies the heading's text without its lang: a screen
# reader user reading the sidebar hears "Nivå två" spoken with English rules. A user expects every copy of the Swedish
# heading on the English page to be marked Swedish.
def test_english_page_sidebar_contents_marks_swedish_fallback_headings_swedish(open_page):
    page = open_page("en/2024/")
    found = page.page.evaluate(LANGS_OF, "Nivå (två|tre|fyra)")
    assert found and all(f["lang"] == "sv" for f in found), [f for f in found if f["lang"] != "sv"]


# On the English redline the inserted 60-item list is marked Swedish (lang="sv"), but the new sections' headings
# ("1.1 Nivå två", an <h4> inside <section lang="en">), the list of changes at the top and the hidden text of the
# "next/previous change" links are not. A screen reader user moving with j/k hears the Swedish heading read as
# English. A user expects the Swedish text on the English redline to be marked Swedish wherever it appears.
def test_english_redline_marks_swedish_fallback_headings_swedish(open_page):
    page = open_page("en/2024/redline/")
    found = page.page.evaluate(LANGS_OF, "Nivå (två|tre|fyra)")
    assert found and all(f["lang"] == "sv" for f in found), [f for f in found if f["lang"] != "sv"]


# The English redline lists the parties whose names changed ("redline-fields"); the draft's new names have no
# reviewed English, so the redline shows the Swedish names ("Borås Stad – Förvaltningen för …") inside
# <section lang="en"> with no lang of their own, while the English home page marks the same names lang="sv".
# A user expects the Swedish party names on the English redline and compare pages to be marked Swedish.
@pytest.mark.parametrize("path", ["en/2024/redline/", "en/compare/2023..2024/"])
def test_english_redline_marks_swedish_party_names_swedish(path, open_page):
    page = open_page(path)
    found = page.page.evaluate(LANGS_OF, "Förvaltningen för långsiktig")
    assert found and all(f["lang"] == "sv" for f in found), [f for f in found if f["lang"] != "sv"][:4]


# ---------------------------------------------------------------- held


def _walk(page: Page, limit: int = 600) -> tuple[list[str], list[dict]]:
    """Tab through the whole page until focus comes round; return the stops and the focused states not shown."""
    from playwright.sync_api import TimeoutError as Timeout

    stops, hidden, first = [], [], None
    for _ in range(limit):
        page.page.keyboard.press("Tab")
        with contextlib.suppress(Timeout):  # a skip link slides in, a smooth scroll settles
            page.page.wait_for_function(
                f"(() => {{ const s = ({FOCUSED})(); return !s || s.visible; }})()", timeout=600
            )
        state = page.page.evaluate(FOCUSED)
        stop = page.page.evaluate(
            "(() => { const a = document.activeElement; return a === document.body ? '' :"
            " a.tagName + ' ' + (a.getAttribute('href') || a.id || a.className); })()"
        )
        if stop and stop == first:
            break
        first = first or stop
        stops.append(stop)
        if state and not state["visible"]:
            hidden.append(state)
    return stops, hidden


# The whole tab order of a big redline (60 inserted items, 30 footnotes, new subsections): it comes round, every
# stop shows, every link and control that shows is in it (the existing walk covers the first 40 stops of 2023).
# Material's light/dark switch is a radio pair: one radio is the tab stop, so its radios are left out of the count.
@pytest.mark.parametrize("path", ["sv/2024/redline/", "en/compare/2023..2024/"])
def test_whole_keyboard_walk_of_a_big_redline_shows_every_stop_and_reaches_every_link(path, open_page):
    page = open_page(path)
    stops, hidden = _walk(page)
    assert len(stops) < 600, "the keyboard walk never came round"
    assert hidden == [], hidden[:5]
    shown = page.page.evaluate(
        "[...document.querySelectorAll('a[href], button, input, select, summary, [tabindex]')]"
        ".filter(e => e.checkVisibility({visibilityProperty: true, opacityProperty: true}) && e.tabIndex >= 0)"
        ".filter(e => !e.closest('[inert]') && !e.matches('input.md-option'))"
        ".map(e => e.tagName + ' ' + (e.getAttribute('href') || e.id || e.className))"
    )
    missing = [s for s in shown if s not in stops]
    assert missing == [], missing[:5]


# Footnote 7 of 30: Enter on its mark moves the reader to the footnote; the next Tab is the footnote's own link.
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_footnote_mark_moves_keyboard_to_the_footnote(lang, open_page):
    page = open_page(f"{lang}/2024/")
    page.page.focus('a.footnote-ref[href="#fn:7"]')
    page.page.keyboard.press("Enter")
    page.page.wait_for_url("**#fn:7")
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.getAttribute('href')") == "https://example.invalid/7"


# The stressed pages meet WCAG 2.1 AA by axe, at phone width (long party names and link texts reflow at 320 px).
@pytest.mark.parametrize("path", ["en/2024/", "sv/2024/redline/", "en/", "sv/history/"])
def test_stressed_pages_have_no_axe_violations_and_reflow(path, open_page):
    page = open_page(path, viewport={"width": 320, "height": 640})
    assert describe(page.axe()) == ""
    assert page.page.evaluate("document.documentElement.scrollWidth <= innerWidth")
