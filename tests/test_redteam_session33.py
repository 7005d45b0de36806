"""Red team 33: bb5876a attacked (build.assets.check_assets walking linked folders; interrupts.deferred() outside a
command sending each recorded signal again).

Found:
- a repository under /dev (a CI checkout or TMPDIR on the /dev/shm RAM disk) fails every build: each plain file's
  real path is under /dev, so each is named "the link leads into the system's /dev folder" (no link at all).
- deep real nesting costs cubic time: every entry compares its real path with every folder it is in through
  Path.parents (200 nested folders: ~8 s; 1000: many minutes), where copytree takes linear time.
- links forming a lattice (each level's folder holds two links to the next) are walked 2**levels times: 12 levels
  took 8191 listdirs and ~8 s; nothing bounds it (nor the copy).
- deferred() outside a command whose block raises drops the signals that came: a SIGTERM during a clean-up that
  fails never reaches the host's handler (with SIG_DFL the process that was told to end goes on).
- deferred() outside a command: SIGINT then SIGTERM during the block: SIGINT is raised again first, Python's handler
  raises KeyboardInterrupt out of the loop, and SIGTERM is never raised again (lost).
- output.scratch.scratch_folder as a library: a Ctrl-C as the folder is made is raised at deferred()'s end, before
  the try that removes it: the folder stays as long as the caller holds the KeyboardInterrupt's traceback (then
  TemporaryDirectory's finalizer removes it with a ResourceWarning).

Held: two sibling links to the same folder outside pass (no false loop); a link to a folder outside that holds a
link into /proc two levels down is named through each sibling; a lone SIGTERM in deferred() reaches the host's
handler once and nothing is kept for later.

Fixed since: only a link is checked for where it leads (a checkout under /dev/shm builds), and only against the
folders the walk went through links into (linear work, no recursion); the walk stops with one error after
MAX_ENTRIES entries (a lattice of links, or a link to a large folder); deferred() hands every signal on, also when its
block raised and when a handler raises; scratch_folder removes a folder a stop interrupted as it was made.
"""

from __future__ import annotations

import os
import pathlib
import signal
import tempfile
from pathlib import Path

import pytest
from test_redteam_session32 import _assets, _named

from contract import interrupts
from contract.build import assets as assets_module
from contract.build.assets import check_assets
from contract.output import scratch

# --- check_assets -------------------------------------------------------------------------------------------------


def _two_links_to_one_folder_outside(tmp_path: Path) -> tuple[Path, Path]:
    """Return docs_assets with two links (absolute, relative) to one folder outside, and that folder's q/r/."""
    assets = _assets(tmp_path)
    outside = tmp_path / "outside"
    (outside / "q" / "r").mkdir(parents=True)
    (assets / "l1").symlink_to(outside)
    (assets / "l2").symlink_to("../../outside")
    return assets, outside / "q" / "r"


def test_two_sibling_links_to_one_folder_outside_are_not_a_loop(tmp_path):
    assets, inner = _two_links_to_one_folder_outside(tmp_path)
    (inner / "a.txt").write_text("x")
    check_assets(assets)


def test_proc_two_levels_down_behind_a_link_outside_is_named_through_each_link(tmp_path):
    assets, inner = _two_links_to_one_folder_outside(tmp_path)
    (inner / "p").symlink_to("/proc")
    text = _named(assets)
    assert "docs_assets/l1/q/r/p: error: the link leads into the system's /proc folder" in text
    assert "docs_assets/l2/q/r/p: error: the link leads into the system's /proc folder" in text


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no /dev/shm")
def test_a_repository_on_dev_shm_builds():
    with tempfile.TemporaryDirectory(dir="/dev/shm") as where:
        assets = Path(where) / "repo" / "docs_assets"
        assets.mkdir(parents=True)
        (assets / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        check_assets(assets)


def test_deep_nesting_is_checked_in_linear_work(tmp_path, monkeypatch):
    depth = 60
    assets = _assets(tmp_path)
    folder = assets
    for _ in range(depth):
        folder = folder / "d"
        os.mkdir(folder)
    parents = pathlib.PurePath.parents
    looked = [0]

    def counting(self):
        looked[0] += 1
        return parents.fget(self)

    monkeypatch.setattr(pathlib.PurePath, "parents", property(counting))
    check_assets(assets)
    assert looked[0] <= 10 * depth  # now about depth**2 / 2 (1830), each walking up to depth parents


def test_a_lattice_of_links_is_bounded_and_named(tmp_path, monkeypatch):
    # Each level's folder holds two links to the next: 2**levels paths, each of which the copy would make.
    monkeypatch.setattr(assets_module, "MAX_ENTRIES", 300)  # the bound, not its size, is under test
    assets = _assets(tmp_path)
    levels = 12
    previous = assets
    for level in range(levels):
        folder = tmp_path / f"d{level}"
        folder.mkdir()
        (previous / "x").symlink_to(folder)
        (previous / "y").symlink_to(folder)
        previous = folder
    (previous / "f.txt").write_text("x")
    listdir = os.listdir
    listed = [0]

    def counting(path):
        listed[0] += 1
        return listdir(path)

    monkeypatch.setattr(os, "listdir", counting)
    assert "error: more than 300 files and folders, counting what its links lead to" in _named(assets)
    assert listed[0] <= 300  # bounded: it was 2**(levels+1) - 1 listings, with no end for more levels


# --- deferred() outside a command -----------------------------------------------------------------------------


@pytest.fixture
def host_sigterm():
    calls: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda number, frame: calls.append(number))
    try:
        yield calls
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_lone_sigterm_reaches_the_hosts_handler_once(host_sigterm):
    with interrupts.deferred():
        signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGTERM)
        assert host_sigterm == []
    assert host_sigterm == [signal.SIGTERM]
    interrupts.check()  # nothing kept for later


def test_sigterm_during_a_block_that_raises_reaches_the_host(host_sigterm):
    with pytest.raises(OSError), interrupts.deferred():
        signal.raise_signal(signal.SIGTERM)
        raise OSError("the clean-up failed")
    assert host_sigterm == [signal.SIGTERM]


def test_sigint_then_sigterm_both_reach_their_handlers(host_sigterm):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGTERM)
    assert host_sigterm == [signal.SIGTERM]


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_scratch_folder_interrupted_as_it_is_made_is_removed_at_once(monkeypatch):
    made: list[str] = []
    real = tempfile.TemporaryDirectory

    def interrupted(*args, **kwargs):
        holder = real(*args, **kwargs)
        made.append(holder.name)
        signal.raise_signal(signal.SIGINT)
        return holder

    monkeypatch.setattr(scratch.tempfile, "TemporaryDirectory", interrupted)
    with pytest.raises(KeyboardInterrupt) as caught, scratch.scratch_folder("rt33-"):
        pytest.fail("the block must not run")
    assert caught.value is not None  # the caller still holds the stop (a REPL's sys.last_traceback, a log)
    assert not os.path.exists(made[0])  # now it stays until the traceback is dropped (then a ResourceWarning)
