"""Red team 30: d140ad3 attacked (the quiet unraisablehook, rebuild errors as MkDocs Abort, serve in a host's thread).

Held: a KeyboardInterrupt that code itself raises in a finalizer (no stop recorded) is still reported; a discarded
SIGTERM is hidden and raised again as Terminated; two commands run by main() in one process leave Python's default
hook in place, and an ordinary finalizer error during a command is still printed; in live rebuilds, Pagefind missing
prints as a diagnostic (no traceback) each time, a YAML error rebuilds into an error page naming the file, and
SIGTERM right after a failed rebuild ends serve 143, "interrupted", TMPDIR empty; a stop swallowed while serve idles is raised by the next rebuild.
Found:
- a rebuild that fails with anything but a ContractError (an OSError: a broken link in docs_assets/; a page that is not
  UTF-8) still prints a Python traceback, though the first build reports the same OSError as a diagnostic (the
  hook's docstring even names "a folder it cannot write" as handled);
- a page that is not UTF-8 in docs_assets/ makes the first build say "internal error ... a fault in klimatkontrakt,
  not in your files" (exit 2): it is in the user's files;
- a Ctrl-C that Python discards while serve idles (waiting for file changes) is now silent and serve goes on serving:
  no check() runs in MkDocs' wait loop, and the "Exception ignored" report that at least showed it is hidden;
- a Ctrl-C recorded (deferred) as a rebuild starts Pagefind, when the start then fails (ContractError), is lost in the
  Abort: MkDocs prints the diagnostic and serve goes on watching (hooks/mkdocs_hook.py _reported runs no check());
- a host that runs serve in a thread and is stopped leaves MkDocs' whole preview (mkdocs_*) in TMPDIR;
- Pagefind killed by a signal is reported as "it exited with -9", and a Pagefind that said nothing gets the hint
  "fix what Pagefind says".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from processes import hooked
from test_redteam_session25 import _Serve
from test_redteam_session27 import with_fake_pagefind
from test_redteam_session28 import _in_a_thread

from contract import interrupts
from contract.build.search import finish_index
from contract.cli.main import main
from contract.errors import ContractError

_PAGEFIND_OK = "#!/bin/sh\nexit 0\n"


# --- the quiet unraisablehook, in this process --------------------------------------------------------------------


class _RaisesKeyboardInterruptWhenCollected:
    """A finalizer that raises KeyboardInterrupt itself: no signal, no stop recorded."""

    def __del__(self) -> None:
        raise KeyboardInterrupt("raised by code, not by a signal")


class _TerminatedWhileCollected:
    """A finalizer that receives SIGTERM: Python discards the Terminated our handler raises."""

    def __del__(self) -> None:
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        for _ in range(1000):
            pass


class _FailsWhileCollected:
    def __del__(self) -> None:
        raise ValueError("RT30 a library's finalizer failed")


def test_held_a_keyboardinterrupt_raised_by_code_in_a_finalizer_is_still_reported(monkeypatch, capsys):
    monkeypatch.setattr("sys.unraisablehook", sys.__unraisablehook__)
    with interrupts.handling():
        _RaisesKeyboardInterruptWhenCollected()
        interrupts.check()  # no stop was recorded: nothing raised
    assert "raised by code, not by a signal" in capsys.readouterr().err
    assert sys.unraisablehook is sys.__unraisablehook__


def test_held_a_discarded_sigterm_is_hidden_and_raised_again_as_terminated(monkeypatch, capsys):
    monkeypatch.setattr("sys.unraisablehook", sys.__unraisablehook__)
    with interrupts.handling():
        _TerminatedWhileCollected()
        with pytest.raises(interrupts.Terminated):
            interrupts.check()
    err = capsys.readouterr().err
    assert "Terminated" not in err and "Traceback" not in err, err
    assert sys.unraisablehook is sys.__unraisablehook__


def test_held_two_commands_in_one_process_leave_the_default_hook_and_print_other_reports(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("sys.unraisablehook", sys.__unraisablehook__)
    seen = []
    real_run = main.__globals__["_run"]

    def run(args):
        seen.append(sys.unraisablehook is not sys.__unraisablehook__)  # ours, during the command
        _FailsWhileCollected()
        return real_run(args)

    monkeypatch.setitem(main.__globals__, "_run", run)
    for _ in range(2):
        assert main(["outline", "2023", "--root", str(tmp_path)]) == 2  # not a repository: refused
        assert sys.unraisablehook is sys.__unraisablehook__
    assert seen == [True, True]
    err = capsys.readouterr().err
    assert err.count("ValueError: RT30 a library's finalizer failed") == 2, err


# --- Pagefind's messages -----------------------------------------------------------------------------------------


def _pagefind_message(script: str) -> str:
    process = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with pytest.raises(ContractError) as raised:
        finish_index(process, Path("/x/site"))
    return str(raised.value)


def test_pagefind_killed_by_a_signal_is_not_reported_as_a_negative_exit_code():
    message = _pagefind_message("kill -KILL $$")
    assert "-9" not in message, message
    assert "SIGKILL" in message or "killed" in message or "stopped" in message, message


def test_a_pagefind_that_said_nothing_gets_no_hint_to_fix_what_it_said():
    message = _pagefind_message("exit 3")
    assert "it exited with 3" in message, message
    assert "what Pagefind says" not in message, message


# --- live rebuilds ---------------------------------------------------------------------------------------------------


def _touch(repo: Path, mark: str) -> None:
    """An edit that leaves the contract valid: MkDocs rebuilds."""
    css = repo / "docs_assets" / "kk.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\n/* {mark} */\n", encoding="utf-8")


def _left(temporary: Path) -> list[str]:
    return sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*"))


@pytest.mark.slow
def test_held_pagefind_missing_in_rebuilds_a_yaml_error_page_then_sigterm(tmp_path):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_OK)
    serve = _Serve(repo, temporary, extra_env={"PAGEFIND_BINARY_PATH": str(pagefind)})
    yaml = repo / "years" / "2023" / "purpose.yaml"
    try:
        serve.wait_for("Serving on")
        pagefind.rename(tmp_path / "pagefind.away")  # gone while serve runs
        _touch(repo, "A")
        serve.wait_for("An error happened during the rebuild")
        _touch(repo, "B")  # still gone: the same again
        serve.wait_for("An error happened during the rebuild")
        (tmp_path / "pagefind.away").rename(pagefind)
        yaml.write_text("title: [unclosed\n", encoding="utf-8")  # a YAML error: the preview shows an error page
        serve.wait_for("Reloading browsers")
        page = serve.get("/")
        pagefind.rename(tmp_path / "pagefind.away")
        _touch(repo, "C")
        serve.wait_for("An error happened during the rebuild")
        code = serve.stop(signal.SIGTERM)  # right after a failed rebuild
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    said = "".join(serve.seen)
    assert said.count("Pagefind's program, named by PAGEFIND_BINARY_PATH, does not exist") == 3, said
    assert "purpose.yaml" in page, page
    assert "Traceback" not in said, said
    assert code == 128 + signal.SIGTERM, said
    assert "interrupted" in said, said
    assert _left(temporary) == []


def _broken_link(repo: Path) -> Path:
    link = repo / "docs_assets" / "broken.css"
    link.symlink_to("/nonexistent/rt30.css")
    return link


def _not_utf8(repo: Path) -> Path:
    page = repo / "docs_assets" / "notes.md"
    page.write_bytes(b"# Notes\n\xff\xfe saved in another encoding\n")
    return page


@pytest.mark.slow
@pytest.mark.parametrize("breakage", [_broken_link, _not_utf8], ids=["broken-link", "not-utf8"])
def test_a_rebuild_that_fails_outside_contracterror_prints_no_traceback(tmp_path, breakage):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_OK)
    serve = _Serve(repo, temporary, extra_env={"PAGEFIND_BINARY_PATH": str(pagefind)})
    try:
        serve.wait_for("Serving on")
        made = breakage(repo)
        _touch(repo, "A")
        serve.wait_for("An error happened during the rebuild")
        made.unlink()
        _touch(repo, "B")
        serve.wait_for("Reloading browsers")
        code = serve.stop(signal.SIGINT)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    said = "".join(serve.seen)
    assert code == 128 + signal.SIGINT, said
    assert _left(temporary) == []
    # As the first build says it (build.assets).
    assert "Traceback" not in said, said
    expected = {
        _broken_link: f"{repo / 'docs_assets' / 'broken.css'}: error: the file cannot be read: it is a link to nothing",
        _not_utf8: f"{repo / 'docs_assets' / 'notes.md'}:2:1: error: the file is not UTF-8 text",
    }[breakage]
    assert expected in said, said


@pytest.mark.slow
def test_a_page_that_is_not_utf8_is_not_called_an_internal_error(tmp_path):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_OK)
    _not_utf8(repo)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TMPDIR": str(temporary),
           "PAGEFIND_BINARY_PATH": str(pagefind)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Serving on" not in done.stderr, done.stderr  # the premise: the first build failed
    assert _left(temporary) == []
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "not in your files" not in done.stderr, done.stderr
    notes = repo / "docs_assets" / "notes.md"
    said = done.stdout + done.stderr  # the command's diagnostics go to standard output
    assert f"{notes}:2:1: error: the file is not UTF-8 text (byte 0xff cannot be decoded)" in said, said


# A sitecustomize: in serve's wait for file changes (MkDocs' _build_loop, main thread), a Ctrl-C lands in a gc
# callback (Python discards it), then serve writes a line on each later wake-up (every 0.25 s, MkDocs' own timeout).
_SWALLOW_WHILE_IDLE = """
import gc, signal, sys, threading
import mkdocs.livereload as _lr

_original = _lr.LiveReloadServer._build_loop


def _build_loop(self):
    cond = self._rebuild_cond
    real = cond.wait_for
    calls = [0]

    def wait_for(predicate, timeout=None):
        calls[0] += 1
        if calls[0] == 1:
            def callback(phase, info):
                if phase == "start":
                    gc.callbacks.remove(callback)
                    signal.pthread_kill(threading.get_ident(), signal.SIGINT)
                    for _ in range(2000):
                        pass
            gc.callbacks.append(callback)
            gc.collect()
            sys.stderr.write("RT30 a stop was swallowed while serve waited\\n")
            sys.stderr.flush()
        elif calls[0] == 5:
            sys.stderr.write("RT30 serve still waits, four wake-ups after the stop\\n")
            sys.stderr.flush()
        return real(predicate, timeout=timeout)

    cond.wait_for = wait_for
    return _original(self)


_lr.LiveReloadServer._build_loop = _build_loop
"""


def _ends_before(serve: _Serve, after: str, going_on: str, react=lambda line: None) -> bool:
    """After the line saying after, read serve's lines until one says it went on (False) or its output ends (True)."""
    try:
        serve.wait_for(after)
        while (line := serve.lines.get(timeout=60)) is not None:
            serve.seen.append(line)
            react(line)
            if going_on in line:
                return False
        return True
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()


def _idle_serve(tmp_path) -> tuple[_Serve, Path, Path]:
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_OK)
    env = hooked(tmp_path, _SWALLOW_WHILE_IDLE)
    serve = _Serve(repo, temporary, extra_env={"PYTHONPATH": env["PYTHONPATH"], "PAGEFIND_BINARY_PATH": str(pagefind)})
    return serve, repo, temporary


@pytest.mark.slow
def test_held_a_stop_swallowed_while_serve_idles_is_raised_by_the_next_rebuild(tmp_path):
    serve, repo, temporary = _idle_serve(tmp_path)
    try:
        serve.wait_for("RT30 a stop was swallowed while serve waited")
        _touch(repo, "A")
        code = serve.ended(60)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    said = "".join(serve.seen)
    assert code == 128 + signal.SIGINT, said
    assert "interrupted" in said and "Traceback" not in said, said
    assert _left(temporary) == []


@pytest.mark.slow
def test_a_stop_swallowed_while_serve_idles_ends_serve(tmp_path):
    serve, _, _ = _idle_serve(tmp_path)
    ended = _ends_before(serve, "RT30 a stop was swallowed while serve waited", "RT30 serve still waits")
    said = "".join(serve.seen)
    assert ended and serve.proc.returncode == 128 + signal.SIGINT, said  # within four wakes of MkDocs' wait
    assert "interrupted" in said and "Traceback" not in said, said


# --- serve in a host's thread ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_host_running_serve_in_a_thread_leaves_no_preview_in_tmpdir_when_stopped(tmp_path):
    proc = _in_a_thread(tmp_path)
    try:
        said = []
        while (line := proc.stderr.readline()) and "RT28 the host waits" not in line:
            said.append(line)
        assert line, f"serve ended before it served: {''.join(said)}"
        assert [p.name[:7] for p in (tmp_path / "tmp").iterdir()] == ["mkdocs_"]  # MkDocs' own, in the host's TMPDIR
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _left(tmp_path / "tmp") == []


# --- a stop recorded (deferred) in a rebuild that then fails with a ContractError ------------------------------------

# A sitecustomize: as the rebuild starts Pagefind (the second Popen of it; start_index defers stops there), a Ctrl-C.
_STOP_AS_PAGEFIND_STARTS = """
import os, signal, sys, threading

_runs = []


def _audit(event, args):
    if event == "subprocess.Popen" and str(args[1][0]) == os.environ["PAGEFIND_BINARY_PATH"]:
        _runs.append(1)
        if len(_runs) == 2:
            sys.stderr.write("RT30 a stop as Pagefind starts\\n")
            sys.stderr.flush()
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            for _ in range(2000):
                pass


sys.addaudithook(_audit)
"""


@pytest.mark.slow
def test_a_stop_as_the_rebuilds_pagefind_fails_to_start_ends_serve(tmp_path):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_OK)
    env = hooked(tmp_path, _STOP_AS_PAGEFIND_STARTS)
    serve = _Serve(repo, temporary, extra_env={"PYTHONPATH": env["PYTHONPATH"], "PAGEFIND_BINARY_PATH": str(pagefind)})
    serve.wait_for("Serving on")
    pagefind.write_bytes(b"\x7fELF not a program for this machine\n")  # executable bit kept: Popen fails (ENOEXEC)
    _touch(repo, "A")

    def react(line: str) -> None:
        if "An error happened during the rebuild" in line:
            _touch(repo, "B")  # serve went on: does it still watch, with the user's Ctrl-C recorded?

    ended = _ends_before(serve, "RT30 a stop as Pagefind starts", "Detected file changes", react)
    said = "".join(serve.seen)
    assert ended and serve.proc.returncode == 128 + signal.SIGINT, said


@pytest.mark.slow
def test_a_build_with_a_page_that_is_not_utf8_names_the_page_and_writes_nothing(built_repo, tmp_path):
    from build_helpers import copy_repo, leftovers, run, tree

    repo = copy_repo(built_repo.root, tmp_path / "repo")
    before = tree(repo / "site")
    _not_utf8(repo)
    code, out, err = run(repo)
    notes = repo / "docs_assets" / "notes.md"
    assert (code, err) == (1, ""), out + err
    assert (
        out
        == f"{notes}:2:1: error: the file is not UTF-8 text (byte 0xff cannot be decoded) (save the file as UTF-8 in your editor)\n"
    )
    assert tree(repo / "site") == before and leftovers(repo) == []
