"""A Word file's styles: which are headings, of which level, and which hide their text."""

from __future__ import annotations

import re

from .ooxml import Q, W, on, parse


def heading_levels(data: bytes) -> dict[str, int]:
    """Each paragraph style's heading level, whatever the style is called in the user's language.

    Swedish Word calls the style Rubrik1 but keeps its built-in name "heading 1" and its outline level;
    a style based on a heading style is a heading of that level too.
    """
    own: dict[str, int] = {}
    based: dict[str, str] = {}
    for style in parse(data).iter(f"{{{W}}}style"):
        sid = style.get(f"{{{W}}}styleId", "")
        name = style.find("w:name", Q)
        outline = style.find("w:pPr/w:outlineLvl", Q)
        match = re.fullmatch(r"heading\s*(\d)", (name.get(f"{{{W}}}val", "") if name is not None else "").lower())
        if match:
            own[sid] = int(match.group(1))
        elif outline is not None and (value := outline.get(f"{{{W}}}val", "")).isdigit():
            own[sid] = int(value) + 1 if int(value) < 9 else 0  # 9: body text, even when based on a heading
        parent = style.find("w:basedOn", Q)
        if parent is not None:
            based[sid] = parent.get(f"{{{W}}}val", "")
    levels = {}
    for sid in set(own) | set(based):
        seen, current = set(), sid
        while current not in own and current in based and current not in seen:
            seen.add(current)
            current = based[current]
        if own.get(current):
            levels[sid] = own[current]
    return levels


def hidden_styles(data: bytes) -> frozenset[str]:
    """The character styles that hide their text (Font > Hidden in the style), also through the styles based on them."""
    own, based = {}, {}
    for style in parse(data).iter(f"{{{W}}}style"):
        sid = style.get(f"{{{W}}}styleId", "")
        own[sid] = on(style.find("w:rPr/w:vanish", Q)) if style.find("w:rPr/w:vanish", Q) is not None else None
        parent = style.find("w:basedOn", Q)
        if parent is not None:
            based[sid] = parent.get(f"{{{W}}}val", "")
    found = set()
    for sid in own:
        seen, current = set(), sid
        while own.get(current) is None and current in based and current not in seen:
            seen.add(current)
            current = based[current]
        if own.get(current):
            found.add(sid)
    return frozenset(found)
