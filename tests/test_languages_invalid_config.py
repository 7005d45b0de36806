"""An invalid klimatkontrakt.yaml: validate reports its errors, located, and nothing computed from default languages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import run_cli
from test_third_language import draft_alone


@pytest.fixture(scope="module")
def english_source(tmp_path_factory) -> Path:
    """Version 2024 with English as its source: one text has no Swedish (right there, wrong for the defaults)."""
    return draft_alone(tmp_path_factory.mktemp("english-config") / "repo")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "languages:\n  source: EN\n  translations: [sv]\n",
            ["klimatkontrakt.yaml:2:11: error: languages.source: 'EN'"],
        ),
        ("languages:\n  source: en\n  translations: [sv]\n  extra: 1\n", ["klimatkontrakt.yaml:4:3: error: unknown"]),
        ("languages:\n  source: en\n  translations: sv\n", ["klimatkontrakt.yaml:3:17: error: languages.translations"]),
        (
            "languages:\n  source: 3\n  translations: [sv, sv]\n",
            ["klimatkontrakt.yaml:2:11: error: languages.source: expected text"],
        ),
    ],
    ids=["bad-code", "unknown-key", "wrong-type", "number"],
)
def test_only_the_configuration_errors_are_reported(english_source, tmp_path, config, expected):
    root = shutil.copytree(english_source, tmp_path / "repo")
    (root / "klimatkontrakt.yaml").write_text(config, encoding="utf-8")
    result = run_cli("validate", "--root", root)
    assert result.returncode == 1, result.stdout + result.stderr
    found = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert found and all(line.startswith("klimatkontrakt.yaml:") for line in found), result.stdout
    assert all(any(line.startswith(e) for line in found) for e in expected), found
    assert "'sv' is missing" not in result.stdout + result.stderr
    as_json = json.loads(run_cli("validate", "--format", "json", "--root", root).stdout)
    assert {d["file"] for d in as_json["diagnostics"]} == {"klimatkontrakt.yaml"}


def test_with_the_configuration_right_the_same_repository_is_valid(english_source, tmp_path):
    root = shutil.copytree(english_source, tmp_path / "repo")
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: en\n  translations: [sv]\n", encoding="utf-8")
    result = run_cli("validate", "--root", root)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert not [line for line in errors if "'sv'" in line], errors  # the text without Swedish is right here
    assert "Swedish translation missing (syftet-med-klimatkontrakt-2030/1)" in result.stdout
