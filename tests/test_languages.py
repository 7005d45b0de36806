"""Languages as data: the repository's config (klimatkontrakt.yaml), the per-language lock, the stand-in rule."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from cli_runner import run_cli

from contract.errors import ContractError, UsageError
from contract.model import Text, Translation
from contract.render import labels
from contract.source.languages import load_languages
from contract.source.load import load
from contract.source.yamlwrite import rewrite
from contract.translate import translations as tr

ROOT = Path(__file__).resolve().parents[1]


def _config(root: Path, text: str) -> None:
    (root / "klimatkontrakt.yaml").write_text(text, encoding="utf-8")


def _errors(root: Path) -> list[str]:
    with pytest.raises(ContractError) as caught:
        load_languages(root)
    return [f"{d.pos}: {d.message} ({d.hint})" for d in caught.value.diagnostics]


# ---------------------------------------------------------------- the config


def test_without_a_config_the_source_is_swedish_and_the_translation_english(tmp_path):
    languages = load_languages(tmp_path)
    assert (languages.source, languages.translations, languages.all) == ("sv", ("en",), ("sv", "en"))


def test_the_shipped_config_names_swedish_and_english():
    assert load_languages(ROOT).all == ("sv", "en")


def test_a_code_that_is_not_lower_case_letters_is_a_located_error(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations: [en, EN, f1]\n")
    errors = _errors(tmp_path)
    assert errors[0].startswith("klimatkontrakt.yaml:3:")
    assert "'EN' is not a language code" in errors[0] and "two or three lower-case letters" in errors[0]
    assert "'f1' is not a language code" in errors[1]
    assert len(errors) == 2  # every error at once


def test_a_language_listed_twice_and_the_source_as_a_translation_are_both_reported(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations:\n    - en\n    - sv\n    - en\n")
    assert _errors(tmp_path) == [
        "klimatkontrakt.yaml:5:7: 'sv' is the source language and cannot also be a translation "
        "(remove 'sv' from languages.translations)",
        "klimatkontrakt.yaml:6:7: 'en' is listed twice (list each translation language once)",
    ]


def test_an_unknown_field_and_a_missing_source_are_located(tmp_path):
    _config(tmp_path, "languages:\n  translations: [en]\n  sorce: sv\n")
    errors = _errors(tmp_path)
    assert any("klimatkontrakt.yaml:3:3: unknown field 'sorce'" in e and "'source'" in e for e in errors)


def test_a_language_without_labels_names_the_file_to_add(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations: [en, xx]\n")
    assert _errors(tmp_path) == [
        "klimatkontrakt.yaml:3:22: the language 'xx' has no interface labels (headings, notes, dates) "
        "(add i18n/xx.yaml: copy contract/i18n/en.yaml and translate its values)"
    ]


def test_a_repository_catalogue_lacking_labels_lists_them(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations: [en, xx]\n")
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "xx.yaml").write_text("contract_title: X\ncontents: 3\n", encoding="utf-8")
    errors = _errors(tmp_path)
    assert errors[0].startswith("i18n/xx.yaml:2:") and "the label 'contents' is not text" in errors[0]
    assert errors[1].startswith("i18n/xx.yaml") and "lacks" in errors[1] and "translation_missing" in errors[1]


def test_a_repository_catalogue_gives_a_new_language_its_labels(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations: [en, xx]\n")
    (tmp_path / "i18n").mkdir()
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8")
    (tmp_path / "i18n" / "xx.yaml").write_text(english.replace("Contents", "Test contents"), encoding="utf-8")
    assert load_languages(tmp_path).translations == ("en", "xx")
    assert labels.label("xx", "contents") == "Test contents"
    assert labels.region("xx") is None and labels.date("2023-12-08", "xx") == "8 December 2023"


def test_check_refuses_a_language_the_repository_lacks_with_exit_2():
    languages = load_languages(ROOT)
    with pytest.raises(UsageError, match="its languages are sv, en"):
        languages.check("xx")
    with pytest.raises(UsageError, match="translation languages are en"):
        languages.check_translation("sv")
    assert languages.check_translation(None) == "en"


@pytest.mark.slow  # a whole version is loaded and checked
def test_lang_options_are_checked_against_the_config_after_parsing():
    result = run_cli("outline", "2023", "--lang", "xx", "--root", ROOT)
    assert result.returncode == 2
    assert "--lang 'xx' is not a language of this repository; its languages are sv, en" in result.stderr
    result = run_cli("translations", "2023", "--lang", "sv", "--root", ROOT)
    assert result.returncode == 2 and "translation languages are en" in result.stderr
    assert run_cli("outline", "2023", "--lang", "en", "--root", ROOT).returncode == 0


# ---------------------------------------------------------------- the YAML


@pytest.mark.slow  # a whole version is loaded and checked
def test_a_text_in_a_language_the_repository_lacks_is_a_located_error(repo_copy):
    rewrite(repo_copy / "years/2023/contract.yaml", lambda data: data["title"].update(fi="Testiotsikko"))
    result = run_cli("validate", "2023", "--root", repo_copy)
    assert result.returncode == 1
    assert "years/2023/contract.yaml:11:7: error: 'fi' is not a language of this repository" in result.stdout
    assert "add 'fi' to languages.translations in klimatkontrakt.yaml, or remove the line" in result.stdout


@pytest.mark.slow  # a whole version is loaded and checked
def test_a_text_without_its_source_is_a_located_error(repo_copy):
    rewrite(repo_copy / "years/2023/contract.yaml", lambda data: data["title"].pop("sv"))
    result = run_cli("validate", "2023", "--root", repo_copy)
    assert result.returncode == 1
    assert "years/2023/contract.yaml:9:3: error: title: the required field 'sv' is missing" in result.stdout


@pytest.mark.slow  # a whole version is loaded and checked
def test_the_source_is_required_whatever_language_it_is(repo_copy):
    _config(repo_copy, "languages:\n  source: en\n  translations: [sv]\n")  # English as the source, in a test
    rewrite(repo_copy / "years/2023/contract.yaml", lambda data: data["title"].pop("en"))
    result = run_cli("validate", "2023", "--root", repo_copy)
    assert result.returncode == 1
    assert "years/2023/contract.yaml:9:3: error: title: the required field 'en' is missing (add a line 'en: ...')" in (
        result.stdout
    )


# ---------------------------------------------------------------- the lock


def _old_lock(version: str) -> str:
    """Return a version's translations.lock as committed before the per-language format."""
    command = ["git", "show", f"d8374b3:years/{version}/translations.lock"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("version", ["2023", "2024"])
def test_the_committed_locks_are_the_exact_migration_of_the_old_ones(version):
    old = _old_lock(version)
    new = (ROOT / "years" / version / "translations.lock").read_text(encoding="utf-8")
    assert tr.migrate_lock_text(old) == new
    entries = [line.split() for line in old.splitlines() if line and not line.startswith("#")]
    parsed = tr.parse_lock(new, "lock")
    assert len(parsed) == len(entries) > 250
    assert all(parsed[("en", key)] == tr.Entry(sv, en) for key, sv, en in entries)


def test_the_lock_records_each_language_apart_and_reads_back_what_it_wrote():
    lock = {("fi", "a/1"): tr.Entry("0" * 12, "1" * 12), ("en", "a/1"): tr.Entry("0" * 12, tr.TO_REVIEW)}
    text = tr.lock_text(lock)
    assert text.splitlines()[2:] == [f"en a/1 {'0' * 12} to-review", f"fi a/1 {'0' * 12} {'1' * 12}"]
    assert tr.parse_lock(text, "lock") == lock


def test_a_malformed_lock_line_is_a_located_error_all_at_once():
    good = f"en a/1 {'0' * 12} {'1' * 12}"
    text = "\n".join(["# header", good, f"a/2 {'0' * 12} {'1' * 12}", "en a/3 zz 11", good, "EN a/4 x y", "en"])
    with pytest.raises(ContractError) as caught:
        tr.parse_lock(text, "years/2023/translations.lock")
    found = [(str(d.pos), d.message) for d in caught.value.diagnostics]
    assert found == [
        (
            "years/2023/translations.lock:3:1",
            "a line of the old three-column format (KEY SOURCE-HASH TRANSLATION-HASH): the language is missing",
        ),
        ("years/2023/translations.lock:4:1", "a hash is not 12 hexadecimal digits"),
        ("years/2023/translations.lock:5:1", "en 'a/1' is recorded twice"),
        ("years/2023/translations.lock:6:1", "'EN' is not a language code (two or three lower-case letters)"),
        ("years/2023/translations.lock:7:1", "expected 4 columns (LANG KEY SOURCE-HASH TRANSLATION-HASH), found 1"),
    ]


@pytest.mark.slow  # a whole version is loaded and checked
def test_a_damaged_lock_stops_validate_at_its_line(repo_copy):
    lock = repo_copy / "years/2023/translations.lock"
    lines = lock.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].split(" ", 1)[1]  # the language column lost
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", "2023", "--root", repo_copy)
    assert result.returncode == 1 and "years/2023/translations.lock:6:1: error: a line of the old" in result.stdout


@pytest.mark.slow  # a whole version is loaded and checked
def test_an_edited_source_makes_only_its_own_translation_stale(repo_copy):
    before = {t.key: t.status("en") for t in load(repo_copy, "2023").texts()}
    assert set(before.values()) == {"current"}

    def edit(data):
        data["sections"][0]["body"][0]["p"]["sv"] += " Ändrad i testet."

    rewrite(repo_copy / "years/2023/purpose.yaml", edit)
    after = {t.key: t.status("en") for t in load(repo_copy, "2023").texts()}
    assert [k for k, s in after.items() if s != "current"] == ["syftet-med-klimatkontrakt-2030/1"]
    assert after["syftet-med-klimatkontrakt-2030/1"] == "stale"


def test_confirming_one_language_keeps_the_others_entries(repo_copy):
    folder = repo_copy / "years/2023"
    lock = tr.read_lock(folder)
    lock[("fi", "meta/title")] = tr.Entry("0" * 12, "1" * 12)
    contract = load(repo_copy, "2023")
    confirmed, unknown = tr.confirm(contract, lock, ["meta/title"], "en")
    assert unknown == [] and confirmed[("fi", "meta/title")] == tr.Entry("0" * 12, "1" * 12)
    assert confirmed[("en", "meta/title")].source == tr.fingerprint(contract.meta.title.source)


# ---------------------------------------------------------------- the stand-in rule


def _text(**translations: Translation) -> Text:
    return Text("k", "Syfte", tuple(translations.items()))


def test_the_source_is_never_a_stand_in_and_has_no_translator_note():
    text = _text(en=Translation("Purpose", note="A note."))
    assert (text.shown("sv"), text.stand_in("sv"), text.note("sv")) == (("Syfte", False), None, None)


def test_a_current_translation_is_shown_with_its_note():
    text = _text(en=Translation("Purpose", note="A note."))
    assert (text.shown("en"), text.stand_in("en"), text.note("en")) == (("Purpose", False), None, "A note.")


def test_a_stale_or_missing_translation_shows_the_source_and_says_why_without_the_note():
    stale = _text(en=Translation("Purpose", status="stale", note="A note."))
    missing = _text(en=Translation(None, status="missing", note="A note."))
    assert (stale.shown("en"), stale.stand_in("en"), stale.note("en")) == (("Syfte", True), "stale", None)
    assert (missing.shown("en"), missing.stand_in("en"), missing.note("en")) == (("Syfte", True), "missing", None)
    assert _text().stand_in("fi") == "missing"  # a language the text has no entry for


def test_each_language_has_its_own_status():
    text = _text(en=Translation("Purpose"), fi=Translation("Tarkoitus", status="stale"))
    assert [text.shown(lang) for lang in ("sv", "en", "fi")] == [("Syfte", False), ("Purpose", False), ("Syfte", True)]
    text = text.with_translation("fi", replace(text.translation("fi"), status="current"))
    assert text.shown("fi") == ("Tarkoitus", False) and text.languages == ("en", "fi")


def test_the_stand_in_note_names_each_reason_the_source_stands_in_and_the_source_language():
    # A cover (or Word file) whose texts were partly never translated and partly out of date said only "out of date".
    current, missing = _text(en=Translation("Purpose")), _text()
    stale = _text(en=Translation("Purpose", status="stale"))
    assert labels.stand_in_note([current], "en") is None
    assert labels.stand_in_note([current, missing], "en") == "English translation missing; the Swedish text is shown."
    assert labels.stand_in_note([stale, current], "en") == labels.label("en", "translation_stale", source="Swedish")
    both = "The English translation is missing or out of date; the Swedish text is shown."
    assert labels.stand_in_note([missing, stale], "en") == labels.stand_in_note([stale, missing], "en") == both
    assert labels.stand_in_notes([missing, stale], "en") == (
        "English translation missing; the Swedish text is shown.",
        "The English translation is out of date; the Swedish text is shown.",
    )


@pytest.mark.slow  # a whole version is loaded and checked
def test_every_renderer_marks_a_stand_in_from_the_one_rule(repo_copy):
    """Site, Typst, Markdown and plain text agree with Text.shown on which texts the Swedish stands in for."""
    from contract.render import markdown, plain, typst
    from contract.render.page_texts import inline_text as _inline

    rewrite(repo_copy / "years/2023/contract.yaml", lambda data: data["title"].pop("en"))
    contract = load(repo_copy, "2023")
    title, resolver = contract.meta.title, plain.Resolver.of(contract)
    assert title.stand_in("en") == "missing"
    assert plain.source(title, "en") == (title.source, True)
    assert markdown.text(title, "en", resolver).endswith(f"*\\[{labels.stand_in_note([title], 'en')}\\]*")
    assert str(_inline(title, "en", resolver)) == f'<span lang="sv">{title.source}</span>'
    ctx = typst._Context.of(contract, "en")
    assert typst.text(title, ctx).startswith('text(lang: "sv", region: "SE")')
    assert labels.stand_in_note([title], "en") == "English translation missing; the Swedish text is shown."
    shutil.rmtree(repo_copy)


# ---------------------------------------------------------------- the site's languages


def test_the_language_switch_lists_every_configured_language_by_its_own_name():
    from contract.build.site import alternates

    assert alternates(("sv", "en", "fi")) == [
        {"name": "Svenska", "lang": "sv", "link": "../sv/"},
        {"name": "English", "lang": "en", "link": "../en/"},
        {"name": "Suomi", "lang": "fi", "link": "../fi/"},
    ]


def test_a_language_material_lacks_gets_the_sources_theme_texts_and_keeps_its_own_lang():
    from contract.build.site import html_language, theme_language

    assert (theme_language("fi", "sv"), theme_language("fit", "sv")) == ("fi", "sv")
    page = '\n<!doctype html>\n<html lang="sv" class="no-js">\n<p lang="sv">x</p>'
    assert html_language(page, "fit") == '\n<!doctype html>\n<html lang="fit" class="no-js">\n<p lang="sv">x</p>'
    assert html_language(page, "sv") == page


def test_regions_come_from_the_language():
    assert [labels.region(lang) for lang in ("sv", "en", "fi", "fit")] == ["SE", "GB", "FI", "SE"]


def test_a_repository_without_translations_says_so_when_asked_for_one(tmp_path):
    _config(tmp_path, "languages:\n  source: sv\n  translations: []\n")
    languages = load_languages(tmp_path)
    assert languages.all == ("sv",)
    with pytest.raises(UsageError, match="this repository has no translation languages"):
        languages.check_translation(None)


def test_the_covers_list_of_parties_stays_readable_when_a_name_holds_a_comma():
    contract = load(ROOT, "2023")
    assert labels.cover_line(contract, "sv") == (
        "Mellan Borås Stad och myndigheterna Energimyndigheten, Vinnova, Formas, Tillväxtverket, Trafikverket, "
        "Naturvårdsverket samt Viable Cities"
    )
    formas = "Forskningsrådet för miljö, areella näringar och samhällsbyggande"
    parties = tuple(
        replace(p, name=replace(p.name, source=formas)) if p.id == "formas" else p for p in contract.parties
    )
    line = labels.cover_line(replace(contract, parties=parties), "sv")
    assert line == (
        f"Mellan Borås Stad och myndigheterna Energimyndigheten; Vinnova; {formas}; Tillväxtverket; Trafikverket; "
        "Naturvårdsverket samt Viable Cities"
    )
