"""Red team 43: a leftover write journal and staging folders, as a careless or hostile hand leaves them in years/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_redteam_session41 import run

from contract.output.files import JOURNAL

ROOT = Path(__file__).resolve().parents[1]


def _journal(folder: Path, pid: object, renames: list) -> None:
    (folder / JOURNAL).write_text(json.dumps({"pid": pid, "renames": renames}), encoding="utf-8")


def test_a_journal_never_renames_through_a_link_in_a_subfolder(repo_copy):
    outside = repo_copy / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("ORIGINAL", encoding="utf-8")
    (outside / ".precious.txt.12345.tmp").write_text("REPLACED", encoding="utf-8")
    folder = repo_copy / "years" / "2023"
    (folder / "sub").mkdir()
    (folder / "sub" / "lnk").symlink_to("../../../outside")
    _journal(folder, 12345, [["sub/lnk/.precious.txt.12345.tmp", "sub/lnk/precious.txt"]])
    run(repo_copy, "versions")
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "ORIGINAL"


def test_a_journal_never_renames_a_running_processs_temporary_file(repo_copy):
    folder = repo_copy / "years" / "2023"
    before = (folder / "contract.yaml").read_bytes()
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        (folder / f".contract.yaml.{other.pid}.tmp").write_text("garbage: [", encoding="utf-8")
        _journal(folder, 999999, [[f".contract.yaml.{other.pid}.tmp", "contract.yaml"]])
        assert run(repo_copy, "validate", "2023")[0] == 0
    finally:
        other.communicate(b"")
    assert (folder / "contract.yaml").read_bytes() == before


def test_a_journal_with_a_huge_pid_or_deep_nesting_is_left_alone(repo_copy):
    folder = repo_copy / "years" / "2023"
    for text in ('{"pid": 99999999999999999999, "renames": []}', "[" * 200000):
        (folder / JOURNAL).write_text(text, encoding="utf-8")
        code, out, err = run(repo_copy, "validate", "2023")
        assert code == 0 and "internal error" not in out + err, out + err


def test_new_year_passes_over_a_staging_folder_whose_pid_no_process_can_have(repo_copy):
    stray = repo_copy / "years" / ".2024.tmp-9999999999-abcdefgh"
    stray.mkdir()
    (stray / "f").write_text("keep", encoding="utf-8")
    code, out, err = run(repo_copy, "new-year", "2024")
    assert code == 0, out + err
    assert (stray / "f").read_text(encoding="utf-8") == "keep"


def test_reading_a_version_leaves_other_tools_temporary_files(repo_copy):
    folder = repo_copy / "years" / "2023"
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    other = folder / f".notes.txt.{os.getpid() + 999999}.tmp"
    other.write_text("another tool's draft", encoding="utf-8")
    run(repo_copy, "versions")
    assert other.read_text(encoding="utf-8") == "another tool's draft"
