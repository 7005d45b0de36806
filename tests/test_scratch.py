"""The commands' scratch folders (contract.output.scratch) go however the command ends, Ctrl-C at any step included."""

from __future__ import annotations

import os
import signal
import tempfile
import threading

import pytest

from contract import interrupts
from contract.output.scratch import scratch_folder


@pytest.fixture
def temporary(tmp_path, monkeypatch):
    """A temporary folder of the test's own, in place of the machine's."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _ctrl_c(*_: object) -> None:
    signal.pthread_kill(
        threading.get_ident(), signal.SIGINT
    )  # the handler runs at the next bytecode of the main thread


def test_the_folder_is_there_in_the_block_and_gone_after(temporary):
    with interrupts.handling(), scratch_folder("kk-test-") as folder:
        (folder / "file").write_text("x", encoding="utf-8")
        os.chmod(folder / "file", 0o444)  # read-only entries go too
        assert folder.parent == temporary and folder.name.startswith("kk-test-")
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("when", ["made", "inside", "removed"])
def test_ctrl_c_as_the_folder_is_made_used_or_removed_stops_the_command_and_leaves_nothing(
    temporary, monkeypatch, when
):
    real_mkdtemp, real_rmdir = tempfile.mkdtemp, os.rmdir

    def mkdtemp(*args, **kwargs):
        made = real_mkdtemp(*args, **kwargs)
        if when == "made":
            _ctrl_c()
        return made

    def rmdir(path, *args, **kwargs):
        if when == "removed" and os.path.basename(path).startswith("kk-test-"):
            _ctrl_c()  # the removal has begun: Python's own clean-up of the folder is already called off
        return real_rmdir(path, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(os, "rmdir", rmdir)  # every way of removing a folder ends with os.rmdir on it
    reached = False
    with pytest.raises(KeyboardInterrupt), interrupts.handling():
        with scratch_folder("kk-test-"):
            reached = True
            if when == "inside":
                _ctrl_c()
    assert reached == (when != "made")
    assert list(temporary.iterdir()) == []
