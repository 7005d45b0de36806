"""Translators' files: XLIFF 2.0, gettext PO and JSON out and back; an import that does not fit writes nothing."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import po as ttk_po
from translate.storage import xliff2 as ttk_xliff2

from contract.cli.main import main
from contract.source.load import load
from contract.source.yamlwrite import rewrite

ROOT = Path(__file__).resolve().parents[1]
NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "years").rglob("*")) if p.is_file()}


@pytest.fixture
def repo(repo_copy) -> Path:
    """2023 with the English of 9 Kontraktet's title removed and one paragraph's Swedish changed (stale)."""
    shutil.copy(ROOT / "glossary.yaml", repo_copy / "glossary.yaml")
    (repo_copy / "years/2023/signed.lock").unlink()  # as in a draft: the Swedish may change
    rewrite(repo_copy / "years/2023/clause.yaml", lambda data: data["sections"][0]["title"].pop("en"))

    def stale(data):
        data["sections"][0]["body"][0]["p"]["sv"] += " Ändrad."

    rewrite(repo_copy / "years/2023/clause.yaml", stale)
    return repo_copy


def export(root: Path, name: str, *extra: str) -> Path:
    file = root.parent / name
    code, _, err = run(root, "translations", "2023", "--export", str(file), *extra)
    assert code == 0, err
    return file


def test_xliff_holds_one_unit_per_text_with_key_source_target_state_notes_and_terms(repo):
    tree = etree.parse(str(export(repo, "work.xlf")))
    root = tree.getroot()
    assert root.get("version") == "2.0" and root.get("srcLang") == "sv" and root.get("trgLang") == "en"
    units = {u.get("name"): u for u in root.iterfind(".//x:unit", NS)}
    assert list(units) == ["kontraktet/title", "kontraktet/1"]
    missing, stale = units["kontraktet/title"], units["kontraktet/1"]
    assert missing.get("id") == "kontraktet_title"
    assert missing.find("x:segment", NS).get("state") == "initial" and missing.find(".//x:target", NS) is None
    assert stale.find("x:segment", NS).get("state") == "initial"
    assert stale.find("x:segment", NS).get("subState") == "klimatkontrakt:stale"
    assert stale.findtext(".//x:target", namespaces=NS).startswith("The parties agree that these joint commitments")
    notes = {n.get("category"): n.text for n in stale.iterfind(".//x:note", NS)}
    assert notes["location"].startswith("years/2023/clause.yaml:")
    assert notes["glossary"] == "Klimatkontrakt 2030 -> Climate City Contract 2030"


def test_xliff_marks_travel_as_placeholders_and_every_text_is_exported_with_all(repo):
    root = etree.parse(str(export(repo, "all.xlf", "--all"))).getroot()
    units = {u.get("name"): u for u in root.iterfind(".//x:unit", NS)}
    assert len(units) == 292
    akademi = units["akademi/1"]
    assert [p.get("equiv") for p in akademi.iterfind(".//x:source/x:ph", NS)] == ["{ref:1.7}"]
    assert [p.get("id") for p in akademi.iterfind(".//x:target/x:ph", NS)] == ["m1"]
    assert {n.get("category"): n.text for n in akademi.iterfind(".//x:note", NS)}["translator"].startswith(
        "The signed Swedish text refers"
    )
    assert units["preamble/1"].find("x:segment", NS).get("state") == "final"


def test_translate_toolkit_reads_our_xliff(repo):
    store = ttk_xliff2.Xliff2File(export(repo, "all.xlf", "--all").read_bytes())
    units = {u.getid(): u for u in store.units}
    assert len(units) == 292
    assert units["kontraktet_1"].isfuzzy() and not units["preamble_1"].isfuzzy()
    assert units["preamble_1"].target.startswith("The climate issue is the greatest challenge of our time.")


def test_xliff_round_trip_writes_the_english(repo):
    file = export(repo, "work.xlf")
    text = file.read_text(encoding="utf-8")
    text = text.replace("<source>Kontraktet</source>", "<source>Kontraktet</source><target>The Contract</target>")
    file.write_text(text, encoding="utf-8")
    code, _, err = run(repo, "translations", "2023", "--import", str(file))
    assert code == 0, err
    assert "wrote 1 English text into years/2023" in err
    title = load(repo, "2023").section("kontraktet").title
    assert title.get("en") == "The Contract"
    assert (
        "# yaml-language-server: $schema=../../schema/sections.schema.json"
        in (repo / "years/2023/clause.yaml").read_text()
    )


def _xliff_with(repo: Path, old: str, new: str) -> Path:
    file = export(repo, "all.xlf", "--all")
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name="preamble/1"', 'name="preamble/99"', "unknown text id 'preamble/99'"),
        (
            "<source>Parter</source>",
            "<source>Parterna</source>",
            "the Swedish of 'parter/title' changed since this file was exported",
        ),
        (
            "<target>Collaboration between the public sector",
            "<target>\u202eCollaboration between the public sector",
            "the English of 'akademi/1' holds the control character U+202E",
        ),
        (
            '(see section <ph id="m1" equiv="{ref:1.7}" disp="{ref:1.7}"/>)',
            "(see section 1.7)",
            "the English of 'akademi/1' does not keep the Swedish's references, footnote marks and link addresses",
        ),
        (
            '(see section <ph id="m1" equiv="{ref:1.7}" disp="{ref:1.7}"/>)',
            '(see section <ph id="m9"/>)',
            "unit 'akademi/1': placeholder 'm9' is not in the source",
        ),
        ("<target>The climate issue", "<target>The climate {issue", "the English of 'preamble/1' has broken markup"),
        (
            "<target>Parties</target>",
            "<target>Parties<bpt id='1'/></target>",
            "unit 'parter/title': unexpected inline element <bpt>",
        ),
    ],
)
def test_an_xliff_unit_that_does_not_fit_is_a_located_error_and_nothing_is_written(repo, old, new, message):
    file = _xliff_with(repo, old, new)
    file.write_text(
        file.read_text(encoding="utf-8").replace("<target>Parties</target>", "<target>The Parties</target>")
        if "Parties<bpt" not in new
        else file.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    before = snapshot(repo)
    code, out, _ = run(repo, "translations", "2023", "--import", str(file))
    assert code == 1
    assert "all.xlf:" in out and f"error: {message}" in out, out
    assert snapshot(repo) == before


def test_xml_that_is_not_xliff_or_not_xml_is_refused(repo, tmp_path):
    bad = tmp_path / "bad.xlf"
    bad.write_text("<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'/>", encoding="utf-8")
    code, out, _ = run(repo, "translations", "2023", "--import", str(bad))
    assert (code, out) == (
        1,
        f"{bad}:1:1: error: not an XLIFF 2 file (export as XLIFF 2.0 or 2.1, or give a .po or .json file)\n",
    )
    bad.write_text("<xliff", encoding="utf-8")
    code, out, _ = run(repo, "translations", "2023", "--import", str(bad))
    assert code == 1 and "error: not a readable XML file" in out


def test_an_external_entity_in_an_xliff_is_never_read(repo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    file = export(repo, "work.xlf")
    text = file.read_text(encoding="utf-8").replace(
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE x [<!ENTITY s SYSTEM 'file://{secret}'>]>",
    )
    file.write_text(
        text.replace("<source>Kontraktet</source>", "<source>Kontraktet</source><target>The Contract&s;</target>"),
        encoding="utf-8",
    )
    code, out, err = run(repo, "translations", "2023", "--import", str(file))
    assert code == 1 and "error: the file holds a DOCTYPE" in out and "SECRET" not in out + err
    assert (
        load(repo, "2023").section("kontraktet").title.get("en") is None
    )  # refused whole, not read without the entity


def test_po_round_trip_with_stale_as_fuzzy(repo):
    file = export(repo, "work.po")
    store = ttk_po.pofile(file.read_bytes())
    entries = {u.getcontext(): u for u in store.units if not u.isheader()}
    assert list(entries) == ["kontraktet/title", "kontraktet/1"]
    assert entries["kontraktet/1"].isfuzzy() and not entries["kontraktet/title"].target
    assert "Glossary: Klimatkontrakt 2030 -> Climate City Contract 2030" in entries["kontraktet/1"].getnotes()
    entries["kontraktet/title"].target = "The Contract"
    file.write_bytes(bytes(store))
    code, _, err = run(repo, "translations", "2023", "--import", str(file))
    assert code == 0, err
    assert load(repo, "2023").section("kontraktet").title.get("en") == "The Contract"


def test_a_po_entry_for_changed_swedish_is_located_at_its_msgctxt(repo):
    file = export(repo, "work.po")
    text = file.read_text(encoding="utf-8").replace('msgid "Kontraktet"', 'msgid "Avtalet"')
    file.write_text(
        text.replace(
            'msgctxt "kontraktet/title"\nmsgid "Avtalet"\nmsgstr ""',
            'msgctxt "kontraktet/title"\nmsgid "Avtalet"\nmsgstr "The Contract"',
        ),
        encoding="utf-8",
    )
    line = text.splitlines().index('msgctxt "kontraktet/title"') + 1
    before = snapshot(repo)
    code, out, _ = run(repo, "translations", "2023", "--import", str(file))
    assert code == 1
    assert out == (
        f"{file}:{line}:1: error: the Swedish of 'kontraktet/title' changed since this file was exported "
        "(export again and translate the new Swedish; nothing was written)\n"
    )
    assert snapshot(repo) == before


@pytest.mark.slow
def test_exports_are_reproducible(repo):
    for suffix in (".xlf", ".po", ".json"):
        first = export(repo, "a" + suffix, "--all").read_bytes()
        assert export(repo, "b" + suffix, "--all").read_bytes() == first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"kontraktet/title": "The Contract"}', "expected a list of texts, found dict"),
        ('["a"]', "item 1: not an object"),
        ('[{"key": "kontraktet/title", "en": "The Contract"}]', "item 1: sv missing or not text"),
        ('[{"key": "kontraktet/title", "sv": "Kontraktet", "en": 5}]', "item 1: en missing or not text"),
        ("[1, 2", "not valid JSON"),
        (
            '[{"key": "kontraktet/title", "sv": "Kontraktet", "en": "The\\u0000Contract"}]',
            "the English of 'kontraktet/title' holds the control character U+0000",
        ),
    ],
)
def test_a_malformed_json_file_is_a_clear_error_and_nothing_is_written(repo, tmp_path, content, message):
    file = tmp_path / "work.json"
    file.write_text(content, encoding="utf-8")
    before = snapshot(repo)
    code, out, err = run(repo, "translations", "2023", "--import", str(file))
    assert code == 1 and message in out and "internal error" not in err, (out, err)
    assert snapshot(repo) == before


def test_json_round_trip_still_works(repo):
    file = export(repo, "work.json")
    items = json.loads(file.read_text(encoding="utf-8"))
    assert [(i["key"], i["status"]) for i in items] == [("kontraktet/title", "missing"), ("kontraktet/1", "stale")]
    items[0]["en"] = "The\n\tContract"  # line breaks and tabs are wrapping: they become one space
    file.write_text(json.dumps(items), encoding="utf-8")
    assert run(repo, "translations", "2023", "--import", str(file))[0] == 0
    assert load(repo, "2023").section("kontraktet").title.get("en") == "The Contract"


def test_an_unknown_kind_of_file_or_an_existing_file_is_a_usage_error(repo, tmp_path):
    assert run(repo, "translations", "2023", "--export", str(tmp_path / "work.txt"))[:2] == (2, "")
    work = tmp_path / "work.xlf"
    work.write_text("a translator's work", encoding="utf-8")
    assert run(repo, "translations", "2023", "--export", str(work))[:2] == (2, "")
    assert work.read_text(encoding="utf-8") == "a translator's work"
    code, out, _ = run(repo, "translations", "2023", "--import", str(tmp_path / "absent.xlf"))
    assert (code, out) == (
        1,
        f"{tmp_path / 'absent.xlf'}: error: there is no such file (give the file your translation tool saved)\n",
    )
