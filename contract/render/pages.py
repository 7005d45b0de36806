"""Site pages from the model: one Markdown text per page, rendered by jinja2, independent of any site generator.

Every text from the YAML goes through contract.inline.parse and contract.render.markdown, so its
literal characters are escaped; templates see only Markup built here or plain values that the
environment's finalize escapes. The Markdown needs Python-Markdown with toc, attr_list, def_list,
footnotes, md_in_html and pymdownx.escapeall (every backslash escape shows the character itself).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from .. import ids, inline
from ..errors import ContractError, Diagnostic
from ..model import DEFAULT_LANGUAGES, Contract, Pos, block_texts
from ..source.provenance import Source
from . import labels
from . import markdown as md
from .page_templates import render_page
from .page_texts import (
    block_view,
    inline_text,
    section_view,
)
from .plain import Resolver, plain
from .site_views import compare_pairs, css_string, language_links, signatures

if TYPE_CHECKING:
    from ..diff.history import Step

# Ids the page itself uses; section ids must not take them.
RESERVED_IDS = ids.PAGE_IDS


@dataclass(frozen=True)
class SiteContext:
    """What the pages show besides the contracts: provenance, drafts, downloads and redlines."""

    source: Source
    drafts: bool = False
    # (version, lang, kind) -> path of an existing file relative to the site root; kind: contract | redline
    downloads: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    # (version, lang) -> safe HTML fragment of the redline against the previous version
    redlines: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # (older version, newer version, lang) -> safe HTML fragment of the redline between any two versions
    compares: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    versions: tuple[str, ...] = ()  # the versions shown (set by render_pages)
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the site's languages, the source first (set by render_pages)
    # section id -> its timeline over the versions shown (diff.history), computed once by the build; None: here
    history: Mapping[str, Sequence[Step]] | None = None
    previous: Mapping[str, str] = field(default_factory=dict)  # version -> its predecessor shown (set by render_pages)


@dataclass(frozen=True)
class SitePages:
    """The Markdown of every page (path in the docs folder -> text) and the navigation."""

    files: dict[str, str]
    nav: list


@dataclass(frozen=True)
class Download:
    label: str
    path: str  # relative to the site root
    lang: str


@dataclass(frozen=True)
class VersionView:
    version: str
    title: Markup
    draft: bool
    status: str
    signed: str
    valid_for: str
    previous: str | None
    parties: tuple[Markup, ...]
    party_separator: str  # what joins the names so that each reads as one (labels.list_separator)
    downloads: tuple[Download, ...]
    redline_downloads: tuple[Download, ...]
    redline: bool = False  # the previous version is in the archive, so the version has a redline page
    compares: tuple[tuple[str, str], ...] = ()  # (other version, path of the compare page from the language root)


# ---------------------------------------------------------------- entry points


def render_pages(contracts: Mapping[str, Contract], lang: str, ctx: SiteContext) -> SitePages:
    """Render every page of one language's site as Markdown."""
    from ..diff.lineage import previous_versions
    from . import change_pages  # the pages about changes build on this module's helpers

    shown = _visible(contracts, ctx.drafts)
    _check_ids(shown)
    previous = previous_versions({c.meta.version: c for c in shown})
    ctx = dataclasses.replace(
        ctx, versions=tuple(c.meta.version for c in shown), languages=languages_of(contracts), previous=previous
    )
    views = [_version_view(c, lang, ctx) for c in shown]
    files = {
        "index.md": render_page(
            "home.md.j2", lang, ctx, "index.md", versions=views, kk_meta=_home_meta(views, lang, ctx)
        )
    }
    for contract, view in zip(shown, views):
        files[f"{view.version}/index.md"] = _contract_page(contract, view, lang, ctx)
        if view.redline:
            files[f"{view.version}/redline/index.md"] = change_pages.redline_page(view, lang, ctx)
    files.update(change_pages.compare_pages(views, lang, ctx))
    if shown:
        files["history/index.md"] = change_pages.history_page(shown, lang, ctx)
    signed = [v.version for v in views if not v.draft]
    files["search/index.md"] = render_page(
        "search.md.j2",
        lang,
        ctx,
        "search/index.md",
        versions=views,
        default=signed[0] if signed else "",
        kk_meta=page_meta(lang, ctx, []),
    )
    return SitePages(files, _nav(views, lang))


def render_error(diagnostics: list[Diagnostic], lang: str, ctx: SiteContext) -> SitePages:
    """Render a single page listing the problems that stop the contract from loading (for the preview)."""
    page = render_page(
        "error.md.j2",
        lang,
        ctx,
        "index.md",
        diagnostics=[str(d) for d in diagnostics],
        kk_meta=page_meta(lang, ctx, []),
    )
    return SitePages({"index.md": page}, [{labels.label(lang, "site_error_title"): "index.md"}])


def chrome_labels(lang: str) -> dict[str, str]:
    """Return the interface strings the theme templates need (site name, the header's search link)."""
    return {
        "search": labels.label(lang, "site_search"),
        "site_name": labels.label(lang, "contract_title"),
        "menu": labels.label(lang, "site_menu"),
        "position": labels.catalogue(lang)["site_redline_position"],
        "lang": lang,  # the page's language, also where the theme has no translation of its own (theme_for)
    }


def languages_of(contracts: Mapping[str, Contract]) -> tuple[str, ...]:
    """Return the languages the loaded versions are in (the repository's; Swedish and English when none is)."""
    return next((c.languages for c in contracts.values()), DEFAULT_LANGUAGES)


# ---------------------------------------------------------------- versions


def _visible(contracts: Mapping[str, Contract], drafts: bool) -> list[Contract]:
    """Return the versions to publish, newest first; drafts only when asked for."""
    shown = [c for c in contracts.values() if drafts or c.meta.status != "draft"]
    return sorted(shown, key=lambda c: c.meta.version, reverse=True)


def _check_ids(contracts: list[Contract]) -> None:
    """Refuse section ids the page needs for itself."""
    clashes = [s for c in contracts for s in c.walk() if ids.reserved(s.id)]
    if clashes:
        raise ContractError(
            [
                Diagnostic(
                    s.pos or Pos(s.id),
                    "error",
                    f"section id '{s.id}' is reserved by the website",
                    "choose another id",
                    "site-reserved-id",
                )
                for s in clashes
            ]
        )


def _version_view(contract: Contract, lang: str, ctx: SiteContext) -> VersionView:
    meta, resolver = contract.meta, Resolver.of(contract)
    previous = ctx.previous.get(meta.version) or meta.previous  # a predecessor outside the site is still named
    return VersionView(
        version=meta.version,
        title=inline_text(meta.title, lang, resolver),
        draft=meta.status == "draft",
        status=labels.label(lang, f"status_{meta.status}"),
        signed=labels.date(meta.signed_on, lang) if meta.signed_on else labels.label(lang, "not_signed_yet"),
        valid_for=meta.valid_for,
        previous=previous,
        parties=tuple(inline_text(p.name, lang, resolver) for p in contract.parties),
        party_separator=labels.list_separator([p.name.shown(lang)[0] for p in contract.parties]),
        downloads=_downloads(meta.version, "contract", lang, ctx, previous=previous),
        redline_downloads=_downloads(meta.version, "redline", lang, ctx, previous=previous),
        redline=bool(previous) and (previous in ctx.versions or (meta.version, lang) in ctx.redlines),
        compares=tuple(
            (b if a == meta.version else a, Markup(f"compare/{a}..{b}/index.md"))
            for a, b in compare_pairs(list(ctx.versions))
            if meta.version in (a, b) and (a, b, lang) in ctx.compares
        ),
    )


def _downloads(version: str, kind: str, lang: str, ctx: SiteContext, previous: str | None) -> tuple[Download, ...]:
    """Return the existing downloads of one kind, the page's language first."""
    order = sorted(ctx.languages, key=lambda other: other != lang)
    key = "site_pdf_contract" if kind == "contract" else "site_pdf_redline"
    return tuple(
        Download(
            labels.label(lang, key, language=labels.language(other, lang), previous=previous or ""),
            ctx.downloads[(version, other, kind)],
            other,
        )
        for other in order
        if (version, other, kind) in ctx.downloads
    )


# ---------------------------------------------------------------- pages


def _contract_page(contract: Contract, view: VersionView, lang: str, ctx: SiteContext) -> str:
    resolver = Resolver.of(contract)
    annex = contract.annex
    return render_page(
        "contract.md.j2",
        lang,
        ctx,
        f"{view.version}/index.md",
        v=view,
        preamble=[block_view(b, lang, resolver) for b in contract.preamble],
        preamble_notes=labels.stand_in_notes(list(block_texts(contract.preamble)), lang),
        sections=[section_view(s, lang, resolver) for s in contract.walk()],
        annex=annex and inline_text(annex.title, lang, resolver),
        annex_blocks=[block_view(b, lang, resolver) for b in annex.body] if annex else [],
        annex_docs=[_document_link(d, lang, resolver) for d in annex.documents] if annex else [],
        annex_notes=labels.stand_in_notes(list(annex.texts()), lang) if annex else (),
        footnotes=[(n.number, inline_text(n.text, lang, resolver)) for n in contract.footnotes()],
        errata=[_erratum(e, lang, resolver) for e in contract.meta.errata],
        signatures=signatures(contract, lang, inline_text, ctx.downloads),
        # Section ids are slugs and versions four digits (the schema checks both): nothing to escape in the path.
        section_langs=lambda sid: language_links(
            lang, lambda other: f"../../{other}/{view.version}/#{sid}", contract.languages
        ),
        kk_meta=page_meta(
            lang,
            ctx,
            version_footer(view, lang),
            index=True,
            draft=view.draft,
            title=_title(contract, lang, view),
            version=view,
        ),
    )


@dataclass(frozen=True)
class ErratumView:
    date: str
    section: Markup | None
    what: Markup
    why: Markup


def _erratum(erratum, lang: str, resolver: Resolver) -> ErratumView:
    number = resolver.numbers.get(erratum.section or "")
    link = Markup(f"[{md.escape(number)}](#{erratum.section})") if number else None
    return ErratumView(
        labels.date(erratum.date, lang),
        link,
        inline_text(erratum.what, lang, resolver),
        inline_text(erratum.why, lang, resolver),
    )


def _document_link(doc, lang: str, resolver: Resolver) -> Markup:
    """Render an annex document as a Markdown link (as text when its address is not http(s) or mailto)."""
    title = inline_text(doc.title, lang, resolver)
    return Markup(md.link(title, doc.url)) if inline.SAFE_URL.match(doc.url) else title


def _title(contract: Contract, lang: str, view: VersionView) -> str:
    title = plain(contract.meta.title, lang, Resolver.of(contract))
    return f"{title}, {labels.label(lang, 'site_version', version=view.version)}{draft_mark(view, lang)}"


def draft_mark(view: VersionView, lang: str) -> str:
    return f" ({labels.label(lang, 'status_draft')})" if view.draft else ""


def _nav(views: list[VersionView], lang: str) -> list:
    """Return the navigation: home, each version with its full text and changes, search (titles escaped)."""
    return _escaped(_nav_titles(views, lang))


def _escaped(nav: list) -> list:
    """Return the navigation with its titles HTML-escaped: Material prints nav titles unescaped."""
    return [
        {html.escape(title): _escaped(target) if isinstance(target, list) else target}
        for item in nav
        for title, target in item.items()
    ]


def _nav_titles(views: list[VersionView], lang: str) -> list:
    nav: list = [{labels.label(lang, "versions"): "index.md"}]
    for v in views:
        name = labels.label(lang, "site_version", version=v.version) + draft_mark(v, lang)
        nav.append(
            {
                name: [
                    {labels.label(lang, "site_contract_page"): f"{v.version}/index.md"},
                    *(
                        [{labels.label(lang, "site_changes_page"): f"{v.version}/redline/index.md"}]
                        if v.redline
                        else []
                    ),
                ]
            }
        )
    if views:
        nav.append({labels.label(lang, "site_history_page"): "history/index.md"})
    if any(v.compares for v in views):
        nav.append({labels.label(lang, "site_compare_page"): "compare/index.md"})
    nav.append({labels.label(lang, "site_search"): "search/index.md"})
    return nav


def page_meta(
    lang: str,
    ctx: SiteContext,
    footer: list[str],
    index: bool = False,
    draft: bool = False,
    title: str | None = None,
    version: VersionView | None = None,
) -> dict:
    """Return a page's front matter: footer lines, search indexing, draft flag, the version and status to print."""
    built = labels.label(lang, "built_from", commit=ctx.source.label, date=labels.date(ctx.source.date, lang))
    meta = {"kk_footer": [*footer, built], "kk_index": index, "kk_draft": draft}
    if version is not None:
        status = labels.label(
            lang,
            "site_print_status",
            version=labels.label(lang, "site_version", version=version.version),
            status=version.status,
        )
        meta |= {"kk_print": str(css_string(status)), "kk_version": version.version}
    # Material prints the front matter's title into <title> and the header without escaping it.
    return meta | ({"title": html.escape(title)} if title else {})


def _home_meta(views: list[VersionView], lang: str, ctx: SiteContext) -> dict:
    listing = ", ".join(f"{v.version} ({v.status})" for v in views)
    return page_meta(lang, ctx, [f"{labels.label(lang, 'versions')}: {listing}"] if views else [])


def version_footer(view: VersionView, lang: str) -> list[str]:
    return [f"{labels.label(lang, 'site_version', version=view.version)} · {view.status}"]
