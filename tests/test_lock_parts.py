"""signed.lock records contract.yaml in two parts: what never changes after signing (identities included), and errata."""

from __future__ import annotations

from pathlib import Path

from test_redteam_session41 import _committed, run

from contract.versions import locking

ROOT = Path(__file__).resolve().parents[1]
LOCK = Path("years") / "2023" / "signed.lock"
CONTRACT = Path("years") / "2023" / "contract.yaml"


def _without_parts(root: Path) -> None:
    """Make 2023's lock one written before locks had parts (as it was until December 2026)."""
    lock = locking.read_lock(root / LOCK.parent)
    assert lock is not None and lock.parts
    lock.parts = {}
    locking.write_lock(root / LOCK.parent, lock)


def test_the_shipped_lock_of_2023_records_the_parts_of_its_contract_yaml():
    lock = locking.read_lock(ROOT / LOCK.parent)
    assert lock is not None
    assert lock.parts == locking.read_parts(ROOT / LOCK.parent, "years/2023")


def test_a_certificate_identity_edited_in_a_locked_version_fails_validate(repo_copy):
    contract = repo_copy / CONTRACT
    contract.write_text(contract.read_text(encoding="utf-8").replace("O: Vinnova\n", "O: Evil Corp\n"), "utf-8")
    code, out, _ = run(repo_copy, "validate", "2023")
    assert code == 1
    assert (
        "years/2023/contract.yaml:1:1: error: version 2023 is signed and locked, but contract.yaml changed what never "
        "changes after signing (version, valid_for, status, signed_on, previous, municipality, the parties' ids or "
        "certificate identities)" in out
    )


def test_check_signed_accepts_a_lock_that_gains_the_parts_it_had_at_the_base(repo_copy):
    _without_parts(repo_copy)
    _committed(repo_copy)
    assert run(repo_copy, "lock", "2023")[0] == 0  # records the parts
    assert locking.read_lock(repo_copy / LOCK.parent).parts
    assert run(repo_copy, "check-signed", "--base", "HEAD")[0] == 0


def test_check_signed_refuses_a_lock_that_gains_parts_recording_an_identity_edited_in_the_same_change(repo_copy):
    _without_parts(repo_copy)
    _committed(repo_copy)
    contract = repo_copy / CONTRACT
    contract.write_text(contract.read_text(encoding="utf-8").replace("O: Vinnova\n", "O: Evil Corp\n"), "utf-8")
    assert run(repo_copy, "validate", "2023")[0] == 0  # an old lock cannot see identities
    assert run(repo_copy, "lock", "2023")[0] == 0
    code, out, _ = run(repo_copy, "check-signed", "--base", "HEAD")
    assert code == 1
    assert "years/2023/signed.lock:1:1: error: this change edits the signed.lock of version 2023" in out
