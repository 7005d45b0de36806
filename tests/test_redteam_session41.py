"""Red team 41: the signed-version protection (validate + check-signed), erratum, lock, and closed pipes.

Each test reproduces a defect the red team found; each is a strict xfail until it is fixed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from build_helpers import git
from processes import PATCH_AT_IMPORT, hooked

from contract.cli.main import main
from contract.errors import Report
from contract.versions import locking

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path("years") / "2023"
ERRATUM_TEXTS = ("--what-sv", "Avgiften rättad.", "--why-sv", "Skrivfel.", "--what-en", "Fee corrected.")
ERRATUM_TEXTS += ("--why-en", "Typing error.")


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def _committed(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "contract")


def _accepted_by_ci(root: Path) -> bool:
    """What the pull-request workflow requires: validate and check-signed against the base both pass."""
    return run(root, "validate", "2023")[0] == 0 and run(root, "check-signed", "--base", "HEAD")[0] == 0


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _hand_erratum(root: Path, date: str, section: str | None = None) -> None:
    """Append an erratum to contract.yaml by hand and record the lock as `klimatkontrakt erratum` would."""
    where = f"    section: {section}\n" if section else ""
    entry = (
        f"errata:\n  - date: '{date}'\n{where}    what:\n      sv: Avgiften rättad.\n      en: Fee corrected.\n"
        "    why:\n      sv: Skrivfel.\n      en: Typing error.\n"
    )
    with (root / FOLDER / "contract.yaml").open("a", encoding="utf-8") as file:
        file.write(entry)
    folder = root / FOLDER
    lock = locking.read_lock(folder)
    assert lock is not None
    lock.files = locking.content_hashes(folder, str(FOLDER), Report())
    lock.parts = locking.read_parts(folder, str(FOLDER)) or {}
    lock.errata = 1
    locking.write_lock(folder, lock)


def test_an_english_original_s_signed_text_is_protected(repo_copy):
    from test_cycle import _english_source

    _english_source(repo_copy)  # 2023 signed and locked with English as its source (signed.lock: language: en)
    _edit(repo_copy / FOLDER / "municipality.yaml", "SEK 1.50", "SEK 9.50")  # the signed original's text
    code, out, err = run(repo_copy, "validate", "2023")
    assert code == 1 and "municipality.yaml" in out + err, "the signed English text changed, and validate passed"


def test_an_erratum_to_an_english_original_is_not_recorded_for_a_change_of_its_translation_alone(repo_copy):
    from test_cycle import _english_source

    _english_source(repo_copy)
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "7,50 kronor")  # the Swedish translation only
    code = run(repo_copy, "validate", "2023")[0]
    assert code == 0, "a translation of the signed English original is locked as if it were the signed text"


def test_check_signed_refuses_an_erratum_that_also_rewrites_the_recorded_contract_hashes(repo_copy):
    _committed(repo_copy)
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    where = ("erratum", "2023", "--section", "klimatvaxling", "--date", "2024-02-01")
    assert run(repo_copy, *where, *ERRATUM_TEXTS)[0] == 0  # a genuine erratum
    with (repo_copy / FOLDER / "signed.lock").open("a", encoding="utf-8") as file:  # and, by hand, the hash that
        file.write("contracts:\n  sv: sha256:" + "0" * 64 + "\n")  # verify compares a signed PDF's contract with
    assert not _accepted_by_ci(repo_copy), "the recorded contract hash of the signed PDF changed in an erratum"


def test_check_signed_refuses_a_new_signing_date_brought_in_with_an_erratum(repo_copy):
    _committed(repo_copy)
    _edit(repo_copy / FOLDER / "contract.yaml", "signed_on: 2023-12-08", "signed_on: 2023-12-01")
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    _hand_erratum(repo_copy, "2024-02-01")  # `klimatkontrakt erratum` refuses another signing date
    assert not _accepted_by_ci(repo_copy), "contract.yaml now says 2023 was signed on 2023-12-01"


@pytest.mark.parametrize("date", ["2099-02-01", "2020-01-01"], ids=["in-the-future", "before-the-signing"])
def test_check_signed_refuses_an_erratum_dated_when_erratum_would_refuse_it(repo_copy, date):
    _committed(repo_copy)
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    _hand_erratum(repo_copy, date, "klimatvaxling")  # `klimatkontrakt erratum` refuses this --date (signed 2023-12-08)
    assert not _accepted_by_ci(repo_copy), f"an erratum dated {date} was accepted"


def test_check_signed_refuses_a_section_erratum_with_an_edit_in_another_file(repo_copy):
    _committed(repo_copy)
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    _edit(repo_copy / FOLDER / "purpose.yaml", "Syftet", "Syfte")  # not in klimatvaxling's file
    _hand_erratum(repo_copy, "2024-02-01", "klimatvaxling")  # `klimatkontrakt erratum --section` refuses this
    assert not _accepted_by_ci(repo_copy), "a correction of klimatvaxling also changed purpose.yaml's signed text"


def test_erratum_does_not_record_another_certificate_identity_for_a_party(repo_copy):
    contract = repo_copy / FOLDER / "contract.yaml"
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")  # a genuine correction
    _edit(contract, "      O: Vinnova\n", "      O: Evil Corp AB\n")  # and whom Vinnova's signature must name
    before = contract.read_bytes()
    code = run(repo_copy, "erratum", "2023", "--date", "2024-02-01", *ERRATUM_TEXTS)[0]
    assert code != 0 and contract.read_bytes() == before, "the erratum locked another signing identity for Vinnova"


def test_help_into_a_closed_pipe_is_not_exit_0():
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is written (`klimatkontrakt --help | head -0`)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "contract", "--help"], stdout=write, stderr=subprocess.PIPE, cwd=ROOT, check=False
        )
    finally:
        os.close(write)
    assert done.returncode == 141, f"the help was lost, and the exit code is {done.returncode}"


def test_check_signed_refuses_another_certificate_identity_under_a_lock_written_before_parts(repo_copy):
    folder = repo_copy / FOLDER
    lock = locking.read_lock(folder)
    assert lock is not None
    lock.parts = {}  # as 2023's lock was until December 2026, and any archive's older locks are
    locking.write_lock(folder, lock)
    _committed(repo_copy)
    _edit(folder / "contract.yaml", "      O: Vinnova\n", "      O: Evil Corp AB\n")
    assert not _accepted_by_ci(repo_copy), "Vinnova's signing identity changed in a signed version"


def test_history_names_an_id_renamed_in_a_version_as_the_site_does(repo_copy):
    shutil.copytree(ROOT / "years" / "2024", repo_copy / "years" / "2024")
    _edit(repo_copy / "years" / "2024" / "municipality.yaml", "- id: klimatrad\n", "- id: klimatradet\n")
    code, out, _ = run(repo_copy, "history", "klimatradet", "--lang", "en")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("2024\t"))
    assert "id changed from klimatrad" in row, f"the site says 'id changed from klimatrad'; history says {row!r}"


# A sitecustomize (processes.hooked): SIGKILL (a power cut, the OOM killer) at the first file new-year opens inside
# its staging folder years/.VERSION.tmp-…: an exact moment, no sleeps.
_KILL_WHILE_STAGING = """
import os, signal, sys

def _audit(event, args):
    if event == "open" and isinstance(args[0], str) and os.environ["STAGING"] in args[0]:
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(_audit)
"""


def test_the_staging_folder_of_a_killed_new_year_does_not_stay_in_years(repo_copy, tmp_path):
    (repo_copy / FOLDER / "signed.lock").unlink()
    _edit(repo_copy / FOLDER / "contract.yaml", "status: signed", "status: draft")
    env = hooked(tmp_path, _KILL_WHILE_STAGING, STAGING=".2024.tmp")
    argv = [sys.executable, "-m", "contract", "--root", str(repo_copy), "new-year", "2024"]
    done = subprocess.run(argv, env=env, capture_output=True, check=False, cwd=ROOT)
    assert done.returncode == -signal.SIGKILL
    assert any(p.name.startswith(".2024.tmp-") for p in (repo_copy / "years").iterdir())  # the killed run's copy
    code, out, err = run(repo_copy, "new-year", "2024")  # the next run
    assert code == 0, out + err
    left = sorted(p.name for p in (repo_copy / "years").iterdir())
    named = ".2024.tmp-" in out + err + "".join(run(repo_copy, "validate")[1:])
    assert left == ["2023", "2024"] or named, f"years/ holds {left}, and no command says so"


def test_check_signed_does_not_advise_a_revision_it_refuses(repo_copy):
    _committed(repo_copy)
    code, out, err = run(repo_copy, "check-signed", "--base", "nosuchrev")
    assert code == 2
    advised = "HEAD~1:2024"
    assert advised not in out + err or run(repo_copy, "check-signed", "--base", advised)[0] != 2, (
        f"the hint advises {advised}, which check-signed refuses: {err.strip()}"
    )


def test_erratum_of_a_version_that_does_not_exist_says_so(repo_copy):
    code, out, err = run(repo_copy, "erratum", "2099", "--date", "2023-12-08", *ERRATUM_TEXTS)
    assert code in (1, 2)
    assert "no version '2099'" in out + err, f"lock says there is no version 2099; erratum says: {(out + err).strip()}"


def test_validate_advises_an_erratum_command_an_english_original_accepts(repo_copy):
    from test_cycle import _english_source

    _english_source(repo_copy)
    (repo_copy / FOLDER / "annex.yaml").unlink()
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1 and "annex.yaml" in out
    hint = next(line for line in out.splitlines() if "annex.yaml" in line and "error" in line)
    assert "--what-sv" not in hint or "--what-en" in hint, f"the hint advises a command erratum refuses: {hint}"


def test_history_does_not_call_a_version_without_the_section_unchanged(repo_copy):
    shutil.copytree(ROOT / "years" / "2024", repo_copy / "years" / "2024")
    new = (
        "          - id: cykelparkering\n            title:\n              sv: Cykelparkering\n"
        "              en: Bicycle parking\n            body:\n              - p:\n"
        "                  sv: Cykelparkeringar ska byggas vid alla stationer.\n"
        "                  en: Bicycle parking shall be built at every station.\n"
    )
    path = repo_copy / "years" / "2024" / "municipality.yaml"
    _edit(path, "          - id: klimatrad\n", new + "          - id: klimatrad\n")  # a section new in 2024
    code, out, _ = run(repo_copy, "history", "cykelparkering", "--lang", "en")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("2023\t"))
    assert "unchanged" not in row, f"2023 has no section cykelparkering, and history says {row!r}"


@pytest.mark.parametrize("argv", [["versions"], ["history", "klimatrad"], ["validate", "2023"]], ids=" ".join)
def test_a_closed_standard_output_is_no_traceback(repo_copy, argv):
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo_copy), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        check=False,
        preexec_fn=lambda: os.close(1),  # as a shell's `klimatkontrakt versions >&-`
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-300:]


def test_help_into_a_full_disk_is_an_error():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "contract", "--help"], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
    assert done.returncode != 0, "the help was never written, and the exit code is 0"


# A sitecustomize (processes.hooked): the erratum command runs a second erratum command ($OTHER) to its end just
# before it appends its own entry: two runs at once, at an exact moment, no sleeps.
_ANOTHER_ERRATUM_MEANWHILE = (
    """
import json, os, subprocess, sys
_PLAN = [{"target": "contract.versions.cycle:_add_erratum"}]
_patched = set()

def _wrap(original, step):
    def wrapper(*args, **kwargs):
        env = {k: v for k, v in os.environ.items() if k not in ("OTHER", "PYTHONPATH")}
        subprocess.run(json.loads(os.environ["OTHER"]), env=env, check=False)
        return original(*args, **kwargs)
    return wrapper
"""
    + PATCH_AT_IMPORT
)


def test_two_errata_at_once_leave_a_version_that_validates(repo_copy, tmp_path):
    _edit(repo_copy / FOLDER / "municipality.yaml", "1,50 kronor", "2,50 kronor")
    command = [sys.executable, "-m", "contract", "--root", str(repo_copy), "erratum", "2023"]
    other = [*command, "--what-sv", "B", "--why-sv", "B", "--date", "2024-02-02"]
    env = hooked(tmp_path, _ANOTHER_ERRATUM_MEANWHILE, OTHER=json.dumps(other))
    argv = [*command, "--what-sv", "A", "--why-sv", "A", "--date", "2024-02-01"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    code, out, _ = run(repo_copy, "validate", "2023")
    assert done.returncode != 0 or code == 0, f"both errata were recorded; now validate says: {out.strip()[:300]}"


def test_lock_does_not_record_an_unsigned_pdf_as_signed(repo_copy, tmp_path):
    unsigned = tmp_path / "klimatkontrakt-2023-sv.pdf"
    assert run(repo_copy, "pdf", "2023", "--lang", "sv", "-o", str(unsigned))[0] == 0  # no party has signed it
    lock = repo_copy / FOLDER / "signed.lock"
    before = lock.read_bytes()
    code, _, err = run(repo_copy, "lock", "2023", "--pdf", str(unsigned))
    assert code != 0 and lock.read_bytes() == before, f"recorded as signed: {err.strip()}"


def test_lock_at_the_same_time_as_an_erratum_does_not_undo_it(repo_copy, tmp_path):
    plan = _ANOTHER_ERRATUM_MEANWHILE.replace(
        "contract.versions.cycle:_add_erratum", "contract.versions.locking:write_lock"
    )
    municipality = repo_copy / FOLDER / "municipality.yaml"
    command = f"{sys.executable} -m contract --root {repo_copy} erratum 2023 --section klimatvaxling"
    other = ["sh", "-c", f"sed -i 's/1,50 kronor/2,50 kronor/' {municipality} && {command} --what-sv B --why-sv B"]
    env = hooked(tmp_path, plan, OTHER=json.dumps(other))
    argv = [sys.executable, "-m", "contract", "--root", str(repo_copy), "lock", "2023"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    assert "2,50 kronor" in municipality.read_text(encoding="utf-8")  # the erratum ran meanwhile
    code, out, _ = run(repo_copy, "validate", "2023")
    assert done.returncode != 0 or code == 0, f"the erratum's lock was overwritten: {out.strip()[:300]}"


@pytest.mark.slow
def test_a_build_whose_reader_stopped_has_still_built_the_site(repo_copy):
    """The build's summary reports work done in files: `build | head -0` is no failure (unlike versions' listing)."""
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(repo_copy)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert build.stdout is not None and build.stderr is not None
    build.stdout.close()  # the reader is gone before the build says anything
    err = build.stderr.read().decode()
    assert build.wait() == 0, err
    assert "Traceback" not in err and (repo_copy / "site" / "index.html").is_file()
