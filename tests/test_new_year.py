"""new-year run twice at once, or beside a version made meanwhile: one wins, the other says so and leaves nothing."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from contract.cli.main import main
from tests.processes import start_command_paused

ROOT = Path(__file__).resolve().parents[1]


def _run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _paused_new_year(root: Path):
    """Start new-year 2024 as a process, paused with its draft finished, just before it takes the name years/2024."""
    argv = [sys.executable, "-m", "contract", "--root", str(root), "new-year", "2024"]
    return start_command_paused(argv, "new-year-staged", lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), ROOT)


def _finish(process, resume: int) -> tuple[int, str, str]:
    os.close(resume)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_two_new_year_runs_at_once_make_one_version_and_the_other_says_so(repo_copy):
    first, resume = _paused_new_year(repo_copy)
    # The second run starts and ends while the first holds its finished draft: it does not touch the first's folder.
    code, out, err = _run(repo_copy, "new-year", "2024")
    assert code == 0, out + err
    made = _tree(repo_copy / "years" / "2024")
    code, out, err = _finish(first, resume)
    assert code == 1, out + err
    assert out.startswith("years/2024: error: version 2024 was made meanwhile"), out + err
    assert "Traceback" not in err, err
    assert sorted(p.name for p in (repo_copy / "years").iterdir()) == ["2023", "2024"]
    assert _tree(repo_copy / "years" / "2024") == made


def test_new_year_never_replaces_an_empty_folder_made_meanwhile(repo_copy):
    first, resume = _paused_new_year(repo_copy)
    (repo_copy / "years" / "2024").mkdir()  # a rename would put the draft in its place: someone's folder
    (repo_copy / "years" / ".2024.tmp").mkdir()  # a user's folder of that name is never touched either
    code, out, err = _finish(first, resume)
    assert code == 1 and "years/2024: error:" in out, out + err
    assert sorted(p.name for p in (repo_copy / "years").iterdir()) == [".2024.tmp", "2023", "2024"]
    assert not any((repo_copy / "years" / "2024").iterdir())
