"""Site pages about change: a version's redline, the redline between any two versions, each section's history."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..model import Contract
from . import labels, pages
from .page_templates import render_page
from .page_texts import inline_text
from .pages import SiteContext, VersionView
from .plain import Resolver
from .site_views import HistoryRow, compare_pairs, history_row


def redline_page(view: VersionView, lang: str, ctx: SiteContext) -> str:
    """Render a version's changes against the version before it (or a notice why they are missing)."""
    fragment = ctx.redlines.get((view.version, lang))
    heading = labels.label(lang, "site_redline_title", version=view.version, previous=view.previous) + pages.draft_mark(
        view, lang
    )
    return render_page(
        "redline.md.j2",
        lang,
        ctx,
        f"{view.version}/redline/index.md",
        v=view,
        heading=heading,
        fragment=Markup(fragment) if fragment else None,
        kk_meta=pages.page_meta(
            lang, ctx, pages.version_footer(view, lang), draft=view.draft, title=heading, version=view
        ),
    )


def compare_pages(views: list[VersionView], lang: str, ctx: SiteContext) -> dict[str, str]:
    """Render the redline between every two versions shown, and the page to choose a pair."""
    by_version = {v.version: v for v in views}
    pairs = [p for p in compare_pairs(list(by_version)) if (*p, lang) in ctx.compares]
    files = {}
    for old, new in pairs:
        view = by_version[new]
        heading = labels.label(lang, "site_compare_title", old=old, new=new) + pages.draft_mark(view, lang)
        files[f"compare/{old}..{new}/index.md"] = render_page(
            "compare.md.j2",
            lang,
            ctx,
            f"compare/{old}..{new}/index.md",
            heading=heading,
            old=old,
            new=new,
            v=view,
            fragment=Markup(ctx.compares[(old, new, lang)]),
            kk_meta=pages.page_meta(
                lang, ctx, pages.version_footer(view, lang), draft=view.draft, title=heading, version=view
            ),
        )
    if pairs:
        files["compare/index.md"] = render_page(
            "compare_index.md.j2",
            lang,
            ctx,
            "compare/index.md",
            pairs=pairs,
            versions=sorted(by_version, reverse=True),
            kk_meta=pages.page_meta(lang, ctx, [], title=labels.label(lang, "site_compare_page")),
        )
    return files


@dataclass(frozen=True)
class HistoryView:
    id: str
    number: str
    title: Markup
    rows: tuple[HistoryRow, ...]


def history_page(shown: list[Contract], lang: str, ctx: SiteContext) -> str:
    """Render the per-clause timeline: every section's number, title and change in each version."""
    from ..diff.history import all_timelines
    from ..diff.lineage import previous_versions

    contracts = {c.meta.version: c for c in shown}
    resolvers = {v: Resolver.of(c) for v, c in contracts.items()}
    redlines = set(previous_versions(contracts))
    timelines = all_timelines(contracts) if ctx.history is None else ctx.history
    views = []
    for sid, steps in timelines.items():
        rows = tuple(history_row(step, lang, inline_text, resolvers, redlines) for step in steps)
        # A present step always has its section's title: the latest one names the row.
        last, title = next((step, step.title) for step in reversed(steps) if step.present and step.title is not None)
        views.append(HistoryView(sid, last.number, inline_text(title, lang, resolvers[last.version]), rows))
    return render_page(
        "history.md.j2",
        lang,
        ctx,
        "history/index.md",
        sections=views,
        kk_meta=pages.page_meta(lang, ctx, [], title=labels.label(lang, "site_history_page")),
    )
