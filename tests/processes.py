"""Helpers for tests of builds as processes: pause one at a step, list its children, mount a small tmpfs, hook Python."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD = 120  # seconds: only so that a hang fails its test with the command's stacks; never an assertion on time


def children(pid: int) -> list[int]:
    """Return the processes whose parent is pid (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def pool_workers(pid: int) -> list[int]:
    """Return a build's PDF workers: its spawned children (multiprocessing's spawn_main), not the resource tracker."""
    return sorted(p for p in children(pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes())


def no_stray(pids: list[int]) -> None:
    """Fail if any of pids still runs (a zombie counts as ended)."""
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            assert state == "Z", f"worker {pid} outlived its build (state {state})"


def _default_ctrl_c() -> None:
    """Give the build the default SIGINT: a test runner started in the background ignores it, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _at_a_terminal() -> None:
    """Run the build as a terminal would: default SIGINT, and a process group of its own that Ctrl-C reaches whole."""
    _default_ctrl_c()
    os.setpgrp()


def start_paused(repo: Path, step: str, *args: str, own_group: bool = False) -> tuple[subprocess.Popen, int]:
    """Start python build.py paused at step (holding what it holds there); return it and the fd that lets it go on.

    own_group: in a process group of its own, as at a terminal, so a test can send Ctrl-C to the whole group.
    """
    argv = [sys.executable, str(ROOT / "build.py"), "--root", str(repo), *args]
    return start_command_paused(argv, step, _at_a_terminal if own_group else _default_ctrl_c, cwd=repo)


def start_command_paused(
    argv: list[str], step: str, preexec_fn, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    """Start a command paused at the fault point step; return it and the fd that lets it go on (close it).

    env: the command's environment (hooked()'s, say); by default this one, with the repository on PYTHONPATH.
    """
    arrived_r, arrived_w = os.pipe()
    resume_r, resume_w = os.pipe()
    base = {**os.environ, "PYTHONPATH": str(ROOT)} if env is None else env
    # PYTHONFAULTHANDLER: finish() asks a command that hung for every thread's stack (SIGABRT) before it kills it
    env = {**base, "KLIMATKONTRAKT_FAULT": f"pause:{step}:{arrived_w}:{resume_r}", "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, pass_fds=(arrived_w, resume_r), preexec_fn=preexec_fn,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(arrived_w)
    os.close(resume_r)
    # Blocks until the command arrives (one byte) or dies (end of file); the timeout only guards against a hang.
    ready, _, _ = select.select([arrived_r], [], [], 300)
    arrived = os.read(arrived_r, 1) if ready else b""
    os.close(arrived_r)
    if arrived != b"x":
        process.kill()
        os.close(resume_w)
        pytest.fail(f"the command did not reach {step}: {process.communicate()}")
    return process, resume_w


def console_script(folder: Path) -> Path:
    """Write the klimatkontrakt script as pip installs it from pyproject.toml's [project.scripts] (pip's own maker)."""
    import tomllib

    from pip._vendor.distlib.scripts import ScriptMaker

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    maker = ScriptMaker(None, str(folder))
    maker.executable = sys.executable
    maker.variants = {""}
    (script,) = maker.make(f"klimatkontrakt = {entry['klimatkontrakt']}")
    return Path(script)


def finish(process: subprocess.Popen) -> tuple[int | None, str, str]:
    """Wait for a command started in a process group of its own; on a hang, None as exit code and, in what it
    wrote on stderr, the stack of each of its threads (started by start_command_paused), then the group killed."""
    try:
        out, err = process.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGABRT)  # faulthandler writes every thread's stack, then the process ends
        try:
            out, err = process.communicate(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            out, err = "", ""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None, out, err
    return process.returncode, out, err


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    """Mount a tmpfs with options at folder (root ignores permission bits: only a real mount refuses root)."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=False, capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine cannot mount a tmpfs for the test: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def paused_with_own_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, *args: str
) -> tuple[Path, Path, subprocess.Popen, int]:
    """Start python build.py on a new repository, with a TMPDIR of its own, paused at step (start_paused).

    Return the repository, that TMPDIR (to check the build left nothing there), the build and its resume fd.
    """
    from tests.build_helpers import make_repo

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    repo = make_repo(tmp_path / "repo")
    build, resume = start_paused(repo, step, *args)
    return repo, temporary, build, resume


# A sitecustomize (see hooked): the first garbage collection that runs while the function named in SWALLOW_IN is on the
# main thread's stack sends the process SIGINT (or SWALLOW_SIGNAL) and lets its handler run inside the collection's
# callback, as a Ctrl-C at a terminal does when it lands in a finalizer: Python discards what the handler raises.
SWALLOW = """
import gc, os, signal, sys, threading

sys.unraisablehook = lambda unraisable: sys.stderr.write(f"swallowed {unraisable.exc_type.__name__}\\n")

def _collecting(phase, info):
    if phase != "start" or threading.current_thread() is not threading.main_thread():
        return
    frame = sys._getframe()
    while frame is not None and frame.f_code.co_name != os.environ["SWALLOW_IN"]:
        frame = frame.f_back
    if frame is not None:
        gc.callbacks.remove(_collecting)
        signal.pthread_kill(threading.get_ident(), getattr(signal, os.environ.get("SWALLOW_SIGNAL", "SIGINT")))
        for _ in range(1000):  # the handler runs at one of these bytecodes, here, inside the callback
            pass

gc.callbacks.append(_collecting)
"""


# A sitecustomize (for hooked) that sends the process the signal SIGNAL_AT_NUMBER (default SIGINT) as it first
# imports the module named in SIGNAL_AT_IMPORT: an exact moment in a command, no sleeps.
SIGNAL_AT_IMPORT = """
import os, signal, sys, threading

class _Finder:
    fired = False

    def find_spec(self, name, path=None, target=None):
        if not self.fired and name == os.environ["SIGNAL_AT_IMPORT"]:
            self.fired = True
            signal.pthread_kill(threading.get_ident(), int(os.environ.get("SIGNAL_AT_NUMBER", signal.SIGINT)))
        return None

sys.meta_path.insert(0, _Finder())
"""


def hooked(tmp_path: Path, code: str, **extra: str) -> dict[str, str]:
    """Return an environment whose Python runs code (a sitecustomize) before the command."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(code, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)]), **extra}


# The end of a sitecustomize that defines _PLAN (a list of {"target": "module:Attr.path", ...}), _patched = set() and
# _wrap(original, step): each target is wrapped at the first import after it exists (an audit hook), so that code
# runs at an exact call of the command (red teams 27 and 28). No sleeps.
PATCH_AT_IMPORT = """
def _audit(event, args):
    if event != "import" or len(_patched) == len(_PLAN):
        return
    for i, step in enumerate(_PLAN):
        module = sys.modules.get(step["target"].partition(":")[0])
        if i in _patched or module is None:
            continue
        *path, last = step["target"].partition(":")[2].split(".")
        owner = module
        try:
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, last)
        except AttributeError:
            continue
        _patched.add(i)
        setattr(owner, last, _wrap(original, step))


sys.addaudithook(_audit)
"""
