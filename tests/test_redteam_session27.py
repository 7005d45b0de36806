"""Red team 27: serve's stops with interrupts.first_only (3220aa0), attacked with two and three signals.

Held: a first stop (SIGINT or SIGTERM, sent after the site answered), then a second at any of eight moments of the
shutdown (MkDocs' "Shutting down" log, LiveReloadServer.shutdown, the watcher's stop, BaseServer.shutdown,
server_close, plugins.on_shutdown, MkDocs' rmtree of its folder, our scratch folder's clean-up), in all four orders:
exit 128 + the last signal's number, "interrupted", no traceback, nothing left in TMPDIR. Three stops at
server_close, on_shutdown, the rmtree and our clean-up held too, and one or two stops during a live rebuild.
Found, and fixed (MkDocs' server thread is made a daemon in hooks/mkdocs_hook.py on_serve, so a stop that cuts
MkDocs' shutdown short no longer keeps the process alive; every stop raises again; index_search stops Pagefind however
it ends, and a stop as Pagefind starts waits until the process is the build's to stop):
- a third stop before BaseServer.shutdown has asked the server thread to end (in LiveReloadServer.shutdown, the
  watcher's stop, BaseServer.shutdown itself) raises as first_only intends, cuts MkDocs' shutdown short as the
  second stop did before 3220aa0, and the process hangs at exit waiting for that non-daemon thread;
- a stop while Pagefind indexes the preview (hooks/mkdocs_hook.py on_post_build -> index_search) leaves Pagefind
  running: it writes into the preview folder after it was removed (files left in TMPDIR), or as MkDocs removes it
  (exit 1, "Directory not empty", instead of the stop's code);
- a SIGTERM that Python swallowed in a finalizer during the first build makes the next SIGTERM count as a "second":
  only recorded, so serve goes on serving; only a third stops it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from processes import PATCH_AT_IMPORT, SWALLOW, hooked
from site_helpers import make_serve_repo
from test_redteam_session25 import _Serve

# A sitecustomize: RT27_PLAN is a JSON list of {"target": "module:Attr.path", "signals": ["INT", ...], "nth": n,
# "match": text}. Each target is wrapped at the first import after it exists (an audit hook); its nth call (counting
# only calls with an argument whose str() holds match) sends the process the signals in order, each handled before
# the next is sent (two pending SIGINTs would be one), then calls the original. No sleeps: the moments are exact.
_PLAN_HOOK = """
import json, os, signal, sys, threading

_PLAN = json.loads(os.environ["RT27_PLAN"])
_patched = set()


def _wrap(original, step):
    count = [0]

    def wrapper(*args, **kwargs):
        if step.get("match") is None or any(step["match"] in str(a) for a in args):
            count[0] += 1
            if count[0] == step.get("nth", 1):
                for name in step["signals"]:
                    sys.stderr.write(f"RT27 {step['target']} {name}\\n")
                    signal.pthread_kill(threading.get_ident(), getattr(signal, "SIG" + name))
                    for _ in range(2000):  # the handler runs at one of these bytecodes
                        pass
        return original(*args, **kwargs)

    return wrapper

"""
_PLAN_HOOK += PATCH_AT_IMPORT

_MOMENTS = {
    "shutting-down-log": {"target": "logging:Logger.info", "match": "Shutting down"},
    "livereload-shutdown": {"target": "mkdocs.livereload:LiveReloadServer.shutdown"},
    "watcher-stop": {"target": "watchdog.observers.api:BaseObserver.on_thread_stop"},
    "baseserver-shutdown": {"target": "socketserver:BaseServer.shutdown"},
    "server-close": {"target": "socketserver:TCPServer.server_close"},
    "plugins-on-shutdown": {"target": "mkdocs.plugins:PluginCollection.on_shutdown"},
    "mkdocs-rmtree": {"target": "shutil:rmtree", "match": "mkdocs_"},
    "our-clean-up": {"target": "tempfile:TemporaryDirectory.cleanup"},
}


def _serve(tmp_path, plan: list[dict], hook: str | None = None, **extra: str) -> tuple[_Serve, object]:
    """Serve a new scratch repository with hook (default _PLAN_HOOK) carrying out plan; return it and its TMPDIR."""
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, hook or _PLAN_HOOK)
    extra_env = {"PYTHONPATH": env["PYTHONPATH"], "RT27_PLAN": json.dumps(plan), **extra}
    return _Serve(repo, temporary, extra_env=extra_env), temporary


def _stop_after_serving(tmp_path, first: int, plan: list[dict], wait: float = 60) -> tuple[int, str, list]:
    """Serve, wait until the site answers (its server thread runs), send first; return code, stderr, TMPDIR's rest."""
    serve, temporary = _serve(tmp_path, plan)
    try:
        serve.wait_for("Serving on")
        assert "Klimatkontrakt" in serve.get("/")
        code = serve.stop(first, wait)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    return code, "".join(serve.seen), sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*"))


def _last_stop(seen: str, first: int) -> int:
    """Return the exit code of the last stop serve received: the first, or the last the hook sent as it shut down.

    Every stop raises, so one that the hook sends cuts the rest of its plan short (they are never sent).
    """
    after = seen.partition("Shutting down")[2].splitlines()
    names = [line.split()[-1] for line in after if line.startswith(("RT27 ", "RT28 "))]
    return 128 + (getattr(signal, "SIG" + names[-1]) if names else first)


_ORDERS = [
    (signal.SIGINT, "INT"),
    (signal.SIGINT, "TERM"),
    (signal.SIGTERM, "INT"),
    (signal.SIGTERM, "TERM"),
]


# Every order at the moment of the first hang; one order (SIGTERM, then Ctrl-C) at each other moment: a serve costs
# seconds, and the rule is the same code path at every moment.
_CASES = [("livereload-shutdown", first, second) for first, second in _ORDERS]
_CASES += [(moment, signal.SIGTERM, "INT") for moment in _MOMENTS if moment != "livereload-shutdown"]


@pytest.mark.slow  # serves the site
@pytest.mark.parametrize("moment, first, second", _CASES)
def test_held_two_stops_at_each_moment_of_the_shutdown(tmp_path, moment, first, second):
    code, seen, left = _stop_after_serving(tmp_path, first, [{**_MOMENTS[moment], "signals": [second]}])
    assert f"RT27 {_MOMENTS[moment]['target']} {second}" in seen, seen  # the second came where it should
    assert code == 128 + getattr(signal, "SIG" + second), seen  # the last stop's code
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["server-close", "plugins-on-shutdown", "mkdocs-rmtree", "our-clean-up"])
def test_held_three_stops_after_the_server_thread_was_asked_to_end(tmp_path, moment):
    code, seen, left = _stop_after_serving(tmp_path, signal.SIGTERM, [{**_MOMENTS[moment], "signals": ["INT", "TERM"]}])
    assert code == _last_stop(seen, signal.SIGTERM), seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "moment, first, then",
    [
        ("livereload-shutdown", signal.SIGTERM, ["INT", "INT"]),
        ("watcher-stop", signal.SIGINT, ["INT", "INT"]),  # three Ctrl-C
        ("baseserver-shutdown", signal.SIGINT, ["INT", "TERM"]),
    ],
)
def test_a_third_stop_as_serve_shuts_down_still_ends_it(tmp_path, moment, first, then):
    code, seen, left = _stop_after_serving(tmp_path, first, [{**_MOMENTS[moment], "signals": then}], wait=30)
    assert code == _last_stop(seen, first), seen
    assert "Traceback" not in seen, seen
    assert left == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "plan, expected",
    [
        # one stop as the rebuild makes the pages
        ([{"target": "contract.build.site:preview_pages", "nth": 2, "signals": ["TERM"]}], signal.SIGTERM),
        # one as the rebuild indexes the site (Pagefind)
        ([{"target": "contract.build.search:finish_index", "nth": 2, "signals": ["TERM"]}], signal.SIGTERM),
        # two: the first in the rebuild, the second as MkDocs shuts its server down
        (
            [
                {"target": "contract.build.site:preview_pages", "nth": 2, "signals": ["TERM"]},
                {**_MOMENTS["livereload-shutdown"], "signals": ["INT"]},
            ],
            signal.SIGINT,
        ),
    ],
    ids=["pages", "pagefind", "pages-then-shutdown"],
)
def test_held_stops_during_a_live_rebuild(tmp_path, plan, expected):
    serve, temporary = _serve(tmp_path, plan)
    try:
        serve.wait_for("Serving on")
        yaml = tmp_path / "repo" / "years" / "2023" / "purpose.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace("title:", "title: RED27", 1), encoding="utf-8")
        code = serve.ended()  # the hook stops it as the rebuild runs
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    seen = "".join(serve.seen)
    assert seen.count("RT27 ") == len(plan), seen
    assert code == 128 + expected, seen
    assert "interrupted" in seen and "Traceback" not in seen, seen
    assert list(temporary.rglob("*")) == []


# A Pagefind stand-in (PAGEFIND_BINARY_PATH): it sends serve SIGTERM as it starts indexing the first build, then
# goes on writing its output into the preview folder (as the real one does when it finishes), until serve exits
# (it dies with serve: PR_SET_PDEATHSIG). The real Pagefind left files the same way in about half of the runs.
# One process, as the real one is: a shell loop ran mkdir as a child, which serve's kill of the stand-in does not
# reach; that mkdir ran on and, once late (held until serve's scratch folder was gone), remade the folders in TMPDIR.
_PAGEFIND = f"""#!{sys.executable} -I
import os, signal, sys

os.kill(os.getppid(), signal.SIGTERM)
folder = os.path.join(sys.argv[2], "pagefind")
for _ in range(1_000_000):  # a bound only in case it outlives serve; killed long before
    try:
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "late.js"), "w").close()
    except OSError:
        pass
"""


def with_fake_pagefind(tmp_path, text: str) -> tuple[Path, Path, Path]:
    """Return a serve repository, its TMPDIR and a Pagefind stand-in (an executable script with text)."""
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    pagefind = tmp_path / "pagefind"
    pagefind.write_text(text, encoding="utf-8")
    pagefind.chmod(0o755)
    return repo, temporary, pagefind


@pytest.mark.slow
def test_a_stop_while_pagefind_indexes_the_preview_leaves_nothing(tmp_path):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND)
    env = hooked(tmp_path, "", TMPDIR=str(temporary), PAGEFIND_BINARY_PATH=str(pagefind))
    done = subprocess.run(
        [sys.executable, "-m", "contract", "serve", "--dev-addr", "127.0.0.1:0"],
        cwd=repo, capture_output=True, text=True, timeout=300, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert "Serving on" not in done.stderr, done.stderr  # stopped in the first build
    assert done.returncode == 128 + signal.SIGTERM, (
        done.stderr
    )  # in some runs 1: "Directory not empty" as MkDocs removed it
    assert "Traceback" not in done.stderr, done.stderr
    assert sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*")) == []


@pytest.mark.slow
def test_a_stop_after_a_swallowed_one_still_ends_serve(tmp_path):
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, SWALLOW)
    extra = {"PYTHONPATH": env["PYTHONPATH"], "SWALLOW_IN": "preview_pages", "SWALLOW_SIGNAL": "SIGTERM"}
    serve = _Serve(repo, temporary, extra_env=extra)
    try:
        try:
            serve.wait_for("Serving on")
        except AssertionError:  # it ended in the first build: the next step's check() raised the swallowed stop
            pass
        said = "".join(serve.seen)
        if "swallowed Terminated" not in said:
            serve.stop(signal.SIGTERM)
            pytest.skip("no garbage collection ran in preview_pages: the premise did not hold")
        if "Serving on" in said:  # it serves on: then the next stop, the one the user (or `docker stop`) sees, ends it
            code = serve.stop(signal.SIGTERM, 30)
        else:
            code = serve.proc.wait(timeout=120)  # its output is read: wait_for met its end
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait()
    assert code == 128 + signal.SIGTERM
