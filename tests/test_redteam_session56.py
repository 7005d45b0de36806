"""Red-team session 56: importer's copied certificate identities, bounded inputs, the party-list separator and the
cover line, a build whose PDF worker is stopped and continued.

Each test asserts the correct behaviour: a failing test is a defect found; tests named test_held_* are attacks that
held.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from build_helpers import make_repo
from cli_runner import run_cli
from processes import PATCH_AT_IMPORT, hooked, no_stray, pool_workers, start_paused
from test_redteam_session51 import _finish
from test_redteam_session52 import _contract_docx, _import, _plain

from contract.render import labels
from contract.source.load import load

ROOT = Path(__file__).resolve().parent.parent
HANG_GUARD = 120  # a guard against a hang, never an assertion about time


# ================================================================== 3. the party-list separator and the cover line


# Defect: a name holding " · " (a middle dot as some agencies write sub-units) beside a name holding a semicolon: the
# separator chosen is " · ", which the first name holds itself — "A · B · C; D" reads as three parties, not two.
def test_the_list_separator_is_never_one_a_name_holds():
    names = ["Energimyndigheten · Avdelningen för forskning", "Formas; forskningsrådet"]
    separator = labels.list_separator(names)
    joined = separator.join(names)
    assert joined.split(separator) == names, repr(separator)


# Defect: a contract with no agencies (a programme-only year, or every agency left out): the cover line reads
# "Mellan Borås Stad och myndigheterna  samt Viable Cities" — "the agencies" followed by nothing and a double space.
# Expected: no "myndigheterna" (agencies) phrase at all when there are none, and never a double space.
@pytest.mark.parametrize(("lang", "word"), [("sv", "myndigheterna"), ("en", "agencies")])
def test_the_cover_line_without_agencies_names_no_empty_list_of_agencies(lang, word):
    contract = load(ROOT, "2023")
    without = replace(contract, parties=tuple(p for p in contract.parties if p.kind != "agency"))
    line = labels.cover_line(without, lang)
    assert "  " not in line and word not in line, repr(line)


# Defect: only the municipality: "Mellan Borås Stad och myndigheterna  samt " — the line ends in a dangling "samt ".
def test_the_cover_line_with_only_the_municipality_does_not_end_in_a_dangling_conjunction():
    contract = load(ROOT, "2023")
    alone = replace(contract, parties=tuple(p for p in contract.parties if p.kind == "municipality"))
    line = labels.cover_line(alone, "sv")
    assert line == line.strip() and not line.endswith(("samt", "och")) and "  " not in line, repr(line)


# Held (in part): an empty name among others gets ", "; a whitespace-only name beside a comma name gets "; ".
def test_held_list_separator_with_empty_and_blank_names_does_not_crash():
    assert labels.list_separator(["", "Vinnova"]) == ", "
    assert labels.list_separator([" ", "Forskningsrådet för miljö, areella näringar"]) == "; "
    assert labels.list_separator([]) == ", "


# ================================================================== 1. import copies certificate identities


# Defect: 2024's energimyndigheten certificate_subject holds a control character (O: "\e[31mX", pasted from a
# terminal). 2024 still loads, so the import copies it into 2025 and prints "certificate identities of
# energimyndigheten, … copied from version 2024", then its own validate reports "years/2025/contract.yaml:27:11:
# error: the character U+001B …" — the import wrote an error into the new version (exit 0). Expected: an identity
# validate rejects is not copied (left for 'klimatkontrakt parties' to ask, as for a version that does not load).
def test_import_does_not_copy_a_certificate_identity_validate_rejects(tmp_path):
    repo = make_repo(tmp_path / "repo")
    contract = repo / "years" / "2024" / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    assert "      O: Energimyndigheten\n" in text
    contract.write_text(text.replace("      O: Energimyndigheten\n", '      O: "\\e[31mX"\n', 1), encoding="utf-8")
    result, out = _import(repo, _contract_docx(tmp_path / "kontrakt.docx", _plain))
    written = (out / "contract.yaml").read_text(encoding="utf-8")
    assert "\\e" not in written and "\x1b" not in written, written
    assert "validate: 0 errors" in result.stdout, result.stdout + result.stderr


# Held: a certificate_subject of null, a number, an empty mapping or a list in the version before makes it "not
# load": nothing is copied and the import says so ('klimatkontrakt parties' asks).
@pytest.mark.parametrize("value", ["null", "123", "[a, b]"])
def test_held_odd_certificate_subject_values_are_not_copied(tmp_path, value):
    repo = make_repo(tmp_path / "repo")
    contract = repo / "years" / "2024" / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace("      O: Energimyndigheten\n", f"      O: {value}\n", 1), encoding="utf-8")
    result, out = _import(repo, _contract_docx(tmp_path / "kontrakt.docx", _plain))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no certificate identities copied" in result.stderr
    assert "certificate_subject" not in (out / "contract.yaml").read_text(encoding="utf-8")


# ================================================================== 2. bounded input files


# Held: /dev/urandom behind a .pdf name is refused (a device), an empty file is "not a PDF", a folder "is a directory".
def test_held_verify_refuses_a_device_an_empty_file_and_a_folder(tmp_path):
    device = tmp_path / "random.pdf"
    device.symlink_to("/dev/urandom")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for path, words in ((device, "error"), (empty, "not a PDF"), (tmp_path, "Is a directory")):
        result = run_cli("--root", ROOT, "verify", path)
        assert result.returncode != 0 and words in result.stdout + result.stderr, (path, result)
        assert "Traceback" not in result.stdout + result.stderr


# ================================================================== 4. a stopped and continued PDF worker


# Held: a worker SIGSTOPped and SIGCONTed while the build is paused at 'rendering' is not taken for dead.
@pytest.mark.slow
def test_held_a_worker_stopped_and_continued_is_not_taken_for_dead(tmp_path):
    repo = make_repo(tmp_path / "repo").resolve()
    build, resume = start_paused(repo, "rendering", "--jobs", "2", own_group=True)
    try:
        workers = pool_workers(build.pid)
        assert workers, "no PDF worker"
        os.kill(workers[0], signal.SIGSTOP)
        os.kill(workers[0], signal.SIGCONT)
    finally:
        os.close(resume)
    code, out, err = _finish(build)
    assert code == 0, (code, out, err)
    no_stray(workers)


# A sitecustomize: in a spawned worker (not the build's own process), workers.render exits the process with code 0
# (a library calling sys.exit(0)/os._exit(0), a worker ended "cleanly" by something else) instead of rendering.
_WORKER_EXITS_0 = (
    """
import os, sys

if "KK_BUILD_PID" not in os.environ:
    os.environ["KK_BUILD_PID"] = str(os.getpid())
_PLAN = [{"target": "contract.build.workers:render"}] if os.environ["KK_BUILD_PID"] != str(os.getpid()) else []
_patched = set()


def _wrap(original, step):
    def exits(*args, **kwargs):
        os._exit(0)

    return exits
"""
    + PATCH_AT_IMPORT
)


# Held: a worker that exits with code 0 on its own, mid-job: the build must not wait for ever nor publish a site without
# its PDFs; expected exit 1 with the "a process rendering the PDFs stopped" error, nothing published.
@pytest.mark.slow
def test_held_a_worker_that_exits_0_mid_job_fails_the_build_cleanly(tmp_path):
    repo = make_repo(tmp_path / "repo").resolve()
    env = hooked(tmp_path, _WORKER_EXITS_0)
    build = subprocess.Popen(
        [sys.executable, "build.py", "--root", str(repo), "--jobs", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    code, out, err = _finish(build)
    assert code == 1, (code, out, err)
    assert "a process rendering the PDFs stopped" in out + err, out + err
    assert "Traceback" not in out + err
    assert not (repo / "site").exists()


# Held: empty files and a hard link to the repository's own signed.lock given as a PDF are refused with a located
# error (lock, import, apply) and nothing is written; a version folder that is a symlink is "does not load" for the
# importer, as validate says (no identities copied).
def test_held_empty_inputs_and_a_hard_link_to_the_lock_file_are_refused(tmp_path):
    repo = make_repo(tmp_path / "repo")
    link = tmp_path / "h.pdf"
    os.link(repo / "years" / "2023" / "signed.lock", link)
    for name in ("e.pdf", "e.docx", "e.txt"):
        (tmp_path / name).write_bytes(b"")
    cases = [
        (("lock", "2023", "--pdf", link), "not a PDF"),
        (("lock", "2023", "--pdf", tmp_path / "e.pdf"), "not a PDF"),
        (("apply", tmp_path / "e.docx", "--to", "2024"), "not a Word document"),
        (("import", tmp_path / "e.docx", "--version", "2025", "--municipality", "X", "--out", tmp_path / "o"), "Word"),
        (("import", tmp_path / "e.txt", "--version", "2025", "--municipality", "X", "--out", tmp_path / "o"), "error"),
    ]
    for args, words in cases:
        result = run_cli("--root", repo, *args)
        assert result.returncode != 0 and words in result.stdout + result.stderr, (args, result)
        assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "o").exists()
