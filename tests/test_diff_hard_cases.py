"""The 16 hard cases of the year-on-year redline (issue 6), one test each, on the real version 2023.

Fixtures are edited copies of years/2023: YAML edited in a scratch folder and loaded by the real
loader, or models changed with dataclasses.replace where that states the case more plainly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from diff_cases.edit import Copy, make_section, map_section, new_section, set_body, text

from contract.diff import RefUpdate, TermChange, compare
from contract.model import Text, Translation
from contract.render import redline_html, redline_text

PARAGRAPH = "Kommunen ska rapportera utfallet varje år och redovisa arbetet i en klimatrapport."


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Version 2023 as loaded from a scratch copy."""
    return Copy(tmp_path_factory.mktemp("base") / "root").load()


@pytest.fixture
def copy(tmp_path):
    return Copy(tmp_path / "root")


def kinds(cs, kind):
    """Return (old number, new number, id) of the sections showing a kind of change."""
    return [(s.old_number, s.new_number, s.id) for s in cs.sections if kind in s.kinds]


def changes(line):
    """Return the deleted and inserted texts of a redline, in order."""
    return [(s.op, s.text) for s in line.segments if s.op != "equal"]


def body_changes(section, lang="sv"):
    return [c for b in section.blocks for c in changes(b.redlines[lang])]


# 1 -------------------------------------------------------------------------------------------


def test_new_first_subsection_renumbers_the_rest_without_moves(base, copy):
    file, data, programme = copy.section("viable-cities-ataganden")
    programme["sections"].insert(0, new_section("ny-samordning", "Ny samordning", "Ett nytt avsnitt för testet."))
    copy.save(file, data)
    cs = compare(base, copy.load())
    assert kinds(cs, "added") == [(None, "4.1", "ny-samordning")]
    assert kinds(cs, "renumbered") == [
        ("4.1", "4.2", "samordning-klimatkontrakt-2030"),
        ("4.2", "4.3", "smart-policyutveckling"),
        ("4.3", "4.4", "innovation"),
        ("4.4", "4.5", "samordnad-finansiering"),
        ("4.5", "4.6", "samspel-med-eus-mission-klimatneutrala-stader"),
    ]
    assert kinds(cs, "moved") == []
    # No redline on numbers: the renumbered sections show no text change at all.
    assert all(s.kinds == ("renumbered",) and not s.blocks for s in cs.sections if "renumbered" in s.kinds)
    assert cs.counts()["modified"] == 0


# 2 -------------------------------------------------------------------------------------------


def _contract_chapter_with_children(copy):
    """Make "8. Kontraktet" (unpinned) with subsections 8.1 and 8.2."""
    data = copy.data("clause.yaml")
    clause = data["sections"][0]
    del clause["number"], clause["gap_reason"]
    clause["sections"] = [
        new_section("kontraktet-giltighet", "Giltighet", "Kontraktet gäller under ett år från signeringen i testet."),
        new_section("kontraktet-andringar", "Ändringar", "Ändringar görs i samråd mellan parterna enligt testet."),
    ]
    copy.save("clause.yaml", data)


def test_new_chapter_before_the_contract_chapter_renumbers_it_and_its_subsections(tmp_path):
    old, new = Copy(tmp_path / "old"), Copy(tmp_path / "new")
    _contract_chapter_with_children(old)
    _contract_chapter_with_children(new)
    data = new.data("updates.yaml")
    data["sections"].append(new_section("nytt-kapitel", "Nytt kapitel", "Ett nytt kapitel för testet."))
    new.save("updates.yaml", data)
    cs = compare(old.load(), new.load())
    assert kinds(cs, "added") == [(None, "8", "nytt-kapitel")]
    assert kinds(cs, "renumbered") == [
        ("8", "9", "kontraktet"),
        ("8.1", "9.1", "kontraktet-giltighet"),
        ("8.2", "9.2", "kontraktet-andringar"),
    ]
    assert kinds(cs, "moved") == [] and cs.counts()["modified"] == 0


# 3 -------------------------------------------------------------------------------------------


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_section_moved_to_another_chapter_with_a_one_word_edit(base, copy):
    file, data, section = copy.section("citylogistik")
    siblings = data["sections"][0]["sections"][0]["sections"]
    siblings.remove(section)
    copy.save(file, data)
    body = section["body"][0]["p"]
    assert body["sv"].count(" tysta ") == 1
    body["sv"] = body["sv"].replace(" tysta ", " ljudlösa ")
    municipality = copy.data("municipality.yaml")
    municipality["sections"][0]["sections"].insert(0, section)
    copy.save("municipality.yaml", municipality)
    cs = compare(base, copy.load())
    assert kinds(cs, "moved") == [("7.1.6", "3.1", "citylogistik")]
    moved = cs.find("citylogistik")
    assert moved.kinds == ("moved", "modified")
    assert body_changes(moved) == [("delete", "tysta"), ("insert", "ljudlösa")]
    # The sections it jumped over (3.1-3.10) and those after its old place (7.1.7-) are renumbered only.
    renumbered = kinds(cs, "renumbered")
    assert ("3.1", "3.2", "kommunens-klimatmal") in renumbered and (
        "3.10",
        "3.11",
        "rapportering-och-uppfoljning",
    ) in renumbered
    assert ("7.1.7", "7.1.6", "energisamverkan") in renumbered
    assert all(s.kinds == ("renumbered",) for s in cs.sections if s.id != "citylogistik" and s.kinds)


# 4 -------------------------------------------------------------------------------------------


def test_two_adjacent_sections_swapped_is_exactly_one_move(base, copy):
    file, data, programme = copy.section("viable-cities-ataganden")
    children = programme["sections"]
    children[1], children[2] = children[2], children[1]
    copy.save(file, data)
    cs = compare(base, copy.load())
    moved, renumbered = kinds(cs, "moved"), kinds(cs, "renumbered")
    assert len(moved) == 1 and len(renumbered) == 1
    assert {moved[0][2], renumbered[0][2]} == {"smart-policyutveckling", "innovation"}
    assert sorted([moved[0][:2], renumbered[0][:2]]) == [("4.2", "4.3"), ("4.3", "4.2")]
    assert cs.counts()["modified"] == 0


# 5 -------------------------------------------------------------------------------------------


def test_reworded_title_with_the_same_body_is_renamed_with_a_title_redline_only(base, copy):
    file, data, section = copy.section("smart-policyutveckling")
    section["title"]["sv"] = "Lärande arbetssätt för policyutveckling"
    copy.save(file, data)
    cs = compare(base, copy.load())
    change = cs.find("smart-policyutveckling")
    assert change.kinds == ("renamed",)
    assert change.blocks == ()
    title = change.title["sv"]
    assert (title.old_text(), title.new_text()) == ("Smart policyutveckling", "Lärande arbetssätt för policyutveckling")
    assert changes(title) == [("delete", "Smart"), ("insert", "Lärande arbetssätt för")]
    assert [s for s in cs.sections if s.kinds] == [change]


# 6 -------------------------------------------------------------------------------------------

REWRITES = [
    (
        "ta med strategin i sina respektive budgetar och verksamheter",
        "beakta klimatmålen i all planering och uppföljning",
    ),
    ("minska utsläppen av växthusgaser", "nå en fossilfri verksamhet"),
]


def _rewrite_delat_ansvar(copy, new_id=None):
    file, data, section = copy.section("delat-ansvar")
    para = section["body"][0]["p"]
    sv = " ".join(para["sv"].split())
    for old, new in REWRITES:
        assert sv.count(old) == 1
        sv = sv.replace(old, new)
    para["sv"] = sv
    if new_id:
        section["id"] = new_id
    copy.save(file, data)


def test_a_third_rewritten_is_matched_and_shown_as_whole_phrases(base, copy):
    words = len(base.section("delat-ansvar").body[0].text.source.split())
    rewritten = sum(len(old.split()) for old, _ in REWRITES)
    assert 0.33 <= rewritten / words <= 0.40
    _rewrite_delat_ansvar(copy)
    change = compare(base, copy.load()).find("delat-ansvar")
    assert change.kinds == ("modified",)
    expected = [
        ("delete", REWRITES[0][0]),
        ("insert", REWRITES[0][1]),
        ("delete", REWRITES[1][0]),
        ("insert", REWRITES[1][1]),
    ]
    assert body_changes(change) == expected


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_a_third_rewritten_is_matched_by_similarity_when_the_id_changed_too(base, copy):
    _rewrite_delat_ansvar(copy, new_id="gemensamt-ansvar")
    cs = compare(base, copy.load())
    change = cs.find("gemensamt-ansvar")
    assert (change.old_id, change.match, change.kinds) == ("delat-ansvar", "similarity", ("modified",))
    assert 0.3 <= change.score < 1
    assert len(body_changes(change)) == 4
    assert kinds(cs, "added") == [] and kinds(cs, "removed") == []


# 7 -------------------------------------------------------------------------------------------


def test_removed_section_and_unrelated_new_one_with_its_number_are_not_paired(base, copy):
    file, data, programme = copy.section("viable-cities-ataganden")
    gone = programme["sections"].pop(4)
    assert gone["id"] == "samspel-med-eus-mission-klimatneutrala-stader"
    programme["sections"].append(
        new_section(
            "cykelparkering", "Cykelparkering", "Testet lägger till ett stycke om parkering för cyklar vid stationerna."
        )
    )
    copy.save(file, data)
    cs = compare(base, copy.load())
    assert kinds(cs, "removed") == [("4.5", None, "samspel-med-eus-mission-klimatneutrala-stader")]
    assert kinds(cs, "added") == [(None, "4.5", "cykelparkering")]
    assert [s.id for s in cs.sections if s.kinds] == ["samspel-med-eus-mission-klimatneutrala-stader", "cykelparkering"]


def test_removed_section_and_unrelated_new_one_are_not_paired_without_ids_either(base):
    old_first = base.section("samspel-med-eus-mission-klimatneutrala-stader")
    unrelated = make_section(
        "annat",
        text("Annat ämne"),
        text("Testet lägger till ett stycke om parkering för cyklar vid stationerna."),
        group="programme",
    )
    new = map_section(base, old_first.id, lambda s: unrelated)
    cs = compare(base, new)
    assert (kinds(cs, "removed"), kinds(cs, "added")) == ([("4.5", None, old_first.id)], [(None, "4.5", "annat")])


# 8 -------------------------------------------------------------------------------------------


def test_section_split_in_two_links_the_part_to_its_source(base, copy):
    file, data, section = copy.section("prioriterade-omraden")
    body = section["body"]
    assert len(body) == 13
    part = {
        "id": "prioriterade-omraden-fortsattning",
        "title": {"sv": "Prioriterade områden, fortsättning"},
        "body": body[7:],
    }
    del body[7:]
    siblings = data["sections"][0]["sections"][1]["sections"]
    siblings.insert(siblings.index(section) + 1, part)
    copy.save(file, data)
    cs = compare(base, copy.load())
    part_change = cs.find("prioriterade-omraden-fortsattning")
    assert (part_change.kinds, part_change.split_from, part_change.new_number) == (
        ("split",),
        ("prioriterade-omraden",),
        "3.2.5",
    )
    assert part_change.blocks == ()  # its text is unchanged from the source: nothing to redline
    source = cs.find("prioriterade-omraden")
    assert (source.kinds, source.split_into) == (("modified",), ("prioriterade-omraden-fortsattning",))
    assert body_changes(source) == []  # the text that went to the new part is not shown as deleted
    assert kinds(cs, "added") == [] and kinds(cs, "removed") == []


def test_two_sections_merged_into_one_link_to_their_sources(base, copy):
    file, data, council = copy.section("klimatrad")
    siblings = data["sections"][0]["sections"][2]["sections"]
    committee = next(s for s in siblings if s["id"] == "klimatkommitte")
    council["body"] += committee["body"]
    siblings.remove(committee)
    copy.save(file, data)
    cs = compare(base, copy.load())
    gone = cs.find("klimatkommitte")
    assert (gone.kinds, gone.merged_into, gone.old_number, gone.new_number) == (
        ("merged",),
        ("klimatrad",),
        "3.3.2",
        None,
    )
    kept = cs.find("klimatrad")
    assert (kept.kinds, kept.merged_from) == (("modified",), ("klimatkommitte",))
    assert body_changes(kept) == []  # the merged text is matched to where it came from
    assert kinds(cs, "removed") == [] and ("3.3.3", "3.3.2", "klimatrapport") in kinds(cs, "renumbered")


# 9 -------------------------------------------------------------------------------------------


def _with_boilerplate(contract, ids):
    """Put one identical boilerplate section at the end of chapters 4 and 5."""
    for chapter, sid in zip(("viable-cities-ataganden", "myndigheternas-ataganden"), ids):
        boiler = make_section(
            sid,
            text("Uppföljning"),
            text("Parterna följer upp arbetet årligen enligt testets rutin för uppföljning."),
            group="programme",
        )
        contract = map_section(contract, chapter, lambda s, b=boiler: replace(s, children=s.children + (b,)))
    return contract


def test_identical_boilerplate_sections_are_not_cross_paired(base):
    old = _with_boilerplate(base, ("uppfoljning-a", "uppfoljning-b"))
    new = _with_boilerplate(base, ("uppfoljning-x", "uppfoljning-y"))  # no shared ids: the fallback pairs them
    cs = compare(old, new)
    pairs = [(s.old_id, s.new_id, s.old_number, s.new_number, s.match) for s in cs.sections if s.old_id != s.new_id]
    assert pairs == [
        ("uppfoljning-a", "uppfoljning-x", "4.6", "4.6", "similarity"),
        ("uppfoljning-b", "uppfoljning-y", "5.5", "5.5", "similarity"),
    ]
    assert cs.counts()["moved"] == 0 and cs.counts()["renumbered"] == 0 and not cs.changed()


# 10 ------------------------------------------------------------------------------------------


def test_rewrapping_nbsp_quotes_and_nfd_report_no_change(tmp_path):
    import unicodedata

    old, new = Copy(tmp_path / "old"), Copy(tmp_path / "new")
    old.replace(
        "municipality.yaml",
        "utsläppen av växthusgaser ska minska med 80 procent",
        "utsläppen av växthusgaser ska minska med 10 000 ton och 80 procent",
    )
    new.replace(
        "municipality.yaml",
        "utsläppen av växthusgaser ska minska med 80 procent",
        "utsläppen av växthusgaser ska minska med 10\u00a0000 ton och 80 procent",
    )
    new.replace("municipality.yaml", "”I Borås tar vi", '"I Borås tar vi')
    new.replace("municipality.yaml", "för våra val och beslut.”", 'för våra val och beslut."')
    new.save("municipality.yaml", new.data("municipality.yaml"))  # every text re-wrapped to one line
    path = new.folder / "municipality.yaml"
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    before, after = old.load(), new.load()
    assert (
        before.section("kommunens-klimatmal").body[2].text.source
        != after.section("kommunens-klimatmal").body[2].text.source
    )
    cs = compare(before, after)
    assert cs.empty
    assert redline_text.to_text(cs, "sv").endswith("Inga ändringar.\n")


# 11 ------------------------------------------------------------------------------------------


def test_modal_verbs_and_negation_are_always_visible(base):
    old = set_body(
        base,
        "klimatrapport",
        text("Kommunen ska rapportera och får använda medlen.", "The municipality may report and may use the funds."),
    )
    new = set_body(
        base,
        "klimatrapport",
        text(
            "Kommunen bör rapportera och får inte använda medlen.",
            "The municipality shall report and may use the funds.",
        ),
    )
    change = compare(old, new).find("klimatrapport")
    assert body_changes(change, "sv") == [("delete", "ska"), ("insert", "bör"), ("insert", "inte ")]
    assert body_changes(change, "en") == [("delete", "may"), ("insert", "shall")]
    cs = compare(old, new)
    assert "[-ska-]{+bör+} rapportera och får {+inte +}använda" in redline_text.to_text(cs, "sv")
    assert "<del>may</del><ins>shall</ins>" in redline_text.to_markdown(cs, "en")


# 12 ------------------------------------------------------------------------------------------


def test_amounts_and_dates_change_as_whole_tokens(base):
    old = set_body(base, "klimatrapport", text("Bidraget är 1 250 000 kronor och redovisas senast den 30 juni."))
    new = set_body(
        base, "klimatrapport", text("Bidraget är 1\u00a0310\u00a0000 kronor och redovisas senast den 31 maj.")
    )
    change = compare(old, new).find("klimatrapport")
    assert body_changes(change) == [
        ("delete", "1 250 000"),
        ("insert", "1\u00a0310\u00a0000"),
        ("delete", "30 juni"),
        ("insert", "31 maj"),
    ]


def test_percentages_iso_dates_and_section_numbers_are_whole_tokens(base):
    old = set_body(base, "klimatrapport", text("Minst 35 % före 2023-12-08 enligt avsnitt 3.2.1 och 80 procent."))
    new = set_body(base, "klimatrapport", text("Minst 45 % före 2024-12-06 enligt avsnitt 3.2.4 och 90 procent."))
    change = compare(old, new).find("klimatrapport")
    assert body_changes(change) == [
        ("delete", "35 %"),
        ("insert", "45 %"),
        ("delete", "2023-12-08"),
        ("insert", "2024-12-06"),
        ("delete", "3.2.1"),
        ("insert", "3.2.4"),
        ("delete", "80 procent"),
        ("insert", "90 procent"),
    ]


# 13 ------------------------------------------------------------------------------------------

TERM_SECTIONS = ("klimatrad", "klimatrapport", "klimatprat")


def test_term_changed_throughout_is_named_once_without_sub_word_splits(base):
    old, new = base, base
    for sid in TERM_SECTIONS:
        old = set_body(old, sid, text("Avtalet gäller för 2024. Parterna följer Avtalet i sitt arbete."))
        new = set_body(new, sid, text("Kontraktet gäller för 2024. Parterna följer Kontraktet i sitt arbete."))
    cs = compare(old, new)
    assert cs.terms == (TermChange("sv", "Avtalet", "Kontraktet", 6),)
    for sid in TERM_SECTIONS:
        assert body_changes(cs.find(sid)) == [("delete", "Avtalet"), ("insert", "Kontraktet")] * 2
    summary = redline_text.to_markdown(cs, "sv")
    assert summary.count("”Avtalet” → ”Kontraktet” (6 ställen)") == 1


# 14 ------------------------------------------------------------------------------------------


def test_reference_renumbered_with_its_target_is_consequential_not_an_edit(base, copy):
    assert "{ref:klimatanpassning}" in copy.folder.joinpath("municipality.yaml").read_text(encoding="utf-8")
    file, data, chapter = copy.section("kommunens-ataganden")
    index = [s["id"] for s in chapter["sections"]].index("klimatanpassning")
    chapter["sections"].insert(index, new_section("ny-plan", "Ny plan", "Ett nytt avsnitt för testet."))
    copy.save(file, data)
    cs = compare(base, copy.load())
    change = cs.find("prioriterade-omraden")
    assert change.kinds == ()
    assert change.references == (RefUpdate("klimatanpassning", "3.8", "3.9"),)
    refs = [s for b in change.blocks for s in b.source.segments if s.style == "ref"]
    assert [(s.op, s.text, s.was) for s in refs] == [("equal", "3.9", "3.8")]
    assert cs.counts()["modified"] == 0
    assert "hänvisningen till Klimatanpassning visar nu 3.9 (tidigare 3.8)" in redline_text.to_text(cs, "sv")


def test_reference_whose_target_disappeared_is_flagged(base):
    new = map_section(base, "governance", lambda s: ())
    cs = compare(base, new)
    flagged = [(s.id, f.code, f.target, f.number) for s in cs.sections for f in s.flags if f.code == "dangling_ref"]
    assert flagged == [("myndigheternas-ataganden", "dangling_ref", "governance", "6.1")]
    assert "Hänvisar till avsnitt 6.1, som inte längre finns." in redline_text.to_markdown(cs, "sv")


# 15 ------------------------------------------------------------------------------------------


def test_swedish_changed_but_english_not_is_flagged(base):
    old = set_body(
        base, "klimatrapport", text("Kommunen rapporterar varje år.", "The municipality reports every year.")
    )
    new_sv = set_body(
        base, "klimatrapport", text("Kommunen rapporterar varje halvår.", "The municipality reports every year.")
    )
    new_en = set_body(
        base, "klimatrapport", text("Kommunen rapporterar varje år.", "The municipality reports each year.")
    )
    assert [f.code for f in compare(old, new_sv).find("klimatrapport").flags] == ["sv_only"]
    assert [f.code for f in compare(old, new_en).find("klimatrapport").flags] == ["en_only"]
    both = set_body(
        base, "klimatrapport", text("Kommunen rapporterar varje halvår.", "The municipality reports every six months.")
    )
    assert compare(old, both).find("klimatrapport").flags == ()
    assert "Den svenska texten har ändrats men inte den engelska." in redline_html.to_html(compare(old, new_sv), "sv")


# 16 ------------------------------------------------------------------------------------------


FORMATS = (("json", "sv"), ("md", "sv"), ("html", "en"), ("text", "en"))
# One interpreter per hash seed renders every format through the real command line.
_RENDER_ALL = f"""
import sys
sys.path.insert(0, sys.argv[2])
from cli_runner import run_cli
for fmt, lang in {FORMATS!r}:
    result = run_cli("--root", sys.argv[1], "diff", "2023", "2024", "--format", fmt, "--lang", lang)
    assert result.returncode == 0, result.stderr
    sys.stdout.buffer.write(result.stdout_bytes + b"\\0")
"""


def _diff_outputs(root, seed) -> list[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", _RENDER_ALL, str(root), str(Path(__file__).parent)],
        env=env,
        capture_output=True,
        check=True,
    )
    return result.stdout.split(b"\0")[:-1]


@pytest.mark.slow
def test_same_inputs_give_byte_identical_output(tmp_path):
    Copy(tmp_path / "root")
    edited = Copy(tmp_path / "root", version="2024")
    _rewrite_delat_ansvar(edited)
    edited.replace("municipality.yaml", "Kommunfullmäktige antog", "Kommunfullmäktige beslutade om")
    first, second = _diff_outputs(tmp_path / "root", "1"), _diff_outputs(tmp_path / "root", "2")
    assert len(first) == len(FORMATS)
    assert first == second
    assert all(b"beslutade om" in output for output in first)


def test_each_translation_language_drifts_on_its_own_and_the_flag_names_it(base):
    def three(sv: str, en: str, fi: str) -> Text:
        translations = (("en", Translation(en, status="current")), ("fi", Translation(fi, status="current")))
        return Text(key="test", source=sv, translations=translations)

    base = replace(base, languages=("sv", "en", "fi"))
    old = set_body(
        base, "klimatrapport", three("Kommunen rapporterar.", "The municipality reports.", "Kunta raportoi.")
    )
    new = set_body(base, "klimatrapport", three("Kommunen rapporterar.", "The municipality reports.", "Kunta kertoo."))
    flags = compare(old, new).find("klimatrapport").flags
    assert [(f.code, f.lang, f.source) for f in flags] == [("en_only", "fi", "sv")]  # the Finnish alone changed
    assert "The Finnish text changed but the Swedish did not." in redline_text.to_markdown(compare(old, new), "en")
    assert "Den finska texten har ändrats men inte den svenska." in redline_text.to_markdown(compare(old, new), "sv")
