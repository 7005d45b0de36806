"""The contract website: pages from the model built by MkDocs once per language, searched with Pagefind.

The pages themselves come from contract.render.pages (plain Python and jinja2); this module is the only
place that knows MkDocs, together with the thin hook in hooks/mkdocs_hook.py.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import ContractError, Diagnostic
from ..model import LANGS, Contract, Pos
from ..output.files import recover, source_date_epoch, staging_path, swap, write_atomic
from ..render import labels
from ..render.pages import (
    SiteContext,
    SitePages,
    chrome_labels,
    render_error,
    render_not_found,
    render_pages,
    render_root,
)
from ..resources import PROJECT
from ..source.provenance import Source, source

if TYPE_CHECKING:  # the differ loads when pages are made, not when a command merely imports this module
    from ..diff.changeset import ChangeSet
    from ..diff.history import Step
    from .changes import ChangeSets

CONFIG_NAME = "mkdocs.yml"
# Files MkDocs writes that carry the build date or need a site_url we do not know; nothing links to them.
UNREPRODUCIBLE = ("sitemap.xml", "sitemap.xml.gz")
# Assets nothing loads: Material's lunr search (disabled) and Pagefind's ready-made interfaces (kk.js is ours);
# Material's 404.html per language, which needs a site_url (the site's own 404.html at the root replaces it).
UNUSED = (
    "404.html",
    "assets/javascripts/lunr",
    "assets/javascripts/workers",
    "pagefind/pagefind-ui.js",
    "pagefind/pagefind-ui.css",
    "pagefind/pagefind-component-ui.js",
    "pagefind/pagefind-component-ui.css",
    "pagefind/pagefind-modular-ui.js",
    "pagefind/pagefind-modular-ui.css",
    "pagefind/pagefind-highlight.js",
)
# Text Pagefind leaves out of the index: the contents list, permalink signs, footnote back-links, notes.
_PERMALINK = re.compile(r'(<a class="headerlink" href="#[^"]*")')
SEARCH_EXCLUDE = ".kk-contents, .headerlink, .footnote-backref, .kk-translation-note"


def build_site(
    root: Path,
    contracts: Mapping[str, Contract],
    out_dir: Path,
    drafts: bool = False,
    downloads: Mapping[tuple[str, str, str], str] | None = None,
    redlines: Mapping[tuple[str, str], str] | None = None,
    planned: bool = False,
    changes: ChangeSets | None = None,
) -> list[Path]:
    """Build out_dir/sv/, out_dir/en/ and out_dir/index.html; return what was written.

    downloads maps (version, lang, "contract" | "redline") to a path relative to out_dir; only files
    that exist are linked (None: look for the conventional names under out_dir/downloads/); planned=True
    links them all, for a caller that writes them while the site builds.
    redlines maps (version, lang) to the redline's HTML fragment; a version without one shows a notice.
    changes holds the comparisons already made (the build's own), so no pair of versions is compared twice.
    """
    from ..diff.history import all_timelines
    from .changes import ChangeSets

    out_dir = Path(out_dir)
    changes = ChangeSets() if changes is None else changes
    links = dict(downloads or {}) if planned else _existing(out_dir, downloads, contracts)
    visible = {v: c for v, c in contracts.items() if drafts or c.meta.status != "draft"}
    own = dict(redlines or {})
    timelines = all_timelines(visible, changes.since_previous(visible))
    compares = compare_redlines(visible, own, changes=changes, timelines=timelines)
    ctx = SiteContext(source(root), drafts, links, own, compares, history=timelines)
    pages = {lang: render_pages(contracts, lang, ctx) for lang in LANGS}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _build_languages(root, pages, out_dir, ctx.source)
    write_atomic(out_dir / "index.html", render_root())
    write_atomic(out_dir / "404.html", render_not_found())
    return [*written, out_dir / "index.html", out_dir / "404.html"]


def find_downloads(out_dir: Path, contracts: Mapping[str, Contract]) -> dict[tuple[str, str, str], str]:
    """Return the PDFs present under out_dir/downloads/ by their conventional names."""
    from ..diff.lineage import previous_version

    found = {}
    for version in contracts:
        for lang in LANGS:
            # The signed PDF, when the programme office has put it beside the others, is linked from the signatures.
            names = {
                "contract": f"klimatkontrakt-{version}-{lang}.pdf",
                "signed": f"klimatkontrakt-{version}-{lang}-signed.pdf",
            }
            previous = previous_version(contracts, version)
            if previous:
                names["redline"] = f"redline-{previous}-{version}-{lang}.pdf"
            for kind, name in names.items():
                if (out_dir / "downloads" / version / name).is_file():
                    found[(version, lang, kind)] = f"downloads/{version}/{name}"
    return found


def default_redlines(
    contracts: Mapping[str, Contract],
    langs=LANGS,
    changes: ChangeSets | None = None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str], str]:
    """Return the redline fragment of every version whose previous version (diff.lineage) is loaded, per language."""
    from ..diff.lineage import previous_versions
    from ..render.redline_site import to_site_html
    from .changes import ChangeSets

    changes = ChangeSets() if changes is None else changes
    own = changes.since_previous(contracts)
    history = _history_keys(contracts, own if timelines is None else None, timelines)
    out = {}
    for version, previous in previous_versions(contracts).items():
        links = _links(contracts[previous], contracts[version], history)
        out.update({(version, lang): to_site_html(own[version], lang, links) for lang in langs})
    return out


def compare_redlines(
    contracts: Mapping[str, Contract],
    redlines: Mapping[tuple[str, str], str],
    langs=LANGS,
    changes: ChangeSets | None = None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str, str], str]:
    """Return the redline of every pair of versions (older, newer, lang); a version's own redline is reused."""
    from ..diff.lineage import previous_versions
    from ..render.redline_site import to_site_html
    from .changes import ChangeSets

    changes = ChangeSets() if changes is None else changes
    previous = previous_versions(contracts)
    history = _history_keys(contracts, changes.since_previous(contracts) if timelines is None else None, timelines)
    out, versions = {}, sorted(contracts)
    for index, old in enumerate(versions):
        for new in versions[index + 1 :]:
            own = previous.get(new) == old and all((new, lang) in redlines for lang in langs)
            if own:
                out.update({(old, new, lang): redlines[(new, lang)] for lang in langs})
                continue
            found = changes.between(contracts[old], contracts[new])
            links = _links(contracts[old], contracts[new], history)
            out.update({(old, new, lang): to_site_html(found, lang, links) for lang in langs})
    return out


def _history_keys(
    contracts: Mapping[str, Contract],
    changes: Mapping[str, ChangeSet] | None,
    timelines: Mapping[str, list[Step]] | None = None,
) -> dict[tuple[str, str], str]:
    """Map (version, section id) to the anchor of the section's entry on the history page."""
    from ..diff.history import all_timelines

    timelines = all_timelines(contracts, changes) if timelines is None else timelines
    return {(step.version, step.id): key for key, steps in timelines.items() for step in steps if step.present}


def _links(old: Contract, new: Contract, history: dict[tuple[str, str], str]):
    from ..render.redline_site import SiteLinks

    pending = frozenset(s.id for s in new.walk() if s.to_be_written)
    return SiteLinks(old.meta.version, new.meta.version, history, pending)


def index_search(site_dir: Path) -> None:
    """Index one language's built site with Pagefind into site_dir/pagefind/."""
    _finish_index(_start_index(site_dir), site_dir)


def _start_index(site_dir: Path) -> subprocess.Popen:
    """Start Pagefind on one language's built site; it runs while the next language builds."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        "pagefind",
        "--exclude-selectors",
        SEARCH_EXCLUDE,
        "--quiet",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_index(process: subprocess.Popen, site_dir: Path) -> None:
    """Wait for Pagefind; raise ContractError with what it said if it failed."""
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(site_dir)),
                    "error",
                    f"Pagefind could not index the site: {stderr.strip()}",
                    "install it with: pip install 'pagefind[bin]'",
                    "site-search",
                )
            ]
        )


# ---------------------------------------------------------------- MkDocs adapter (used by the hook too)


def config_file(root: Path) -> Path:
    """Return the shared MkDocs configuration: the repository's own, else the project's."""
    own = Path(root) / CONFIG_NAME
    return own if own.is_file() else PROJECT / CONFIG_NAME


def theme_for(lang: str, config: Path) -> dict:
    """Return the theme settings of the shared configuration with the language set."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    theme = {**data["theme"], "language": lang}
    if isinstance(theme.get("palette"), list):  # the light/dark switch is named in the page's language
        names = (labels.label(lang, "site_theme_light"), labels.label(lang, "site_theme_dark"))
        theme["palette"] = [
            {**option, "toggle": {**option["toggle"], "name": names[min(i, 1)]}} if "toggle" in option else option
            for i, option in enumerate(theme["palette"])
        ]
    return theme


def configure(config, root: Path, lang: str) -> None:
    """Set what depends on the language in a loaded MkDocs configuration (from the hook's on_config)."""
    chrome = chrome_labels(lang)
    src = source(root)
    config.site_name = chrome["site_name"]
    config.extra["kk"] = {
        **chrome,
        "footer": [labels.label(lang, "built_from", commit=src.label, date=labels.date(src.date, lang))],
    }
    config.mdx_configs.setdefault("footnotes", {})["BACKLINK_TITLE"] = labels.label(
        lang, "site_footnote_back", number="%d"
    )
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = labels.label(lang, "site_permalink")


def quiet_permalinks(page_html: str) -> str:
    """Give the toc extension's permalink signs tabindex=-1 and hide them from screen readers (they stay clickable)."""
    return _PERMALINK.sub(r'\1 tabindex="-1" aria-hidden="true"', page_html)


def needs_pages(docs_dir: str | Path) -> bool:
    """Tell whether the docs folder lacks the generated pages, so the hook must generate them (preview)."""
    return not (Path(docs_dir) / "index.md").is_file()


def preview_pages(root: Path, lang: str) -> SitePages:
    """Render the pages for `mkdocs serve`: every version, drafts included; problems become an error page."""
    from ..checks.validate import validate  # here, so that contract.build may import this module
    from ..diff.history import all_timelines
    from .changes import ChangeSets

    ctx = SiteContext(source(root), drafts=True)
    report, contracts = validate(Path(root))
    if report.errors:
        return render_error(report.sorted(), lang, ctx)
    try:
        changes = ChangeSets()
        timelines = all_timelines(contracts, changes.since_previous(contracts))
        own = default_redlines(contracts, (lang,), changes, timelines)
        compares = compare_redlines(contracts, own, (lang,), changes, timelines)
        ctx = SiteContext(ctx.source, drafts=True, redlines=own, compares=compares, history=timelines)
        return render_pages(contracts, lang, ctx)
    except ContractError as exc:
        return render_error(exc.diagnostics, lang, ctx)


# ---------------------------------------------------------------- building


def _existing(out_dir: Path, downloads, contracts) -> dict[tuple[str, str, str], str]:
    if downloads is None:
        return find_downloads(out_dir, contracts)
    return {key: path for key, path in downloads.items() if (out_dir / path).is_file()}


def _build_languages(root: Path, pages: Mapping[str, SitePages], out_dir: Path, src: Source) -> list[Path]:
    """Build each language with MkDocs into a staging folder, indexed while the next builds; then swap each in."""
    indexing: list[tuple[Path, Path, subprocess.Popen]] = []
    try:
        for lang in LANGS:
            staging = _build_language(root, pages[lang], lang, out_dir / lang, src)
            indexing.append((staging, out_dir / lang, _start_index(staging)))
        for staging, target, process in indexing:
            _finish_index(process, staging)
            _remove(staging, UNREPRODUCIBLE + UNUSED)
            swap(staging, target)
    finally:
        for *_, process in indexing:  # a failed build leaves no indexer running
            if process.poll() is None:
                process.kill()
                process.wait()
    return [target for _, target, _ in indexing]


def _build_language(root: Path, pages: SitePages, lang: str, target: Path, src: Source) -> Path:
    """Build one language with MkDocs into a staging folder beside target; return the staging folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    recover(target)  # what a killed build left; the caller holds the output folder's lock
    staging = staging_path(target)
    config_path = config_file(root)
    with tempfile.TemporaryDirectory(prefix="kk-docs-") as tmp:
        docs = _write_docs(Path(tmp) / "docs", config_path.parent / "docs_assets", pages)
        config = load_config(
            str(config_path),
            docs_dir=str(docs),
            site_dir=str(staging),
            theme=theme_for(lang, config_path),
            nav=pages.nav,
            strict=True,
        )
        with _quiet_mkdocs() as warnings, source_date_epoch(src.timestamp):
            _run_mkdocs(build, config, warnings)
    return staging


def _run_mkdocs(build, config, warnings: list[str]) -> None:
    """Run a MkDocs build; its aborts (strict mode: any warning) become a ContractError naming the warnings."""
    from mkdocs.exceptions import Abort, MkDocsException

    try:
        build(config)
    except (Abort, MkDocsException) as exc:
        said = "; ".join(warnings) or str(exc)
        raise ContractError(
            [
                Diagnostic(
                    Pos(CONFIG_NAME),
                    "error",
                    f"MkDocs could not build the site: {said}",
                    "this is a fault in the site templates; report it with this message",
                    "site-build",
                )
            ]
        ) from exc


def _write_docs(docs: Path, assets: Path, pages: SitePages) -> Path:
    shutil.copytree(assets, docs)
    for path, text in pages.files.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    return docs


def _remove(folder: Path, names: tuple[str, ...]) -> None:
    for name in names:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _quiet_mkdocs():
    """Keep MkDocs' progress messages (INFO) out of the build's output; collect its warnings to report them."""
    logger = logging.getLogger("mkdocs")
    level = logger.level
    warnings: list[str] = []
    handler = _Collect(warnings)
    logger.setLevel(max(level, logging.WARNING))
    logger.addHandler(handler)
    try:
        yield warnings
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class _Collect(logging.Handler):
    """A logging handler that keeps the messages of warnings and errors."""

    def __init__(self, sink: list[str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
