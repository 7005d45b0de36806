"""Red team 25: `serve` makes MkDocs' preview folder inside a TemporaryDirectory of its own (bbaa5ad), attacked.

Held: a stop (SIGINT 130, SIGTERM 143) at the imports of serve, of MkDocs' configuration and extensions, and twice in
the first build leaves nothing; a YAML edit rebuilds and the site still serves; two serves with one TMPDIR keep their
own folders; tempfile.tempdir is put back and the folder removed on a normal end, an OSError or a Ctrl-C.
A second Ctrl-C while MkDocs removes its folder leaves nothing either (ours removes the rest).
Found: a Ctrl-C in the few bytecodes between TemporaryDirectory's mkdtemp and its finalizer, and a second Ctrl-C as
our folder is removed, each left an empty klimatkontrakt-serve-* folder in TMPDIR. Fixed: the folder is now made and
removed by contract.output.scratch with interrupts deferred.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from processes import SIGNAL_AT_IMPORT, hooked
from site_helpers import listening_port, make_serve_repo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def serve_repo(tmp_path) -> Path:
    """A scratch repository that `klimatkontrakt serve` can preview: version 2023 and the site's configuration."""
    return make_serve_repo(tmp_path / "repo")


class _Serve:
    """A serve in a new process, its stderr read line by line in a thread."""

    def __init__(self, repo: Path, temporary: Path, extra_env: dict | None = None, ctrl_c=signal.SIG_DFL):
        """ctrl_c: SIG_DFL as at a terminal, SIG_IGN as a script's background job."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary), **(extra_env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, ctrl_c),
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    @classmethod
    def in_a_new_repo(cls, tmp_path: Path, **options) -> tuple[_Serve, Path, Path]:
        """Start serve in a new serve repository under tmp_path with its own TMPDIR; return it, the repo, the TMPDIR."""
        repo = make_serve_repo(tmp_path / "repo")
        temporary = tmp_path / "tmp"
        temporary.mkdir()
        return cls(repo, temporary, **options), repo, temporary

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = 240) -> str:
        end = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            if line is None:
                raise AssertionError(f"serve ended before {text!r}: {''.join(self.seen)}")
            self.seen.append(line)
            if text in line:
                return line

    def get(self, path: str) -> str:
        port = listening_port(self.proc.pid)  # it bound port 0: the system chose a free one
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            return response.read().decode("utf-8")

    def stop(self, number: int, timeout: float = 120) -> int:
        self.proc.send_signal(number)
        return self.ended(timeout)

    def ended(self, timeout: float = 120) -> int:
        """Wait for serve to end (if it hangs, say with how many threads) and read the rest of what it said."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            threads = len(os.listdir(f"/proc/{self.proc.pid}/task"))
            raise AssertionError(f"serve still runs {timeout} s after the stops, with {threads} threads") from None
        while (line := self.lines.get(timeout=30)) is not None:
            self.seen.append(line)
        return code


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_serve_rebuilds_after_a_yaml_edit_and_leaves_nothing_on_stop(serve_repo, tmp_path, number):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    serve = _Serve(serve_repo, temporary)
    try:
        serve.wait_for("Serving on")
        [made] = temporary.iterdir()  # ours, with MkDocs' folder inside it
        assert made.name.startswith("klimatkontrakt-serve-"), made
        assert [p.name[:7] for p in made.iterdir()] == ["mkdocs_"]
        assert "Klimatkontrakt" in serve.get("/")
        yaml = serve_repo / "years" / "2023" / "purpose.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace("title:", "title: RED25", 1), encoding="utf-8")
        serve.wait_for("Reloading browsers")
        pages = [serve.get("/")]
        assert pages[0]
        code = serve.stop(number)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    assert code == 128 + number, "".join(serve.seen)
    assert "Traceback" not in "".join(serve.seen)
    assert list(temporary.iterdir()) == []


# Sends Ctrl-C as tempfile.mkdtemp returns the folder named R25_PREFIX*: the folder exists, nothing owns it yet.
_SIGINT_AT_MKDTEMP = """
import os, signal, sys, threading

def _profile(frame, event, arg):
    if event == "return" and frame.f_code.co_name == "mkdtemp" and isinstance(arg, str):
        if os.path.basename(arg).startswith(os.environ["R25_PREFIX"]):
            sys.setprofile(None)
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)

sys.setprofile(_profile)
"""


def _serve_with_hook(
    repo: Path, tmp_path: Path, hook: str, **env_extra: str
) -> tuple[subprocess.CompletedProcess, Path]:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, hook, TMPDIR=str(temporary), **env_extra)
    done = subprocess.run(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
        cwd=repo, capture_output=True, text=True, timeout=300, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    return done, temporary


def test_ctrl_c_as_the_serve_folder_is_made_leaves_nothing(serve_repo, tmp_path):
    done, temporary = _serve_with_hook(serve_repo, tmp_path, _SIGINT_AT_MKDTEMP, R25_PREFIX="klimatkontrakt-serve-")
    assert done.returncode == 130, done
    assert "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in temporary.iterdir()) == []


def _fake_serve(seen: dict, fail: BaseException | None = None):
    def serve(config_file, dev_addr, theme):
        seen["tempdir"] = tempfile.gettempdir()
        seen["mkdocs"] = tempfile.mkdtemp(prefix="mkdocs_")
        (Path(seen["mkdocs"]) / "index.html").write_text("x", encoding="utf-8")
        if fail is not None:
            raise fail

    return serve


@pytest.mark.parametrize("fail", [None, OSError(28, "No space left on device"), KeyboardInterrupt()])
@pytest.mark.parametrize("before", [None, "given"])
def test_tempdir_is_restored_and_the_scratch_folder_removed(serve_repo, tmp_path, monkeypatch, fail, before):
    import mkdocs.commands.serve

    from contract.cli.main import main

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", None if before is None else str(temporary))
    seen: dict = {}
    monkeypatch.setattr(mkdocs.commands.serve, "serve", _fake_serve(seen, fail))
    code = main(["serve", "--root", str(serve_repo), "--dev-addr", "127.0.0.1:0"])
    assert code == {None: 0, OSError: 1, KeyboardInterrupt: 130}[type(fail) if fail else None]
    assert tempfile.tempdir in (None, str(temporary))  # None, or what gettempdir() found (it caches it there)
    assert Path(seen["tempdir"]).parent == temporary and Path(seen["mkdocs"]).parent == Path(seen["tempdir"])
    assert list(temporary.iterdir()) == []


@pytest.mark.slow
def test_two_serves_with_one_tmpdir_do_not_remove_each_others_folders(serve_repo, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    first, second = _Serve(serve_repo, temporary), _Serve(serve_repo, temporary)
    try:
        first.wait_for("Serving on")
        second.wait_for("Serving on")
        assert len(list(temporary.iterdir())) == 2
        assert first.stop(signal.SIGINT) == 130, "".join(first.seen)
        assert "Klimatkontrakt" in second.get("/")  # its folder was not the first one's
        [left] = temporary.iterdir()
        assert any(left.iterdir())
        assert second.stop(signal.SIGTERM) == 143, "".join(second.seen)
    finally:
        for serve in (first, second):
            if serve.proc.poll() is None:
                serve.proc.kill()
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize(
    "module",
    [
        "mkdocs.commands.serve",  # before our folder
        "mkdocs.config.defaults",  # MkDocs loads its configuration
        "pymdownx.escapeall",  # MkDocs loads the Markdown extensions
        "contract.diff",  # the first build, the pages
        "fontTools",  # the first build, later
    ],
)
def test_a_stop_at_an_import_during_serve_leaves_nothing(serve_repo, tmp_path, module, number):
    done, temporary = _serve_with_hook(
        serve_repo, tmp_path, SIGNAL_AT_IMPORT, SIGNAL_AT_IMPORT=module, SIGNAL_AT_NUMBER=str(number)
    )
    assert done.returncode == 128 + number, done
    assert "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in temporary.iterdir()) == []


# A double Ctrl-C: the first as the first build imports contract.diff, the second as shutil.rmtree is called on the
# folder named R25_WHICH* ("mkdocs_": MkDocs' own clean-up; "klimatkontrakt-serve-": ours, after MkDocs' finished).
_TWO_SIGINTS = """
import os, signal, sys, shutil, threading

_original = shutil.rmtree
_state = {"first": False, "second": False}

def _rmtree(path, *args, **kwargs):
    if _state["first"] and not _state["second"] and os.path.basename(str(path)).startswith(os.environ["R25_WHICH"]):
        _state["second"] = True
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
    return _original(path, *args, **kwargs)

shutil.rmtree = _rmtree

class _Finder:
    def find_spec(self, name, path=None, target=None):
        if not _state["first"] and name == "contract.diff":
            _state["first"] = True
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        return None

sys.meta_path.insert(0, _Finder())
"""


@pytest.mark.parametrize(
    "which",
    [
        "mkdocs_",  # held: MkDocs' rmtree stops, ours removes what it left
        "klimatkontrakt-serve-",
    ],
)
def test_a_second_ctrl_c_during_the_clean_up_leaves_nothing(serve_repo, tmp_path, which):
    done, temporary = _serve_with_hook(serve_repo, tmp_path, _TWO_SIGINTS, R25_WHICH=which)
    assert done.returncode == 130, done
    assert "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in temporary.iterdir()) == []
