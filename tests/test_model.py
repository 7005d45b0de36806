"""The typed model built in code (as tests and tools do), not read from YAML: defaults must stay safe."""

from __future__ import annotations

from contract.errors import Report
from contract.model import Pos, Section, Text, Translation
from contract.source.numbering import number


def test_a_text_built_without_english_shows_the_swedish_stand_in():
    # The default status is "current", but there is no English to show: an English reader sees the Swedish.
    text = Text("purpose/title", "Syfte")
    assert text.shown("en") == ("Syfte", True)
    assert text.shown("sv") == ("Syfte", False)


def test_a_text_shows_its_current_english_and_a_stale_one_as_the_stand_in():
    assert Text("k", "Syfte", (("en", Translation("Purpose")),)).shown("en") == ("Purpose", False)
    assert Text("k", "Syfte", (("en", Translation("Purpose", status="stale")),)).shown("en") == ("Syfte", True)


def test_a_bad_pin_on_a_section_built_in_code_is_reported_at_its_id():
    report = Report()
    pinned = Section("klimatrad", "2.1", Text("klimatrad/title", "Klimatråd"), "municipality", 1, pinned=True)
    sections = number([pinned], report)
    assert sections[0].number == "1"
    assert [str(d) for d in report.sorted()] == [
        "klimatrad: error: pinned number '2.1' does not fit its place: sections here are numbered N "
        "(write 1 or remove the pin)"
    ]


def test_a_bad_pin_read_from_a_file_keeps_its_position():
    report = Report()
    where = Pos("years/2023/municipality.yaml", 4, 7)
    gap = Section("klimatrad", "3", Text("klimatrad/title", "Klimatråd"), "municipality", 1, pinned=True, pos=where)
    number([gap], report)
    assert [(d.pos, d.code) for d in report.items] == [(where, "numbering-gap")]
