"""Red team 59: input files of verify/sign — pipes whose writer never writes, devices given twice.

Each test says what a user expects. Tests that fail on the current code are defects; test_held_… ones held.
Every file is written under tmp_path, never in the repository's years/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _cli(*args: str, stdin=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), *args],
        stdin=stdin, capture_output=True, text=True, env=ENV, timeout=timeout,  # timeout: a hang guard only
    )  # fmt: skip


def test_same_device_as_key_and_cert_says_which_input_each_line_is(tmp_path):
    """`sign PDF --key /dev/null --cert /dev/null`: every other unreadable input says what it was ("cannot read
    the key", "cannot read the certificate"). Expected: the two lines for /dev/null tell key from certificate.
    Actual: two identical lines "/dev/null: error: this is not a file but a device or socket, which is never read"
    — the user cannot tell which option to fix, and the same file given twice reads as a duplicated message."""
    pdf = tmp_path / "kontrakt.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = run_cli(
        "--root", ROOT, "sign", pdf, "--party", "boras-stad", "--key", "/dev/null", "--cert", "/dev/null",
        "-o", tmp_path / "out.pdf",
    )  # fmt: skip
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("/dev/null")]
    assert len(lines) == 2, result.stdout
    assert lines[0] != lines[1], result.stdout
    assert "key" in lines[0] and "certificate" in lines[1], result.stdout


def test_held_every_bad_sign_input_named_at_once(tmp_path):
    """A symlink loop as PDF, a device as key, a folder as certificate and a folder as passphrase file: all four
    named at once, exit 1 (held)."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "dir").mkdir()
    result = run_cli(
        "--root", ROOT, "sign", tmp_path / "a", "--party", "boras-stad", "--key", "/dev/zero",
        "--cert", tmp_path / "dir", "--passphrase-file", tmp_path / "dir", "-o", tmp_path / "out.pdf",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout.count("error:") == 4, result.stdout
    assert "passphrase file" in result.stdout and "certificate" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("step", ["rendering", "staged"])
def test_held_ctrl_c_then_sigterm_to_the_group_at_a_fault_point(tmp_path, step):
    """Ctrl-C at a terminal (SIGINT to the whole group), then an impatient `kill` (SIGTERM to the group), while
    `build.py --jobs 3` waits at step. Expected: exit 130 or 143, "interrupted" on stderr only, no worker left, no
    .site* staging folder."""
    import signal

    from build_helpers import make_repo
    from processes import no_stray, pool_workers, start_paused

    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, step, "--jobs", "3", own_group=True)
    workers = pool_workers(build.pid)
    os.killpg(build.pid, signal.SIGINT)
    os.killpg(build.pid, signal.SIGTERM)
    os.close(resume)
    out, err = build.communicate(timeout=120)
    assert build.returncode in (130, 143), (build.returncode, err)
    assert "interrupted" in err and "interrupted" not in out
    assert "Traceback" not in err, err
    no_stray(workers)
    assert not [p.name for p in repo.iterdir() if p.name.startswith(".site") and p.name != ".site.lock"]


@pytest.mark.slow
@pytest.mark.parametrize("step", ["validating", "rendering", "staged"])
def test_held_three_sigterms_to_the_build_alone(tmp_path, step):
    """`kill PID; kill PID; kill PID` (the build only, not its group) at step. Expected: exit 143, "interrupted" on
    stderr only, no worker left behind (they are not in the signal's reach), no .site* staging folder."""
    import signal

    from build_helpers import make_repo
    from processes import no_stray, pool_workers, start_paused

    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, step, "--jobs", "3", own_group=True)
    workers = pool_workers(build.pid)
    for _ in range(3):
        os.kill(build.pid, signal.SIGTERM)
    os.close(resume)
    out, err = build.communicate(timeout=120)
    assert build.returncode == 143, (build.returncode, err)
    assert "interrupted" in err and "interrupted" not in out
    assert "Traceback" not in err, err
    no_stray(workers)
    assert not [p.name for p in repo.iterdir() if p.name.startswith(".site") and p.name != ".site.lock"]


def test_lock_names_the_missing_pdf_with_the_bad_trust_files(tmp_path):
    """`lock 2023 --pdf MISSING.pdf --trust /dev/null --trust LOOP`: every unreadable input named at once, as sign,
    seal and verify do (verify MISSING.pdf --trust /dev/null names both). Expected: the missing PDF is named too.
    Actual: only the two --trust files are named; the user fixes them and only then learns the PDF is missing."""
    from build_helpers import make_repo

    repo = make_repo(tmp_path / "repo")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    missing = tmp_path / "undertecknat.pdf"
    result = run_cli(
        "--root", repo, "lock", "2023", "--pdf", missing, "--trust", "/dev/null", "--trust", tmp_path / "a"
    )
    assert result.returncode == 1
    assert "/dev/null" in result.stdout and str(tmp_path / "a") in result.stdout
    assert str(missing) in result.stdout, result.stdout


def test_translations_import_symlink_loop_is_not_called_missing(tmp_path):
    """`translations 2024 --lang en --import loop.xlf`, loop.xlf a symbolic link to itself (`ln -s loop.xlf
    loop.xlf`, a botched link). sign/verify/lock say "Too many levels of symbolic links". Expected: the error says
    the path is a link loop (or at least not that it is missing). Actual: "there is no such file" — the user sees
    loop.xlf in `ls` and is told it does not exist."""
    from build_helpers import make_repo

    repo = make_repo(tmp_path / "repo")
    loop = tmp_path / "loop.xlf"
    loop.symlink_to(loop.name)
    result = run_cli("--root", repo, "translations", "2024", "--lang", "en", "--import", loop)
    assert result.returncode == 1
    assert str(loop) in result.stdout
    assert "no such file" not in result.stdout, result.stdout
