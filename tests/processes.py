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
    # poll, not select: select refuses a descriptor from 1024 on (a test process with many files open).
    waiting = select.poll()
    waiting.register(arrived_r, select.POLLIN)
    arrived = os.read(arrived_r, 1) if waiting.poll(300_000) else b""
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


# A sitecustomize for red teams 60-62: triggers that each fire once, write their name to the file HOOK_MARKS (so that
# a test can check that its moment came) and send the signals named (comma-separated) to the main thread:
# - FIRST_AT_IMPORT=module, FIRST=SIGNALS: as the process first looks for module (an import);
# - AT_CALL=file.py:function, AT_CALL_SEND=SIGNALS: as that function is first called;
# - AT_SWAP=N, AT_SWAP_SEND=SIGNALS: just after the process's N-th signal.signal() call returns;
# - AT_LINE=file.py:N[;file.py:M...], AT_LINE_SEND=SIGNALS[;SIGNALS...]: as line N of file.py first runs (after
#   FIRST fired, when FIRST_AT_IMPORT is set), then as line M runs after that, ...; each handler runs at its line;
# - AT_EXIT_SEND=SIGNALS: as sys.exit is called (the entry script's last line, the command's code in hand);
# - STOPS_AFTER=SIGNALS: just after "interrupted" is written on stderr (to the whole group when STOPS_TO_GROUP=1).
STOPS_HOOK = """
import os, signal, sys, threading

def _mark(what):
    with open(os.environ["HOOK_MARKS"], "a", encoding="utf-8") as marks:
        marks.write(what + "\\n")

def _send(names, group=False):
    for name in names.split(","):
        if group:
            os.killpg(os.getpgrp(), getattr(signal, name))
        else:
            signal.pthread_kill(threading.get_ident(), getattr(signal, name))
        for _ in range(1000):  # the handler runs at one of these bytecodes
            pass

class _Finder:
    fired = False

    def find_spec(self, name, path=None, target=None):
        if not self.fired and name == os.environ.get("FIRST_AT_IMPORT"):
            _Finder.fired = True
            _mark("import")
            _send(os.environ["FIRST"])
        return None

sys.meta_path.insert(0, _Finder())

if os.environ.get("AT_CALL") or os.environ.get("AT_EXIT_SEND"):
    _file, _, _function = os.environ.get("AT_CALL", "").partition(":")
    _waiting = {"call": bool(_function), "exit": bool(os.environ.get("AT_EXIT_SEND"))}

    def _profile(frame, event, arg):
        if _waiting["call"] and event == "call" and frame.f_code.co_name == _function and (
            frame.f_code.co_filename.endswith(_file)
        ):
            _waiting["call"] = False
            _mark("call")
            _send(os.environ["AT_CALL_SEND"])
        elif _waiting["exit"] and event == "c_call" and arg is sys.exit:
            _waiting["exit"] = False
            _mark("exit")
            _send(os.environ["AT_EXIT_SEND"])
        if not any(_waiting.values()):
            sys.setprofile(None)

    sys.setprofile(_profile)

if os.environ.get("AT_SWAP"):
    _real_signal = signal.signal
    _swaps = [0]

    def _signal(number, handler):
        old = _real_signal(number, handler)
        _swaps[0] += 1
        if _swaps[0] == int(os.environ["AT_SWAP"]):
            _mark("swap")
            _send(os.environ["AT_SWAP_SEND"])
        return old

    signal.signal = _signal

if os.environ.get("AT_LINE"):
    _steps = [(s.partition(":")[0], int(s.partition(":")[2])) for s in os.environ["AT_LINE"].split(";")]
    _sends = os.environ["AT_LINE_SEND"].split(";")
    _next = [0]

    def _local(frame, event, arg):
        file, line = _steps[_next[0]]
        if (
            event == "line" and frame.f_lineno == line and frame.f_code.co_filename.endswith(file)
            and (_Finder.fired or not os.environ.get("FIRST_AT_IMPORT"))
        ):
            _mark("line")
            _next[0] += 1
            if _next[0] == len(_steps):
                sys.settrace(None)
                frame.f_trace = None
            _send(_sends[_next[0] - 1])
        return _local

    def _global(frame, event, arg):
        return _local if any(frame.f_code.co_filename.endswith(file) for file, _ in _steps) else None

    sys.settrace(_global)

if os.environ.get("STOPS_AFTER"):
    class _Stderr:
        def __init__(self, inner):
            self._inner = inner
            self._fired = False

        def write(self, text):
            written = self._inner.write(text)
            if "interrupted" in text and not self._fired:
                self._fired = True
                self._inner.flush()
                _mark("said")
                _send(os.environ["STOPS_AFTER"], group=os.environ.get("STOPS_TO_GROUP") == "1")
            return written

        def __getattr__(self, name):
            return getattr(self._inner, name)

    sys.stderr = _Stderr(sys.stderr)
"""


def run_with_stops(
    tmp_path: Path, argv: list[str], preexec=_at_a_terminal, **triggers: str
) -> tuple[int, str, str, list[str]]:
    """Run python ARGV under STOPS_HOOK's triggers; return its exit code, stdout, stderr and the marks, in order."""
    marks = tmp_path / "marks"
    marks.unlink(missing_ok=True)
    env = hooked(tmp_path, STOPS_HOOK, HOOK_MARKS=str(marks), **triggers)
    done = subprocess.run(
        [sys.executable, *argv], env=env, cwd=tmp_path, preexec_fn=preexec,
        capture_output=True, text=True, timeout=HANG_GUARD,
    )  # fmt: skip
    fired = marks.read_text(encoding="utf-8").split() if marks.exists() else []
    return done.returncode, done.stdout, done.stderr, fired


def line_of(file: str, text: str, after: str = "") -> int:
    """The number of the first line of file (under the repository) that holds text, after the first that holds after
    (so that an edit of the code moves a test's moment with it)."""
    lines = (ROOT / file).read_text(encoding="utf-8").splitlines()
    begin = next(i for i, line in enumerate(lines, 1) if after in line)
    return next(i for i, line in enumerate(lines, 1) if i >= begin and text in line)


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
