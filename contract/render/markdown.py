"""Markdown rendering of model texts: every literal character escaped, only our markup becomes Markdown."""

from __future__ import annotations

import html
import re

from .. import inline
from ..model import BulletList, Heading, Paragraph, Text
from . import labels
from .plain import Resolver, source

# Characters Markdown (and common extensions: tables, attr_list, mark, caret, tilde) read as markup.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~^=])")
# At the start of a paragraph these would begin a list, a quote, a definition or a thematic break.
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^([-+>:])(?=\s|$|-)")


def escape(text: str) -> str:
    """Escape literal text so Markdown shows it as-is and HTML in it stays text."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


def url(address: str) -> str:
    """Return a link address fit for Markdown's <...> form, read back exactly as written."""
    # No backslash or angle bracket may end it, no backticks pair into a code span, and "&" is "&amp;"
    # so that "&lt;" in an address stays those four characters on the site, as in the PDF.
    address = address.replace("&", "&amp;").replace("`", "%60")
    return address.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E")


def link(label: str, address: str) -> str:
    """Return a Markdown link; the label must already be Markdown."""
    return f"[{label}](<{url(address)}>)"


def text(value: Text, lang: str, resolver: Resolver, footnote=None, ref=None) -> str:
    """Render a text in one language as inline Markdown; the source standing in for a translation says so."""
    src, _ = source(value, lang)
    rendered = nodes(inline.parse(src), resolver, footnote or _footnote, ref or _ref)
    note = labels.stand_in_note([value], lang)
    if note:
        rendered += f" *\\[{escape(note)}\\]*"
    return rendered


def nodes(items, resolver: Resolver, footnote, ref) -> str:
    """Render inline nodes; footnote and ref callbacks decide how those look."""
    out = []
    for node in items:
        if isinstance(node, inline.Literal):
            out.append(escape(node.text))
        elif isinstance(node, inline.Ref):
            out.append(ref(node, resolver))
        elif isinstance(node, inline.FootnoteRef):
            out.append(footnote(node, resolver))
        elif isinstance(node, inline.Link):
            label = nodes(node.label, resolver, footnote, ref)
            out.append(link(label, node.url) if inline.SAFE_URL.match(node.url) else label)
        else:
            out.append(f"*{nodes(node.children, resolver, footnote, ref)}*")
    # A literal "!" before a link would make it an image (fetched by the reader's browser or by pandoc): keep it text.
    return "".join(out).replace("![", "\\![")


def _footnote(node: inline.FootnoteRef, resolver: Resolver) -> str:
    return f"[^{resolver.notes.get(node.target, node.target)}]"


def _ref(node: inline.Ref, resolver: Resolver) -> str:
    return escape(resolver.numbers.get(node.target, node.target))


def _escape_start(match: re.Match) -> str:
    if match.group(1):
        return f"{match.group(1)}\\{match.group(2)}"
    # Plain Markdown has no backslash escape for ":" (a definition list marker): use its character reference.
    return "&#58;" if match.group(3) == ":" else f"\\{match.group(3)}"


def line_start(markdown: str) -> str:
    """Escape what would turn the start of a paragraph into a list, quote, definition or break."""
    markdown = _LINE_START.sub(_escape_start, markdown)
    # A footnote mark first, then ":", would read as a footnote definition.
    return f"&#8203;{markdown}" if markdown.startswith("[^") else markdown


def blocks(items, lang: str, resolver: Resolver, **callbacks) -> list[str]:
    """Render body blocks as Markdown paragraphs."""
    out = []
    for block in items:
        if isinstance(block, Paragraph):
            out.append(line_start(text(block.text, lang, resolver, **callbacks)))
        elif isinstance(block, Heading):
            out.append(f"**{text(block.text, lang, resolver, **callbacks)}**")
        elif isinstance(block, BulletList):
            out.append("\n".join(f"- {line_start(text(item, lang, resolver, **callbacks))}" for item in block.items))
        out += translator_notes(list(block.items) if isinstance(block, BulletList) else [block.text], lang, resolver)
    return out


def translator_notes(texts: list[Text], lang: str, resolver: Resolver) -> list[str]:
    """Return the translator's notes of texts shown in translation, each a quoted paragraph of its own."""
    shown = [t.note(lang) for t in texts]
    label = escape(labels.label(lang, "translator_note"))
    return [f"> *{label}* {nodes(inline.parse(note), resolver, _footnote, _ref)}" for note in shown if note]
