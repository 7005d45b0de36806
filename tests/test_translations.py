"""English translations: complete for 2023, plausible, and never silently stale."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from contract.cli.main import main
from contract.render import labels
from contract.render.export import to_markdown
from contract.source.load import load
from contract.source.yamlwrite import rewrite

ROOT = Path(__file__).resolve().parents[1]
MARKUP = re.compile(r"\{(?:ref|fn):[^{}\s]*\}|\]\([^()\s]*\)")
NUMBER = re.compile(r"\d+(?:[ ,.:/–-]\d+)*")


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def numbers(text: str) -> list[str]:
    """Digits of every number, formatting aside ("1,5" and "1.5", "30 000" and "30,000" agree)."""
    return sorted(re.sub(r"[ ,.:/–-]", "", n) for n in NUMBER.findall(MARKUP.sub(" ", text)))


def test_2023_is_fully_translated_and_strict_validation_passes():
    code, out, _ = run(ROOT, "translations", "2023")
    assert code == 0
    assert out.splitlines()[0] == "2023: 292/292 English texts current (100 %), 0 missing, 0 stale"
    assert run(ROOT, "validate", "--strict", "2023")[0] == 0


TEXTS = list(load(ROOT, "2023").texts())


@pytest.mark.parametrize("text", TEXTS, ids=[t.key for t in TEXTS])
def test_every_english_text_is_plausible(text):
    en, sv = text.get("en"), text.source
    assert en, f"{text.key} has no English"
    if len(sv) > 40:
        assert 0.6 <= len(en) / len(sv) <= 1.8, f"{text.key}: English length {len(en)} for Swedish {len(sv)}"
    assert numbers(en) == numbers(sv), f"{text.key}: numbers differ"
    assert sorted(MARKUP.findall(en)) == sorted(MARKUP.findall(sv)), (
        f"{text.key}: references, footnotes or links differ"
    )


def _edit(root: Path, file: str, edit) -> None:
    rewrite(root / "years" / "2023" / file, edit)


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_editing_swedish_makes_exactly_that_english_stale_until_confirmed(repo_copy):
    (repo_copy / "years" / "2023" / "signed.lock").unlink()  # as in a draft: Swedish edits are allowed
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    contract_yaml.write_text(
        contract_yaml.read_text(encoding="utf-8").replace("status: signed", "status: draft"), encoding="utf-8"
    )

    def edit(data):
        data["body"][1]["p"]["sv"] = data["body"][1]["p"]["sv"].replace("långsiktigt åtagande", "kortsiktigt åtagande")

    _edit(repo_copy, "preamble.yaml", edit)
    code, out, _ = run(repo_copy, "translations", "2023")
    assert out.splitlines()[0] == "2023: 291/292 English texts current (100 %), 0 missing, 1 stale"
    assert out.splitlines()[-1] == "years/2023/preamble.yaml:27:11: stale: preamble/2"
    code, out, _err = run(repo_copy, "validate", "--strict", "2023")
    assert code == 1
    assert "years/2023/preamble.yaml:27:11: error: English translation is stale or unconfirmed" in out
    assert run(repo_copy, "translations", "2023", "--confirm", "preamble/2")[0] == 0
    assert run(repo_copy, "translations", "2023")[1].splitlines()[0].endswith("0 missing, 0 stale")
    assert run(repo_copy, "validate", "--strict", "2023")[0] == 0


def test_removing_an_english_text_reports_it_missing(repo_copy):
    _edit(repo_copy, "clause.yaml", lambda data: data["sections"][0]["title"].pop("en"))
    code, out, _ = run(repo_copy, "translations", "2023")
    assert out.splitlines()[0] == "2023: 291/292 English texts current (100 %), 1 missing, 0 stale"
    assert "years/2023/clause.yaml:7:7: missing: kontraktet/title" in out.splitlines()
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 0 and "years/2023/clause.yaml:7:7: warning: English translation missing (kontraktet/title)" in out


def test_moving_a_translated_paragraph_keeps_it_current(repo_copy):
    _edit(repo_copy, "preamble.yaml", lambda data: data["body"].insert(0, data["body"].pop(2)))
    assert run(repo_copy, "translations", "2023")[1].splitlines()[0].endswith("0 missing, 0 stale")


def test_a_missing_or_stale_english_text_is_shown_in_swedish_with_a_note(repo_copy):
    _edit(repo_copy, "clause.yaml", lambda data: data["sections"][0]["title"].pop("en"))
    _edit(
        repo_copy, "preamble.yaml", lambda data: data["body"][0]["p"].update(sv=data["body"][0]["p"]["sv"] + " Nytt.")
    )
    english = to_markdown(load(repo_copy, "2023"), "en")
    assert "\n## 9 Kontraktet *\\[English translation missing; the Swedish text is shown.\\]*\n" in english
    assert "Vi måste arbeta på helt nya sätt." in english
    assert "the Swedish text is shown.\\]*" in english.split("\n\n")[2]
    assert (
        "The out of date" not in english
        and "The English translation is out of date; the Swedish text is shown." in english
    )


def test_confirming_an_unknown_id_is_a_clear_error(repo_copy):
    code, out, _ = run(repo_copy, "translations", "2023", "--confirm", "no-such-text")
    assert code == 1
    assert (
        out
        == "years/2023: error: no translated text with the id 'no-such-text' (run 'klimatkontrakt translations YEAR' to list ids)\n"
    )


def test_export_and_import_round_trip_for_translators(repo_copy, tmp_path):
    _edit(repo_copy, "clause.yaml", lambda data: data["sections"][0]["title"].pop("en"))
    exported = tmp_path / "work.json"
    assert run(repo_copy, "translations", "2023", "--export", str(exported))[0] == 0
    items = YAML(typ="safe").load(exported.read_text(encoding="utf-8"))
    assert [(i["key"], i["status"], i["sv"]) for i in items] == [("kontraktet/title", "missing", "Kontraktet")]
    items[0]["en"] = "The Contract"
    exported.write_text(__import__("json").dumps(items), encoding="utf-8")
    assert run(repo_copy, "translations", "2023", "--import", str(exported))[0] == 0
    assert load(repo_copy, "2023").section("kontraktet").title.get("en") == "The Contract"
    assert (
        "# yaml-language-server: $schema=../../schema/sections.schema.json"
        in (repo_copy / "years/2023/clause.yaml").read_text()
    )


def test_both_interface_catalogues_have_the_same_keys():
    assert set(labels.catalogue("sv")) == set(labels.catalogue("en"))
    assert labels.date("2023-12-08", "sv") == "8 december 2023"
    assert labels.date("2023-12-08", "en") == "8 December 2023"
