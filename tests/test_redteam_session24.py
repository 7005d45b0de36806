"""Red team 24: the lazy imports of the command line and the checks, attacked in new processes.

The change itself held (see the session's report); what is here was found on the way, in `serve` (all three also
at 7969a8d, before the change): a bad --dev-addr is bad usage but ended as "internal error ... a fault in
klimatkontrakt", one with a port out of range failed only after the whole preview was built, and a serve stopped while
MkDocs loads its configuration left an empty mkdocs_XXXXXXXX folder in the temporary folder. All three are fixed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from processes import SIGNAL_AT_IMPORT, hooked
from site_helpers import make_serve_repo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def serve_repo(tmp_path) -> Path:
    """A scratch repository that `klimatkontrakt serve` can preview: version 2023 and the site's configuration."""
    return make_serve_repo(tmp_path / "repo")


def _serve(repo: Path, dev_addr: str) -> subprocess.CompletedProcess:
    temporary = repo.parent / "tmp"  # what MkDocs leaves there (the last test) stays out of the machine's /tmp
    temporary.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", dev_addr],
        cwd=repo, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)},
    )  # fmt: skip


@pytest.mark.parametrize("dev_addr", ["nonsense", "example.invalid:8000"])
def test_a_dev_addr_that_is_not_an_address_is_a_usage_error(serve_repo, dev_addr):
    done = _serve(serve_repo, dev_addr)
    assert done.returncode == 2, done
    assert "internal error" not in done.stderr and "fault in klimatkontrakt" not in done.stderr, done.stderr
    assert "--dev-addr" in done.stderr, done.stderr


@pytest.mark.slow  # builds the preview site before it fails
@pytest.mark.parametrize("dev_addr", ["127.0.0.1:99999", "127.0.0.1:-1"])
def test_a_dev_addr_port_out_of_range_is_a_usage_error_before_any_build(serve_repo, dev_addr):
    done = _serve(serve_repo, dev_addr)
    assert done.returncode == 2, done
    assert "internal error" not in done.stderr and "OverflowError" not in done.stderr, done.stderr
    assert "--dev-addr" in done.stderr, done.stderr
    assert "Building documentation" not in done.stderr  # refused before the work, like every other usage error


# A bad --dev-addr is now refused by the parser, before MkDocs starts; MkDocs' own preview folder is made inside
# one of ours, which goes on Ctrl-C too: neither case leaves anything.
@pytest.mark.parametrize("how", ["bad-dev-addr", "ctrl-c-in-config"])
def test_a_serve_stopped_as_it_starts_leaves_no_temporary_folder(serve_repo, tmp_path, how):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)}
    dev_addr = "127.0.0.1:0"
    if how == "bad-dev-addr":
        dev_addr = "nonsense"
    else:
        # Ctrl-C at a step of MkDocs' configuration loading, after `mkdocs serve` has made its preview folder.
        env = hooked(tmp_path, SIGNAL_AT_IMPORT, TMPDIR=str(temporary), SIGNAL_AT_IMPORT="mkdocs.config.defaults")
    done = subprocess.run(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", dev_addr],
        cwd=serve_repo, capture_output=True, text=True, timeout=300, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a runner in the background ignores it
    )  # fmt: skip
    assert done.returncode == (2 if how == "bad-dev-addr" else 130), done
    assert sorted(p.name for p in temporary.iterdir()) == []
