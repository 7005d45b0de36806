"""The redline as a whole: nothing for an identical copy, exactly the edits made, and its outputs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest
from diff_cases import scenario
from diff_cases.edit import MAIN, Copy, map_section, set_body, text

from contract.diff import FieldChange, compare
from contract.model import Party, Signatory
from contract.render import redline_html, redline_json, redline_text

GOLDEN = Path(__file__).parent / "diff_cases" / "golden"
SCHEMA = json.loads((MAIN / "schema" / "changeset.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """The change set of version 2023 against the scenario's edited copy."""
    old, new = scenario.build(tmp_path_factory.mktemp("scenario") / "root")
    return compare(old.load(), new.load())


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return Copy(tmp_path_factory.mktemp("base") / "root").load()


def validate(document: dict) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(document)


# ---------------------------------------------------------------- nothing, and exactly the edits


def test_identical_copy_reports_nothing(tmp_path):
    a, b = Copy(tmp_path / "a").load(), Copy(tmp_path / "b").load()
    cs = compare(a, b)
    assert cs.empty and cs.changed() == () and cs.fields == () and cs.terms == ()
    assert cs.counts()["unchanged"] == len(list(a.walk())) + 2  # with the preamble and the annex
    assert (
        redline_text.to_text(cs, "sv")
        == "Ändringar från 2023 till 2023\n=============================\n\nInga ändringar.\n"
    )
    assert redline_text.to_markdown(cs, "en") == "## Changes from 2023 to 2023\n\nNo changes.\n"
    assert "<p>Inga ändringar.</p>" in redline_html.to_html(cs, "sv")
    document = redline_json.to_json(cs)
    validate(document)
    assert all(s["kinds"] == [] and s["blocks"] == [] for s in document["sections"])


def test_a_few_edits_are_reported_exactly(edited):
    assert [(s.id, s.kinds) for s in edited.changed()] == scenario.EXPECTED
    assert edited.fields == (
        FieldChange("meta", "version", "2023", "2024"),
        FieldChange("meta", "status", "signed", "draft"),
        FieldChange("meta", "signed_on", "2023-12-08", None),
        FieldChange("meta", "previous", "2022", "2023"),
    )
    assert edited.terms == ()
    edits = {
        s.id: [(g.op, g.text) for b in s.blocks for g in b.source.segments if g.op != "equal"] for s in edited.changed()
    }
    assert edits["kommunens-klimatmal"] == [("delete", "antog"), ("insert", "beslutade om")]
    assert edits["annex"] == [("insert", "2023 ")]
    assert edits["ny-plan"] == [("insert", "Ett nytt avsnitt i testet.")]
    assert [op for op, _ in edits["fribo-tar-ledningen"]] == ["delete"]
    assert all(
        not edits[sid] for sid, kinds in scenario.EXPECTED if kinds in (("renumbered",), ("moved",), ("renamed",))
    )


def test_gone_sections_stand_where_they_were(edited):
    ids = [s.id for s in edited.sections]
    assert ids[ids.index("fribo-tar-ledningen") - 1] == "boras-energi-och-miljo-driver-pa-for-mer-biodrivmedel"
    assert (ids[0], ids[-1]) == ("preamble", "annex")


# ---------------------------------------------------------------- golden outputs


@pytest.mark.parametrize(
    "name, make",
    [
        ("scenario.sv.md", lambda cs: redline_text.to_markdown(cs, "sv")),
        ("scenario.en.md", lambda cs: redline_text.to_markdown(cs, "en")),
        ("scenario.sv.txt", lambda cs: redline_text.to_text(cs, "sv")),
        ("scenario.sv.html", lambda cs: redline_html.to_html(cs, "sv")),
        ("scenario.en.html", lambda cs: redline_html.to_html(cs, "en")),
    ],
)
def test_rendered_redline_matches_golden(edited, golden, name, make):
    golden(GOLDEN / name, make(edited))


def test_json_follows_its_schema_and_is_stable(edited):
    document = redline_json.to_json(edited)
    validate(document)
    assert document["format"] == "klimatkontrakt-changeset/1"
    assert document["counts"] == {
        "added": 1,
        "removed": 1,
        "modified": 2,
        "renamed": 1,
        "renumbered": 18,
        "moved": 1,
        "split": 0,
        "merged": 0,
        "unchanged": edited.counts()["unchanged"],
    }
    ref = next(s for s in document["sections"] if s["id"] == "prioriterade-omraden")
    assert ref["references"] == [{"target": "klimatanpassning", "old": "3.8", "new": "3.9"}]
    segment = next(g for b in ref["blocks"] for g in b["sv"]["segments"] if g.get("style") == "ref")
    assert segment == {"op": "equal", "text": "3.9", "style": "ref", "target": "klimatanpassning", "was": "3.8"}
    assert json.dumps(document, ensure_ascii=False, sort_keys=False) == json.dumps(
        redline_json.to_json(edited), ensure_ascii=False
    )


# ---------------------------------------------------------------- html: links, announced marks


class _Page(HTMLParser):
    """Collect ids, link targets, open-tag balance and the hidden words inside <ins>/<del>."""

    VOID: ClassVar[set[str]] = {"br", "img", "hr", "meta", "link", "input"}

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.stack, self.marks = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']}"
            self.ids.add(attrs["id"])
        if tag == "a":
            self.hrefs.append(attrs["href"])
        if tag in ("ins", "del"):
            self.marks.append([tag, ""])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        for mark in self.marks:
            if mark[0] in self.stack:
                mark[1] += data


def test_html_change_list_links_to_every_change_and_marks_are_announced(edited):
    page = _Page()
    page.feed(redline_html.to_html(edited, "sv"))
    assert page.stack == []
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert internal and all(target in page.ids for target in internal)
    assert {s.id for s in edited.changed()} <= page.ids
    assert page.marks
    for tag, words in page.marks:
        start, end = ("infogat: ", " (slut på infogat)") if tag == "ins" else ("borttaget: ", " (slut på borttaget)")
        assert words.startswith(start) and words.endswith(end)


def test_html_shows_both_numbers_of_renumbered_and_moved_sections(edited):
    page = redline_html.to_html(edited, "sv")
    assert '<a href="#klimatanpassning">3.9 (tidigare 3.8) Klimatanpassning</a> — omnumrerat' in page
    assert '<a href="#klimatprat">3.3.9 (tidigare 3.3.4) Klimatprat</a> — flyttat' in page
    assert '<h4 id="klimatanpassning-title">3.9 (tidigare 3.8) Klimatanpassning</h4>' in page


def test_english_page_marks_swedish_stand_in_text(base):
    new = set_body(base, "klimatrapport", text("Kommunen rapporterar varje halvår."))
    old = set_body(base, "klimatrapport", text("Kommunen rapporterar varje år."))
    page = redline_html.to_html(compare(old, new), "en")
    assert '<p class="redline-modified" lang="sv">Kommunen rapporterar varje <del>' in page
    assert "The English translation is missing or out of date; the Swedish text is shown." in page


# ---------------------------------------------------------------- untrusted text stays text

HOSTILE_TITLE = "<script>alert(1)</script> | **fet** # rubrik"
HOSTILE_TEXT = r"[klicka](javascript:alert(1)) <img src=x onerror=alert(1)> `kod` ~~x~~ <!-- c --> \*stjärna\* | a"


def test_contract_text_cannot_inject_markup(base):
    old = map_section(base, "klimatrapport", lambda s: s)
    new = map_section(
        set_body(base, "klimatrapport", text(HOSTILE_TEXT)), "klimatrapport", lambda s: _retitle(s, HOSTILE_TITLE)
    )
    cs = compare(old, new)
    page, comment, plain = (
        redline_html.to_html(cs, "sv"),
        redline_text.to_markdown(cs, "sv"),
        redline_text.to_text(cs, "sv"),
    )
    for out in (page, comment):
        assert (
            "<script" not in out
            and "<img" not in out
            and "<!--" not in out
            and "javascript:" not in out.replace("javascript\\:", "")
        )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and 'href="javascript' not in page
    row = next(line for line in comment.splitlines() if line.startswith("| ny rubrik |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # the title stays one table cell
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row and "&lt;img src" in comment
    assert not any(line.startswith("#### ") and "rubrik" in line.partition("3.3.3")[0] for line in comment.splitlines())
    assert "[klicka](javascript:alert(1))" not in comment
    assert "klicka" in plain and "{+" in plain


def _retitle(section, sv):
    from dataclasses import replace

    return replace(section, title=text(sv))


# ---------------------------------------------------------------- parties and signatories


def test_parties_and_signatories_are_compared_as_fields(base):
    from dataclasses import replace

    first, *others = base.parties
    role = text("Kommunstyrelsens ordförande i testet", "Chair in the test")
    changed = replace(first, kind="agency", signatory=Signatory(name="Testa Testsson", role=role))
    newcomer = Party(id="testverket", kind="agency", name=text("Testverket", "The Test Agency"))
    new = replace(base, parties=(changed, *others[:-1], newcomer))
    cs = compare(base, new)
    gone, names = others[-1], {"sv": first.name.source, "en": first.name.get("en") or ""}
    assert cs.fields == (
        FieldChange(
            f"party:{gone.id}",
            "party",
            gone.name.source,
            None,
            {"sv": gone.name.source, "en": gone.name.get("en") or ""},
        ),
        FieldChange(f"party:{first.id}", "kind", "municipality", "agency", names),
        FieldChange(f"party:{first.id}", "signatory.name", None, "Testa Testsson", names),
        FieldChange(f"party:{first.id}", "signatory.role.sv", None, "Kommunstyrelsens ordförande i testet", names),
        FieldChange(f"party:{first.id}", "signatory.role.en", None, "Chair in the test", names),
        FieldChange("party:testverket", "party", None, "Testverket", {"sv": "Testverket", "en": "The Test Agency"}),
    )
    out = redline_text.to_text(cs, "sv")
    assert f"- {gone.name.source}: part borttagen\n" in out and "- Testverket: ny part\n" in out
    assert (
        f"- {first.name.source}: undertecknarens befattning (svenska): uppgift saknas → Kommunstyrelsens ordförande i testet\n"
        in out
    )
    assert (
        f"- {first.name.get('en')}: signatory's title (Swedish): not provided → Kommunstyrelsens ordförande i testet\n"
        in redline_text.to_text(cs, "en")
    )
