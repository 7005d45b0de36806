"""Red team session 18: lazy PDF workers, another source language, per-language redline flags, -o rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "2023", "--format", "markdown", "-o", "-"),
        ("diff", "2023", "2024", "-o", "-"),
        ("diff", "2023", "2024", "--format", "json", "--output", "-"),
    ],
)
def test_dash_as_output_is_refused_not_written_as_a_file_named_dash(tmp_path, argv):
    result = run_cli("--root", ROOT, *argv, cwd=tmp_path)
    assert result.returncode == 2
    assert "'-' is not taken for standard output here" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
