"""Red team (final): reproducers of defects found in the PDF cache record, source languages, verify and -o rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.output.guard import mark
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent


def _site(tmp_path: Path) -> Path:
    """A build's marked output folder (as `build` leaves it) with its downloads/ folder."""
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    mark(site, ["downloads/"])
    return site


@pytest.mark.parametrize("link_to", ["site/downloads", ".cache/build"])
def test_o_through_a_linked_folder_never_writes_into_a_builds_output_or_cache(tmp_path, link_to):
    """-o site/downloads/x.json is refused; a link to that folder reached it, and the next build found a stranger."""
    _site(tmp_path)
    (tmp_path / ".cache" / "build").mkdir(parents=True)
    (tmp_path / "shortcut").symlink_to(tmp_path / link_to, target_is_directory=True)
    result = run_cli("--root", ROOT, "export", "2023", "--format", "json", "-o", "shortcut/x.json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "is in the output folder, lock or cache of a build" in result.stderr
    assert not (tmp_path / link_to / "x.json").exists()
