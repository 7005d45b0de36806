"""Issue #14's output-safety leftovers: what -o may remove or replace, how results are recognised, the PDF cache key."""

from __future__ import annotations

import subprocess
from pathlib import Path

from contract.output.files import drop_temporaries_of
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _dead_pid() -> int:
    """Return the process id of a process that has ended and been reaped."""
    process = subprocess.Popen(["true"])
    assert process.wait() == 0
    return process.pid


# ---------------------------------------------------------------- 1. only the written output's own leftovers go


def test_another_files_dead_temporary_in_the_output_folder_stays(tmp_path):
    dead = _dead_pid()
    others = {
        f".notes.txt.{dead}.tmp": "another tool's file, named like ours",
        f".2022.md.{dead}.tmp": "another output's leftover: not this run's to judge",
        f".2023.md.x.{dead}.tmp": "a longer name that starts alike",
    }
    for name, text in others.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / f".2023.md.{dead}.tmp").write_text("half an export", encoding="utf-8")
    result = run_cli("--root", ROOT, "export", "2023", "--format", "markdown", "-o", tmp_path / "2023.md")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        f"removed {tmp_path / f'.2023.md.{dead}.tmp'}, left by an interrupted run\nwrote {tmp_path / '2023.md'}\n"
    )
    assert {name: (tmp_path / name).read_text(encoding="utf-8") for name in others} == others
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*others, "2023.md"])


def test_a_name_with_glob_characters_drops_only_its_own_leftover(tmp_path):
    dead = _dead_pid()
    (tmp_path / f".a[1].md.{dead}.tmp").write_text("half\n", encoding="utf-8")
    (tmp_path / f".a1.md.{dead}.tmp").write_text("another's\n", encoding="utf-8")
    assert drop_temporaries_of(tmp_path / "a[1].md") == [f".a[1].md.{dead}.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".a1.md.{dead}.tmp"]
