"""Views the site pages need beyond the contract text: signatures, history rows, compare pairs, print and search labels."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..model import Contract
from . import labels
from .plain import Resolver


@dataclass(frozen=True)
class PartyView:
    name: Markup
    signatory: str
    role: Markup | None


@dataclass(frozen=True)
class SignaturesView:
    parties: tuple[PartyView, ...]
    signed: str  # the sentence saying when it was signed, or that it is not
    pdfs: tuple[tuple[str, str, str], ...]  # (label, path from the site root, lang) of signed PDFs
    verify: str  # how to check the signatures ("" for an unsigned version)


@dataclass(frozen=True)
class HistoryRow:
    version: str
    number: str
    title: Markup
    changes: str
    link: Markup | None
    redline: Markup | None = None


def signatures(contract: Contract, lang: str, inline, downloads) -> SignaturesView:
    """Return each party's full name, signatory and role (only what the data has), the date and the signed PDFs."""
    resolver = Resolver.of(contract)
    parties = tuple(
        PartyView(
            inline(p.name, lang, resolver),
            p.signatory.name or "",
            inline(p.signatory.role, lang, resolver) if p.signatory.role and p.signatory.role.source else None,
        )
        for p in contract.parties
    )
    meta = contract.meta
    if meta.status != "signed" or not meta.signed_on:
        return SignaturesView(parties, labels.label(lang, "site_signatures_unsigned"), (), "")
    signed = labels.label(lang, "site_signatures_signed", date=labels.date(meta.signed_on, lang))
    pdfs = tuple(
        (f"{labels.label(lang, 'site_signatures_pdf')} ({labels.language(other, lang)})", path, other)
        for other in sorted(downloads_langs(downloads, meta.version), key=lambda o: o != lang)
        for path in [downloads[(meta.version, other, "signed")]]
    )
    return SignaturesView(parties, signed, pdfs, labels.label(lang, "site_signatures_verify"))


def downloads_langs(downloads, version: str) -> list[str]:
    return [lang for (v, lang, kind) in downloads if v == version and kind == "signed"]


def history_row(step, lang: str, inline, resolvers: dict, redlines: set[str]) -> HistoryRow:
    """Return one version's row of a section's timeline, linked to the section and to the change."""
    what = history_changes(step, lang)
    if not step.present:
        return HistoryRow(step.version, "", Markup(""), what, None)
    title = inline(step.title, lang, resolvers[step.version])
    changed = step.version in redlines and step.changes and step.changes != ("first",)
    # Versions are four digits and ids slugs (both checked by the schema): the links need no escaping.
    redline = Markup(f"../{step.version}/redline/index.md#{step.id}") if changed else None
    return HistoryRow(step.version, step.number, title, what, Markup(f"../{step.version}/index.md#{step.id}"), redline)


def history_changes(step, lang: str) -> str:
    """Return what a section's history says of one version: its kinds of change and renamed id, or its absence.

    The site's history page and the history command both say it, so that they never tell one version apart.
    """
    if not step.present:
        gone = ", ".join(labels.label(lang, kind) for kind in step.changes)  # removed, or merged into another
        return gone or labels.label(lang, "site_not_in_version")
    if step.changes == ("first",) and step.archive_start:
        kinds = [labels.label(lang, "site_first_in_archive")]
    else:
        kinds = [labels.label(lang, k) for k in step.changes] or [labels.label(lang, "unchanged")]
    if step.old_id:
        kinds.append(labels.label(lang, "site_renamed_id", old=step.old_id))
    return ", ".join(kinds)


def language_links(lang: str, href: Callable[[str], str], langs: Sequence[str]) -> Markup:
    """Return the paragraph linking a section to itself in each other language (kk.css shows it only at :target).

    Without JavaScript the header's language link cannot know the section; the section the reader went to can.
    """
    links = []
    for other in (code for code in langs if code != lang):
        text = labels.label(lang, "site_section_in_language", language=labels.language(other, lang))
        links.append(f'<a href="{html.escape(href(other))}" hreflang="{html.escape(other)}">{html.escape(text)}</a>')
    return Markup(f'<p class="kk-section-lang">{" · ".join(links)}</p>') if links else Markup("")


def css_string(text: str) -> Markup:
    """Return text as a quoted CSS string: letters, digits and spaces as they are, everything else escaped."""
    body = "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{body}"')


def compare_pairs(versions: list[str]) -> list[tuple[str, str]]:
    """Return every pair of versions, older first, newest pairs first."""
    ordered = sorted(versions)
    return sorted(
        ((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]), key=lambda p: (p[1], p[0]), reverse=True
    )
