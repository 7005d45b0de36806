"""A checkout's own tools (the virtual environment, axe-core's node_modules) stay out of git, as folders or links."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_git_add_all_leaves_the_virtual_environment_and_node_modules_out(tmp_path, kind):
    # A link is how a second checkout (a git worktree) shares the first one's tools. Committed, it replaced the
    # first checkout's .venv folder on the next checkout there: git takes an ignored folder for expendable.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "venv" / "bin").mkdir(parents=True)
    (elsewhere / "node_modules" / "axe-core").mkdir(parents=True)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy2(ROOT / ".gitignore", checkout / ".gitignore")
    for name, target in ((".venv", elsewhere / "venv"), ("node_modules", elsewhere / "node_modules")):
        if kind == "link":
            (checkout / name).symlink_to(target, target_is_directory=True)
        else:
            shutil.copytree(target, checkout / name)
            (checkout / name / "kept.txt").write_text("x", encoding="utf-8")
    # Only the project's .gitignore decides: a user's own excludes (many ignore .venv and node_modules everywhere, in
    # ~/.config/git/ignore) made this pass with the old one too.
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q"], cwd=checkout, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=checkout, check=True, env=env)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=checkout, check=True, capture_output=True, text=True, env=env
    ).stdout.split()
    assert staged == [".gitignore"]
