"""Red team session 22b: erratum texts in any language, and theme settings of odd shapes in mkdocs.yml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.test_cycle import run

ERRATUM = ("erratum", "2023", "--section", "klimatvaxling", "--date", "2024-02-01")


def _corrected(repo: Path) -> Path:
    """Make the correction an erratum records; return the contract.yaml the erratum must leave alone on refusal."""
    municipality = repo / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    return repo / "years" / "2023" / "contract.yaml"


@pytest.mark.parametrize(
    ("argv", "code", "said"),
    [
        (["--what", "EN", "a"], 2, "--what 'EN' is not a language of this repository"),
        (["--what", "", "a"], 2, "--what '' is not a language of this repository"),
        (["--what-en", "\n\u00a0\u2003\t"], 2, "--what in 'en' is empty"),
        (["--what-en", "a\x1b[31m", "--why-en", "b"], 1, "the character U+001B <control> is a control character"),
        (["--what-en", "x" * 2_000_000, "--why-en", "b"], 1, "more than the limit of 1024 KiB"),
    ],
    ids=["upper-case-language", "empty-language", "unicode-spaces-only", "escape-sequence", "huge"],
)
def test_odd_erratum_texts_and_languages_are_refused_and_nothing_is_written(repo_copy, argv, code, said):
    # Probes that found nothing: each is refused with a clear message and contract.yaml keeps its bytes.
    contract = _corrected(repo_copy)
    before = contract.read_bytes()
    got, out, err = run(repo_copy, *ERRATUM, "--what-sv", "x", "--why-sv", "y", *argv)
    assert got == code and said in out + err, out + err
    assert "Traceback" not in out + err
    assert contract.read_bytes() == before


# DEFECT: a text that is not valid Unicode (a lone surrogate, as a non-UTF-8 byte in a shell argument arrives in
# Python) is reported as "invalid YAML: found invalid Unicode character escape code (check indentation, colons
# and quotes ...)" against years/2023/contract.yaml, exit 1: the user typed no YAML; it is bad usage of --what.
def test_an_erratum_text_that_is_not_unicode_is_bad_usage_not_invalid_yaml(repo_copy):
    contract = _corrected(repo_copy)
    before = contract.read_bytes()
    code, out, err = run(repo_copy, *ERRATUM, "--what-sv", "a\udcffb", "--why-sv", "y")
    assert contract.read_bytes() == before
    assert code == 2 and "invalid YAML" not in out + err and "--what" in out + err, out + err


# DEFECT: --what-en without --why-en is recorded (exit 0): the English reader gets an English "what" next to a
# Swedish "why", and translations.lock records half an English erratum as current. The same language in what but
# not why should be refused like an empty text, exit 2, nothing written.
def test_an_erratum_with_what_but_not_why_in_a_language_is_refused(repo_copy):
    contract = _corrected(repo_copy)
    before = contract.read_bytes()
    code, out, err = run(repo_copy, *ERRATUM, "--what-sv", "x", "--why-sv", "y", "--what-en", "a")
    assert code == 2 and "--why" in out + err, out + err
    assert contract.read_bytes() == before


@pytest.mark.slow  # a full site build each
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("icon: {logo: 5}", "the theme's template logo.html, line 8 failed with the theme settings: TemplateNotFound"),
        ("features: [5]", None),  # Material ignores a feature it does not know: a build
        ("palette: {primary: [1]}", None),  # Material writes the value as a colour name: a build
    ],
    ids=["icon-logo-number", "feature-number", "primary-list"],
)
def test_odd_theme_settings_build_or_are_a_located_error(tmp_path, setting, said):
    # Probes that found nothing: no internal error, and a failure leaves nothing half-built.
    from tests.build_helpers import make_repo

    repo = make_repo(tmp_path / "repo")
    config = repo / "mkdocs.yml"
    key = setting.split(":")[0]
    text = config.read_text(encoding="utf-8")
    text, found = re.subn(rf"\n  {key}:.*?\n(?=  \w)", f"\n  {setting}\n", text, count=1, flags=re.S)
    if not found:
        text = text.replace("\ntheme:\n", f"\ntheme:\n  {setting}\n", 1)
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("site", "--root", repo, "--out", out)
    printed = result.stdout + result.stderr
    assert "internal error" not in printed and "Traceback" not in printed, printed
    if said is None:
        assert result.returncode == 0, printed
        return
    assert result.returncode == 1 and result.stdout.startswith("mkdocs.yml: error: ") and said in printed, printed
    assert sorted(path.name for path in out.iterdir()) == [".klimatkontrakt-output"]
