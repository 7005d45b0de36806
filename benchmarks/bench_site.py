"""Time the website build of version 2023 in both languages: pages, MkDocs, Pagefind, and the whole build_site.

Run: python benchmarks/bench_site.py [--runs N]   (prints one line per figure)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from contract.build.search import index_search
from contract.build.site import build_site
from contract.render.pages import SiteContext, render_pages
from contract.source.load import load
from contract.source.provenance import source

ROOT = Path(__file__).resolve().parents[1]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figure(name: str, seconds: list[float]) -> None:
    print(f"{name}: median {statistics.median(seconds):.3f} s, min {min(seconds):.3f} s ({len(seconds)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    contracts = {"2023": load(ROOT, "2023")}
    langs = contracts["2023"].languages  # the repository's (klimatkontrakt.yaml)
    ctx = SiteContext(source(ROOT))
    pages = [timed(lambda: [render_pages(contracts, lang, ctx) for lang in langs]) for _ in range(args.runs)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        builds = [timed(lambda: build_site(ROOT, contracts, out)) for _ in range(args.runs)]
        search = [timed(lambda: [index_search(out / lang) for lang in langs]) for _ in range(args.runs)]
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
        files = sum(1 for p in out.rglob("*") if p.is_file())
    figure("site 2023, both languages: whole build_site", builds)
    figure("  pages rendered from the model (Markdown, both languages)", pages)
    figure("  Pagefind indexing (both languages)", search)
    mkdocs = [b - p - s for b, p, s in zip(builds, pages, search)]
    figure("  MkDocs with Material and the rest (build minus the two above)", mkdocs)
    print(f"site size: {size:.1f} MiB in {files} files")


if __name__ == "__main__":
    main()
