"""Red team 34: check_assets (docs_assets/ checked before MkDocs copies it) and interrupts.waiting attacked.

Found:
- docs_assets/ that is itself a link into /proc or /sys passes: only links *inside* the folder are compared with
  /proc, /sys and /dev, so docs_assets -> /proc/sys/kernel/random (or /sys/kernel/mm) is walked as plain files and
  shutil.copytree publishes the kernel's files in the site.
- a name with control characters (a newline, an escape sequence) is printed as is in the diagnostic: a dangling link
  named "x\\nfake.md: error: y" forges a second diagnostic line, and an ESC sequence reaches the terminal.
- a page under docs_assets/templates/ that is not UTF-8 is named, though MkDocs' default exclude_docs (".*",
  "/templates/") leaves it out and never reads it (a false positive stopping the build).

Held: a link to /proc inside docs_assets/ named; a missing docs_assets/ named, not a traceback; waiting() retries
on its expired exception and returns the wait's value; check() raises Terminated for a recorded SIGTERM.

Fixed since: check_assets checks a docs_assets/ that is itself a link for where it leads, prints each name on one
line with control characters escaped, and reads no page under templates/, which MkDocs leaves out.
"""

from __future__ import annotations

import queue
import signal
from pathlib import Path

import pytest
from test_redteam_session32 import _assets, _named

from contract import interrupts
from contract.build.assets import check_assets
from contract.errors import ContractError


def _linked_assets(tmp_path: Path, target: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    assets = repo / "docs_assets"
    assets.symlink_to(target)
    return assets


# --- check_assets: found ----------------------------------------------------------------------------------------


def test_docs_assets_itself_a_link_into_proc_is_named(tmp_path):
    assets = _linked_assets(tmp_path, "/proc/sys/kernel/random")
    with pytest.raises(ContractError) as raised:
        check_assets(assets)
    assert f"{assets}: error: the link leads into the system's /proc folder" in str(raised.value)


def test_docs_assets_itself_a_link_into_sys_is_named(tmp_path):
    assets = _linked_assets(tmp_path, "/sys/kernel/mm")
    with pytest.raises(ContractError) as raised:
        check_assets(assets)
    assert f"{assets}: error: the link leads into the system's /sys folder" in str(raised.value)


def test_control_characters_in_a_name_are_not_printed_raw(tmp_path):
    assets = _assets(tmp_path)
    (assets / "x\x1b[2J\nfake.md: error: y").symlink_to(tmp_path / "nothing")
    message = _named(assets)
    assert "\x1b" not in message
    assert len(message.splitlines()) == 1


def test_page_under_templates_is_not_checked_for_utf8(tmp_path):
    assets = _assets(tmp_path)
    (assets / "templates").mkdir()
    (assets / "templates" / "page.md").write_bytes(b"# Hej \xff\n")
    check_assets(assets)


# --- check_assets: held -----------------------------------------------------------------------------------------


def test_link_into_proc_inside_the_folder_is_named(tmp_path):
    assets = _assets(tmp_path)
    (assets / "k").symlink_to("/proc/sys/kernel/random")
    assert "system's /proc folder" in _named(assets)


def test_missing_docs_assets_is_named(tmp_path):
    assets = tmp_path / "repo" / "docs_assets"
    assets.parent.mkdir()
    assert "cannot be read" in _named(assets)


# --- interrupts: held -------------------------------------------------------------------------------------------


def test_waiting_retries_on_expired_and_returns_the_value():
    calls = []

    def wait(timeout: float) -> str:
        calls.append(timeout)
        if len(calls) < 3:
            raise queue.Empty
        return "done"

    assert interrupts.waiting(wait, queue.Empty) == "done"
    assert calls == [interrupts.TICK] * 3


def test_check_raises_terminated_for_a_recorded_sigterm():
    interrupts._received.append(signal.SIGTERM)
    try:
        with pytest.raises(interrupts.Terminated):
            interrupts.check()
    finally:
        interrupts._received.clear()
