"""The redline as a site page: changes grouped by chapter, badges, next/previous links, links to both versions.

Builds on contract.render.redline's HTML pieces; every contract text is escaped, interface strings come
from the label catalogues. Links are relative to a page two folders below the language root
(`<version>/redline/` and `compare/<old>..<new>/`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..diff.changeset import ChangeSet, SectionChange
from . import redline as rl
from . import redline_html as rh
from .labels import label
from .redline_html import name_html
from .site_views import language_links

_e = rh.esc  # one escaping rule for the whole redline


@dataclass(frozen=True)
class SiteLinks:
    """Where a redline page's links lead: both versions' pages, the history, sections still to be written."""

    old_version: str
    new_version: str
    history: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (version, id) -> history anchor
    to_be_written: frozenset[str] = frozenset()  # ids in the new version still to be written
    up: str = "../../"  # from the page to the language root
    page: str = ""  # the page's path below the language root ("2024/redline/"): each section links to itself there
    langs: tuple[str, ...] = ()  # the site's languages, for those links


def to_site_html(cs: ChangeSet, lang: str, links: SiteLinks) -> str:
    """Render the change set as the site's redline fragment, with navigation between the changes."""
    parts = [
        f'<section class="redline" lang="{lang}" aria-labelledby="redline-title">',
        f'<h2 id="redline-title">{_e(label(lang, "redline_between", old=cs.old_label, new=cs.new_label))}</h2>',
    ]
    if cs.empty:
        return "\n".join(parts + [f"<p>{_e(label(lang, 'diff_no_changes'))}</p>", "</section>"]) + "\n"
    sections = rl.listed(cs)
    parts += rh.html_summary(cs, lang) + rh.html_fields(cs, lang) + _chapters(cs, sections, lang)
    parts.append(f'<h3 id="redline-sections">{_e(label(lang, "diff_sections"))}</h3>')
    parts.append(f'<p class="kk-keys" id="kk-keys">{_e(label(lang, "site_redline_keys"))}</p>')
    for index, change in enumerate(sections):
        previous = sections[index - 1] if index else None
        following = sections[index + 1] if index + 1 < len(sections) else None
        parts += _section(cs, change, lang, links, previous, following)
    return "\n".join(parts + ["</section>"]) + "\n"


def _chapter_of(change: SectionChange) -> str:
    return change.number().split(".")[0] if change.numbered and change.number() else ""


def _chapters(cs: ChangeSet, sections: list[SectionChange], lang: str) -> list[str]:
    """Return the list of changed sections grouped by chapter, each group with its count."""
    groups: dict[str, list[SectionChange]] = {}
    for change in sections:
        groups.setdefault(_chapter_of(change), []).append(change)
    out = [
        '<nav class="redline-changes" aria-labelledby="redline-list">',
        f'<h3 id="redline-list">{_e(label(lang, "diff_change_list"))}</h3>',
        '<ul class="redline-chapters">',
    ]
    for chapter, changes in groups.items():
        head = next((s for s in cs.sections if s.number() == chapter and s.numbered), None) if chapter else None
        name = name_html(head, lang, head.number()) if head else _e(chapter or label(lang, "site_redline_other"))
        count = label(lang, "site_redline_count", count=len(changes))
        items = "".join(f'<li><a href="#{_e(c.id)}">{name_html(c, lang)}</a> {_badges(c, lang)}</li>' for c in changes)
        out.append(
            f'<li><span class="redline-chapter">{name}</span> <span class="redline-count">({_e(count)})</span><ol>{items}</ol></li>'
        )
    return out + ["</ul>", "</nav>"]


def _badges(change: SectionChange, lang: str, written: bool = True) -> str:
    """Return the kinds of change as badges with text; a section still to be written says so."""
    names = [label(lang, k) for k in change.kinds] or [label(lang, "unchanged")]
    if not written:
        names.append(label(lang, "site_badge_to_be_written"))
    badges = "".join(f'<span class="kk-badge">{_e(n)}</span>' for n in names)
    return f'<span class="kk-badges"><span class="visually-hidden">{_e(label(lang, "site_redline_kind"))}: </span>{badges}</span>'


def _section(
    cs: ChangeSet,
    change: SectionChange,
    lang: str,
    links: SiteLinks,
    previous: SectionChange | None,
    following: SectionChange | None,
) -> list[str]:
    anchor = _e(change.id)
    written = change.new_id not in links.to_be_written
    parts = [
        f'<article class="redline-section" id="{anchor}" aria-labelledby="{anchor}-title">',
        f'<h4 id="{anchor}-title" tabindex="-1">{name_html(change, lang)}</h4>',
        _languages(change, lang, links),
        f'<p class="redline-kinds">{_badges(change, lang, written)}</p>',
        _places(change, lang, links),
    ]
    if not written:
        parts.append(f'<p class="redline-note kk-to-be-written">{_e(label(lang, "to_be_written"))}</p>')
    extra = rl.all_notes(cs, change, lang)
    parts += [f'<p class="redline-note">{_e(note)}</p>' for note in extra]
    if "renamed" in change.kinds:
        line = change.title[lang]
        parts.append(
            f'<p class="redline-title"{rh.lang_attr(line, lang)}>{_e(label(lang, "diff_col_title"))}: {rh.html_line(line, lang)}</p>'
        )
    parts += rh.html_blocks(change, lang)
    return parts + [_steps(lang, previous, following), "</article>"]


def _languages(change: SectionChange, lang: str, links: SiteLinks) -> str:
    """Return the links to this section of the same page in the other languages (shown when it is the target)."""
    if not links.page:
        return ""
    return language_links(lang, lambda other: f"{links.up}../{other}/{links.page}#{change.id}", links.langs)


def _places(change: SectionChange, lang: str, links: SiteLinks) -> str:
    """Return links to the section in the old and the new version and to its history."""
    out = []
    for version, sid in ((links.old_version, change.old_id), (links.new_version, change.new_id)):
        if sid:
            text = label(lang, "site_redline_in_version", version=version)
            out.append(f'<a href="{links.up}{_e(version)}/#{_e(sid)}">{_e(text)}</a>')
    key = links.history.get((links.new_version, change.new_id or "")) or links.history.get(
        (links.old_version, change.old_id or "")
    )
    if key:
        out.append(f'<a href="{links.up}history/#{_e(key)}">{_e(label(lang, "site_history_link"))}</a>')
    return f'<p class="redline-places">{" · ".join(out)}</p>' if out else ""


def _steps(lang: str, previous: SectionChange | None, following: SectionChange | None) -> str:
    """Return the links to the previous and the next change."""
    out = []
    if previous is not None:
        name = label(lang, "site_redline_previous")
        out.append(
            f'<a href="#{_e(previous.id)}" rel="prev" class="kk-step-prev">{_e(name)}<span class="visually-hidden">: {name_html(previous, lang)}</span></a>'
        )
    if following is not None:
        name = label(lang, "site_redline_next")
        out.append(
            f'<a href="#{_e(following.id)}" rel="next" class="kk-step-next">{_e(name)}<span class="visually-hidden">: {name_html(following, lang)}</span></a>'
        )
    return (
        f'<nav class="redline-steps" aria-label="{_e(label(lang, "site_redline_steps"))}">{"".join(out)}</nav>'
        if out
        else ""
    )
