"""A site for the readers' tests: 2023 and a 2024 draft with several kinds of change, and a static server like Pages.

The draft replaces words ("en representant" → "två representanter"), renames a section id, empties a section
to be written and changes a second chapter, so the redline has several changes to move between.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path

from ruamel.yaml import YAML
from site_helpers import (
    DESKTOP,
    PHONE,
    TEST_PDFS,
    Built,
    QuietServer,
    add_draft,
    commit_all,
    describe,
    make_repo,
    placeholder_pdfs,
)

RENAMED = ("cykling", "cykelplan")  # the id 3.9.3 has in 2023, and in the 2024 draft
EMPTIED = "klimatvaxling"  # a section the draft empties to be written


def make_readers_repo(base: Path) -> Path:
    """Make the scratch repository: version 2023 and a draft 2024 with words replaced, an id renamed, a section emptied."""
    root = make_repo(base, draft=False)
    folder = add_draft(root)
    municipality = folder / "municipality.yaml"
    text = municipality.read_text(encoding="utf-8")
    text = text.replace("har en representant i rådet", "har två representanter i rådet", 1)
    text = text.replace(f"id: {RENAMED[0]}\n", f"id: {RENAMED[1]}\n", 1)
    municipality.write_text(text, encoding="utf-8")
    yaml = YAML()
    data = yaml.load(municipality.read_text(encoding="utf-8"))
    section = _find(data, EMPTIED)
    section["body"] = []
    section["to_be_written"] = True
    with municipality.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    agencies = folder / "agencies.yaml"
    words = agencies.read_text(encoding="utf-8")
    assert "samverkar myndigheterna för att" in words, "the sentence the draft changes in chapter 5 is gone"
    agencies.write_text(
        words.replace("samverkar myndigheterna för att", "samverkar alla myndigheterna för att", 1), encoding="utf-8"
    )
    return root


def _find(node, section_id: str):
    """Return the mapping of the section with this id anywhere in a loaded YAML tree."""
    if isinstance(node, dict):
        if node.get("id") == section_id:
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find(child, section_id)
        if found is not None:
            return found
    return None


def build_readers_site(base: Path, site_url: str | None = None) -> Built:
    """Build the readers' site with placeholder PDFs (a signed 2023 PDF among them) and real redlines."""
    from contract.build.redlines import default_redlines
    from contract.build.run import gather
    from contract.build.site import build_site

    root = make_readers_repo(base)
    commit = commit_all(root)
    out = base / "site"
    placeholder_pdfs(out, [*TEST_PDFS, "2023/klimatkontrakt-2023-sv-signed.pdf"])
    contracts, _ = gather(root, drafts=True)
    build_site(root, contracts, out, drafts=True, redlines=default_redlines(contracts), site_url=site_url)
    return Built(root, out, commit, contracts)


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files like GitHub Pages: a missing file gets the site's own 404.html with status 404."""

    prefix = "/"

    def log_message(self, format, *args):  # the signature http.server uses
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / self.prefix.strip("/") / "404.html"
        if code != 404 or not self.path.startswith(self.prefix) or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve_like_pages(folder: Path, prefix: str = "/"):
    """Serve folder at prefix ("/" or "/<repo>/") on a free 127.0.0.1 port; yield the site's base URL."""
    if prefix != "/":
        holder = folder.parent / f"pages-{prefix.strip('/')}"
        holder.mkdir(exist_ok=True)
        link = holder / prefix.strip("/")
        with contextlib.suppress(FileExistsError):  # made already (the site is shared by the xdist workers)
            link.symlink_to(folder, target_is_directory=True)
        folder = holder
    handler = functools.partial(type("Handler", (_PagesHandler,), {"prefix": prefix}), directory=str(folder))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- what the browser tests of this site share

# The focused element's state, or null at the body; Material's light/dark switch counts as the label that shows it.
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
SECTION_LINKS = ".kk-section-lang a"  # each section's link to itself in the other language


def search_results(page) -> list[tuple[str, str]]:
    """Wait for a search page (site_helpers.Page) to show its results; return each result's path and version label."""
    page.page.wait_for_function("document.getElementById('kk-search-status').textContent !== ''", timeout=15000)
    return page.page.eval_on_selector_all(
        "#kk-search-results li",
        """items => items.map(i =>
        [new URL(i.querySelector('a').href).pathname, i.querySelector('.kk-result-version').textContent])""",
    )


# Every page type: home, a signed version, a draft, a redline, compare (pair and choice), history, search.
# The readers' site is the test site (test_site_browser.py) with more kinds of change and a signed PDF: checking each
# page type here covers that site's pages too, so they are checked once, on this site.
PAGE_TYPES = [
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
# A reader at this width arrives with the system in this colour scheme, then switches to the other with the toggle.
ARRIVES_IN = {"desktop": "light", "phone": "dark"}
LOCALE = {"sv": "sv-SE", "en": "en-GB"}


def check_page_type(open_page, url: str, lang: str, width: str) -> None:
    """Open a page as a reader of lang at that width; assert no WCAG violation or console error in either colour scheme.

    The page must first choose the scheme of the system (light on desktop, dark on a phone, so every page type is
    checked arriving in each); then the reader switches with the header's toggle and axe runs again. Material's
    colours depend only on the scheme attribute the toggle sets (kk.css too), so one page load serves both schemes.
    """
    system = ARRIVES_IN[width]
    page = open_page(url, WIDTHS[width], color_scheme=system, locale=LOCALE[lang])
    for scheme in (system, *(other for other in SCHEMES if other != system)):
        if scheme != system:
            page.page.locator("form[data-md-component=palette] label:visible").click()
        chosen = page.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert chosen == SCHEMES[scheme], f"{scheme} (system {system}): the page shows Material's scheme {chosen!r}"
        if "/search/" in url:
            assert search_results(page), "the search found nothing"
        violations = describe(page.axe())
        assert violations == "", f"{scheme}:\n{violations}"
    assert page.problems == [], page.problems
