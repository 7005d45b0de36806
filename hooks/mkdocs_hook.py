"""MkDocs hook: the thin adapter between the contract pages (contract.site) and MkDocs.

`python build.py` writes the generated pages into a docs folder itself; `mkdocs serve` (and a plain
`mkdocs build`) start from docs_assets/ alone, so this hook generates the pages from years/ and
rebuilds them whenever a YAML file, a page template or the interface strings change.
"""

from __future__ import annotations

import atexit
import functools
import logging
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from mkdocs.exceptions import Abort
from mkdocs.structure.files import File

from contract import interrupts
from contract.build import site
from contract.build.assets import check_assets, poll_stat, unwatchable
from contract.build.search import index_search
from contract.build.stamps import SITE_INPUTS
from contract.errors import ContractError
from contract.output.guard import os_error
from contract.resources import CATALOGUES, TEMPLATES

_generated = False
_log = logging.getLogger("mkdocs.hooks.klimatkontrakt")
_remove_preview = None


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    """Set the language's site name, labels and footnote texts."""
    site.configure(config, _root(config), site.page_language(config))
    return config


def on_pre_build(config):
    """In the preview, name a file of docs_assets/ that MkDocs could not copy or read, before it lists them."""
    if site.needs_pages(config.docs_dir):
        check_assets(Path(config.docs_dir))


def on_files(files, config):
    """Add the pages generated from the YAML when the docs folder does not hold them already."""
    global _generated
    _generated = site.needs_pages(config.docs_dir)
    if _generated:
        pages = site.preview_pages(_root(config), site.page_language(config))
        for path, text in pages.files.items():
            files.append(File.generated(config, path, content=text))
        config.nav = pages.nav
    return files


def on_page_content(html, page, config, files):
    """Take the permalink signs out of the tab order (90 stops named "¶"); the contents list links every section.

    Contents entries of headings shown in another language are marked with it (overrides/partials/toc-item.html).
    """
    site.mark_toc_languages(html, page.toc)
    return site.quiet_permalinks(html)


def on_post_page(output, page, config):
    """Keep lang= right on a page whose language Material has no texts for (theme_for falls back)."""
    return site.html_language(output, site.page_language(config))


def on_post_build(config):
    """Index the preview for search, as the full build does."""
    if _generated:
        index_search(Path(config.site_dir))


def on_serve(server, config, builder):
    """Rebuild when anything the site is built from changes: the YAML, the theme overrides, the configuration."""
    _poll_without_loops(server, config)
    watch = functools.partial(_watch_inputs, server, _root(config), set(), set())
    watch()
    # MkDocs stops its server thread in a finally that a second Ctrl-C or SIGTERM cuts short; not a daemon, the thread
    # then kept the process alive for ever. It only serves files: as a daemon it ends with the process.
    # (serve_thread is MkDocs' own attribute, made before on_serve and started after it: mkdocs>=1.6,<2.)
    server.serve_thread.daemon = True
    # Made here: a build never imports MkDocs' live reload, which serve has imported by now.
    live = sys.modules.get("mkdocs.livereload")
    if live is not None and type(server) is live.LiveReloadServer:
        server.__class__ = type("CheckedServer", (_StopChecked, live.LiveReloadServer), {})
    server.builder = _reported(server.builder, watch)  # MkDocs' own attribute too, called for each rebuild
    # A host program that runs serve in a thread and ends on Ctrl-C never runs MkDocs' clean-up in that thread: the
    # preview folder goes as the process ends, unless MkDocs removed it first (serve ended: see on_shutdown).
    # Only a folder MkDocs made in the temporary folder (mkdtemp): never a site/ a later MkDocs might serve from.
    preview = Path(config.site_dir)
    if preview.name.startswith("mkdocs_") and preview.parent == Path(tempfile.gettempdir()):
        global _remove_preview
        _remove_preview = functools.partial(shutil.rmtree, preview, ignore_errors=True)
        atexit.register(_remove_preview)
    return server


def on_shutdown():
    """Serve has ended and MkDocs removes its preview folder itself."""
    if _remove_preview is not None:
        atexit.unregister(_remove_preview)


class _StopChecked:
    """Added to MkDocs' preview server: its wait for file changes also ends serve on a stop Python discarded.

    A Ctrl-C that lands in a finalizer while serve waits is discarded (interrupts); only a rebuild's check() raised
    it again. MkDocs' main thread reads shutdown_delay at each wake of that wait, four times a second (its own
    attribute and loop, mkdocs>=1.6,<2; tests/test_redteam_session30.py fails if that changes).
    """

    @property
    def shutdown_delay(self) -> float:
        if threading.current_thread() is threading.main_thread():
            interrupts.check()
        return self.__dict__["shutdown_delay"]

    @shutdown_delay.setter
    def shutdown_delay(self, value: float) -> None:
        self.__dict__["shutdown_delay"] = value

    def serve_forever(self, *args, **kwargs) -> None:
        """Serve until shut down; a server that a stop closed before this thread began serving has nothing to serve.

        A Ctrl-C as MkDocs starts its server thread can close the socket first: the thread then died on its selector
        ("Invalid file descriptor: -1"), a traceback on the way out.
        """
        try:
            super().serve_forever(*args, **kwargs)  # type: ignore[misc]
        except ValueError:
            if self.socket.fileno() != -1:  # type: ignore[attr-defined]
                raise


def _reported(builder, then):
    """Make a rebuild's problems (Pagefind failing, a file it cannot read) print as the build prints them; then run
    then (whether or not the rebuild failed).

    MkDocs prints any other error of a rebuild as a Python traceback; an Abort's message it prints as it is, then says
    the preview waits for the problem to be fixed. A stop that came meanwhile ends serve, as in the first build.
    """

    def rebuild(config=None):
        try:
            builder(config)
        except (ContractError, OSError) as exc:
            interrupts.check()
            raise Abort(str(os_error(exc) if isinstance(exc, OSError) else exc)) from None
        finally:
            then()
        interrupts.check()

    return rebuild


def _watch_inputs(server, root: Path, watched: set[Path], refused: set[Path]) -> None:
    """Watch every input of the site that exists (one made while serve runs: from its next rebuild); leave unwatched,
    with a warning, a folder whose links the watcher would follow round in a circle or into thousands of files,
    also one that became so while serve ran. Run as serve starts and after each rebuild.

    The build's own list of its inputs, but hooks/: Python writing this file's bytecode would rebuild once more, and
    an edited hook needs serve started again anyway. MkDocs watches docs_assets/ and mkdocs.yml itself.
    """
    inputs = [root / name for name in ("years", *SITE_INPUTS) if name not in ("hooks", "docs_assets", "mkdocs.yml")]
    for path in (*inputs, TEMPLATES, CATALOGUES):
        if path in refused or not path.exists():
            continue
        why = unwatchable(path) if path.is_dir() else None
        if why is not None:
            refused.add(path)
            if path in watched:
                watched.discard(path)
                server.unwatch(str(path))
            _log.warning(f"{why}: serve does not watch {path.name}; start serve again after editing there")
        elif path not in watched:
            try:
                server.watch(str(path))
            except OSError:  # removed just now: looked for again after the next rebuild
                continue
            watched.add(path)


def _poll_without_loops(server, config) -> None:
    """Give serve's watcher a stat that does not follow a link round in a circle (assets.poll_stat), also for the
    folders MkDocs watched before this hook ran (watched again, through MkDocs' own watch and unwatch)."""
    polling = sys.modules.get("watchdog.observers.polling")  # imported by serve; a build never imports it
    if polling is None or type(getattr(server, "observer", None)) is not polling.PollingObserver:
        return
    # watchdog's own attribute, which makes each new watch's poller (watchdog>=4,<8 in pyproject.toml).
    server.observer._emitter_class = functools.partial(polling.PollingEmitter, stat=poll_stat)
    for path in (config.docs_dir, config.config_file_path, *config.watch):
        try:
            server.unwatch(path)
        except KeyError:  # not watched by MkDocs: left so
            continue
        server.watch(path)
