"""The contract's texts as the site's Markdown: escaped inline markup, sections and blocks, stand-in notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from .. import inline
from ..model import BulletList, Heading, Section, Text
from . import labels
from . import markdown as md
from .plain import Resolver, plain

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Block:
    kind: str  # p | heading | list
    text: Markup = field(default_factory=Markup)
    items: tuple[Markup, ...] = ()
    translator_notes: tuple[Markup, ...] = ()  # shown after the block, in the translation only


@dataclass(frozen=True)
class SectionView:
    id: str
    level: int
    depth: int
    number: str
    title: Markup
    toc_title: Markup
    notes: tuple[str, ...]
    blocks: tuple[Block, ...]
    translator_notes: tuple[Markup, ...] = ()  # about the title, shown under the heading


def section_view(section: Section, lang: str, resolver: Resolver) -> SectionView:
    texts = list(section.texts())
    return SectionView(
        id=section.id,
        level=min(section.depth + 1, 6),
        depth=section.depth,
        number=section.number,
        title=inline_text(section.title, lang, resolver),
        toc_title=plain_text(section.title, lang, resolver),
        notes=labels.stand_in_notes(texts, lang)
        + ((labels.label(lang, "to_be_written"),) if section.to_be_written else ()),
        blocks=tuple(block_view(b, lang, resolver) for b in section.body),
        translator_notes=translator_notes([section.title], lang, resolver),
    )


def block_view(block, lang: str, resolver: Resolver) -> Block:
    if isinstance(block, BulletList):
        notes = translator_notes(list(block.items), lang, resolver)
        return Block(
            "list", items=tuple(inline_text(item, lang, resolver) for item in block.items), translator_notes=notes
        )
    kind = "heading" if isinstance(block, Heading) else "p"
    return Block(
        kind,
        text=inline_text(block.text, lang, resolver),
        translator_notes=translator_notes([block.text], lang, resolver),
    )


def translator_notes(texts: list[Text], lang: str, resolver: Resolver) -> tuple[Markup, ...]:
    """Return the translator's notes of texts shown in translation (never on the source or a stand-in)."""
    notes = [(t.key, t.note(lang)) for t in texts]
    return tuple(inline_text(Text(key=key, source=note, lang=lang), lang, resolver) for key, note in notes if note)


def inline_text(text: Text, lang: str, resolver: Resolver) -> Markup:
    """Render a text as inline Markdown; the source standing in for a translation is marked with its lang."""
    value, standin = text.shown(lang)
    body = md.nodes(_squash(inline.parse(value)), resolver, _footnote_ref, _section_ref).strip()
    body = md.line_start(body)
    return Markup(f'<span lang="{text.lang}">{body}</span>' if standin else body)


def plain_text(text: Text, lang: str, resolver: Resolver) -> Markup:
    """Render a text as escaped plain words (for link labels such as the contents list)."""
    body = md.escape(_SPACE.sub(" ", plain(text, lang, resolver)).strip())
    return Markup(f'<span lang="{text.lang}">{body}</span>' if text.shown(lang)[1] else body)


def _squash(nodes: tuple) -> tuple:
    """Collapse whitespace in literal text, so no line break can start a new Markdown block,
    and show a link whose address is not http(s) or mailto as the literal text it was written as."""
    out: list = []
    for node in nodes:
        if isinstance(node, inline.Literal):
            out.append(inline.Literal(_SPACE.sub(" ", node.text)))
        elif isinstance(node, inline.Link) and not inline.SAFE_URL.match(node.url):
            out += [inline.Literal("["), *_squash(node.label), inline.Literal(f"]({_SPACE.sub(' ', node.url)})")]
        elif isinstance(node, inline.Link):
            out.append(inline.Link(_squash(node.label), node.url))
        elif isinstance(node, inline.Emphasis):
            out.append(inline.Emphasis(_squash(node.children)))
        else:
            out.append(node)
    return tuple(out)


def _footnote_ref(node: inline.FootnoteRef, resolver: Resolver) -> str:
    number = resolver.notes.get(node.target)
    return f"[^{number}]" if number is not None else md.escape(node.target)


def _section_ref(node: inline.Ref, resolver: Resolver) -> str:
    number = resolver.numbers.get(node.target)
    if number is None or not inline.SLUG.match(node.target):
        return md.escape(node.target)
    return f"[{md.escape(number)}](#{node.target})"
