"""Command line for the website: `klimatkontrakt site` builds it, `klimatkontrakt serve` previews it."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import tempfile
import threading
from pathlib import Path

from ..build.site_url import EXAMPLE, normalise, published_url
from ..errors import Diagnostic, UsageError
from ..model import Pos
from ..output.guard import claim, is_marked, mark, owned, writing
from ..output.scratch import scratch_folder
from ..source.languages import load_languages
from . import writer
from .languages import add_lang

# What this command writes into its folder, with what a killed run of it leaves there (NAME* owns names starting so).
ROOT_WRITES = ("index.html", "404.html", ".index.html.*", ".404.html.*")


def site_writes(langs: tuple[str, ...]) -> set[str]:
    """Return what the site command writes: the root pages and a folder per language, with what a killed run leaves."""
    return set(ROOT_WRITES) | {f"{lang}/" for lang in langs} | {f".{lang}.*" for lang in langs}


def _add_site(sub) -> None:
    p = sub.add_parser("site", help="build the website: a folder per language (site/sv/, site/en/) and the root page")
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
    add_site_url(p)
    p.set_defaults(run=_run_site)


def add_site_url(parser) -> None:
    """Add --site-url, the address the site is published at (the build and the site commands)."""
    parser.add_argument(
        "--site-url",
        type=_site_url,
        default=None,
        metavar="URL",
        help=f"the address the site is published at, such as {EXAMPLE} (default: site_url in mkdocs.yml); "
        "the 404 page links to the start page under its path",
    )


def _site_url(text: str) -> str:
    """Parse --site-url (argparse reports a bad address as a usage error, exit 2)."""
    try:
        return normalise(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run_site(args) -> int:
    # Here, not at the top: every command builds the parser, which imports this module; MkDocs' and the page
    # renderer's modules are loaded only by the commands that write pages (a no-op build: 0.1 s less).
    from ..build import site
    from ..build.changes import ChangeSets
    from ..build.redlines import default_redlines
    from ..build.run import gather

    out = args.out or args.root / "site"

    url = published_url(site.config_file(args.root), args.site_url)  # a bad site_url: refused before writing
    with claim(args.root, out, wait=not args.no_wait, notice=writer.note):
        contracts, _ = gather(args.root, drafts=args.drafts)
        with writing(out):
            out.mkdir(parents=True, exist_ok=True)
            # First, so that a folder this command was interrupted in is still known as its own.
            langs = load_languages(args.root).all  # a folder per language, as build_site writes them
            mark(out, (owned(out) if is_marked(out) else set()) | site_writes(langs))
            changes = ChangeSets()  # each pair of versions compared once for redlines, compare pages and history
            redlines = default_redlines(contracts, changes=changes)
            written = site.build_site(
                args.root, contracts, out, drafts=args.drafts, redlines=redlines, changes=changes, site_url=url
            )
    writer.note(f"wrote {', '.join(str(path) for path in written)}")
    return 0


def _add_serve(sub) -> None:
    p = sub.add_parser(
        "serve", help="preview the website of one language; it rebuilds when a file the site is built from changes"
    )
    add_lang(p, "the language to preview")
    p.add_argument(
        "--dev-addr",
        type=_dev_addr,
        default="127.0.0.1:8000",
        metavar="HOST:PORT",
        help="where to serve (default: 127.0.0.1:8000)",
    )
    p.set_defaults(run=_run_serve)


def _dev_addr(text: str) -> str:
    """Parse --dev-addr as MkDocs accepts it: an IP address or localhost, a colon, a port from 0 to 65535."""
    host, colon, port = text.rpartition(":")
    try:
        if host != "localhost":
            ipaddress.ip_address(host.strip("[]"))
        if not (colon and port.isdigit() and 0 <= int(port) <= 65535):
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not HOST:PORT (an IP address or localhost, and a port from 0 to 65535), e.g. 127.0.0.1:8000"
        ) from None
    return text


def _run_serve(args) -> int:
    from mkdocs.commands.serve import serve

    from ..build import site

    config = args.root / site.CONFIG_NAME
    if not config.is_file():
        hint = "run the command in the repository, or pass --root"
        raise UsageError([Diagnostic(Pos(str(config)), "error", "no MkDocs configuration here", hint, "no-mkdocs")])
    logging.basicConfig(format="%(levelname)-7s -  %(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    source_lang = load_languages(args.root).source
    theme = site.theme_for(args.lang, config, source_lang)
    if threading.current_thread() is not threading.main_thread():
        # Run by a host program in a thread: tempfile.tempdir is the whole process's, not ours to move, and no signal
        # handler runs in this thread, so no stop can land between MkDocs' mkdtemp and its clean-up.
        serve(config_file=str(config), dev_addr=args.dev_addr, theme=theme)
        return 0
    # MkDocs makes its preview folder (mkdtemp) before its own clean-up block, so a Ctrl-C while it loads the
    # configuration left an empty mkdocs_* folder behind. Made inside a folder of ours, it goes when ours goes.
    with scratch_folder("klimatkontrakt-serve-") as scratch:
        previous, tempfile.tempdir = tempfile.tempdir, str(scratch)
        try:
            serve(config_file=str(config), dev_addr=args.dev_addr, theme=theme)  # its server thread: see the hook
        finally:
            tempfile.tempdir = previous
    return 0


COMMANDS = [_add_site, _add_serve]
