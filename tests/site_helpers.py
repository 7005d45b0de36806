"""Helpers for the site tests: serve a built site on 127.0.0.1 and drive Debian's headless Chromium with Playwright."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Debian's chromium-headless-shell: Chromium's own headless browser (the one Playwright runs for headless tests), the
# same Blink and V8 as /usr/bin/chromium without the desktop browser's shell around them. Measured on the readers'
# site: a page load and axe run costs about half the CPU it costs in /usr/bin/chromium's headless mode.
# A distribution without that package (Ubuntu has none) runs the desktop chromium's headless mode: slower, the same.
CHROMIUMS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
CHROMIUM = next((path for path in CHROMIUMS if os.access(path, os.X_OK)), CHROMIUMS[0])
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # V8 stops at its baseline compiler (Sparkplug): the pages' and axe-core's scripts run for well under a second, too
    # short for the optimising compilers' work to pay off. Same results (the tiers run the same JavaScript), nothing
    # rendered differently; measured on 32 page loads with axe: 14 % less CPU in each of 5 alternating rounds.
    "--js-flags=--max-opt=1",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
# Styles and the frames that scripts asked for are applied first (two animation frames: Material sets some state in
# one); only violations are collected, the tests read nothing else (passes would cost a third of the run).
AXE_RUN = """tags => document.fonts.ready
  .then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))
  .then(() => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))
  .then(r => r.violations)"""
PHONE = {"width": 375, "height": 740}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to the test output."""

    def log_message(self, format, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that lets a browser drop a connection (it went on to the next page) without a traceback."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path):
    """Serve a folder on a free 127.0.0.1 port in a thread; yield its base URL ("http://127.0.0.1:PORT/")."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def chromium():
    """Start Debian's headless Chromium through Playwright (no browser download); yield the browser."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(
            f"{' and '.join(CHROMIUMS)} are missing: the browser tests drive Chromium; install it with "
            "`sudo apt-get install chromium-headless-shell` (or chromium; or run .ci/install)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Page:
    """A Playwright page that records console errors, failed requests and HTTP errors."""

    def __init__(self, browser, viewport=DESKTOP, **context_options):
        self.context = browser.new_context(viewport=viewport, **context_options)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda req: self.problems.append(f"request failed: {req.url}"))
        self.page.on(
            "response", lambda res: res.status >= 400 and self.problems.append(f"HTTP {res.status}: {res.url}")
        )

    def close(self) -> None:
        self.context.close()

    def open(self, url: str):
        """Go to url and return once its load event has fired (its scripts have run); return the response.

        No wait for network idle (a fixed half second per page): a test waits for the state it checks.
        """
        return self.page.goto(url, wait_until="load")

    def axe(self) -> list[dict]:
        """Run axe-core in the page for the WCAG 2.1 A/AA rules once rendering has settled; return the violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        return self.page.evaluate(AXE_RUN, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    """Summarise axe violations readably for an assertion message."""
    lines = []
    for v in violations:
        targets = [", ".join(map(str, node["target"])) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


# ---------------------------------------------------------------- repositories and sites for the tests

# The draft the tests derive from version 2023: same text, one sentence changed, not signed.
DRAFT_EDIT = ("I Cykelstrategin anges att", "I den nya Cykelstrategin anges att")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SITE_FILES = ("mkdocs.yml", "hooks", "overrides", "docs_assets")


def make_repo(base: Path, draft: bool = True, site_files: bool = False) -> Path:
    """Make a scratch repository: the real schema and version 2023, and a draft 2024 derived from it."""
    root = base / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    shutil.copytree(ROOT / "years" / "2023", root / "years" / "2023")
    if draft:
        add_draft(root)
    for name in SITE_FILES if site_files else ():
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, root / name)
    return root


def add_draft(root: Path) -> Path:
    """Add years/2024: a draft that follows 2023, with one changed sentence (test data, never published)."""
    folder = root / "years" / "2024"
    shutil.copytree(root / "years" / "2023", folder, ignore=shutil.ignore_patterns("signed.lock"))
    meta = folder / "contract.yaml"
    text = meta.read_text(encoding="utf-8")
    for pattern, value in (
        (r"(?m)^version: .*$", "version: '2024'"),
        (r"(?m)^valid_for: .*$", "valid_for: '2025'"),
        (r"(?m)^status: .*$", "status: draft"),
        (r"(?m)^signed_on: .*$", "signed_on:"),
        (r"(?m)^previous: .*$", "previous: '2023'"),
    ):
        text = re.sub(pattern, value, text, count=1)
    meta.write_text(text, encoding="utf-8")
    body = folder / "municipality.yaml"
    source = body.read_text(encoding="utf-8")
    assert DRAFT_EDIT[0] in source, "the sentence the draft changes is no longer in version 2023"
    body.write_text(source.replace(*DRAFT_EDIT), encoding="utf-8")
    return folder


def commit_all(root: Path, date: str = "2024-01-15T12:00:00+00:00") -> str:
    """Make root a git repository with one commit at a fixed date; return the short hash."""
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "test data"]):
        subprocess.run(command, cwd=root, env=env, check=True)
    return subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def placeholder_pdfs(out_dir: Path, names: list[str]) -> None:
    """Put small PDFs where the PDF stage would write them (downloads/<version>/<name>)."""
    for name in names:
        path = out_dir / "downloads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under a folder by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Built:
    """A test site: the scratch repository, the built site folder, the commit and the loaded versions."""

    def __init__(self, root: Path, out: Path, commit: str, contracts: dict):
        self.root, self.out, self.commit, self.contracts = root, out, commit, contracts


# The PDFs the test site has: version 2023 only in Swedish, so its English PDF must not be linked.
TEST_PDFS = [
    "2023/klimatkontrakt-2023-sv.pdf",
    "2024/klimatkontrakt-2024-sv.pdf",
    "2024/klimatkontrakt-2024-en.pdf",
    "2024/redline-2023-2024-sv.pdf",
]


def build_test_site(base: Path, drafts: bool = True) -> Built:
    """Build the site of a scratch repository (2023 and a draft 2024) with placeholder PDFs and real redlines."""
    from contract.build.redlines import default_redlines
    from contract.build.run import gather
    from contract.build.site import build_site

    root = make_repo(base)
    commit = commit_all(root)
    out = base / "site"
    placeholder_pdfs(out, TEST_PDFS)
    contracts, _ = gather(root, drafts=True)
    build_site(root, contracts, out, drafts=drafts, redlines=default_redlines(contracts))
    return Built(root, out, commit, contracts)


def listening_port(pid: int) -> int:
    """Return the TCP port a process listens on (it bound port 0, so the system chose it), from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    for line in Path(f"/proc/{pid}/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            return int(fields[1].rpartition(":")[2], 16)
    raise AssertionError(f"process {pid} listens on no TCP port")


def make_serve_repo(root: Path) -> Path:
    """Make at root a repository that `klimatkontrakt serve` can preview: version 2023 and the site's configuration."""
    (root / "years").mkdir(parents=True)
    for name in ("mkdocs.yml", "klimatkontrakt.yaml", "glossary.yaml"):
        shutil.copy2(ROOT / name, root / name)
    for name in ("hooks", "docs_assets", "overrides", "schema"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "years" / "2023", root / "years" / "2023")
    return root
