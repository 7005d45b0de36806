"""Red team 31: 0daec63, b7ddecb, 1f2b8d0, d140ad3 attacked (SIGTERM as Terminated from the first line, the checked
MkDocs server, the preview's removal at exit, check_page_texts, os_error).

Found:
- terminate_as_interrupt's handler stays for the rest of the process: a SIGTERM that lands after the command ended
  (as Python exits: atexit, multiprocessing's and logging's clean-up) prints "Exception ignored in atexit callback",
  a traceback ending in contract.interrupts.Terminated, and the process exits 0, as if no SIGTERM had come (before,
  it ended the process, 143 at the shell). A host calling contract.cli.entry.main() keeps the handler too.
- a process told to ignore SIGTERM (or Ctrl-C: a job started with & by a script) is still stopped by it while the
  command runs, 143 (130) "interrupted": handling() replaces SIG_IGN. terminate_as_interrupt keeps SIG_IGN only for
  the start-up, so the same signal is ignored in the first instant and obeyed a moment later.
- a Ctrl-C while build.py imports contract.interrupts or contract.output.faults (its first lines, outside its try), or
  while python -m contract imports contract.cli.entry, prints a KeyboardInterrupt traceback (exit -2), and SIGTERM there
  is still the silent kill the commit says is gone.
- a library caller of contract.build.run.build (no handling()): a Ctrl-C that deferred() records in the build's
  clean-up (the staging folder's removal) stops that build and stays recorded for good: the caller's next build,
  with no Ctrl-C, is interrupted at its first check() (and so would a serve's _CheckedServer be, in that process).
- a FIFO in docs_assets/ is "cannot write the output: [('…/docs_assets/pipe.md', '…', '… is a named pipe')] (check
  that the folder can be written, or choose another folder with --out)": shutil.Error's list, the wrong folder.
- a link to a device in docs_assets/ (the case 0daec63 makes check_page_texts skip) is followed by copytree: /dev/zero
  is copied into the staging folder until the disk is full (seen on a 64 MB tmpfs; on the real disk it wrote for the
  20 s it was let run), then reported as the list above with "No space left on device". MkDocs' copy in serve likely
  does the same into TMPDIR (not run: the disk).
- a file in docs_assets/ whose name is not UTF-8 makes the build say "internal error ... a fault in klimatkontrakt,
  not in your files" (exit 2, stamps.inputs_hashes), and serve's first build too (MkDocs quoting the page's URL);
  such a page added while serve runs makes the rebuild print a Python traceback (not a ContractError or OSError).

Held: check_page_texts with a BOM page, a folder named *.md, a FIFO, a dangling link, a link loop and a link to a
device (no error, no hang), and a page that is not UTF-8 named at line:column even when its name is not UTF-8; the
atexit removal is registered only for a mkdocs_* folder directly in the temporary folder (never site/, never a
mkdocs_* folder elsewhere or deeper in the temporary folder) and on_shutdown unregisters it;
a SIGTERM ignored at start stays ignored through the start-up (the pause at "importing"); SIGTERM to the whole
process group while the PDF workers start: 143, "interrupted", no traceback, no worker left, nothing beside site/ or
in TMPDIR. (Probed, not kept as tests: serve with TMPDIR missing, or inside years/, builds once and stops cleanly.)

Fixed since: interrupts.terminating() scopes the SIGTERM handler to the command (entry points), an ignored signal
stays ignored in handling(), deferred() outside a command raises and clears what it recorded, the entry points catch
a Ctrl-C from their first import, and build.assets.check_assets names every file of docs_assets/ MkDocs could not
copy or read (not a file, a link to nothing or into its own folder, a name or a page that is not UTF-8), in the build
and in serve's builds; stamps hash any file name.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from build_helpers import leftovers, make_repo, run_process
from processes import ROOT, SIGNAL_AT_IMPORT, hooked, no_stray, pool_workers, start_command_paused, start_paused
from site_helpers import make_serve_repo

from contract.build import assets as assets_check
from contract.errors import ContractError

# --- SIGTERM after the command ended -----------------------------------------------------------------------------

# A sitecustomize: as Python exits (its atexit callbacks; this one runs last), the process receives SIGTERM, as a
# cancelled CI job or a `kill` sends it just as the command ends. No sleep: the signal is sent from the callback.
_SIGTERM_AT_EXIT = """
import atexit, signal, threading

def _sigterm_as_python_exits():
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
    for _ in range(1000):  # the handler runs at one of these bytecodes
        pass

atexit.register(_sigterm_as_python_exits)
"""


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build.py", "python -m contract"])
def test_sigterm_as_the_process_exits_prints_no_traceback_and_is_not_lost(tmp_path, command):
    argv = [sys.executable, "-m", "contract", "--root", str(ROOT), "versions"]
    if command == "build.py":
        argv = [sys.executable, str(ROOT / "build.py"), "--root", str(ROOT), "--help"]
    done = subprocess.run(argv, env=hooked(tmp_path, _SIGTERM_AT_EXIT), capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), (done.returncode, done.stderr)


def test_the_console_script_function_puts_sigterm_back_for_a_host(monkeypatch, capsys):
    from contract.cli import entry

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(sys, "argv", ["klimatkontrakt", "--root", str(ROOT), "versions"])
    try:
        assert entry.main() == 0
        assert signal.getsignal(signal.SIGTERM) == before
    finally:
        signal.signal(signal.SIGTERM, before)


# --- a process told to ignore a signal ---------------------------------------------------------------------------


def _signal_at_import(tmp_path: Path, module: str, number: int, ignored: int | None = None) -> tuple[dict, object]:
    """Return the environment and preexec_fn of a command that receives number as it first imports module."""
    env = hooked(tmp_path, SIGNAL_AT_IMPORT, SIGNAL_AT_IMPORT=module, SIGNAL_AT_NUMBER=str(int(number)))

    def preexec() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if ignored is not None:
            signal.signal(ignored, signal.SIG_IGN)

    return env, preexec


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_the_process_was_told_to_ignore_does_not_stop_the_command(tmp_path, number):
    # jsonschema is first imported by validate's checks, inside interrupts.handling().
    env, preexec = _signal_at_import(tmp_path, "jsonschema", number, ignored=number)
    done = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "validate"],
        env=env, preexec_fn=preexec, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (done.returncode, "interrupted" in done.stderr) == (0, False), done.stderr


@pytest.mark.slow
def test_held_sigterm_ignored_at_start_stays_ignored_through_the_start_up(tmp_path):
    process, resume = start_command_paused(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "versions"],
        "importing",
        lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN),
    )
    process.send_signal(signal.SIGTERM)
    os.close(resume)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (0, ""), err
    assert out


# --- a stop in the entry points' first lines ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "module"),
    [("build.py", "contract.interrupts"), ("build.py", "contract.output.faults"), ("-m", "contract.cli.entry")],
)
def test_ctrl_c_as_an_entry_point_imports_its_first_modules_is_a_clean_stop(tmp_path, command, module):
    argv = [sys.executable, "-m", "contract", "--root", str(ROOT), "versions"]
    if command == "build.py":
        argv = [sys.executable, str(ROOT / "build.py"), "--root", str(ROOT), "--help"]
    env, preexec = _signal_at_import(tmp_path, module, signal.SIGINT)
    done = subprocess.run(argv, env=env, preexec_fn=preexec, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")


# --- SIGTERM to the whole group while the PDF workers start --------------------------------------------------------


@pytest.mark.slow
def test_held_sigterm_to_the_group_as_the_workers_start_is_a_clean_stop(tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, "validating", "--jobs", "3", own_group=True)
    try:
        workers = pool_workers(build.pid)
        assert workers  # spawned as the build began to validate
        os.killpg(build.pid, signal.SIGTERM)
        _, err = build.communicate(timeout=120)
    finally:
        os.close(resume)
        if build.poll() is None:
            build.kill()
    assert (build.returncode, err) == (143, "interrupted\n"), err
    no_stray(workers)
    assert leftovers(repo) == []
    assert not (repo / "site").exists()
    assert list(temporary.iterdir()) == []


# --- check_page_texts with odd docs_assets content -----------------------------------------------------------------


def test_odd_docs_assets_content_is_named_all_at_once_without_a_hang(tmp_path):
    assets = tmp_path / "docs_assets"
    (assets / "sub").mkdir(parents=True)
    (assets / "bom.md").write_bytes(b"\xef\xbb\xbf# BOM\n")
    (assets / "folder.md").mkdir()
    os.mkfifo(assets / "fifo.md")  # read, it would block for ever
    (assets / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (assets / "device.md").symlink_to("/dev/zero")  # read or copied, it would never end
    (assets / "sub" / "loop").symlink_to("..")
    (assets / "sub" / "self").symlink_to(".")
    (tmp_path / "other").mkdir()
    (assets / "sub" / "elsewhere").symlink_to(tmp_path / "other")  # a folder outside: copied like any folder
    with pytest.raises(ContractError) as raised:
        assets_check.check_assets(assets)
    assert [str(d) for d in raised.value.diagnostics] == [
        f"{assets / 'dangling.md'}: error: the file cannot be read: it is a link to nothing ({assets_check.HINT})",
        f"{assets / 'device.md'}: error: the link leads into the system's /dev folder, whose files are not the site's "
        f"({assets_check.HINT})",
        f"{assets / 'fifo.md'}: error: not a file but a named pipe: the site can only hold files ({assets_check.HINT})",
        f"{assets / 'sub' / 'loop'}: error: the link leads back into a folder it is in (a loop) ({assets_check.HINT})",
        f"{assets / 'sub' / 'self'}: error: the link leads back into a folder it is in (a loop) ({assets_check.HINT})",
    ]


def test_held_a_page_not_utf8_is_named_at_its_byte_even_under_a_name_not_utf8(tmp_path):
    assets = tmp_path / "docs_assets"
    assets.mkdir()
    name = os.fsdecode(b"sid\xffa.md")
    (assets / name).write_bytes(b"# ok\n\nab\xe5c\n")
    with pytest.raises(ContractError) as raised:
        assets_check.check_assets(assets)
    shown = f"{assets}/sid\\xffa.md"  # the name's byte that is not UTF-8, printable
    assert [str(d) for d in raised.value.diagnostics] == [
        f"{shown}: error: the name is not UTF-8 (it becomes a web address) (rename it)",
        f"{shown}:3:3: error: the file is not UTF-8 text (byte 0xe5 cannot be decoded) (save the file as UTF-8 in your "
        "editor)",
    ]


_NOT_UTF8_NAME = os.fsdecode(b"bilaga-\xe5.md")  # a Latin-1 name, as an old archive or a Windows share gives


@pytest.mark.slow
def test_a_docs_assets_file_whose_name_is_not_utf8_is_not_an_internal_error_in_the_build(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (repo / "docs_assets" / _NOT_UTF8_NAME).write_bytes(b"# Bilaga\n")
    done = run_process(repo)
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode in (0, 1)


@pytest.mark.slow
def test_a_docs_assets_page_whose_name_is_not_utf8_is_not_an_internal_error_in_serve(tmp_path):
    repo = make_serve_repo(tmp_path / "repo")
    (repo / "docs_assets" / _NOT_UTF8_NAME).write_bytes(b"# Bilaga\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    serve = subprocess.Popen(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    said = []
    try:
        for line in serve.stderr:  # it serves (fixed: stop it there) or ends with what it said
            said.append(line)
            if "Serving on" in line:
                break
    finally:
        if serve.poll() is None:
            serve.kill()
        said.append(serve.stderr.read())
        serve.wait(timeout=120)
    assert "internal error" not in "".join(said), "".join(said)
    assert "Traceback" not in "".join(said), "".join(said)


# --- the preview's removal at exit ---------------------------------------------------------------------------------


def _hook_module():
    spec = importlib.util.spec_from_file_location("rt31_mkdocs_hook", ROOT / "hooks" / "mkdocs_hook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Exits:
    """Stands in for atexit in the hook: what it registered and unregistered, nothing run at this process's exit."""

    def __init__(self) -> None:
        self.registered: list = []

    def register(self, fn) -> None:
        self.registered.append(fn)

    def unregister(self, fn) -> None:
        self.registered = [f for f in self.registered if f != fn]


def _on_serve(site_dir: Path, tmp_path: Path):
    hook = _hook_module()
    hook.atexit = _Exits()
    server = SimpleNamespace(serve_thread=SimpleNamespace(daemon=False), builder=lambda config=None: None)
    server.watch = lambda path: None
    config = SimpleNamespace(site_dir=str(site_dir), config_file_path=str(tmp_path / "mkdocs.yml"))
    hook.on_serve(server, config, server.builder)
    return hook


def test_held_the_removal_at_exit_is_only_for_a_mkdocs_folder_directly_in_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    for site_dir in (
        tmp_path / "site",  # a site/ a later MkDocs serves from
        tmp_path / "mkdocs_site",  # named so, but not in the temporary folder
        temporary / "sub" / "mkdocs_x",  # in it, but not directly
        temporary / "site",  # directly in it, but not MkDocs' name
    ):
        site_dir.mkdir(parents=True)
        assert _on_serve(site_dir, tmp_path).atexit.registered == [], site_dir
    preview = temporary / "mkdocs_abc"
    preview.mkdir()
    hook = _on_serve(preview, tmp_path)
    [removal] = hook.atexit.registered
    assert removal.args == (preview,)
    hook.on_shutdown()
    assert hook.atexit.registered == []  # MkDocs removes it itself
    assert preview.is_dir()


# --- a docs_assets entry that is not a file ------------------------------------------------------------------------


def _said(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


@pytest.mark.slow
def test_a_fifo_in_docs_assets_is_named_plainly_not_as_an_output_write_error(tmp_path):
    repo = make_repo(tmp_path / "repo")
    os.mkfifo(repo / "docs_assets" / "pipe.md")
    done = run_process(repo)
    assert done.returncode == 1
    assert "[('" not in _said(done), _said(done)
    assert "cannot write the output" not in _said(done), _said(done)
    pipe = repo / "docs_assets" / "pipe.md"
    assert f"{pipe}: error: not a file but a named pipe: the site can only hold files" in _said(done), _said(done)


@pytest.mark.slow
def test_a_link_to_a_device_in_docs_assets_does_not_fill_the_disk(tmp_path):
    from processes import tmpfs

    with tmpfs(tmp_path / "small", "size=64m") as small:  # on the real disk the build wrote for as long as it ran
        repo = make_repo(small / "repo")
        (repo / "docs_assets" / "zero.md").symlink_to("/dev/zero")
        done = run_process(repo)
        assert "No space left" not in _said(done), _said(done)[:600]
        zero = repo / "docs_assets" / "zero.md"
        assert f"{zero}: error: the link leads into the system's /dev folder" in _said(done), _said(done)


# --- a library caller of the build -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_ctrl_c_in_a_library_builds_clean_up_does_not_also_stop_the_next_build(tmp_path, monkeypatch):
    import shutil

    from contract import interrupts
    from contract.build import run as pipeline

    repo = make_repo(tmp_path / "repo")
    real_rmtree = shutil.rmtree
    sent = []

    def rmtree_with_a_ctrl_c(path, *args, **kwargs):
        recording = getattr(signal.getsignal(signal.SIGINT), "__name__", "") == "_record"
        if not sent and recording:  # the staging folder's removal, under deferred()
            sent.append(path)
            signal.raise_signal(signal.SIGINT)
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(pipeline.shutil, "rmtree", rmtree_with_a_ctrl_c)
    first = "ended"
    try:
        try:
            pipeline.build(repo, jobs=1)
        except KeyboardInterrupt:
            first = "was interrupted"  # as it should be; the next build has nothing to do with it
        assert sent, "the staging folder was not removed under deferred()"
        monkeypatch.setattr(pipeline.shutil, "rmtree", real_rmtree)
        try:
            pipeline.build(repo, drafts=True, jobs=1)  # a new build (other inputs), no Ctrl-C
        except KeyboardInterrupt:  # pytest would end the whole run on it
            pytest.fail(f"the second build was interrupted by the Ctrl-C of the first, which {first}")
    finally:
        interrupts._received.clear()


@pytest.mark.slow
def test_a_page_whose_name_is_not_utf8_added_during_serve_prints_no_traceback(tmp_path):
    from test_redteam_session25 import _Serve

    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    try:
        serve.wait_for("Serving on")
        (repo / "docs_assets" / _NOT_UTF8_NAME).write_bytes(b"# Bilaga\n")
        serve.wait_for("rebuild")  # MkDocs: "An error happened during the rebuild. ..."
        assert serve.stop(signal.SIGTERM) == 143
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    assert "Traceback" not in "".join(serve.seen), "".join(serve.seen)[-800:]
