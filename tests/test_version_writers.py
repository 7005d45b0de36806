"""One lock or erratum of a version at a time, and what a killed new-year left: who may remove what."""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from contract.cli.main import main


def _run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def _gone_pid() -> int:
    """Return the id of a process that has ended."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_new_year_removes_only_a_staging_folder_whose_maker_is_gone(repo_copy):
    years = repo_copy / "years"
    dead = years / f".2030.tmp-{_gone_pid()}-abcd_123"  # killed: no clean-up ran
    live = years / f".2024.tmp-{os.getpid()}-abcdefgh"  # a run still going (here: this one)
    users = [years / ".2024.tmp-mine", years / ".2024.tmp-notapid-abcdefgh"]  # not names the tool gives
    for folder in (dead, live, *users):
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "contract.yaml").write_text("x\n", encoding="utf-8")
    os.chmod(dead / "sub", 0o555)  # a copied folder keeps its source's permissions
    (years / "2023" / "signed.lock").unlink()
    contract = years / "2023" / "contract.yaml"
    contract.write_text(contract.read_text(encoding="utf-8").replace("status: signed", "status: draft"), "utf-8")
    code, out, err = _run(repo_copy, "new-year", "2024")
    assert code == 0, out + err
    assert sorted(p.name for p in years.iterdir()) == sorted(["2023", "2024", live.name, *(u.name for u in users)])


def test_an_erratum_while_another_writer_holds_the_version_refuses_and_writes_nothing(repo_copy):
    municipality = repo_copy / "years" / "2023" / "municipality.yaml"
    municipality.write_text(municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), "utf-8")
    before = {p.name: p.read_bytes() for p in (repo_copy / "years" / "2023").iterdir()}
    lock = repo_copy / ".cache" / "versions" / "2023.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        code, out, err = _run(repo_copy, "erratum", "2023", "--what-sv", "A", "--why-sv", "A")
    assert (code, err) == (1, "")
    assert out.startswith(
        "years/2023: error: another klimatkontrakt lock or erratum of version 2023 is running (process 4242)"
    )
    assert {p.name: p.read_bytes() for p in (repo_copy / "years" / "2023").iterdir()} == before
    assert _run(repo_copy, "erratum", "2023", "--what-sv", "A", "--why-sv", "A", "--date", "2024-02-01")[0] == 0
