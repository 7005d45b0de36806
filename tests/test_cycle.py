"""The yearly cycle: new-year drafts, locked signed versions, errata."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def test_new_year_keeps_comments_and_order_and_refuses_to_run_twice(repo_copy):
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    contract_yaml.write_text(
        contract_yaml.read_text(encoding="utf-8").replace(
            "status: signed", "status: signed  # signed by all eight parties"
        ),
        encoding="utf-8",
    )
    (repo_copy / "years" / "2023" / "signed.lock").unlink()
    code, _, err = run(repo_copy, "new-year", "2024")
    assert code == 0, err
    new = (repo_copy / "years" / "2024" / "contract.yaml").read_text(encoding="utf-8").splitlines()
    old = contract_yaml.read_text(encoding="utf-8").splitlines()
    assert new[0] == "# yaml-language-server: $schema=../../schema/version.schema.json"
    assert new[1:6] == [
        "version: '2024'",
        "valid_for: '2025'",
        "status: draft   # signed by all eight parties",
        "signed_on:",
        "previous: '2023'",
    ]
    assert new[6:] == old[6:]
    for name in ("purpose.yaml", "municipality.yaml", "translations.lock"):
        assert (repo_copy / "years" / "2024" / name).read_bytes() == (repo_copy / "years" / "2023" / name).read_bytes()
    assert not (repo_copy / "years" / "2024" / "signed.lock").exists()
    code, out, _ = run(repo_copy, "new-year", "2024")
    assert (code, out) == (
        1,
        "years/2024: error: version 2024 already exists (choose another version; an existing version is never overwritten)\n",
    )


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_new_year_marks_the_follow_up_to_be_written_and_invents_nothing(repo_copy):
    assert run(repo_copy, "new-year", "2024")[0] == 0
    old, new = load(repo_copy, "2023"), load(repo_copy, "2024")
    updates = [s for s in new.walk() if s.group == "updates"]
    assert [s.title.source for s in updates] == [s.title.source for s in old.walk() if s.group == "updates"]
    assert [s.to_be_written for s in updates] == [False] + [True] * (len(updates) - 1)
    assert all(not s.body for s in updates[1:])
    assert {t.source for t in new.texts()} <= {t.source for t in old.texts()}
    code, out, _err = run(repo_copy, "validate", "2024")
    assert code == 0
    assert out.count("is still to be written") == len(updates) - 1
    assert "English translation" not in out
    assert run(repo_copy, "validate", "--strict", "2024")[0] == 1


def test_editing_a_locked_version_fails_validation_with_file_version_and_remedy(repo_copy):
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1
    assert out.splitlines()[0] == (
        "years/2023/municipality.yaml:1:1: error: version 2023 is signed and locked, but this file was changed since it was signed "
        "(undo the change (git checkout -- years/2023/municipality.yaml); a needed correction is an erratum: edit, then run "
        'klimatkontrakt erratum 2023 --what-sv "..." --why-sv "...")'
    )


def test_english_and_formatting_may_change_in_a_locked_version(repo_copy):
    clause = repo_copy / "years" / "2023" / "clause.yaml"
    text = clause.read_text(encoding="utf-8").replace("en: The contract", "en: The Contract")
    assert "en: The Contract" in text
    clause.write_text("# a comment\n" + text, encoding="utf-8")
    assert run(repo_copy, "validate", "2023")[0] == 0


@pytest.mark.slow
def test_an_erratum_records_the_correction_and_relocks(repo_copy):
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    code, _, err = run(
        repo_copy,
        "erratum",
        "2023",
        "--section",
        "klimatvaxling",
        "--date",
        "2024-02-01",
        "--what-sv",
        "Avgiften rättad till 2,50 kronor.",
        "--what-en",
        "The fee corrected to 2.50 kronor.",
        "--why-sv",
        "Skrivfel i den signerade texten.",
        "--why-en",
        "A typing error in the signed text.",
    )
    assert code == 0, err
    assert run(repo_copy, "validate", "2023")[0] == 0
    erratum = load(repo_copy, "2023").meta.errata[0]
    assert (erratum.date, erratum.section, erratum.what.get("en")) == (
        "2024-02-01",
        "klimatvaxling",
        "The fee corrected to 2.50 kronor.",
    )
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    contract_yaml.write_text(contract_yaml.read_text(encoding="utf-8").split("errata:")[0], encoding="utf-8")
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1 and "version 2023 is locked with 1 errata, but contract.yaml lists 0" in out


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_lock_refuses_a_pdf_that_is_no_contract_and_refuses_drafts(repo_copy, tmp_path):
    # Recording real signed PDFs (file and contract hashes): tests/test_contract_identity.py.
    pdf = tmp_path / "klimatkontrakt-2023-sv.pdf"
    pdf.write_bytes(b"%PDF-1.7 signed")
    before = (repo_copy / "years" / "2023" / "signed.lock").read_bytes()
    code, out, _ = run(repo_copy, "lock", "2023", "--pdf", str(pdf))
    assert code == 1 and out.startswith(f"{pdf}: error: this PDF cannot be read")
    assert (repo_copy / "years" / "2023" / "signed.lock").read_bytes() == before
    assert run(repo_copy, "new-year", "2024")[0] == 0
    code, out, _ = run(repo_copy, "lock", "2024")
    assert (code, out) == (
        1,
        "years/2024/contract.yaml: error: version 2024 is not signed (set status: signed and signed_on when every party has signed)\n",
    )


def test_versions_lists_status():
    code, out, _ = run(ROOT, "versions", "--status", "signed")
    assert (code, out) == (0, "2023\tsigned\t2024\t2023-12-08\n")


@pytest.mark.slow  # over a second: the fast lane stays under a minute
def test_history_follows_a_section_across_versions(repo_copy):
    assert run(repo_copy, "new-year", "2024")[0] == 0
    municipality = repo_copy / "years" / "2024" / "municipality.yaml"
    text = municipality.read_text(encoding="utf-8")
    municipality.write_text(text.replace("sv: Klimatråd\n", "sv: Klimatrådet\n"), encoding="utf-8")
    code, out, _ = run(repo_copy, "history", "klimatrad")
    assert code == 0
    assert out.splitlines() == [
        "2023\t3.3.1\tKlimatråd\tförsta versionen i arkivet (äldre versioner finns inte här)",  # as the site says
        "2024\t3.3.1\tKlimatrådet\tny rubrik",
    ]
    code, out, _ = run(repo_copy, "history", "klimatrad", "--lang", "en", "--json")
    assert '"changes": [\n      "renamed"\n    ]' in out


def _pdf_text(root: Path, version: str, lang: str, tmp_path: Path) -> str:
    import subprocess

    target = tmp_path / f"{version}-{lang}.pdf"
    assert run(root, "pdf", version, "--lang", lang, "-o", str(target))[0] == 0
    return subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_the_pdf_shows_errata_and_sections_still_to_be_written(repo_copy, tmp_path):
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    assert (
        run(
            repo_copy,
            "erratum",
            "2023",
            "--section",
            "klimatvaxling",
            "--date",
            "2024-02-01",
            "--what-sv",
            "Avgiften rättad till 2,50 kronor.",
            "--why-sv",
            "Skrivfel.",
        )[0]
        == 0
    )
    swedish = _pdf_text(repo_copy, "2023", "sv", tmp_path)
    assert "Rättelser efter undertecknandet" in swedish
    assert "1 februari 2024, 3.3.8: Avgiften rättad till 2,50 kronor. Skäl: Skrivfel." in swedish
    assert run(repo_copy, "new-year", "2024")[0] == 0
    english = _pdf_text(repo_copy, "2024", "en", tmp_path)
    assert english.count("To be written: the text of this section has not been written yet.") == 24


def test_an_erratum_for_one_section_refuses_edits_in_other_files(repo_copy):
    # klimatvaxling is a municipality section: its file is municipality.yaml, and clause.yaml must be untouched.
    for name, old, new in (
        ("municipality.yaml", "1,50 kronor", "2,50 kronor"),
        ("clause.yaml", "sv: Kontraktet\n", "sv: Avtalet\n"),
    ):
        file = repo_copy / "years" / "2023" / name
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    code, out, _ = run(
        repo_copy,
        "erratum",
        "2023",
        "--section",
        "klimatvaxling",
        "--date",
        "2024-02-01",
        "--what-sv",
        "Avgiften rättad till 2,50 kronor.",
        "--why-sv",
        "Skrivfel i den signerade texten.",
    )
    assert code == 1
    assert out.startswith(
        "years/2023/clause.yaml: error: files other than municipality.yaml changed too: clause.yaml ("
    )
    assert "errata:" not in (repo_copy / "years" / "2023" / "contract.yaml").read_text(encoding="utf-8")


def _with_finnish(root: Path) -> None:
    """Configure Finnish as a second translation language (with English's labels under its name)."""
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: sv\n  translations: [en, fi]\n", encoding="utf-8")
    (root / "i18n").mkdir()
    labels = (Path(__file__).resolve().parents[1] / "contract" / "i18n" / "en.yaml").read_text(encoding="utf-8")
    (root / "i18n" / "fi.yaml").write_text(labels, encoding="utf-8")


def test_an_erratum_takes_its_texts_in_every_language_of_the_repository(repo_copy):
    # The erratum's options were --what-sv/--what-en: fixed languages, whatever klimatkontrakt.yaml said.
    from contract.translate import translations

    _with_finnish(repo_copy)
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    code, _, err = run(
        repo_copy, "erratum", "2023", "--section", "klimatvaxling", "--date", "2024-02-01",
        "--what", "sv", "Avgiften rättad.", "--why-sv", "Skrivfel.",
        "--what", "fi", "Maksu korjattu.", "--why", "fi", "Kirjoitusvirhe.",
    )  # fmt: skip
    assert code == 0, err
    erratum = load(repo_copy, "2023").meta.errata[0]
    assert (erratum.what.get("fi"), erratum.why.get("fi"), erratum.what.get("en")) == (
        "Maksu korjattu.",
        "Kirjoitusvirhe.",
        None,
    )
    # Given with the Swedish, the Finnish is that Swedish's translation: recorded as current, in its own column.
    recorded = translations.read_lock(repo_copy / "years" / "2023")
    assert {("fi", "erratum/1/what"), ("fi", "erratum/1/why")} <= set(recorded)
    assert not any(lang == "en" and key.startswith("erratum/") for lang, key in recorded)  # no English was given
    assert run(repo_copy, "validate", "2023")[0] == 0


def _english_source(root: Path) -> None:
    """Make version 2023 an English original: configured so, its notes on English gone, locked again in English."""
    from test_third_language import _strip_english_notes

    from contract.source.yamlwrite import rewrite

    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    for path in sorted((root / "years" / "2023").glob("*.yaml")):
        rewrite(path, _strip_english_notes)  # a source has no translator's note
    for name in ("signed.lock", "translations.lock"):  # signed in Swedish, confirmed from Swedish: not this original
        (root / "years" / "2023" / name).unlink()
    assert run(root, "lock", "2023")[0] == 0


def test_an_erratum_in_a_repository_whose_source_is_english_requires_the_english(repo_copy):
    from contract.translate import translations

    _english_source(repo_copy)
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    text = municipality.read_text(encoding="utf-8")
    municipality.write_text(text.replace("SEK 1.50", "SEK 2.50").replace("1,50 kronor", "2,50 kronor"), "utf-8")
    contract = repo_copy / "years" / "2023" / "contract.yaml"
    before = contract.read_bytes()
    where = ("erratum", "2023", "--section", "klimatvaxling", "--date", "2024-02-01")
    code, out, err = run(repo_copy, *where, "--what-sv", "Avgiften rättad.", "--why-sv", "Skrivfel.")
    assert code == 2 and "--what en TEXT is required: the erratum's what in the source language (en)" in out + err
    assert contract.read_bytes() == before
    code, _, err = run(
        repo_copy, *where, "--what-en", "Fee corrected.", "--why-en", "Typing error.",
        "--what-sv", "Avgiften rättad.", "--why-sv", "Skrivfel.",
    )  # fmt: skip
    assert code == 0, err
    erratum = load(repo_copy, "2023").meta.errata[0]
    assert (erratum.what.get("en"), erratum.why.get("sv")) == ("Fee corrected.", "Skrivfel.")
    recorded = translations.read_lock(repo_copy / "years" / "2023")
    assert {("sv", "erratum/1/what"), ("sv", "erratum/1/why")} <= set(recorded)  # Swedish is the translation here
    assert not any(lang == "en" and key.startswith("erratum/") for lang, key in recorded)  # the original is not
    assert run(repo_copy, "validate", "2023")[0] == 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--what", "de", "x", "--what-sv", "x", "--why-sv", "y"], "--what 'de' is not a language of this repository"),
        (["--what", "en", "x", "--why", "en", "y"], "--what sv TEXT is required: the erratum's what in the source"),
        (["--what-sv", "x", "--what", "sv", "x", "--why-sv", "y"], "--what is given twice in 'sv'"),
        (["--what-sv", "x", "--why-sv", "y", "--what", "en", " "], "--what in 'en' is empty: write the text"),
        (["--what-sv", "", "--why-sv", "y"], "--what in 'sv' is empty"),
    ],
    ids=["unknown-language", "no-source-text", "twice", "empty-translation", "empty-source"],
)
def test_an_erratum_in_a_language_the_repository_lacks_or_without_its_source_text_is_refused(repo_copy, argv, said):
    before = (repo_copy / "years" / "2023" / "contract.yaml").read_bytes()
    code, out, err = run(repo_copy, "erratum", "2023", *argv)
    assert code == 2 and said in out + err, out + err
    assert (repo_copy / "years" / "2023" / "contract.yaml").read_bytes() == before
