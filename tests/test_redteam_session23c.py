"""Red team 23c: the erratum command attacked with interrupted runs and odd dates."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.source.load import load

ERRATUM = ("erratum", "2023", "--section", "klimatvaxling", "--what-sv", "Avgiften rättad.", "--why-sv", "Skrivfel.")


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def _correct(root: Path) -> None:
    """Make the correction in the YAML that the erratum then records."""
    municipality = root / "years" / "2023" / "municipality.yaml"
    text = municipality.read_text(encoding="utf-8")
    municipality.write_text(text.replace("1,50 kronor", "2,50 kronor"), encoding="utf-8")


@pytest.mark.slow  # about 1.5 s: two errata, each validating the version twice
def test_an_erratum_run_again_after_it_was_killed_half_way_records_it_once(repo_copy):
    _correct(repo_copy)
    folder = repo_copy / "years" / "2023"
    locks = {name: (folder / name).read_bytes() for name in ("signed.lock", "translations.lock")}
    assert run(repo_copy, *ERRATUM, "--date", "2024-02-01")[0] == 0
    # The state SIGKILL leaves between the writes: contract.yaml has the erratum, the locks are those from before.
    for name, data in locks.items():
        (folder / name).write_bytes(data)
    code, out, err = run(repo_copy, *ERRATUM, "--date", "2024-02-01")
    assert len(load(repo_copy, "2023").meta.errata) == 1, (code, out, err)


def test_an_erratum_dated_before_the_signing_is_refused(repo_copy):
    _correct(repo_copy)
    before = (repo_copy / "years" / "2023" / "contract.yaml").read_bytes()
    code, _, _ = run(repo_copy, *ERRATUM, "--date", "1999-01-01")
    assert code != 0
    assert (repo_copy / "years" / "2023" / "contract.yaml").read_bytes() == before


@pytest.mark.parametrize("date", ["2024/02/01", "tomorrow"])
def test_a_mistyped_erratum_date_is_a_usage_error_that_names_the_option(repo_copy, date):
    _correct(repo_copy)
    code, out, err = run(repo_copy, *ERRATUM, "--date", date)
    assert code == 2 and "--date" in out + err and "YYYY-MM-DD" in out + err
    assert "four-digit year" not in out + err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--what", "SV", "a", "--why", "SV", "b"], "--what 'SV' is not a language of this repository"),
        (["--what", "sv", "a", "--what-sv", "a", "--why-sv", "b"], "--what is given twice in 'sv'"),
    ],
    ids=["upper-case-language", "twice-long-and-short"],
)
def test_odd_erratum_languages_are_usage_errors_and_write_nothing(repo_copy, argv, said):
    _correct(repo_copy)
    before = (repo_copy / "years" / "2023" / "contract.yaml").read_bytes()
    code, out, err = run(repo_copy, "erratum", "2023", "--section", "klimatvaxling", *argv)
    assert code == 2 and said in out + err
    assert (repo_copy / "years" / "2023" / "contract.yaml").read_bytes() == before


def test_an_erratum_that_references_an_unknown_section_writes_nothing(repo_copy):
    _correct(repo_copy)
    folder = repo_copy / "years" / "2023"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, out, err = run(repo_copy, "erratum", "2023", "--what-sv", "{ref:nope}", "--why-sv", "b")
    assert code == 1 and "reference to unknown section 'nope'" in out + err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


WORKER = """
from contract.build import workers
if __name__ == "__main__":
    pool = workers.start(2, 2)
    pool.submit(print, "from-worker-no-newline", end="").result()
    processes = list(pool._processes.values())
    pool.shutdown(wait=True)
    print("|exit codes", [p.exitcode for p in processes])
"""


@pytest.mark.slow  # spawns a PDF worker
@pytest.mark.parametrize("closed", [False, True], ids=["stdout-pipe", "stdout-devnull"])
def test_a_worker_ends_at_once_without_losing_what_it_printed_or_failing_when_it_is_discarded(tmp_path, closed):
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    stdout = subprocess.DEVNULL if closed else subprocess.PIPE
    done = subprocess.run([sys.executable, str(script)], stdout=stdout, stderr=subprocess.PIPE, env=env, timeout=120)
    assert (done.returncode, done.stderr) == (0, b"")
    if not closed:
        assert done.stdout == b"from-worker-no-newline|exit codes [0]\n"


@pytest.mark.parametrize("kind", ["file", "full-folder", "empty-folder"])
def test_claims_close_removes_the_claims_whatever_already_sits_at_claims_closed(tmp_path, kind):
    from contract.build.workers import Claims

    claims = Claims(str(tmp_path / ".claims"))
    os.mkdir(claims.folder)
    assert claims.take(0) and not claims.take(0)
    closed = tmp_path / ".claims.closed"
    if kind == "file":
        closed.write_text("x", encoding="utf-8")
    else:
        closed.mkdir()
        if kind == "full-folder":
            (closed / "7").write_text("", encoding="utf-8")
    claims.close()
    assert not os.path.lexists(claims.folder) and not claims.take(1)
