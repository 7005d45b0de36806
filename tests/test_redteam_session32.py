"""Red team 32: cf20636 attacked (build.assets.check_assets; interrupts.terminating, handling() keeping SIG_IGN,
deferred() raising at its end outside a command).

Found:
- check_assets does not look into a folder link (os.walk without followlinks), but shutil.copytree (symlinks=False)
  follows it and copies what is behind: a link to /dev, /proc or a folder outside holding a link to /dev/zero passes
  the check, and the copy fills the disk (the case cf20636 names, one folder further); a loop that goes out of
  docs_assets/ and back (ext -> ../outside, outside/back -> docs_assets) passes too, and copytree copies docs_assets/
  again at every turn until the system's 40-link limit (21 copies seen with one link back; with two: 2**20), then
  reports shutil.Error's list of tuples.
- a link to a kernel file passes as a plain file: /proc/kmsg (as root, the copy waits for the next kernel message),
  /proc/self/environ (the build's environment, CI secrets included, copied into the published site).
- a page MkDocs reads but that is not named *.md (MkDocs' Markdown extensions: .markdown, .mdown, .mkdn, .mkd) is not
  checked for UTF-8: the internal error check_assets was made to prevent.
- deferred() outside a command raises what it recorded at its end, but start_index returns its Popen from inside
  deferred(): a library caller of build whose Ctrl-C lands as Pagefind starts gets KeyboardInterrupt from
  start_index and the Pagefind process is lost, left running (nobody stops it: the caller never got it).
- deferred() outside a command whose block raises (rmtree's OSError, a Popen OSError) keeps what it recorded: the
  process's next build is interrupted at its first check(), with no Ctrl-C (the bug cf20636 says is fixed).
- nested deferred() outside a command: the inner one raises at its end, inside the outer block, which is the clean-up
  that must finish.
- a library host's own SIGINT/SIGTERM handler (a graceful stop by flag) is not called for a signal during deferred():
  the host gets KeyboardInterrupt/Terminated out of the build instead.
- (not a test) an Emacs lock file (.#page.md, a link to nothing) is named "cannot be read: a link to nothing, remove
  it" while the page is being edited: in serve, MkDocs would have left it out (exclude_docs .*), so the preview stops.

Held: images, fonts, nested folders, hidden files and folders, names with spaces, emoji and NFD, a BOM page, a link
to a folder or a file outside; a -> b -> a named; a link to an ancestor outside docs_assets/ named; a link to a
descendant not named; a SIGTERM between handling()'s end and terminating()'s end: 143 "interrupted", then SIG_DFL;
a host's handlers are put back after handling() and terminating(); with SIGINT ignored, SIGTERM still stops the
command (handling()) and serve.

Fixed since: check_assets looks into linked folders with the folders it is in (a loop through a folder outside is
named), names links into /proc, /sys and /dev, checks every suffix MkDocs reads as a page, and leaves hidden files
out as MkDocs does (the build's copy too); deferred() outside a command keeps nothing once its block ends and sends
each signal that came to the handler the process had; start_index stops a Pagefind it started if a stop ends it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import unicodedata
from pathlib import Path

import pytest
from test_redteam_session25 import _Serve

from contract import interrupts
from contract.build import search
from contract.build.assets import check_assets
from contract.errors import ContractError


def _assets(tmp_path: Path) -> Path:
    assets = tmp_path / "repo" / "docs_assets"
    assets.mkdir(parents=True)
    return assets


def _named(assets: Path) -> str:
    with pytest.raises(ContractError) as caught:
        check_assets(assets)
    return str(caught.value)


# --- check_assets: held -----------------------------------------------------------------------------------------


def test_legitimate_content_passes(tmp_path):
    assets = _assets(tmp_path)
    (assets / "img").mkdir()
    (assets / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (assets / "fonts" / "deep" / "er").mkdir(parents=True)
    (assets / "fonts" / "deep" / "er" / "font.woff2").write_bytes(b"wOF2\xff\xfe\x00")
    (assets / ".git").mkdir()
    (assets / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (assets / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1\xff")
    (assets / "with space 🌍.md").write_text("# Hej\n", encoding="utf-8")
    (assets / unicodedata.normalize("NFD", "bilaga-å.md")).write_text("# å\n", encoding="utf-8")
    (assets / "bom.md").write_bytes(b"\xef\xbb\xbf# BOM\n")
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "a.txt").write_text("x")
    (outside / "file.pdf").write_bytes(b"%PDF-1.7\n\xff")
    (assets / "shared").symlink_to(outside / "sub")  # a folder outside the repository
    (assets / "linked.pdf").symlink_to(outside / "file.pdf")  # a file elsewhere
    (assets / "img" / "again").symlink_to(assets / "fonts")  # a link to a sibling folder: no loop
    (assets / "to-descendant").symlink_to(assets / "fonts" / "deep")
    check_assets(assets)


def test_loops_and_links_to_an_ancestor_outside_are_named(tmp_path):
    assets = _assets(tmp_path)
    (assets / "a").symlink_to(assets / "b")
    (assets / "b").symlink_to(assets / "a")
    (assets / "sub").mkdir()
    (assets / "sub" / "up").symlink_to("../..")  # the repository: copytree would copy docs_assets into itself
    (assets / "root").symlink_to("/")
    text = _named(assets)
    assert "docs_assets/a: error: the file cannot be read" in text
    assert "docs_assets/b: error" in text
    assert "sub/up: error: the link leads back into a folder it is in (a loop)" in text
    assert "docs_assets/root: error: the link leads back into a folder it is in (a loop)" in text


# --- check_assets: missed -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("behind", ["/dev", "/proc", "outside"])
def test_a_device_behind_a_folder_link_is_named(tmp_path, behind):
    assets = _assets(tmp_path)
    if behind == "outside":
        (tmp_path / "outside").mkdir()
        (tmp_path / "outside" / "zero").symlink_to("/dev/zero")
        behind = str(tmp_path / "outside")
    (assets / "linked").symlink_to(behind)
    where = "/proc" if behind == "/proc" else "/dev"
    assert f"error: the link leads into the system's {where} folder, whose files are not the site's" in _named(assets)


@pytest.mark.parametrize("target", ["/proc/version", "/proc/self/environ"])
def test_a_link_to_a_kernel_file_is_named(tmp_path, target):
    # /proc's files pass as regular ones: /proc/kmsg's read waits for the next kernel message (the copy hangs, as
    # root); /proc/self/environ copies the build's environment (CI secrets) into the published site. Not read here;
    # both targets are on every Linux (/proc/kmsg not in every container).
    assets = _assets(tmp_path)
    (assets / "log.txt").symlink_to(target)
    assert "log.txt: error: the link leads into the system's /proc folder" in _named(assets)


def test_a_loop_through_a_folder_outside_is_named(tmp_path):
    assets = _assets(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "back").symlink_to(assets)
    (outside / "back2").symlink_to(assets)  # two ways back: copytree makes 2**20 copies before ELOOP stops it
    (assets / "ext").symlink_to(outside)
    text = _named(assets)
    assert "ext/back: error: the link leads back into a folder it is in (a loop)" in text, text
    assert "ext/back2: error: the link leads back into a folder it is in (a loop)" in text, text


@pytest.mark.parametrize("suffix", [".markdown", ".mdown", ".mkdn", ".mkd"])
def test_a_page_with_another_markdown_suffix_that_is_not_utf8_is_named(tmp_path, suffix):
    from mkdocs.utils import is_markdown_file

    assert is_markdown_file(f"page{suffix}")  # MkDocs reads it as a page, as UTF-8
    assets = _assets(tmp_path)
    (assets / f"page{suffix}").write_bytes("# Bilaga å\n".encode("latin-1"))
    assert "not UTF-8" in _named(assets)


# --- deferred() outside a command (a library caller of build) -----------------------------------------------------


@pytest.fixture
def library():
    """As a library caller: no handling(), nothing recorded before or after."""
    assert not interrupts._handling
    interrupts._received.clear()
    yield
    interrupts._received.clear()


def test_a_stop_recorded_in_a_deferred_block_that_raises_is_not_carried_over(library):
    with pytest.raises(KeyboardInterrupt) as raised, interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        raise OSError("the clean-up failed")
    assert isinstance(raised.value.__context__, OSError)  # the Ctrl-C reached Python's handler as the block ended
    try:
        interrupts.check()  # the library caller's next build, no Ctrl-C: must not be interrupted
    except KeyboardInterrupt:
        pytest.fail("the next build is interrupted by the earlier Ctrl-C")


def test_nested_deferred_lets_the_outer_clean_up_finish(library):
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.deferred():
            with interrupts.deferred():
                signal.raise_signal(signal.SIGINT)
            finished.append("outer clean-up")
    assert finished == ["outer clean-up"]


def test_a_stop_as_pagefind_starts_in_a_library_build_leaves_no_pagefind(library, tmp_path, monkeypatch):
    program = tmp_path / "pagefind"
    program.write_text("#!/bin/sh\nexec sleep 600\n")
    program.chmod(0o755)
    monkeypatch.setenv(search.ENVIRONMENT, str(program))
    started = []
    real = subprocess.Popen

    def popen_then_ctrl_c(*args, **kwargs):
        started.append(real(*args, **kwargs))
        signal.raise_signal(signal.SIGINT)  # Ctrl-C as Popen returns
        return started[-1]

    monkeypatch.setattr(search.subprocess, "Popen", popen_then_ctrl_c)
    process = None
    try:
        try:
            process = search.start_index(tmp_path)
        except KeyboardInterrupt:
            pass  # the build's caller stops here: it holds no process to stop
        finally:
            if process is not None:
                search.stop_index(process)
        [pagefind] = started
        assert pagefind.poll() is not None, "Pagefind still runs and nobody holds it"
    finally:
        for each in started:
            each.kill()
            each.wait()


def test_a_hosts_graceful_sigterm_handler_is_called_for_a_sigterm_during_deferred(library):
    seen = []
    before = signal.signal(signal.SIGTERM, lambda number, frame: seen.append(number))
    try:
        with interrupts.deferred():
            signal.raise_signal(signal.SIGTERM)
        assert seen == [signal.SIGTERM]
    except interrupts.Terminated:
        pytest.fail("the host's handler was bypassed: Terminated raised out of the build")
    finally:
        signal.signal(signal.SIGTERM, before)


# --- terminating() and handling(): held -----------------------------------------------------------------------------


def test_sigterm_between_the_commands_end_and_terminatings_end(monkeypatch, capsys):
    import contract.cli.main as cli_main
    from contract.cli import entry

    def command(argv=None):
        with interrupts.handling():
            pass
        signal.raise_signal(signal.SIGTERM)  # the command has returned; terminating() has not ended yet
        for _ in range(1000):
            pass
        return 0

    monkeypatch.setattr(cli_main, "main", command)
    assert entry.main() == 143
    assert capsys.readouterr().err == "interrupted\n"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_hosts_handlers_come_back_and_an_ignored_ctrl_c_leaves_sigterm_working():
    def host(number, frame):
        raise AssertionError("host")

    before = signal.signal(signal.SIGINT, host), signal.signal(signal.SIGTERM, host)
    try:
        with interrupts.terminating(), interrupts.handling():
            pass
        assert signal.getsignal(signal.SIGINT) is host and signal.getsignal(signal.SIGTERM) is host
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with pytest.raises(interrupts.Terminated), interrupts.handling():
            signal.raise_signal(signal.SIGINT)  # ignored
            signal.raise_signal(signal.SIGTERM)
            for _ in range(1000):
                pass
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


@pytest.mark.slow
def test_serve_with_ctrl_c_ignored_stops_on_sigterm(tmp_path):
    serve, _, temporary = _Serve.in_a_new_repo(tmp_path, ctrl_c=signal.SIG_IGN)
    try:
        serve.wait_for("Serving on")
        serve.proc.send_signal(signal.SIGINT)  # ignored, as it was told
        assert serve.stop(signal.SIGTERM) in (143, -signal.SIGTERM)
        assert list(temporary.iterdir()) == []
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()


def test_an_editors_lock_file_and_other_hidden_files_are_left_out_as_mkdocs_leaves_them_out(tmp_path):
    # Emacs' lock for a page being edited is a link to nothing: serve stopped on it while someone edited a page.
    assets = _assets(tmp_path)
    (assets / "page.md").write_text("# Page\n", encoding="utf-8")
    (assets / ".#page.md").symlink_to("editor@host.1234:1700000000")
    (assets / ".cache").mkdir()
    os.mkfifo(assets / ".cache" / "pipe")
    check_assets(assets)
