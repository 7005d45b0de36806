"""Helpers for the build tests: a committed repository to build, copies of a built one, in-process runs."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from contract.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("years", "schema", "mkdocs.yml", "overrides", "docs_assets", "hooks")


@dataclass(frozen=True)
class Built:
    """The session's built repository: site/ (no drafts) and drafts/ (with them), and what each build printed."""

    root: Path
    plain: str
    drafts: str


def git(cwd: Path, *args: str) -> None:
    """Run git quietly with a fixed test identity."""
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def make_repo(root: Path) -> Path:
    """Copy what a build reads into root and commit it (so provenance names a real commit)."""
    root.mkdir(parents=True)
    for name in INPUTS:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "contract")
    return root


def copy_repo(built: Path, target: Path) -> Path:
    """Copy a built repository whole: sources, git, cache, stamp and site."""
    shutil.copytree(built, target, symlinks=True)
    return target


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    """Run `klimatkontrakt build --root ROOT ARGV` in this process; return exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["build", "--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def run_process(root: Path, *argv: str, **kwargs) -> subprocess.CompletedProcess:
    """Run python build.py in its own process (where the process boundary is what a test checks)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--root", str(root), *argv],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
        **kwargs,
    )


def tree(folder: Path) -> dict[str, str]:
    """Return the hash of every file under folder by its relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit_style(root: Path) -> None:
    """Change a site input outside years/ (the stylesheet): the site is built again, every PDF comes from the cache."""
    css = root / "docs_assets" / "kk.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited by a test */\n", encoding="utf-8")


def leftovers(root: Path) -> list[str]:
    """Return what beside site/ an interrupted build could have left (the lock file is meant to stay)."""
    return sorted(p.name for p in root.glob(".site*") if p.name != ".site.lock")
