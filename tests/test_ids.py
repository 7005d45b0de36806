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


def test_every_text_key_of_the_real_versions_is_a_text_key_that_reads_back_the_same():
    from contract.source.load import load

    for version in ("2023", "2024"):
        keys = [text.key for text in load(ROOT, version).texts()]
        assert len(keys) > 250
        for key in keys:
            parsed = ids.TextKey.parse(key)
            assert str(parsed) == key
            assert parsed.owner in ids.TEXT_KEY_WORDS or parsed.section == parsed.owner


def test_text_key_constructors_name_each_kind_of_text():
    assert str(ids.TextKey.title("klimatrad")) == "klimatrad/title"
    assert str(ids.TextKey.block("klimatrad", 0)) == "klimatrad/1"
    assert str(ids.TextKey.block("klimatrad", 2, 0)) == "klimatrad/3.1"
    assert str(ids.TextKey.footnote("not-1")) == "fn/not-1"
    assert str(ids.TextKey.party("boras", "role")) == "party/boras/role"
    assert str(ids.TextKey.erratum(0, "why")) == "erratum/1/why"
    assert str(ids.TextKey.annex_document(3)) == "annex/doc/4"
    assert ids.TextKey.parse("party/boras/name") == ids.TextKey("party", "boras/name")
    assert ids.TextKey.parse("fn/x").section is None and ids.TextKey.parse("klimatrad/2").section == "klimatrad"


@pytest.mark.parametrize("text", ["", "title", "/title", "klimatrad/", "klimat rad/1", "klimatrad/1\n"])
def test_what_is_not_a_text_key_is_refused(text):
    with pytest.raises(ValueError, match="not a text key"):
        ids.TextKey.parse(text)


def test_the_group_of_a_text_follows_its_key():
    from contract.source.load import load
    from contract.translate.translations import group_of

    contract = load(ROOT, "2023")
    section = next(contract.walk())
    assert group_of(str(ids.TextKey.title(section.id)), contract) == section.group
    assert group_of(str(ids.TextKey.title("annex")), contract) == "annex"
    assert group_of(str(ids.TextKey.title("meta")), contract) == "contract"
    note = contract.footnotes()[0]
    owner = next(s for s in contract.walk() if note in s.footnotes)
    assert group_of(str(ids.TextKey.footnote(note.id)), contract) == owner.group
