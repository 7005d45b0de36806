"""The site's page templates (every printed value escaped for Markdown), and its two HTML pages: root and 404."""

from __future__ import annotations

import functools
import html
import json
import re

import jinja2
from markupsafe import Markup

from ..model import DEFAULT_LANGUAGES
from ..resources import TEMPLATES
from . import labels
from . import markdown as md

_ANCHOR = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def render_page(template: str, lang: str, ctx: object, path: str, kk_meta: dict, **values) -> str:
    """Render one page template with the values every page needs."""
    root = "../" * (path.count("/") + 1)
    return (
        markdown_env()
        .get_template(template)
        .render(
            lang=lang,
            t=lambda key, **f: labels.label(lang, key, **f),
            raw=lambda key: labels.catalogue(lang)[key],
            root=root,
            meta=kk_meta,
            **values,
        )
    )


def _markdown_safe(value):
    """Escape every value a template prints unless it is Markup built by this module."""
    if isinstance(value, Markup):
        return value
    return Markup(md.escape("" if value is None else str(value)))


def _html_attr(value) -> Markup:
    """Escape a value for a raw HTML attribute or element inside the Markdown."""
    return Markup(html.escape(str(value), quote=True))


def _anchor(value) -> Markup:
    """Return an element id for attr_list, refusing anything but a slug."""
    text = str(value)
    if not _ANCHOR.match(text):
        raise ValueError(f"not a safe element id: {text!r}")
    return Markup(text)


def _repeat(text: str, count: int) -> Markup:
    """Repeat a piece of Markdown syntax (heading marks, list indentation)."""
    return Markup(text * count)


def _front_matter(meta: dict) -> Markup:
    return Markup(json.dumps(meta, ensure_ascii=True, sort_keys=True))


@functools.lru_cache(maxsize=1)
def markdown_env() -> jinja2.Environment:
    """Return the environment of the Markdown templates: every printed value escaped (see _markdown_safe)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "site"),
        autoescape=True,
        finalize=_markdown_safe,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(h=_html_attr, front_matter=_front_matter, anchor=_anchor)
    env.globals.update(repeat=_repeat)
    return env


@functools.lru_cache(maxsize=1)
def html_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_root(langs: tuple[str, ...] = DEFAULT_LANGUAGES) -> str:
    """Render the site's root page, which sends visitors to their language (HTML, works without JavaScript)."""
    env = html_env()
    choices = [
        {
            "lang": lang,
            "title": labels.label(lang, "contract_title"),
            "choose": labels.label(lang, "site_choose_language"),
            "link": labels.label(lang, "site_open_language"),
        }
        for lang in langs
    ]
    return env.get_template("root.html.j2").render(choices=choices, langs=list(langs))


def render_not_found(base: str | None = None, langs: tuple[str, ...] = DEFAULT_LANGUAGES) -> str:
    """Render the site's 404 page (HTML), self-contained: served at any missing path, it links to base + language.

    base is the site's path ("/" or "/<repo>/") when known; else a script finds it from the address.
    """
    choices = [
        {
            "lang": lang,
            "title": labels.label(lang, "site_not_found"),
            "text": labels.label(lang, "site_not_found_text"),
            "home": labels.label(lang, "site_not_found_home"),
            "nojs": labels.label(lang, "site_not_found_nojs"),
        }
        for lang in langs
    ]
    return (
        html_env()
        .get_template("not_found.html.j2")
        .render(choices=choices, langs=list(langs), site=labels.label(langs[0], "contract_title"), base=base)
    )
