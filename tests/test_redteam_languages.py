"""Red-team of the repository's languages: each test reproduces a defect found by attacking a copy of the repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from build_helpers import make_repo, run
from cli_runner import run_cli
from lxml import html

from contract.errors import ContractError, UsageError
from contract.source.languages import load_languages

ROOT = Path(__file__).resolve().parents[1]


def _config(root: Path, translations: str) -> None:
    (root / "klimatkontrakt.yaml").write_text(
        f"languages:\n  source: sv\n  translations: {translations}\n", encoding="utf-8"
    )


def _labels(root: Path, code: str, **replaced: str) -> None:
    """Write i18n/<code>.yaml: the English labels with some replaced (test data, not a translation)."""
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8").splitlines()
    lines = [line for line in english if line.split(":", 1)[0] not in replaced]
    lines += [f"{key}: {json.dumps(value)}" for key, value in replaced.items()]
    (root / "i18n").mkdir(exist_ok=True)
    (root / "i18n" / f"{code}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _errors(root: Path) -> list[str]:
    with pytest.raises(ContractError) as caught:
        load_languages(root)
    return [f"{d.pos}: {d.message} ({d.hint})" for d in caught.value.diagnostics]


def _labels(root: Path, code: str, **replaced: str) -> None:
    """Write i18n/<code>.yaml: the English labels with some replaced (test data, not a translation)."""
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8").splitlines()
    lines = [line for line in english if line.split(":", 1)[0] not in replaced]
    lines += [f"{key}: {json.dumps(value)}" for key, value in replaced.items()]
    (root / "i18n").mkdir(exist_ok=True)
    (root / "i18n" / f"{code}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the config


def test_a_code_with_a_trailing_line_break_is_not_a_language_code(tmp_path):
    # Python's $ matches before a final line break, so the schema's ^[a-z]{2,3}$ took "fi\n".
    _config(tmp_path, '[en, "fi\\n"]')
    errors = _errors(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("klimatkontrakt.yaml:3:") and "'fi\\n' is not a language code" in errors[0]


def test_a_labels_path_that_is_a_folder_is_a_located_error(tmp_path):
    # It used to make every command fail without a word (build: exit 1, nothing printed; validate: 0 errors).
    _config(tmp_path, "[en, fit]")
    (tmp_path / "i18n" / "fit.yaml").mkdir(parents=True)
    assert _errors(tmp_path) == [
        "i18n/fit.yaml: the labels file is not a regular file "
        "(replace it with a file: copy contract/i18n/en.yaml and translate its values)"
    ]


@pytest.mark.parametrize("target", ["folder", "missing"])
def test_a_labels_link_to_a_folder_or_nowhere_is_refused_as_a_link(tmp_path, target):
    _config(tmp_path, "[en, fit]")
    (tmp_path / "folder").mkdir()
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "en.yaml").symlink_to(tmp_path / target)  # a shipped language's labels too
    errors = _errors(tmp_path)
    assert len(errors) == 2 and errors[0].startswith("i18n/en.yaml:1:1: the file is a symbolic link")


@pytest.mark.slow  # a whole version is loaded and checked
@pytest.mark.parametrize("command", ["validate", "outline"])
def test_a_labels_path_that_is_a_folder_stops_commands_with_a_message(repo_copy, command):
    _config(repo_copy, "[en, fit]")
    (repo_copy / "i18n" / "fit.yaml").mkdir(parents=True)
    result = run_cli(command, "2023", "--root", repo_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "i18n/fit.yaml: error: the labels file is not a regular file" in result.stdout + result.stderr


def test_a_label_with_an_unknown_field_is_a_located_error(tmp_path):
    # A translator's stray {name} or { in a label crashed the build: "internal error: KeyError".
    _config(tmp_path, "[en, fit]")
    _labels(tmp_path, "fit", translation_missing="Puuttuu {oops}", contents="Sisältö {", cover_between="{0} ja")
    errors = _errors(tmp_path)
    assert len(errors) == 3
    by_key = {key: next(e for e in errors if f"'{key}'" in e) for key in ("translation_missing", "contents")}
    assert by_key["translation_missing"].startswith("i18n/fit.yaml:")
    assert "unknown field {oops}" in by_key["translation_missing"]
    assert "a lone '{' or '}'" in by_key["contents"] and "write {{ or }}" in by_key["contents"]
    assert any("'cover_between'" in e and "unknown field {0}" in e for e in errors)


def test_a_label_may_use_its_fields_and_doubled_braces(tmp_path):
    _config(tmp_path, "[en, fit]")
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8")
    assert "{municipality}" in english  # the cover line's fields, used in another order below
    _labels(tmp_path, "fit", cover_between="{programme} {{x}} {agencies} {municipality}")
    assert load_languages(tmp_path).translations == ("en", "fit")


# ---------------------------------------------------------------- --lang


def test_an_empty_lang_is_bad_usage_not_the_default():
    languages = load_languages(ROOT)
    with pytest.raises(UsageError, match="--lang '' is not a language"):
        languages.check("")
    with pytest.raises(UsageError, match="--lang '' is not a translation language"):
        languages.check_translation("")


@pytest.mark.parametrize(
    "argv",
    [
        ("outline", "2023"),
        ("export", "2023", "--format", "markdown"),
        ("translations", "2024"),
        ("glossary",),
        ("diff", "2023", "2024"),
        ("history", "syftet-med-klimatkontrakt-2030"),
        ("docx", "2023", "--out", "/nonexistent-folder/x.docx"),
    ],
)
def test_an_empty_lang_exits_2_on_every_command(argv):
    result = run_cli(*argv, "--lang", "", "--root", ROOT)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--lang ''" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- label characters


def test_a_label_with_a_character_no_output_can_show_is_a_located_error(tmp_path):
    # A NUL in a label stopped the build at Typst with no file or line; a direction override reordered the PDF's
    # words silently. Labels are printed in the PDF like contract texts, so the same character check applies.
    _config(tmp_path, "[en, fit]")
    _labels(tmp_path, "fit", contents="Sis\u202eältö", translation_missing="Puuttuu\u0000", page="Sivu {page} \ue000")
    errors = _errors(tmp_path)
    assert len(errors) == 3
    assert all(e.startswith("i18n/fit.yaml:") for e in errors)
    assert any("U+202E RIGHT-TO-LEFT OVERRIDE changes the direction" in e for e in errors)
    assert any("U+0000" in e and "control character" in e for e in errors)
    assert any("U+E000" in e and "private-use" in e for e in errors)


# ---------------------------------------------------------------- switching the source language


@pytest.mark.slow  # a whole version is loaded and checked
def test_switching_the_source_language_is_refused_for_a_signed_version(repo_copy):
    # 2023 was signed in Swedish. With source: en the build made the English PDF the signed original (with the
    # signature fields) and called the signed Swedish a stale translation; validate said nothing.
    (repo_copy / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    result = run_cli("validate", "2023", "--root", repo_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert (
        "klimatkontrakt.yaml:2:11: error: version 2023 was signed in Swedish (sv), but the source language is en" in out
    )
    assert "Traceback" not in out
    pdf = repo_copy / "2023-en.pdf"  # nor does any other command make the English the signed original
    result = run_cli("pdf", "2023", "--out", pdf, "--root", repo_copy)
    assert result.returncode == 1 and "was signed in Swedish (sv)" in result.stdout + result.stderr
    assert not pdf.exists()


def test_a_lock_names_the_language_signed_and_old_locks_were_swedish(tmp_path):
    from contract.versions import locking

    folder = tmp_path / "2030"
    folder.mkdir()
    locking.write_lock(folder, locking.Lock("2030", "2030-01-01", language="fi"))
    assert "language: fi" in (folder / "signed.lock").read_text(encoding="utf-8")
    assert locking.read_lock(folder).language == "fi"
    assert locking.read_lock(ROOT / "years" / "2023").language == "sv"  # written before languages were configurable
    locking.write_lock(folder, locking.Lock("2030", "2030-01-01"))
    assert "language" not in (folder / "signed.lock").read_text(encoding="utf-8")  # Swedish locks stay as they were


# ---------------------------------------------------------------- labels formatted twice


def test_a_footnote_label_with_braces_or_percent_d_is_text_in_the_backlink(tmp_path):
    # Python-Markdown formats BACKLINK_TITLE again ("%d" -> "{}", then .format(number)): a label's literal
    # "{{ 7*7 }}" crashed the build with "internal error: KeyError: ' 7*7 '", a literal "%d" with an IndexError.
    import markdown

    from contract.build.site import backlink_title

    _config(tmp_path, "[en, fit]")
    _labels(tmp_path, "fit", site_footnote_back="Takaisin {{ 7*7 }} 100%d alaviitteeseen {number}")
    load_languages(tmp_path)
    page = markdown.markdown(
        "Teksti[^1]\n\n[^1]: Alaviite",
        extensions=["footnotes"],
        extension_configs={"footnotes": {"BACKLINK_TITLE": backlink_title("fit")}},
    )
    assert 'title="Takaisin { 7*7 } 100%\u2060d alaviitteeseen 1"' in page


# ---------------------------------------------------------------- labels in the site

ATTACK = "\"'><script>alert(9)</script>{{ 7*7 }}"  # a label breaking out of an attribute, and braces
TYPST = ' #eval("1") $x$ @ref'  # Typst markup: stays text in the PDF
SHOWN = ATTACK.replace("{{", "{").replace("}}", "}")  # the label as a reader sees it


@pytest.fixture(scope="module")
def hostile_labels(tmp_path_factory) -> Path:
    """A committed copy with a third language whose every label (test data) tries to break out of HTML."""
    from ruamel.yaml import YAML

    root = make_repo(tmp_path_factory.mktemp("hostile") / "repo")
    _config(root, "[en, fit]")
    english = YAML(typ="safe").load((ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8"))
    hostile = {
        key: f"X{key}{ATTACK}{TYPST} " + " ".join(sorted(set(re.findall(r"\{\w+\}", text))))
        for key, text in english.items()
    }
    _labels(root, "fit", **hostile)
    code, out, err = run(root)
    assert code == 0, out + err
    return root


@pytest.mark.slow  # a full build
def test_labels_stay_text_in_every_page_of_the_site(hostile_labels):
    # The site name, the nav titles and the light/dark switch went into Material's templates unescaped:
    # aria-label="Xcontract_title"'><script>alert(9)</script> in every page of the Meänkieli site.
    pages = sorted((hostile_labels / "site").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(9)" not in text, page
        assert "'><script" not in text, page
    home = html.fromstring((hostile_labels / "site/fit/index.html").read_bytes())
    logo = home.xpath("//a[contains(@class, 'md-logo')]")[0]
    assert logo.get("aria-label") == f"Xcontract_title{SHOWN}{TYPST} "
    assert not [s for s in home.iter("script") if "alert" in (s.text or "")]


@pytest.mark.slow  # two whole versions' loads and an erratum
def test_check_signed_refuses_a_signed_language_changed_together_with_an_erratum(repo_copy):
    # An erratum made by the tool let every other field of the lock change unnoticed but version, date and PDFs:
    # with "language: en" added by hand the switched source passed validate and check-signed.
    from test_signed_lock import ERRATUM, YEAR, correct_the_fee, git

    git(repo_copy, "init", "-q", "-b", "main")
    git(repo_copy, "add", "-A")
    git(repo_copy, "commit", "-q", "-m", "base")
    correct_the_fee(repo_copy)
    assert run_cli("erratum", "2023", "--section", "klimatvaxling", *ERRATUM, "--root", repo_copy).returncode == 0
    lock = repo_copy / YEAR / "signed.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")
    result = run_cli("check-signed", "--base", "main", "--root", repo_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "its version, signing date, signed language, signed PDFs or their contracts' hashes differ" in result.stdout


# ---------------------------------------------------------------- labels read again


def test_an_edited_labels_file_is_read_again_when_the_languages_are(tmp_path):
    # The labels were cached by path for the life of the process: a second build in one process (serve's
    # rebuilds, a test's in-process builds) rendered the old labels under the new labels' cache key.
    from contract.render import labels

    _config(tmp_path, "[en, fit]")
    _labels(tmp_path, "fit", contents="Ensimmäinen")
    load_languages(tmp_path)
    assert labels.label("fit", "contents") == "Ensimmäinen"
    _labels(tmp_path, "fit", contents="Toinen")
    load_languages(tmp_path)
    assert labels.label("fit", "contents") == "Toinen"


@pytest.mark.slow  # reads the full build's PDF
def test_labels_stay_text_in_the_translation_pdf(hostile_labels):
    # Held: Typst markup in a label (#eval, $, @, braces) is printed as the label's words.
    import subprocess

    pdf = hostile_labels / "site/downloads/2023/klimatkontrakt-2023-fit.pdf"
    words = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert f"Xcontents{SHOWN}{TYPST}" in " ".join(words.split())  # pdftotext breaks lines where the PDF does
