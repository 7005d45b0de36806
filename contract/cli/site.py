"""Command line for the website: `klimatkontrakt site` builds it, `klimatkontrakt serve` previews it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ..build import site
from ..build.changes import ChangeSets
from ..build.run import gather
from ..model import LANGS
from ..output.guard import claim, is_marked, mark, owned, writing

# What this command writes into its folder, with what a killed run of it leaves there (NAME* owns names starting so).
SITE_WRITES = ("sv/", "en/", "index.html", "404.html", ".sv.*", ".en.*", ".index.html.*", ".404.html.*")


def _add_site(sub) -> None:
    p = sub.add_parser("site", help="build the website: site/sv/, site/en/ and the root page")
    p.add_argument("--drafts", action="store_true", help="include draft versions (marked as drafts on every page)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="the folder to write (default: ROOT/site): absent, empty, or written by klimatkontrakt before",
    )
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="if another build is writing the folder, stop (exit 2) instead of waiting",
    )
    p.set_defaults(run=_run_site)


def _run_site(args) -> int:
    out = args.out or args.root / "site"

    def notice(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with claim(args.root, out, wait=not args.no_wait, notice=notice):
        contracts, _ = gather(args.root, drafts=args.drafts)
        with writing(out):
            out.mkdir(parents=True, exist_ok=True)
            # First, so that a folder this command was interrupted in is still known as its own.
            mark(out, (owned(out) if is_marked(out) else set()) | set(SITE_WRITES))
            changes = ChangeSets()  # each pair of versions compared once for redlines, compare pages and history
            redlines = site.default_redlines(contracts, changes=changes)
            written = site.build_site(args.root, contracts, out, drafts=args.drafts, redlines=redlines, changes=changes)
    print(f"wrote {', '.join(str(path) for path in written)}", file=sys.stderr)
    return 0


def _add_serve(sub) -> None:
    p = sub.add_parser("serve", help="preview the website of one language; it rebuilds when a YAML file changes")
    p.add_argument("--lang", choices=LANGS, default="sv", help="the language to preview (default: sv)")
    p.add_argument(
        "--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT", help="where to serve (default: 127.0.0.1:8000)"
    )
    p.set_defaults(run=_run_serve)


def _run_serve(args) -> int:
    from mkdocs.commands.serve import serve

    config = args.root / site.CONFIG_NAME
    if not config.is_file():
        print(
            f"{config}: error: no MkDocs configuration here (run the command in the repository, or pass --root)",
            file=sys.stderr,
        )
        return 1
    logging.basicConfig(format="%(levelname)-7s -  %(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    serve(config_file=str(config), dev_addr=args.dev_addr, theme=site.theme_for(args.lang, config))
    return 0


COMMANDS = [_add_site, _add_serve]
