"""Every HTML id the site templates and renderers emit is reserved, so no section id can take it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract import ids

ROOT = Path(__file__).parents[1]
SOURCES = [
    *ROOT.glob("contract/templates/**/*.j2"),
    *ROOT.glob("contract/templates/**/*.html"),
    *ROOT.glob("overrides/**/*.html"),
    *ROOT.glob("contract/render/*.py"),
    *ROOT.glob("contract/build/site.py"),
    *ROOT.glob("hooks/*.py"),
    *ROOT.glob("docs_assets/*.js"),
]
HOLE = "\x00"
# A Jinja expression, or a Python f-string / JS template field, stands for a value we do not know.
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\$?\{[^{}:\n]*\}(?!\})")
_ID_PATTERNS = (
    re.compile(r"""\bid=(?:\\?["'])([^"'\\\s>]*)"""),  # id="..." in HTML, also inside Python strings
    re.compile(r"\{:[^}\n]*?#([^\s}]+)"),  # attr_list: {: #name }
    re.compile(r"""\.id\s*=\s*["'`]([^"'`]*)"""),  # element.id = "..." in scripts
    re.compile(r"""setAttribute\(\s*["']id["']\s*,\s*["'`]([^"'`]*)"""),
)


def emitted_ids(text: str) -> set[str]:
    """Return the ids a template or renderer source writes, an unknown part written as x1."""
    text = _EXPRESSION.sub(HOLE, text)
    found = set()
    for pattern in _ID_PATTERNS:
        for match in pattern.finditer(text):
            found.add(match.group(1).replace(HOLE, "x1"))
    return {name for name in found if name and name != "x1"}  # a bare value is a section's own id


def test_the_scan_finds_ids_in_every_style():
    source = 'a id="kk-one" {: #kk-two } f\'<h4 id="{anchor}-title">\' x.id = `kk-${lang}` <p id="{{ s.id }}">'
    assert emitted_ids(source) == {"kk-one", "kk-two", "x1-title", "kk-x1"}


def test_the_sources_emit_ids():
    assert len({name for file in SOURCES for name in emitted_ids(file.read_text(encoding="utf-8"))}) >= 15


@pytest.mark.parametrize("file", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_emitted_id_is_reserved(file):
    free = sorted(name for name in emitted_ids(file.read_text(encoding="utf-8")) if not ids.reserved(name))
    assert free == [], f"{file.name} emits ids a section could take; add them to contract/ids.py"


@pytest.mark.parametrize(
    "name", ["kk-title", "kk-errata", "redline-summary", "redline-list", "kk-search-input", "klimatrad-title", "meta"]
)
def test_reserved_ids(name):
    assert ids.reserved(name)


def test_real_section_ids_are_free():
    assert not any(
        ids.reserved(name) for name in ("klimatrad", "kontraktet", "syftet-med-klimatkontrakt-2030", "parter")
    )
