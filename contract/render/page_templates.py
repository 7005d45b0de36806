"""The site's page templates: a jinja2 environment in which every printed value is escaped for Markdown."""

from __future__ import annotations

import functools
import html
import json
import re

import jinja2
from markupsafe import Markup

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
