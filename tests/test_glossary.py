"""The translation glossary: data in glossary.yaml, enforced by validate, listed by `klimatkontrakt glossary`."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.checks.validate import validate
from contract.cli.main import main
from contract.errors import Report
from contract.source.load import load
from contract.source.yamlwrite import rewrite
from contract.translate.glossary import Term, load_glossary

ROOT = Path(__file__).resolve().parents[1]
TRANSLATION_CODES = {"glossary", "inconsistent-translation", "translator-note"}


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(repo_copy) -> Path:
    shutil.copy(ROOT / "glossary.yaml", repo_copy / "glossary.yaml")
    return repo_copy


def set_english(root: Path, key: str, old: str, new: str) -> None:
    """Replace words in the English of one text (its Swedish untouched), keeping the lock as it is."""
    text = next(t for t in load(root, "2023").texts() if t.key == key)
    assert old in text.get("en")

    def edit(data):
        node = data
        for step in text.path:
            node = node[step]
        node["en"] = text.get("en").replace(old, new)

    rewrite(root / text.pos.file, edit)


def translation_warnings(root: Path, version: str = "2023") -> list[str]:
    report, _ = validate(root, [version])
    return [str(d) for d in report.items if d.code in TRANSLATION_CODES]


@pytest.mark.parametrize("version", ["2023", "2024"])
def test_the_english_of_every_version_passes_the_glossary_with_no_warning(version):
    assert translation_warnings(ROOT, version) == []


@pytest.mark.slow
def test_the_review_corrections_are_in_the_english_and_the_swedish_is_untouched():
    texts = {t.key: t for t in load(ROOT, "2023").texts()}
    assert "traffic flow and safety" in texts["styrdokument/2"].get("en")
    assert "framkomlighet och säkerhet" in texts["styrdokument/2"].source
    assert "transferred to the joint climate offsetting fund" in texts["klimatvaxling/1"].get("en")
    assert "(the Climate City Contract Arena)" in texts["myndigheternas-ataganden/3"].get("en")
    assert "international forerunners" in texts["viable-cities-ataganden/1"].get("en")
    assert "FRIBO has striven" in texts["fribo-tar-ledningen/1"].get("en")
    preamble = texts["preamble/3"].get("en").split(". ", 1)[1] + " " + texts["preamble/4"].get("en")
    assert preamble in texts["governance/1"].get("en")  # 6.1 repeats the preamble in Swedish, so in English too
    assert not any("pioneer" in (t.get("en") or "") for t in texts.values())
    assert run(ROOT, "validate", "--strict", "2023")[0] == 0


@pytest.mark.slow
def test_a_wrong_rendering_beside_a_right_one_is_reported_at_the_english_text(repo):
    set_english(repo, "viable-cities-ataganden/1", "international forerunners", "international pioneers")
    where = next(t.at("en") for t in load(repo, "2023").texts() if t.key == "viable-cities-ataganden/1")
    assert translation_warnings(repo) == [
        (
            f"{where}: warning: glossary: the Swedish says 'föregångare' and the English uses 'pioneer'"
            " (viable-cities-ataganden/1) (write 'forerunner', as glossary.yaml (term 'foregangare') says)"
        )
    ]
    assert run(repo, "validate", "--strict", "2023")[0] == 1


@pytest.mark.slow
def test_a_term_without_its_rendering_is_reported(repo):
    set_english(repo, "styrdokument/2", "traffic flow and safety", "accessibility and safety")
    (warning,) = translation_warnings(repo)
    assert warning.startswith("years/2023/municipality.yaml:")
    assert "the Swedish says 'framkomlighet' and the English uses 'accessibility' (styrdokument/2)" in warning


def test_a_kept_name_must_stay_as_it_is(repo):
    set_english(repo, "innovation/2", "Drive Sweden", "Drive Sverige")
    (warning,) = translation_warnings(repo)
    assert "the name 'Drive Sweden' is kept as it is in English, but this English lacks it (innovation/2)" in warning


@pytest.mark.slow
def test_one_swedish_sentence_translated_two_ways_is_reported_with_both_places(repo):
    set_english(
        repo, "nytt-miljoprogram-pa-plats/1", "across the entire municipal group", "throughout the municipal group"
    )
    (warning,) = translation_warnings(repo)
    assert warning.startswith("years/2023/updates.yaml:")
    assert (
        "the same Swedish sentence is translated differently at years/2023/municipality.yaml:77:19 (kommunens-klimatmal/6)"
        in warning
    )
    assert "and here (nytt-miljoprogram-pa-plats/1)" in warning


def test_terms_match_listed_forms_as_whole_words_and_ignore_markup():
    term = Term("myndighet", ("myndighet", "myndigheterna"), ("agency", "agencies"), ("authority",))
    assert term.found_in("Myndigheterna åtar sig") == "Myndigheterna"
    assert term.found_in("myndighetssamverkan och klimatkontraktsmyndigheter") is None
    assert term.found_in("se {fn:myndighet-not} och {ref:myndighet}") is None
    assert term.found_in("[länk](https://example.org/myndighet)") is None
    assert term.rendered("the agencies undertake") and not term.rendered("the authorities undertake")
    assert term.wrongly_rendered("the Authority") == "Authority"
    exact = Term(
        "sd",
        ("Systemdemonstratorer för klimatneutrala städer",),
        ("System Demonstrators for Climate-Neutral Cities",),
        exact_case=True,
    )
    assert exact.found_in("Systemdemonstratorer för\nklimatneutrala städer") is not None
    assert not exact.rendered("System demonstrators for climate-neutral cities")


def test_a_broken_glossary_is_a_located_error(repo):
    (repo / "glossary.yaml").write_text(
        "terms:\n  - id: x\n    sv: föregångare\n    en: [forerunner]\n    typo: 1\n", encoding="utf-8"
    )
    report = Report()
    load_glossary(repo, report)
    messages = [str(d) for d in report.errors]
    assert any(m.startswith("glossary.yaml:3:9: error:") for m in messages), messages
    assert any(m.startswith("glossary.yaml:5:5: error: unknown field 'typo'") for m in messages), messages
    code, out, _ = run(repo, "validate", "2023")
    assert code == 1 and "glossary.yaml:5:5: error" in out


def test_duplicate_term_ids_are_refused(repo):
    (repo / "glossary.yaml").write_text(
        "terms:\n  - {id: x, sv: [a], en: [b]}\n  - {id: x, sv: [c], en: [d]}\n", encoding="utf-8"
    )
    code, out, _ = run(repo, "glossary")
    assert code == 1
    assert "glossary.yaml:3:5: error: duplicate glossary term id 'x' (first used at line 2)" in out


@pytest.mark.slow
def test_glossary_command_lists_terms_and_where_each_is_used(repo):
    code, out, _ = run(repo, "glossary", "--json")
    assert code == 0
    entries = {e["id"]: e for e in json.loads(out)}
    used = {(u["version"], u["key"]) for u in entries["foregangare"]["used"]}
    assert {("2023", "preamble/2"), ("2023", "viable-cities-ataganden/1"), ("2023", "innovation/1")} <= used
    assert entries["foregangare"]["en"] == ["forerunner"] and entries["foregangare"]["not"] == ["pioneer"]
    assert entries["Viable Cities"]["kind"] == "keep" and entries["Viable Cities"]["used"]
    code, text, _ = run(repo, "glossary", "2023")
    assert code == 0
    assert "foregangare: föregångare | föregångaren | föregångarna | föregångarnas -> forerunner\n" in text
    where = next(t.at("en") for t in load(repo, "2023").texts() if t.key == "viable-cities-ataganden/1")
    assert f"  {where}: viable-cities-ataganden/1\n" in text


@pytest.mark.slow
def test_a_repository_without_a_glossary_checks_no_terms(repo_copy):
    assert translation_warnings(repo_copy) == []
    assert run(repo_copy, "glossary", "--json")[1].strip() == "[]"


@pytest.mark.slow
def test_a_broken_glossary_is_reported_once_for_several_versions(repo):
    shutil.copytree(ROOT / "years" / "2024", repo / "years" / "2024")
    (repo / "glossary.yaml").write_text("terms: 3\n", encoding="utf-8")
    code, out, _ = run(repo, "validate", "2023", "2024")
    assert code == 1
    assert out.count("glossary.yaml:1:8: error:") == 1, out


def test_one_short_swedish_text_translated_two_ways_is_reported_once(repo):
    def edit(data):
        title = data["sections"][0]["sections"][3]["sections"][0]["title"]
        assert title["sv"] == "Smart policyutveckling"  # 7.4.1, as 4.2 and 5.1
        title["en"] = "Policy development, smartly"

    rewrite(repo / "years/2023/updates.yaml", edit)
    warnings = translation_warnings(repo)
    assert len(warnings) == 1, warnings
    assert (
        "(viktigaste-smart-policyutveckling/title)" in warnings[0] and "(smart-policyutveckling/title)" in warnings[0]
    )
