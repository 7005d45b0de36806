"""python build.py: everything from years/, atomically, reproducibly, and only what changed."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("years", "schema", "mkdocs.yml", "overrides", "docs_assets", "hooks")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A committed copy of what a build reads (so provenance names a real commit)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in INPUTS:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "contract")
    return root


def build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root), *args], cwd=root, capture_output=True, text=True)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_both_languages_pdfs_and_no_drafts(repo):
    result = build(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("built 2023: site, 2 PDFs rendered, 0 reused, 0 redlines;")
    site = repo / "site"
    for path in ("index.html", "sv/index.html", "en/index.html", "sv/2023/index.html", "en/2023/index.html",
                 "downloads/2023/klimatkontrakt-2023-sv.pdf", "downloads/2023/klimatkontrakt-2023-en.pdf"):
        assert (site / path).is_file(), path
    assert not (site / "sv" / "2024").exists() and not (site / "downloads" / "2024").exists()
    assert not list(repo.glob(".site.*"))


def test_drafts_bring_the_2024_draft_and_its_redline(repo):
    result = build(repo, "--drafts")
    assert result.returncode == 0, result.stderr
    assert "6 PDFs rendered" in result.stdout and "1 redline;" in result.stdout
    assert (repo / "site" / "downloads" / "2024" / "redline-2023-2024-sv.pdf").is_file()
    assert (repo / "site" / "sv" / "2024" / "redline" / "index.html").is_file()


def test_two_builds_from_the_same_commit_are_byte_identical(repo, tmp_path):
    assert build(repo, "--drafts").returncode == 0
    first = tree(repo / "site")
    shutil.rmtree(repo / ".cache")
    assert build(repo, "--drafts", "--out", str(tmp_path / "again")).returncode == 0
    assert tree(tmp_path / "again") == first


def test_an_unchanged_rebuild_does_nothing_and_an_edit_renders_only_its_version(repo):
    assert build(repo, "--drafts").returncode == 0
    again = build(repo, "--drafts")
    assert again.stdout.startswith("nothing changed since the last build of 2023, 2024;")
    clause = repo / "years" / "2024" / "clause.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("ska uppdateras", "ska ses över och uppdateras"), encoding="utf-8")
    edited = build(repo, "--drafts")
    assert edited.returncode == 0, edited.stderr
    assert "4 PDFs rendered, 2 reused" in edited.stdout  # 2024's contract and redline PDFs; 2023's reused


def test_a_failed_build_leaves_the_previous_site_untouched(repo):
    assert build(repo).returncode == 0
    before = tree(repo / "site")
    purpose = repo / "years" / "2023" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    result = build(repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "years/2023/purpose.yaml:1:1: error: version 2023 is signed and locked, but this file was changed since it was signed "
        "(undo the change (git checkout -- years/2023/purpose.yaml); a needed correction is an erratum: edit, then run "
        'klimatkontrakt erratum 2023 --what-sv "..." --why-sv "...")',
        "years/2023/purpose.yaml:4:5: error: unknown field 'titel' (did you mean 'title'?)",
    ]
    assert "Traceback" not in result.stderr
    assert tree(repo / "site") == before


def test_killing_a_build_half_way_leaves_the_previous_site_untouched(repo):
    assert build(repo).returncode == 0
    before = tree(repo / "site")
    clause = repo / "years" / "2023" / "clause.yaml"
    (repo / "years" / "2023" / "signed.lock").unlink()
    clause.write_text(clause.read_text(encoding="utf-8").replace("ska uppdateras", "ska ses över och uppdateras"), encoding="utf-8")
    assert subprocess.run([sys.executable, "-m", "contract", "--root", str(repo), "lock", "2023"], capture_output=True, check=False).returncode == 0
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(repo)], cwd=repo, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(repo.glob(".site.staging-*/sv/index.html")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the build ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert tree(repo / "site") == before
    result = build(repo)
    assert result.returncode == 0 and not list(repo.glob(".site.*"))
    assert tree(repo / "site") != before
