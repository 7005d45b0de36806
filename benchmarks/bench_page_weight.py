"""Weigh the contract page as a reader's browser loads it: every response, gzipped, against the 120 KiB budget.

Builds the site of the repository's signed version 2023, opens /sv/2023/ and /en/2023/ in Debian's Chromium
(Playwright) from a server on 127.0.0.1, and gzips (level 9) the body of every response the page loaded.

Run: python benchmarks/bench_page_weight.py   (prints one line per page; exit 1 when a page is over budget)
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
BUDGET = 120 * 1024  # bytes, gzip, the contract page with all its assets


def weigh(browser, url: str) -> tuple[int, int, list[tuple[str, int]]]:
    """Return (raw bytes, gzip bytes, [(path, gzip bytes)]) of everything the page at url loaded."""
    from site_helpers import Page

    page = Page(browser)
    bodies: list[tuple[str, bytes]] = []
    page.page.on("response", lambda response: bodies.append((response.url, response.body())))
    page.page.goto(url)
    page.page.wait_for_load_state("networkidle")
    page.close()
    sized = [(address, len(body), len(gzip.compress(body, 9))) for address, body in bodies]
    return (
        sum(s[1] for s in sized),
        sum(s[2] for s in sized),
        sorted(((a, z) for a, _, z in sized), key=lambda x: -x[1]),
    )


def main() -> int:
    from site_helpers import chromium, serve

    from contract.build.site import build_site
    from contract.source.load import load

    over = False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build_site(ROOT, {"2023": load(ROOT, "2023")}, out)
        with serve(out) as base, chromium() as browser:
            for lang in ("sv", "en"):
                raw, zipped, parts = weigh(browser, f"{base}{lang}/2023/")
                over |= zipped > BUDGET
                largest = ", ".join(f"{urlsplit(address).path} {size / 1024:.1f}" for address, size in parts[:4])
                print(
                    f"/{lang}/2023/: {zipped / 1024:.1f} KiB gzip ({raw / 1024:.1f} KiB raw) in {len(parts)} files, "
                    f"budget {BUDGET // 1024} KiB; largest: {largest}"
                )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
