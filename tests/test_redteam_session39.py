"""Red team 39: the yearly cycle and the version history (new-year, lock, erratum, check-signed, versions, history).

Each test reproduces a defect the red team found in the yearly cycle and version history; all are fixed.
"""

from __future__ import annotations

import hashlib
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
from build_helpers import git, make_repo
from build_helpers import run as build
from processes import hooked

from contract.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def _with_2024(root: Path) -> None:
    shutil.copytree(ROOT / "years" / "2024", root / "years" / "2024")


def _commit(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "contract")


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_new_year_does_not_start_from_a_folder_that_is_no_version(repo_copy):
    _with_2024(repo_copy)
    copy = repo_copy / "years" / "2024 - Kopia"  # what Windows Explorer names a copied folder
    shutil.copytree(repo_copy / "years" / "2024", copy)
    code, out, err = run(repo_copy, "new-year", "2025")
    made = repo_copy / "years" / "2025" / "contract.yaml"
    if code == 0:  # started from a real version: 2024
        assert "previous: '2024'\n" in made.read_text(encoding="utf-8")
    else:  # or refused, naming the stray folder, and nothing written
        assert code in (1, 2) and "2024 - Kopia" in out + err, out + err
        assert not made.exists()


def test_versions_names_folders_that_are_no_version(repo_copy):
    _with_2024(repo_copy)
    for name in ("2025b", "02025"):
        shutil.copytree(repo_copy / "years" / "2024", repo_copy / "years" / name)
    code, out, err = run(repo_copy, "versions")
    assert code == 1, out + err
    assert "years/2025b: error:" in out and "years/02025: error:" in out, out + err


def test_history_shows_a_section_in_a_version_off_the_previous_chain(repo_copy):
    _with_2024(repo_copy)
    contract_yaml = repo_copy / "years" / "2024" / "contract.yaml"
    text = contract_yaml.read_text(encoding="utf-8")
    contract_yaml.write_text(text.replace("previous: '2023'", "previous: '2022'"), encoding="utf-8")
    code, out, err = run(repo_copy, "history", "klimatrad", "--json")
    assert code == 0, out + err
    rows = {row["version"]: row for row in json.loads(out)}
    _, outline, _ = run(repo_copy, "outline", "2023")
    assert "3.3.1\tKlimatråd" in outline
    assert rows["2023"]["number"] == "3.3.1", rows["2023"]


@pytest.mark.parametrize("base", ["HEAD@{yesterday}", "HEAD@{5}"])
def test_check_signed_with_a_reflog_revision_is_no_internal_error(repo_copy, base):
    _commit(repo_copy)
    code, out, err = run(repo_copy, "check-signed", "--base", base)
    assert "internal error" not in out + err, out + err
    assert code in (0, 2), out + err


def test_diff_at_a_reflog_revision_is_no_internal_error(repo_copy):
    _commit(repo_copy)
    done = subprocess.run(  # in its own process: the redline is written to standard output's bytes
        [sys.executable, "-m", "contract", "--root", str(repo_copy), "diff", "HEAD@{yesterday}:2023", "2023"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert "internal error" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.returncode in (0, 2), done.stdout + done.stderr


def test_an_erratum_dated_in_the_future_is_refused(repo_copy):
    path = repo_copy / "years" / "2023" / "municipality.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("en politisk beredning", "en politisk  beredning", 1), encoding="utf-8")
    before = _tree(repo_copy / "years")
    code, out, err = run(
        repo_copy,
        "erratum",
        "2023",
        "--section",
        "klimatrad",
        "--what-sv",
        "x",
        "--why-sv",
        "y",
        "--date",
        "2099-01-01",
    )
    assert code == 2, out + err
    assert _tree(repo_copy / "years") == before


@pytest.mark.slow
def test_lock_does_not_replace_a_recorded_signed_pdf(repo_copy, tmp_path):
    _commit(repo_copy)
    first, second = tmp_path / "a" / "signed.pdf", tmp_path / "b" / "signed.pdf"
    first.parent.mkdir()
    second.parent.mkdir()
    assert run(repo_copy, "pdf", "2023", "--lang", "sv", "-o", str(first))[0] == 0
    git(repo_copy, "commit", "-q", "--allow-empty", "-m", "another commit: another provenance in the PDF")
    assert run(repo_copy, "pdf", "2023", "--lang", "sv", "-o", str(second))[0] == 0
    _sign(tmp_path / "pki", first, second)  # lock records only signed PDFs
    assert first.read_bytes() != second.read_bytes()
    assert run(repo_copy, "lock", "2023", "--pdf", str(first))[0] == 0
    lock = repo_copy / "years" / "2023" / "signed.lock"
    recorded = lock.read_bytes()
    code, out, err = run(repo_copy, "lock", "2023", "--pdf", str(second))
    assert code != 0, out + err
    assert lock.read_bytes() == recorded


def _sign(folder: Path, *pdfs: Path) -> None:
    """Sign each PDF in place as one party (a test PKI made in folder)."""
    from attacks import raw_sign
    from pki import make_pki

    from contract.pdf import credentials
    from contract.source.load import load

    party = make_pki(folder, load(ROOT, "2023").parties).parties["vinnova"]
    creds = credentials.load_pem("k", party.key_pem.read_bytes(), "c", party.cert_pem.read_bytes())
    for pdf in pdfs:
        pdf.write_bytes(raw_sign(pdf.read_bytes(), "vinnova", creds))


def _edit_sections(root: Path, version: str, change) -> None:
    """Apply change(sections_list_holding_it, index) to the section list of every group file of version."""
    from ruamel.yaml import YAML

    yaml = YAML()
    for path in sorted((root / "years" / version).glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("sections"), list) and change(data["sections"]):
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)


def _find(sections, sid: str):
    for index, section in enumerate(sections):
        if section.get("id") == sid:
            return sections, index
        found = _find(section.get("sections") or [], sid)
        if found:
            return found
    return None


def _merge_klimatkommitte_into_klimatrad(sections) -> bool:
    found = _find(sections, "klimatkommitte")
    if not found:
        return False
    holder, index = found
    gone = holder.pop(index)
    merged = _find(sections, "klimatrad")
    merged[0][merged[1]]["body"].extend(gone["body"])
    return True


def _split_akademi(sections) -> bool:
    found = _find(sections, "akademi")
    if not found:
        return False
    holder, index = found
    section = holder[index]
    rest = section["body"][2:]
    del section["body"][2:]
    holder.insert(index + 1, {"id": "akademi-del2", "title": {"sv": "Del två", "en": "Part two"}, "body": rest})
    return True


def _kinds(root: Path, section_id: str) -> list[str]:
    done = subprocess.run(  # in its own process: a JSON result is written to standard output's bytes
        [sys.executable, "-m", "contract", "--root", str(root), "diff", "2023", "2024", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sections = json.loads(done.stdout)["sections"]
    return next(s["kinds"] for s in sections if section_id in (s["old_id"], s["new_id"]))


def _history(root: Path, section_id: str) -> dict[str, list[str]]:
    code, out, err = run(root, "history", section_id, "--json")
    assert code == 0, out + err
    return {row["version"]: row["changes"] for row in json.loads(out)}


def test_history_of_a_merged_section_says_merged_as_the_redline_does(repo_copy):
    _with_2024(repo_copy)
    _edit_sections(repo_copy, "2024", _merge_klimatkommitte_into_klimatrad)
    assert _kinds(repo_copy, "klimatkommitte") == ["merged"]
    assert _history(repo_copy, "klimatkommitte")["2024"] == ["merged"]


def test_history_of_a_split_off_section_says_split_as_the_redline_does(repo_copy):
    _with_2024(repo_copy)
    _edit_sections(repo_copy, "2024", _split_akademi)
    assert _kinds(repo_copy, "akademi-del2") == ["split"]
    assert _history(repo_copy, "akademi-del2")["2024"] == ["split"]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_erratum_does_not_set_a_signed_version_back_to_draft(repo_copy):
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    _replace(contract_yaml, "status: signed", "status: draft")
    lock = (repo_copy / "years" / "2023" / "signed.lock").read_bytes()
    code, out, err = run(repo_copy, "erratum", "2023", "--what-sv", "status", "--why-sv", "fel")
    assert code != 0, out + err
    assert (repo_copy / "years" / "2023" / "signed.lock").read_bytes() == lock
    assert "errata:" not in contract_yaml.read_text(encoding="utf-8")


def test_an_erratum_does_not_change_the_signing_date(repo_copy):
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    _replace(contract_yaml, "signed_on: 2023-12-08", "signed_on: 2023-12-09")
    code, out, err = run(repo_copy, "erratum", "2023", "--what-sv", "datum", "--why-sv", "fel")
    if code == 0:  # recorded: then the lock and the contract must not disagree on the signing date
        code, out, err = run(repo_copy, "validate", "2023")
        assert code == 1, out + err
    else:
        assert "signed_on" in out + err, out + err


def test_new_year_does_not_delete_a_folder_it_did_not_make(repo_copy):
    theirs = repo_copy / "years" / ".2024.tmp"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine\n", encoding="utf-8")
    run(repo_copy, "new-year", "2024")
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_new_year_never_reads_through_a_link(repo_copy, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not the contract's\n", encoding="utf-8")
    (repo_copy / "years" / "2023" / "signed.lock").unlink()  # new-year starts from any version; keep 2023 plain
    folder = repo_copy / "years" / "2023" / "bilagor"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    code, out, err = run(repo_copy, "new-year", "2024")
    copied = repo_copy / "years" / "2024" / "bilagor" / "link.txt"
    assert not (copied.is_file() and not copied.is_symlink()), (code, out + err)


def test_new_year_over_a_pipe_says_what_is_wrong_and_writes_nothing(repo_copy):
    (repo_copy / "years" / "2023" / "signed.lock").unlink()
    os.mkfifo(repo_copy / "years" / "2023" / "pipe")
    before = sorted(p.name for p in (repo_copy / "years").iterdir())
    code, out, err = run(repo_copy, "new-year", "2024")
    assert code in (1, 2)
    assert "[(" not in out + err, out + err
    assert "years/2023/pipe" in out + err, out + err
    assert sorted(p.name for p in (repo_copy / "years").iterdir()) == before


def test_a_locked_file_with_a_syntax_error_is_not_called_removed(repo_copy):
    path = repo_copy / "years" / "2023" / "projects.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x: [unclosed\n", encoding="utf-8")
    code, out, err = run(repo_copy, "validate", "2023")
    assert code == 1
    assert "years/2023/projects.yaml:354:1: error: invalid YAML" in out, out + err
    assert "was removed" not in out, out + err


def test_one_syntax_error_is_not_reported_as_errors_in_other_files(repo_copy):
    _with_2024(repo_copy)
    path = repo_copy / "years" / "2024" / "projects.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x: [unclosed\n", encoding="utf-8")
    code, out, _ = run(repo_copy, "validate", "2024")
    assert code == 1
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors and all(line.startswith("years/2024/projects.yaml:") for line in errors), out


def _erratum(root: Path, what: str, old: str, new: str) -> tuple[int, str, str]:
    _replace(root / "years" / "2023" / "municipality.yaml", old, new)
    return run(root, "erratum", "2023", "--section", "klimatrad", "--what-sv", what, "--why-sv", "skäl")


def test_the_next_erratum_does_not_drop_one_removed_by_hand(repo_copy):
    assert _erratum(repo_copy, "första", "en politisk beredning", "en politisk  beredning")[0] == 0
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    text = contract_yaml.read_text(encoding="utf-8")
    contract_yaml.write_text(text[: text.index("errata:")], encoding="utf-8")  # the first erratum removed by hand
    code, out, err = _erratum(repo_copy, "andra", "Alla partier som", "Alla  partier som")
    assert code != 0, out + err
    code, out, err = run(repo_copy, "validate", "2023")
    assert code == 1, out + err


def test_the_next_erratum_does_not_lock_one_edited_by_hand(repo_copy):
    assert _erratum(repo_copy, "första", "en politisk beredning", "en politisk  beredning")[0] == 0
    _replace(repo_copy / "years" / "2023" / "contract.yaml", "sv: första", "sv: ändrad i efterhand")
    assert run(repo_copy, "validate", "2023")[0] == 1
    code, out, err = _erratum(repo_copy, "andra", "Alla partier som", "Alla  partier som")
    assert code != 0, out + err
    code, out, err = run(repo_copy, "validate", "2023")
    assert code == 1, out + err


def _run_into_a_closed_pipe(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run the command with its standard output a pipe nobody reads any more (`klimatkontrakt … | head -1`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "contract", "--root", str(root), *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            cwd=ROOT,
        )
    finally:
        os.close(write)


def _without_english(root: Path) -> None:
    """A repository whose klimatkontrakt.yaml lists no English: every English text of 2023 is an error."""
    (root / "klimatkontrakt.yaml").write_text("languages:\n  source: sv\n  translations: []\n", encoding="utf-8")


def test_validate_into_a_closed_pipe_does_not_exit_0_on_bad_data(repo_copy):
    _without_english(repo_copy)
    assert run(repo_copy, "validate", "2023")[0] == 1
    done = _run_into_a_closed_pipe(repo_copy, "validate", "2023")
    assert done.returncode != 0, done.stderr


def test_versions_into_a_closed_pipe_is_no_traceback(repo_copy):
    _without_english(repo_copy)
    done = _run_into_a_closed_pipe(repo_copy, "versions")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode != 0, done.stderr


def test_new_year_onto_a_dangling_link_names_it_and_writes_nothing(repo_copy, tmp_path):
    (repo_copy / "years" / "2024").symlink_to(tmp_path / "nowhere")
    before = sorted(p.name for p in (repo_copy / "years").iterdir())
    code, out, err = run(repo_copy, "new-year", "2024")
    assert code in (1, 2)
    assert ".2024.tmp" not in out + err and "years/2024" in out + err, out + err
    assert sorted(p.name for p in (repo_copy / "years").iterdir()) == before


# A sitecustomize (processes.hooked): SIGTERM at the first file the command opens inside years/.VERSION.tmp, the
# folder new-year fills before it renames it: an exact moment, no sleeps.
_TERM_WHILE_STAGING = """
import os, signal, sys, threading

_fired = []

def _audit(event, args):
    if _fired or event != "open" or not isinstance(args[0], str) or os.environ["STAGING"] not in args[0]:
        return
    _fired.append(True)
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

sys.addaudithook(_audit)
"""


def test_new_year_stopped_while_copying_leaves_nothing_behind(repo_copy, tmp_path):
    (repo_copy / "years" / "2023" / "signed.lock").unlink()
    env = hooked(tmp_path, _TERM_WHILE_STAGING, STAGING=".2024.tmp")
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(repo_copy), "new-year", "2024"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL),
    )
    assert done.returncode == 143 and "interrupted" in done.stderr, done.stderr
    assert sorted(p.name for p in (repo_copy / "years").iterdir()) == ["2023"]


def test_lock_refuses_a_signed_version_that_does_not_validate(repo_copy):
    _with_2024(repo_copy)
    _replace(repo_copy / "years" / "2024" / "contract.yaml", "status: draft", "status: signed")
    code, out, _ = run(repo_copy, "validate", "2024")
    assert code == 1 and "a signed version needs its signing date" in out
    code, out, err = run(repo_copy, "lock", "2024")
    assert code == 1, out + err
    assert not (repo_copy / "years" / "2024" / "signed.lock").exists()


def _reuse_the_id_klimatrad(root: Path) -> None:
    """2024 renames klimatrad (content unchanged) to klimat-rad, and gives the id klimatrad to a new section."""
    path = root / "years" / "2024" / "municipality.yaml"
    _replace(path, "          - id: klimatrad\n", "          - id: klimat-rad\n")
    new = (
        "          - id: klimatrad\n"
        "            title:\n"
        "              sv: Cykelparkering\n"
        "              en: Bicycle parking\n"
        "            body:\n"
        "              - p:\n"
        "                  sv: Cykelparkeringar ska byggas vid alla stationer i kommunen.\n"
        "                  en: Bicycle parking shall be built at every station in the municipality.\n"
        "          - id: klimatkommitte\n"
    )
    _replace(path, "          - id: klimatkommitte\n", new)


def test_the_redline_names_the_old_section_by_its_old_title(repo_copy):
    _with_2024(repo_copy)
    _reuse_the_id_klimatrad(repo_copy)
    done = subprocess.run(  # in its own process: the redline is written to standard output's bytes
        [sys.executable, "-m", "contract", "--root", str(repo_copy), "diff", "2023", "2024"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line.strip() for line in done.stdout.splitlines() if "delat från" in line]
    assert said and all("Cykelparkering" not in line for line in said), said


def test_check_signed_accepts_a_lock_with_windows_line_ends(repo_copy):
    _commit(repo_copy)
    lock = repo_copy / "years" / "2023" / "signed.lock"
    lock.write_bytes(lock.read_bytes().replace(b"\n", b"\r\n"))
    assert run(repo_copy, "validate", "2023")[0] == 0
    code, out, err = run(repo_copy, "check-signed", "--base", "HEAD")
    assert code == 0, out + err


@pytest.mark.slow
def test_the_site_history_shows_sections_of_a_version_off_the_previous_chain(tmp_path):
    root = make_repo(tmp_path / "repo")
    contract_yaml = root / "years" / "2024" / "contract.yaml"
    _replace(contract_yaml, "previous: '2023'", "previous: '2022'")
    code, out, err = build(root, "--drafts")
    assert code == 0, out + err
    page = (root / "site" / "sv" / "history" / "index.html").read_text(encoding="utf-8")
    assert "finns inte i denna version" not in page


def test_an_erratum_for_one_section_refuses_an_edit_of_the_parties_in_contract_yaml(repo_copy):
    contract_yaml = repo_copy / "years" / "2023" / "contract.yaml"
    _replace(contract_yaml, "      O: Vinnova\n", "      O: Evil Corp\n")
    lock = (repo_copy / "years" / "2023" / "signed.lock").read_bytes()
    code, out, err = _erratum(repo_copy, "mellanslag", "en politisk beredning", "en politisk  beredning")
    assert code == 1 and "contract.yaml" in out + err, out + err
    assert (repo_copy / "years" / "2023" / "signed.lock").read_bytes() == lock


def test_a_signing_date_in_the_future_is_an_error(repo_copy):
    (repo_copy / "years" / "2023" / "signed.lock").unlink()
    _replace(repo_copy / "years" / "2023" / "contract.yaml", "signed_on: 2023-12-08", "signed_on: 2099-12-08")
    code, out, err = run(repo_copy, "validate", "2023")
    assert code == 1
    assert any("2099" in line for line in out.splitlines() if ": error: " in line), out + err


def test_new_year_does_not_write_a_valid_for_that_does_not_validate(repo_copy):
    code, out, err = run(repo_copy, "new-year", "9999")
    if code == 0:
        code, out, err = run(repo_copy, "validate", "9999")
        assert "valid_for" not in out, out + err
    else:
        assert not (repo_copy / "years" / "9999").exists()
