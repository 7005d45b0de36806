"""Red team 26: the commands' scratch folders (contract.output.scratch), attacked; and serve's shutdown.

Held (see stop 25's note): diff at a revision and check-signed with SIGINT, SIGTERM and two signals at about twenty
points of the folder's making and removal; serve stopped as it loads its configuration, builds and serves.
Found: a serve stopped by SIGTERM, then Ctrl-C as MkDocs shuts its server down, never ended. The second
KeyboardInterrupt left MkDocs' shutdown before it had stopped its server and watcher threads, and Python waits for
those at exit. Fixed: MkDocs' server thread is a daemon (hooks/mkdocs_hook.py on_serve), so a stop that cuts its
shutdown short ends the process anyway (a first fix, interrupts.first_only, was dropped after red teams 27 and 28).
"""

from __future__ import annotations

import signal

import pytest
from processes import hooked
from site_helpers import make_serve_repo
from test_redteam_session25 import _Serve

# A second signal (SIGINT) as MkDocs' LiveReloadServer.shutdown starts: patched in by an audit hook at the first
# import after mkdocs.livereload has defined the class (no sleeps: the moment is exact).
_SIGINT_AT_SHUTDOWN = """
import os, signal, sys, threading

_done = []

def _audit(event, args):
    if _done or event != "import":
        return
    module = sys.modules.get("mkdocs.livereload")
    server = getattr(module, "LiveReloadServer", None)
    if server is None:
        return
    _done.append(True)
    original = server.shutdown

    def shutdown(self, *args, **kwargs):
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        return original(self, *args, **kwargs)

    server.shutdown = shutdown

sys.addaudithook(_audit)
"""


@pytest.mark.slow  # serves the site
@pytest.mark.parametrize("first", [signal.SIGTERM, signal.SIGINT])
def test_a_second_stop_as_serve_shuts_down_still_ends_it(tmp_path, first):
    repo = make_serve_repo(tmp_path / "repo")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = hooked(tmp_path, _SIGINT_AT_SHUTDOWN)
    serve = _Serve(repo, temporary, extra_env={"PYTHONPATH": env["PYTHONPATH"]})
    try:
        serve.wait_for("Serving on")
        assert "Klimatkontrakt" in serve.get("/")  # its server thread runs: "Serving on" is logged just before
        code = serve.stop(first)  # waits at most two minutes: it hung for ever before
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    assert code == 128 + signal.SIGINT, "".join(serve.seen)  # the last stop was a Ctrl-C
    assert "Traceback" not in "".join(serve.seen)
    assert list(temporary.iterdir()) == []
