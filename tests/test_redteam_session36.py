"""Red team 36: serve watches every input of the site; the template cache; nested interrupts.handling(), attacked.

Held: klimatkontrakt.yaml made invalid YAML, a list, non-UTF-8 bytes or a folder while serve runs: a located one-line
error, serve waits and previews again once the file is put back; a years/ or overrides/ edit rebuilt once, no
rebuild followed (the watcher polls; reads open nothing it counts); one folder link looping back in overrides/ (40 levels of copies for MkDocs' poller) previews;
an overrides/ template edited, put back and edited again is served as edited each time (no stale compiled code).
Found, and fixed with this file (each test failed before the fix):
- schema/ edited to invalid JSON while serve runs: the rebuild printed a Python traceback (JSONDecodeError); the
  build and validate called it an internal error. Now a located error in the schema file (tests/test_schema_files.py).
- an input folder that did not exist when serve started (i18n/, made when a language gets its own labels) was never
  watched. Decided: serve watches it from its next rebuild (MkDocs ignores a folder being made, and watching the
  whole repository would poll .git/ and .venv/ twice a second); the test makes one other edit first.
- two folder links looping back in overrides/ (which the build walks once, stamps._files): MkDocs' poller walked every
  path through them, and serve died on ELOOP minutes later, before "Serving on". Now such a folder is not watched,
  with a warning that names the link (contract.build.assets.unwatchable).
- handling(): a Ctrl-C as signals_to() put the handlers back left SIGTERM (or both) handled by _stop for the rest of
  the process. Each handler is now put back in a try of its own.
Not kept: a Ctrl-C raised by a trace function at the line after `del _handling[depth:]` in handling()'s finally, or
before _quiet_discarded_stops() puts Python's hook back. A real signal's handler runs only where Python checks for
one (a call's end, a function's or a generator's start, a loop's jump back); neither spot has one before its
change, and no ordering of plain statements survives an exception raised at every line.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from site_helpers import make_serve_repo
from test_redteam_session25 import _Serve

from contract import interrupts

ROOT = Path(__file__).resolve().parents[1]


def _stopped(serve: _Serve) -> None:
    if serve.proc.poll() is None:
        serve.proc.kill()
        serve.proc.wait(60)


@pytest.mark.slow
def test_serve_says_what_is_wrong_with_a_broken_klimatkontrakt_yaml_and_previews_again(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    config = repo / "klimatkontrakt.yaml"
    original = config.read_text(encoding="utf-8")
    try:
        serve.wait_for("Serving on")
        for broken in ("languages: [\n", "- a\n- b\n"):
            config.write_text(broken, encoding="utf-8")
            serve.wait_for("An error happened during the rebuild")
        config.write_text(original, encoding="utf-8")
        serve.wait_for("Reloading browsers")
        assert "Klimatkontrakt" in serve.get("/")
    finally:
        _stopped(serve)
    assert "Traceback" not in "".join(serve.seen), "".join(serve.seen)
    assert "klimatkontrakt.yaml:2:1: error: invalid YAML" in "".join(serve.seen)


@pytest.mark.slow
def test_serve_reports_an_invalid_schema_without_a_traceback(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    schema = repo / "schema" / "config.schema.json"
    original = schema.read_text(encoding="utf-8")
    try:
        serve.wait_for("Serving on")
        schema.write_text("{", encoding="utf-8")
        serve.wait_for("An error happened during the rebuild")
        schema.write_text(original, encoding="utf-8")
        serve.wait_for("Reloading browsers")  # serve lives on and previews again
    finally:
        _stopped(serve)
    said = "".join(serve.seen)
    assert "Traceback" not in said, said
    assert "config.schema.json" in said, said


@pytest.mark.slow
def test_serve_previews_an_i18n_folder_made_while_it_runs(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    assert not (repo / "i18n").exists()
    config = repo / "klimatkontrakt.yaml"
    try:
        serve.wait_for("Serving on")
        (repo / "i18n").mkdir()
        labels = (ROOT / "contract" / "i18n" / "sv.yaml").read_text(encoding="utf-8")
        (repo / "i18n" / "sv.yaml").write_text(labels, encoding="utf-8")
        config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # any other edit: a rebuild
        serve.wait_for("Reloading browsers")
        # From that rebuild on i18n/ is watched. Invalid on purpose: the rebuild says so.
        (repo / "i18n" / "sv.yaml").write_text("labels: [\n", encoding="utf-8")
        serve.wait_for("Detected file changes")
        serve.wait_for("An error happened during the rebuild")
    finally:
        _stopped(serve)
    assert "Traceback" not in "".join(serve.seen), "".join(serve.seen)


@pytest.mark.slow
def test_serve_survives_folder_links_looping_back_in_overrides(tmp_path):
    repo = make_serve_repo(tmp_path / "repo")
    os.symlink(".", repo / "overrides" / "a")
    os.symlink(".", repo / "overrides" / "b")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    serve = _Serve(repo, temporary)
    try:
        # Before, serve walked the links' paths for minutes and ended on ELOOP, never serving.
        warned = serve.wait_for("serve does not watch overrides")
        assert "overrides/a is a link that leads back into a folder it is in" in warned, warned
        serve.wait_for("Serving on")
        clause = repo / "years" / "2023" / "clause.yaml"  # the rest is watched as before
        clause.write_text(clause.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        serve.wait_for("Reloading browsers")
        assert "Klimatkontrakt" in serve.get("/")
    finally:
        _stopped(serve)


# --- interrupts.handling(): a Ctrl-C as the handlers are put back ----------------------------------------------


@pytest.fixture
def clean_signals():
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    hook = sys.unraisablehook
    yield
    sys.settrace(None)
    for number, handler in before.items():
        signal.signal(number, handler)
    sys.unraisablehook = hook
    interrupts._received.clear()
    interrupts._handling.clear()


@pytest.mark.parametrize("nth", [3, 4], ids=["as SIGINT's is put back", "as SIGTERM's is put back"])
def test_ctrl_c_as_handling_puts_the_handlers_back_leaves_them_as_they_were(clean_signals, monkeypatch, nth):
    # A signal's handler runs where Python checks for one: at the end of a call, as signal.signal returns. The stand-in
    # raises there, as the handler then in place would: handling() sets two handlers, then puts two back.
    sigterm, sigint = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    real, calls = signal.signal, []

    def set_then_interrupted(number, handler):
        previous = real(number, handler)
        calls.append(number)
        if len(calls) == nth:
            raise KeyboardInterrupt
        return previous

    monkeypatch.setattr(signal, "signal", set_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        with interrupts.handling():
            pass
    monkeypatch.undo()
    assert calls == [signal.SIGINT, signal.SIGTERM, signal.SIGINT, signal.SIGTERM]  # the rest was put back too
    assert signal.getsignal(signal.SIGTERM) == sigterm, "SIGTERM still goes to interrupts._stop after the command"
    assert signal.getsignal(signal.SIGINT) == sigint
    assert interrupts._handling == []


@pytest.mark.slow
def test_serve_never_serves_a_template_compiled_before_an_edit(tmp_path):
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    main = repo / "overrides" / "main.html"
    original = main.read_text(encoding="utf-8")
    charset = '<meta charset="utf-8">'
    assert charset in original
    pages = []
    try:
        serve.wait_for("Serving on")
        for text in (
            original.replace(charset, charset + '<meta name="RED36A">', 1),
            original,  # back to the source compiled at the start: in memory and on disk
            original.replace(charset, charset + '<meta name="RED36B">', 1),
        ):
            main.write_text(text, encoding="utf-8")
            serve.wait_for("Reloading browsers")
            pages.append(serve.get("/"))
    finally:
        _stopped(serve)
    assert ["RED36A" in page for page in pages] == [True, False, False]
    assert ["RED36B" in page for page in pages] == [False, False, True]


@pytest.mark.slow  # walks folders of 10,000 entries: seconds, not the fast lane's milliseconds
def test_a_folder_is_unwatchable_only_for_links_a_poller_cannot_follow(tmp_path):
    from contract.build.assets import MAX_ENTRIES, unwatchable

    plain = tmp_path / "plain"
    (plain / "a" / "b").mkdir(parents=True)
    (plain / "a" / "b" / "x.html").write_text("x", encoding="utf-8")
    os.symlink(plain / "a" / "b", plain / "sibling")  # a link to a folder, not a loop
    os.symlink("nowhere", plain / "dangling")
    assert unwatchable(plain) is None
    looping = tmp_path / "looping"
    (looping / "deep").mkdir(parents=True)
    os.symlink("..", looping / "deep" / "up")
    assert "looping/deep/up is a link that leads back into a folder it is in" in unwatchable(looping)
    system = tmp_path / "system"
    system.mkdir()
    os.symlink("/proc/self", system / "me")
    assert "system/me is a link into the system's /proc folder" in unwatchable(system)
    os.symlink("/proc", tmp_path / "proc-itself")
    assert "is a link into the system's /proc folder" in unwatchable(tmp_path / "proc-itself")
    many = tmp_path / "many"
    many.mkdir()
    for index in range(MAX_ENTRIES // 2 + 1):
        (many / f"{index}").touch()
    (tmp_path / "many-twice").mkdir()
    os.symlink(many, tmp_path / "many-twice" / "one")
    os.symlink(many, tmp_path / "many-twice" / "two")  # no loop: two ways into one large folder
    assert f"holds more than {MAX_ENTRIES} files and folders" in unwatchable(tmp_path / "many-twice")
