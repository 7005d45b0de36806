"""The signed-version lock: errata are locked, a signed version needs its lock, and check-signed guards pull requests."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main

YEAR = Path("years") / "2023"
ERRATUM = (
    "--date",
    "2024-02-01",
    "--what-sv",
    "Avgiften rättad till 2,50 kronor.",
    "--why-sv",
    "Skrivfel i den signerade texten.",
)


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def correct_the_fee(root: Path) -> None:
    edit(root / YEAR / "municipality.yaml", "1,50 kronor", "2,50 kronor")


HAND_MADE = """errata:
  - date: 2024-03-01
    what:
      sv: Ett påhittat tillägg.
    why:
      sv: Ingen.
"""


@pytest.fixture
def repo(repo_copy: Path) -> Path:
    """The real 2023 (signed and locked) committed on main, with a branch 'change' checked out."""
    git(repo_copy, "init", "-q", "-b", "main")
    git(repo_copy, "add", "-A")
    git(repo_copy, "commit", "-q", "-m", "base")
    git(repo_copy, "checkout", "-q", "-b", "change")
    return repo_copy


@pytest.mark.slow
def test_a_hand_made_erratum_fails_validate(repo_copy):
    (repo_copy / YEAR / "contract.yaml").open("a", encoding="utf-8").write(HAND_MADE)
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1
    assert [line for line in out.splitlines() if ": error: " in line] == [
        (
            "years/2023/contract.yaml:1:1: error: version 2023 is locked with 0 errata, but contract.yaml lists 1 (only klimatkontrakt "
            'erratum adds an erratum: remove the entries added by hand, then run klimatkontrakt erratum 2023 --what-sv "..." --why-sv "...")'
        ),
    ]


@pytest.mark.slow
def test_an_edited_erratum_text_fails_validate(repo_copy):
    correct_the_fee(repo_copy)
    assert run(repo_copy, "erratum", "2023", "--section", "klimatvaxling", *ERRATUM)[0] == 0
    assert run(repo_copy, "validate", "2023")[0] == 0
    edit(repo_copy / YEAR / "contract.yaml", "Skrivfel i den signerade texten.", "Ett annat skäl.")
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1
    # The lock records contract.yaml's errata apart from its details: the message says which of them changed.
    assert (
        "years/2023/contract.yaml:1:1: error: version 2023 is locked with its errata as recorded, but an erratum in "
        "contract.yaml was edited (errata are never edited; restore them (git checkout -- years/2023/contract.yaml))"
        in out
    )


@pytest.mark.slow
def test_a_signed_version_without_its_lock_fails_validate(repo_copy):
    (repo_copy / YEAR / "signed.lock").unlink()
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1
    assert (
        "years/2023/contract.yaml:4:9: error: version 2023 is signed but has no signed.lock, so nothing protects its signed text "
        "(restore years/2023/signed.lock from git, or record it now: klimatkontrakt lock 2023)"
    ) in out.splitlines()
    assert run(repo_copy, "lock", "2023")[0] == 0
    assert run(repo_copy, "validate", "2023")[0] == 0


def test_check_signed_passes_an_unchanged_version(repo):
    assert run(repo, "check-signed", "--base", "main")[:2] == (0, "")


@pytest.mark.slow
def test_check_signed_passes_an_erratum_made_by_the_tool(repo):
    correct_the_fee(repo)
    assert run(repo, "erratum", "2023", "--section", "klimatvaxling", *ERRATUM)[0] == 0
    git(repo, "commit", "-q", "-am", "erratum")
    assert run(repo, "check-signed", "--base", "main")[:2] == (0, "")
    edit(repo / YEAR / "municipality.yaml", "2,50 kronor", "3,50 kronor")  # a second erratum, compared with the first
    assert run(repo, "erratum", "2023", "--section", "klimatvaxling", *ERRATUM)[0] == 0
    assert run(repo, "check-signed", "--base", "HEAD")[:2] == (0, "")


def test_check_signed_refuses_dropping_the_lock_and_the_status(repo):
    (repo / YEAR / "signed.lock").unlink()
    edit(repo / YEAR / "contract.yaml", "status: signed", "status: draft")
    code, out, _ = run(repo, "check-signed", "--base", "main")
    assert code == 1
    assert out.splitlines() == [
        "years/2023/contract.yaml:4:9: error: version 2023 is signed at main; its status cannot change (set status: signed again; a signed version stays signed)",
        (
            "years/2023/signed.lock:1:1: error: version 2023 is signed at main, but this change removes its signed.lock "
            "(restore it: git checkout main -- years/2023/signed.lock)"
        ),
    ]


@pytest.mark.slow
def test_check_signed_refuses_a_lock_edited_by_hand(repo):
    correct_the_fee(repo)
    assert run(repo, "lock", "2023")[0] == 1  # the tool refuses to re-lock changed content
    lock = repo / YEAR / "signed.lock"
    edit(lock, "errata: 0", "errata: 1")
    (repo / YEAR / "contract.yaml").open("a", encoding="utf-8").write(
        HAND_MADE.replace("Ett påhittat", "Ännu ett påhittat") + HAND_MADE[8:]
    )
    code, out, _ = run(repo, "check-signed", "--base", "main")
    assert code == 1
    assert out == (
        "years/2023/signed.lock:1:1: error: this change edits the signed.lock of version 2023, signed at main: the errata in "
        "contract.yaml are not the earlier ones followed by the new ones (restore it (git checkout main -- years/2023/signed.lock); "
        "only klimatkontrakt erratum changes a signed version)\n"
    )
    git(repo, "checkout", "-q", "--", ".")
    edit(lock, "pdfs: {}", "pdfs:\n  x.pdf: sha256:00")
    code, out, _ = run(repo, "check-signed", "--base", "main")
    assert (
        code == 1 and "its version, signing date, signed language, signed PDFs or their contracts' hashes differ" in out
    )
    git(repo, "checkout", "-q", "--", ".")
    edit(lock, "clause.yaml: sha256:4", "clause.yaml: sha256:5")
    code, out, _ = run(repo, "check-signed", "--base", "main")
    assert code == 1 and "it records no new erratum" in out


def test_check_signed_prints_annotations_for_the_workflow(repo):
    (repo / YEAR / "signed.lock").unlink()
    code, out, _ = run(repo, "check-signed", "--base", "main", "--format", "github")
    assert (code, out) == (
        1,
        (
            "::error file=years/2023/signed.lock,line=1,col=1::version 2023 is signed at main, but this change removes its "
            "signed.lock (restore it: git checkout main -- years/2023/signed.lock)\n"
        ),
    )


def test_check_signed_refuses_removing_a_signed_version(repo):
    git(repo, "rm", "-q", "-r", str(YEAR))
    code, out, _ = run(repo, "check-signed", "--base", "main")
    assert (code, out) == (
        1,
        "years/2023: error: version 2023 is signed at main, but this change removes it (a signed version is never removed; restore its folder)\n",
    )


def test_check_signed_names_a_bad_base(repo):
    code, out, err = run(repo, "check-signed", "--base", "nope")
    assert code == 2 and out == "" and "klimatkontrakt: error: unknown git revision 'nope'" in err
