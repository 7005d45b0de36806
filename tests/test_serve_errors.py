"""serve's live rebuilds: a problem that is not in the YAML (Pagefind failing) is printed as a diagnostic, not a trace."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_redteam_session25 import _Serve
from test_redteam_session27 import with_fake_pagefind

ROOT = Path(__file__).resolve().parents[1]

# A Pagefind stand-in whose second run (the first rebuild) fails as a broken Pagefind does; every other run indexes
# nothing and succeeds.
_PAGEFIND_FAILS_ONCE = """#!/bin/sh
n=$(cat "$SERVE_ERRORS_COUNT" 2>/dev/null || echo 0)
echo $((n + 1)) > "$SERVE_ERRORS_COUNT"
[ "$n" -eq 1 ] || exit 0
echo "Error: the index could not be written" >&2
exit 1
"""


@pytest.mark.slow
def test_a_rebuild_whose_pagefind_fails_says_why_without_a_traceback_and_the_next_rebuild_serves(tmp_path):
    repo, temporary, pagefind = with_fake_pagefind(tmp_path, _PAGEFIND_FAILS_ONCE)
    extra = {"PAGEFIND_BINARY_PATH": str(pagefind), "SERVE_ERRORS_COUNT": str(tmp_path / "count")}
    serve = _Serve(repo, temporary, extra_env=extra)
    css = repo / "docs_assets" / "kk.css"  # an edit that leaves the contract valid (2023 is signed)
    try:
        serve.wait_for("Serving on")
        css.write_text(css.read_text(encoding="utf-8") + "\n/* FIRST */\n", encoding="utf-8")
        serve.wait_for("An error happened during the rebuild")
        css.write_text(css.read_text(encoding="utf-8") + "\n/* SECOND */\n", encoding="utf-8")
        serve.wait_for("Reloading browsers")  # the second rebuild indexed and serves again
        assert serve.get("/kk.css").endswith("/* FIRST */\n\n/* SECOND */\n")
        code = serve.stop(signal.SIGINT)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    said = "".join(serve.seen)
    assert code == 130, said
    # What Pagefind said reaches the user as a diagnostic, and no advice to install what ran.
    assert "error: Pagefind could not index the site: Error: the index could not be written (fix what" in said, said
    assert "Traceback" not in said, said


def test_the_hook_leaves_mkdocs_live_reload_to_serve():
    # The full build loads the hook for each language: importing MkDocs' live reload (and watchdog) cost it 0.05 s.
    code = (
        "import importlib.util, sys; "
        "spec = importlib.util.spec_from_file_location('hook', 'hooks/mkdocs_hook.py'); "
        "spec.loader.exec_module(importlib.util.module_from_spec(spec)); "
        "print(sorted(m for m in sys.modules if m.startswith(('mkdocs.livereload', 'watchdog'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n", done.stdout


def test_a_preview_server_closed_before_its_thread_serves_ends_that_thread_quietly(tmp_path):
    """A stop as MkDocs starts its server thread can close the socket first (red team 28's test saw it once in CI
    runs): the thread died on "Invalid file descriptor: -1", a traceback on the way out. Here the order is forced."""
    import importlib.util

    from mkdocs.livereload import LiveReloadServer

    spec = importlib.util.spec_from_file_location("hook_under_test", ROOT / "hooks" / "mkdocs_hook.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.__class__ = type("CheckedServer", (hook._StopChecked, LiveReloadServer), {})
    server.server_close()  # what shutdown does, before the thread's first look at the socket
    server.serve_forever(0.01)  # returns: nothing to serve
    other = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    other.server_close()
    with pytest.raises(ValueError, match="Invalid file descriptor"):  # MkDocs' own server, as the thread ran it
        other.serve_forever(0.01)
