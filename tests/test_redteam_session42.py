"""Red team 42: the signed-version protection, erratum and lock, the version lock file, and closed outputs.

Each test reproduces a defect the red team found in the lock files and closed standard streams; all are fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_redteam_session41 import ERRATUM_TEXTS, FOLDER, _edit, run

ROOT = Path(__file__).resolve().parents[1]


def test_a_version_lock_file_hard_linked_to_a_contract_file_does_not_overwrite_it(repo_copy):
    """open_lock refuses a symbolic link, but a hard link is the same file: ftruncate and the PID land in it."""
    contract = repo_copy / FOLDER / "contract.yaml"
    (repo_copy / ".cache" / "versions").mkdir(parents=True)
    os.link(contract, repo_copy / ".cache" / "versions" / "2023.lock")  # `.cache/` is ignored by git: no one sees it
    before = contract.read_bytes()
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    run(repo_copy, "erratum", "2023", "--section", "klimatvaxling", "--date", "2024-02-01", *ERRATUM_TEXTS)
    assert contract.read_bytes()[:80] == before[:80], f"contract.yaml now reads {contract.read_bytes()[:20]!r}"


def test_lock_through_a_hard_linked_version_lock_file_leaves_signed_lock_as_it_was(repo_copy):
    signed = repo_copy / FOLDER / "signed.lock"
    (repo_copy / ".cache" / "versions").mkdir(parents=True)
    os.link(signed, repo_copy / ".cache" / "versions" / "2023.lock")
    before = signed.read_bytes()
    _, out, err = run(repo_copy, "lock", "2023")  # the version is unchanged: nothing to record
    assert signed.read_bytes() == before, f"signed.lock now reads {signed.read_bytes()[:20]!r}: {out + err}"


def test_the_build_s_output_lock_hard_linked_to_the_configuration_does_not_overwrite_it(repo_copy):
    config = repo_copy / "klimatkontrakt.yaml"
    config.write_text("languages:\n  source: sv\n  translations: [en]\n", encoding="utf-8")
    before = config.read_bytes()
    os.link(config, repo_copy / ".site.lock")  # the build's lock file beside its output folder site/
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo_copy)], capture_output=True, cwd=ROOT, check=False
    )
    assert config.read_bytes() == before, f"klimatkontrakt.yaml now reads {config.read_bytes()!r} ({done.returncode})"


def test_a_version_lock_file_that_is_a_fifo_is_named_in_the_error(repo_copy):
    (repo_copy / ".cache" / "versions").mkdir(parents=True)
    os.mkfifo(repo_copy / ".cache" / "versions" / "2023.lock")
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    code, out, err = run(repo_copy, "erratum", "2023", "--date", "2024-02-01", *ERRATUM_TEXTS)
    assert code == 1
    assert "2023.lock" in out + err, f"the error names no file: {(out + err).strip()}"


@pytest.mark.parametrize("program", [["build.py"], ["-m", "contract"]], ids=["build.py", "klimatkontrakt"])
def test_a_build_started_without_standard_error_builds_the_site(repo_copy, program):
    """`build 2>&-` (a service started without stderr): sys.stderr is None, and `sys.stderr.isatty()` fails."""
    argv = [sys.executable, *program, "--root", str(repo_copy)] + (["build"] if "-m" in program else [])
    done = subprocess.run(
        argv,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        check=False,
        preexec_fn=lambda: os.close(2),
    )
    assert done.returncode == 0, done.stdout.decode()[-300:]
    assert (repo_copy / "site" / "index.html").is_file()
