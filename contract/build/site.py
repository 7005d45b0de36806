"""The contract website: pages from the model built by MkDocs once per language, searched with Pagefind.

The pages themselves come from contract.render.pages (plain Python and jinja2); this module is the only
place that knows MkDocs, together with the thin hook in hooks/mkdocs_hook.py.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import interrupts
from ..errors import ContractError, excerpt_text
from ..model import DEFAULT_LANGUAGES, Contract, Pos
from ..output.files import drop_scratch, recover, scratch_path, source_date_epoch, staging_path, swap, write_atomic
from ..output.guard import refuse_in_the_way
from ..render import labels
from ..render.page_templates import render_not_found, render_root
from ..render.pages import (
    SiteContext,
    SitePages,
    chrome_labels,
    languages_of,
    render_error,
    render_pages,
)
from ..resources import PROJECT
from ..source.languages import load_languages
from ..source.provenance import Source, source
from .assets import check_assets
from .mkdocs_run import CONFIG_NAME, config_error, quiet_mkdocs, run_mkdocs
from .redlines import compare_redlines, default_redlines
from .search import finish_index, start_index, stop_index
from .site_url import base_path, published_url
from .stamps import CACHE
from .templates import use_template_cache

if TYPE_CHECKING:  # the differ loads when pages are made, not when a command merely imports this module
    from .changes import ChangeSets

_MATERIAL_LANGUAGES = resources.files("material") / "templates" / "partials" / "languages"
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
_PERMALINK = re.compile(r'(<a class="headerlink" href="#[^"]*")')


def build_site(
    root: Path,
    contracts: Mapping[str, Contract],
    out_dir: Path,
    drafts: bool = False,
    downloads: Mapping[tuple[str, str, str], str] | None = None,
    redlines: Mapping[tuple[str, str], str] | None = None,
    planned: bool = False,
    site_url: str | None = None,
    changes: ChangeSets | None = None,
) -> list[Path]:
    """Build out_dir/sv/, out_dir/en/, out_dir/index.html and out_dir/404.html; return what was written.

    downloads maps (version, lang, "contract" | "redline") to a path relative to out_dir; only files
    that exist are linked (None: look for the conventional names under out_dir/downloads/); planned=True
    links them all, for a caller that writes them while the site builds.
    redlines maps (version, lang) to the redline's HTML fragment; a version without one shows a notice.
    site_url is the address the site is published at (default: mkdocs.yml's site_url, if any).
    changes holds the comparisons already made (the build's own), so no pair of versions is compared twice.
    """
    from ..diff.history import all_timelines
    from .changes import ChangeSets

    # Absolute: MkDocs reads a relative folder from its configuration's folder, Pagefind and the swap from here.
    out_dir = Path(out_dir).absolute()
    url = published_url(config_file(root), site_url)
    changes = ChangeSets() if changes is None else changes
    links = dict(downloads or {}) if planned else _existing(out_dir, downloads, contracts)
    visible = {v: c for v, c in contracts.items() if drafts or c.meta.status != "draft"}
    own = dict(redlines or {})
    timelines = all_timelines(visible, changes.since_previous(visible))
    compares = compare_redlines(visible, changes=changes, timelines=timelines)
    ctx = SiteContext(source(root), drafts, links, own, compares, history=timelines)
    langs = languages_of(contracts) if contracts else load_languages(root).all
    pages = {lang: render_pages(contracts, lang, ctx) for lang in langs}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = _build_languages(root, pages, out_dir, ctx.source, url, langs)
    write_atomic(out_dir / "index.html", render_root(langs))
    write_atomic(out_dir / "404.html", render_not_found(base_path(url), langs))
    return [*written, out_dir / "index.html", out_dir / "404.html"]


def find_downloads(out_dir: Path, contracts: Mapping[str, Contract]) -> dict[tuple[str, str, str], str]:
    """Return the PDFs present under out_dir/downloads/ by their conventional names."""
    from ..diff.lineage import previous_version

    found = {}
    for version, contract in contracts.items():
        for lang in contract.languages:
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


# ---------------------------------------------------------------- MkDocs adapter (used by the hook too)


def config_file(root: Path) -> Path:
    """Return the shared MkDocs configuration: the repository's own, else the project's."""
    own = Path(root) / CONFIG_NAME
    return own if own.is_file() else PROJECT / CONFIG_NAME


def theme_language(lang: str, source: str) -> str:
    """Return the language Material's own texts are in: the page's when Material has it, else the source's."""
    return lang if _MATERIAL_LANGUAGES.joinpath(f"{lang}.html").is_file() else source


def theme_for(lang: str, config: Path, source: str = DEFAULT_LANGUAGES[0]) -> dict:
    """Return the theme settings of the shared configuration with the language set."""
    # kk_lang: the page's own language, which the hook reads; Material's "language" may be a fallback.
    theme = {**_theme_settings(config), "language": theme_language(lang, source), "kk_lang": lang}
    if isinstance(theme.get("palette"), list):  # the light/dark switch is named in the page's language
        # Material prints the names into attributes unescaped: a label's quote or markup must stay text.
        names = tuple(html.escape(labels.label(lang, key)) for key in ("site_theme_light", "site_theme_dark"))
        theme["palette"] = [
            {**option, "toggle": {**option["toggle"], "name": names[min(i, 1)]}}
            if isinstance(option, dict) and isinstance(option.get("toggle"), dict)
            else option  # another shape is Material's to refuse: its templates fail on it (mkdocs_run)
            for i, option in enumerate(theme["palette"])
        ]
    return theme


def _theme_settings(config: Path) -> dict:
    """Return mkdocs.yml's theme settings as MkDocs reads them (!ENV, INHERIT, theme: NAME); else a located error."""
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load
    from yaml.reader import ReaderError

    try:
        with config.open("rb") as file:
            data = yaml_load(file)
    except (ConfigurationError, RecursionError, UnicodeDecodeError) as exc:
        cause = exc.__context__ if isinstance(exc, ConfigurationError) else exc  # PyYAML's error, which MkDocs wraps
        mark = getattr(cause, "problem_mark", None)
        where = Pos(str(config), mark.line + 1, mark.column + 1) if mark else Pos(str(config), 1, 1)
        if isinstance(cause, (ReaderError, UnicodeDecodeError)):
            why = "the file is not UTF-8 text"
        elif isinstance(cause, RecursionError):
            why = "the content is nested far too deeply"
        else:
            why = getattr(cause, "problem", None) or excerpt_text(str(exc))
        raise config_error(where, f"MkDocs cannot read this configuration: {why}") from None
    theme = data.get("theme") if isinstance(data, dict) else None
    if isinstance(theme, str):  # "theme: material", MkDocs' short form
        return {"name": theme}
    if not isinstance(theme, dict):
        raise config_error(Pos(str(config), 1, 1), "the configuration has no theme settings")
    return theme


def alternates(langs: tuple[str, ...]) -> list[dict[str, str]]:
    """Return the language switch (mkdocs.yml's extra.alternate): every language of the repository."""
    return [{"name": labels.native_name(code), "lang": code, "link": f"../{code}/"} for code in langs]


def backlink_title(lang: str) -> str:
    """Return the footnote backlink's title as Python-Markdown wants it: a format string ("%d" -> "{}", then {})."""
    text = labels.label(lang, "site_footnote_back", number="\0")  # the label's own braces and "%d" are text
    text = text.replace("{", "{{").replace("}", "}}").replace("%d", "%\u2060d")  # a word joiner keeps %d unread
    return text.replace("\0", "{}")


def configure(config, root: Path, lang: str) -> None:
    """Set what depends on the language in a loaded MkDocs configuration (from the hook's on_config).

    The theme's templates compile once per process and are kept in the build cache: the build's and serve's alike.
    """
    use_template_cache(config.theme, root / CACHE)
    langs = load_languages(root).all
    config.extra["alternate"] = alternates(langs)
    # The address of the site's root when known (each language's site_url is ROOT/LANG/): search engines want the
    # hreflang alternates absolute; without it they stay relative.
    ending = f"/{lang}/"
    config.extra["kk_root_url"] = config.site_url[: -len(lang) - 1] if (config.site_url or "").endswith(ending) else ""
    chrome = chrome_labels(lang)
    src = source(root)
    config.site_name = html.escape(chrome["site_name"])  # Material prints it into <title> and aria-label unescaped
    config.extra["kk"] = {
        **chrome,
        "footer": [labels.label(lang, "built_from", commit=src.label, date=labels.date(src.date, lang))],
    }
    config.mdx_configs.setdefault("footnotes", {})["BACKLINK_TITLE"] = backlink_title(lang)
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = labels.label(lang, "site_permalink")


def page_language(config) -> str:
    """Return the language a MkDocs configuration builds (theme_for's kk_lang; Material's language otherwise)."""
    return str(config.theme["kk_lang"] if "kk_lang" in config.theme else config.theme["language"])


def html_language(output: str, lang: str) -> str:
    """Give the page's <html> element the page's language where Material's texts fall back to another one."""
    return re.sub(
        r'\A(\s*<!doctype html>\s*<html lang=")[^"]*"', lambda m: f'{m.group(1)}{lang}"', output, count=1, flags=re.I
    )


def quiet_permalinks(page_html: str) -> str:
    """Give the toc extension's permalink signs tabindex=-1 and hide them from screen readers (they stay clickable)."""
    return _PERMALINK.sub(r'\1 tabindex="-1" aria-hidden="true"', page_html)


# A heading and its text, and a language span in it (Swedish standing in for a missing translation).
_HEADING = re.compile(r'<h[1-6][^>]*\bid="([^"]+)"[^>]*>((?:(?!</h[1-6]>).)*)</h[1-6]>', re.S)
_LANG_SPAN = re.compile(r'<span lang="([a-z]{2,3})">')


def mark_toc_languages(page_html: str, toc) -> None:
    """Give each contents entry of a heading shown in another language that language (kk_lang, see toc-item.html).

    The toc extension copies a heading's text without its markup: a Swedish title standing in on an English page
    lost its lang="sv" in the sidebar, and a screen reader read it with English rules.
    """
    langs = {m.group(1): lang.group(1) for m in _HEADING.finditer(page_html) if (lang := _LANG_SPAN.search(m.group(2)))}
    stack = list(toc or [])
    while stack:
        item = stack.pop()
        item.kk_lang = langs.get(item.id, "")
        stack.extend(item.children)


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
        compares = compare_redlines(contracts, (lang,), changes, timelines)
        ctx = SiteContext(ctx.source, drafts=True, redlines=own, compares=compares, history=timelines)
        return render_pages(contracts, lang, ctx)
    except ContractError as exc:
        return render_error(exc.diagnostics, lang, ctx)


# ---------------------------------------------------------------- building


def _existing(out_dir: Path, downloads, contracts) -> dict[tuple[str, str, str], str]:
    if downloads is None:
        return find_downloads(out_dir, contracts)
    return {key: path for key, path in downloads.items() if (out_dir / path).is_file()}


def _build_languages(
    root: Path, pages: Mapping[str, SitePages], out_dir: Path, src: Source, url: str | None, langs: tuple[str, ...]
) -> list[Path]:
    """Build each language with MkDocs into a staging folder, indexed while the next builds; then swap each in."""
    indexing: list[tuple[Path, Path, subprocess.Popen]] = []
    for lang in langs:  # what a killed build left; the caller holds the output folder's lock
        recover(out_dir / lang)
        drop_scratch(out_dir / lang)
    refuse_in_the_way(*(where(out_dir / lang) for lang in langs for where in (staging_path, scratch_path)))
    try:
        for lang in langs:
            staging = _build_language(root, pages[lang], lang, out_dir / lang, src, url, langs)
            indexing.append((staging, out_dir / lang, start_index(staging)))
            interrupts.check()  # a stop as Pagefind started (start_index defers it): now that it is in `indexing`
        interrupts.check()  # before the first language is swapped in
        for staging, target, process in indexing:
            finish_index(process, staging)
            _remove(staging, UNREPRODUCIBLE + UNUSED)
            swap(staging, target)
    except BaseException:
        _stop_indexing(indexing)
        for lang in langs:  # a failed build leaves nothing half-built (the next one would call it interrupted)
            shutil.rmtree(staging_path(out_dir / lang), ignore_errors=True)
        raise
    finally:
        _stop_indexing(indexing)
    return [target for _, target, _ in indexing]


def _stop_indexing(indexing: list[tuple[Path, Path, subprocess.Popen]]) -> None:
    """Kill what Pagefind still runs: a failed build leaves no indexer running."""
    for *_, process in indexing:
        stop_index(process)


def _build_language(
    root: Path,
    pages: SitePages,
    lang: str,
    target: Path,
    src: Source,
    url: str | None,
    langs: tuple[str, ...] | None = None,
) -> Path:
    """Build one language with MkDocs into a staging folder beside target; return the staging folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    langs = langs or DEFAULT_LANGUAGES
    staging = staging_path(target)
    config_path = config_file(root)
    # Beside the output, not in TMPDIR: what a killed build leaves there goes with the next build's recovery.
    scratch = scratch_path(target)
    try:
        docs = _write_docs(scratch / "docs", config_path.parent / "docs_assets", pages)
        config = load_config(
            str(config_path),
            docs_dir=str(docs),
            site_dir=str(staging),
            theme=theme_for(lang, config_path, langs[0]),
            nav=pages.nav,
            # Each language is a site of its own under the address. Always given, "" when unknown: with None MkDocs
            # would use the site_url it reads itself (the last of duplicate keys, an INHERIT file's), never checked.
            site_url=f"{url}{lang}/" if url else "",
            strict=True,
        )
        with quiet_mkdocs() as warnings, source_date_epoch(src.timestamp):
            run_mkdocs(build, config, warnings)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return staging


def _write_docs(docs: Path, assets: Path, pages: SitePages) -> Path:
    check_assets(assets)
    shutil.copytree(assets, docs, ignore=shutil.ignore_patterns(".*"))  # MkDocs leaves hidden files out anyway
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
