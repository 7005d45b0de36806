"""The GitHub workflows lint clean offline, and the commands they run work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _steps():
    for workflow in WORKFLOWS:
        data = YAML(typ="safe").load(workflow.read_text(encoding="utf-8"))
        for job in data["jobs"].values():
            yield from job["steps"]


def test_workflows_follow_the_github_schema():
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_even_pedantic():
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--persona", "pedantic", ROOT / ".github" / "workflows"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_actions_are_pinned_by_commit_and_untrusted_triggers_are_absent():
    uses = [step["uses"] for step in _steps() if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    for workflow in WORKFLOWS:
        assert "pull_request_target" not in workflow.read_text(encoding="utf-8")


def test_the_workflows_run_only_commands_that_the_tests_exercise():
    commands = sorted({step["run"] for step in _steps() if "run" in step})
    assert (
        commands
        == sorted(
            {
                "bash .ci/install",  # run by .ci/run before these tests
                "bash .ci/install --python-only",  # the same, without apt and npm
                "ruff check .",  # run by .ci/run
                "ruff format --check .",  # run by .ci/run
                "mypy",  # run by .ci/run
                'python -m pytest -m "not slow"',  # the fast lane: a subset of what .ci/run runs
                "python -m pytest",  # run by .ci/run
                "bash .ci/validate github",  # test_validate_script_*
                'klimatkontrakt check-signed --base "origin/$BASE_REF" --format github',  # tests/test_signed_lock.py
                'python build.py --site-url "$SITE_URL"',  # tests/test_build.py (publish.yml: the Pages address)
                "python build.py --drafts",  # tests/test_build.py
                'bash .ci/pr-redline "origin/$BASE_REF" > redline.md',  # test_pr_redline_*
                'gh pr comment "$PR_NUMBER" --repo "$REPOSITORY" --body-file redline.md --edit-last --create-if-none',  # needs GitHub
            }
        )
    )


def _script(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", ROOT / ".ci" / name, *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_validate_script_prints_annotations_and_checks_signed_versions_strictly(repo_copy):
    result = _script("validate", "github", cwd=repo_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("::notice file=years/2023/municipality.yaml,line=")
    clause = repo_copy / "years" / "2023" / "clause.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("      en: The contract\n", ""), encoding="utf-8")
    result = _script("validate", "github", cwd=repo_copy)
    assert result.returncode == 1
    assert (
        "::error file=years/2023/clause.yaml,line=7,col=7::English translation missing (kontraktet/title)"
        in result.stdout
    )


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_pr_redline_shows_the_changed_version_against_the_base(repo_copy):
    _git(repo_copy, "init", "-q", "-b", "main")
    _git(repo_copy, "add", "-A")
    _git(repo_copy, "commit", "-q", "-m", "base")
    _git(repo_copy, "checkout", "-q", "-b", "edit")
    clause = repo_copy / "years" / "2023" / "clause.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("gälla för 2024", "gälla för 2025"), encoding="utf-8")
    _git(repo_copy, "commit", "-q", "-am", "edit")
    result = _script("pr-redline", "main", cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!-- klimatkontrakt-redline -->\n")
    assert "2024" in result.stdout and "2025" in result.stdout


def test_pr_redline_says_when_nothing_changed(repo_copy):
    _git(repo_copy, "init", "-q", "-b", "main")
    _git(repo_copy, "add", "-A")
    _git(repo_copy, "commit", "-q", "-m", "base")
    result = _script("pr-redline", "main", cwd=repo_copy)
    assert (result.returncode, result.stdout) == (
        0,
        "<!-- klimatkontrakt-redline -->\nThis pull request changes no contract version.\n",
    )
