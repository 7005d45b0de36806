"""Red team 60: e69e657 attacked (an entry point that has said "interrupted" ignores further stops to its end;
build.py and python -m contract through contract.cli.entry.main(final=True)).

Found (each a failing test below):
- build.py's and contract/__main__.py's own `except KeyboardInterrupt` (a Ctrl-C while they import
  contract.cli.entry / contract.interrupts) say "interrupted" without ignoring further stops: one more Ctrl-C just
  after it prints a KeyboardInterrupt traceback ("lost sys.stderr") and the process dies by SIGINT (-2); a SIGTERM
  kills it (-15). Promise 2 broken.
- entry.main(final=True): a Ctrl-C as interrupts.terminating() begins (before its `_ending.append(True)`) is said by
  entry.main, but stopped() sees no final entry point and ignores nothing: a further Ctrl-C -> traceback, -2; a
  SIGTERM -> -15, after "interrupted".
- entry.main: a stop that escapes terminating()'s block (a Ctrl-C during the imports, at contract.output.faults) makes
  terminating()'s finally put SIG_DFL / default_int_handler back before the except clause reaches stopped(): a
  second SIGTERM in that window kills the process (-15, nothing said), a second Ctrl-C prints a traceback (-2). This
  is the INT-INT-TERM class the commit says it fixed, moved from build.py's tail to the start-up.
- SIGTERM while build.py imports contract.interrupts / contract.cli.entry, or python -m contract imports
  contract.cli.entry: -15, no "interrupted" (a Ctrl-C at the same moment is a clean 130). Promise 6.
- python -m contract: runpy imports the package first, and contract/__init__.py imports typing outside
  __main__.py's try: a Ctrl-C there prints a KeyboardInterrupt traceback (-2). Promise 6.
- build.py / python -m contract: a Ctrl-C as entry.main begins (its first line, before its try) prints a
  KeyboardInterrupt traceback (-2): no entry point catches it.

Held (passing tests below):
- a stop in the command line's parser (contract.cli.word's import) or in the command, then a second SIGINT or
  SIGTERM at each of the process's later handler swaps (signal.signal calls): 130/143 and "interrupted" once;
- a normal command (versions, build.py --help) with a SIGTERM at each handler swap: 143 or -15, never 0, no traceback
  (promise 3);
- a process started with SIGINT ignored, SIGINT at each handler swap, also after a SIGTERM stop: no effect (promise 4);
- a real build (--jobs 3) stopped at rendering / staged / validating, with the whole process group sent further
  SIGINT/SIGTERM as "interrupted" is written: 130/143, "interrupted" once, nothing on stdout;
- entry.main() (final=False) in-process: the host's own SIGINT/SIGTERM handlers (functions, Python's defaults, or
  SIG_IGN) are back after a normal end and after a stop at "importing" or in the command (promise 5).

No sleeps: every signal is sent by a sitecustomize (tests.processes.hooked) at an exact import, call, handler swap
or write; each hook writes a mark when it fires, and a test checks the mark, so that a renamed function cannot turn
a reproducer into a silent pass.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from build_helpers import make_repo
from processes import ROOT, STOPS_HOOK, _at_a_terminal, finish, hooked, run_with_stops, start_command_paused

BUILD = [str(ROOT / "build.py"), "--help"]
MODULE = ["-m", "contract", "--root", str(ROOT), "versions"]


# ============================================================ defects: a stop said, then obeyed all the same


@pytest.mark.slow
@pytest.mark.parametrize("then", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    ("argv", "module"),
    [(BUILD, "contract.interrupts"), (BUILD, "contract.cli.entry"), (MODULE, "contract.interrupts"), (MODULE, "contract.cli.entry")],
    ids=["build.py-interrupts", "build.py-entry", "m-contract-interrupts", "m-contract-entry"],
)  # fmt: skip
def test_a_stop_after_the_entry_scripts_own_interrupted_changes_nothing(tmp_path, argv, module, then):
    # build.py / contract/__main__.py catch a Ctrl-C in their import of contract.cli.entry and print "interrupted"
    # themselves, without interrupts.stopped(): a further stop is obeyed (observed: -2 with a traceback, or -15).
    code, out, err, fired = run_with_stops(tmp_path, argv, FIRST_AT_IMPORT=module, FIRST="SIGINT", STOPS_AFTER=then)
    assert "import" in fired and "said" in fired, (fired, err)
    assert (code, out, err) == (130, "", "interrupted\n")


@pytest.mark.slow
@pytest.mark.parametrize("then", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("argv", [BUILD, MODULE], ids=["build.py", "m-contract"])
def test_a_ctrl_c_as_terminating_begins_still_ignores_stops_after_interrupted(tmp_path, argv, then):
    # The Ctrl-C lands before terminating(final=True) has recorded that the process ends with it: entry.main says
    # "interrupted", stopped() ignores nothing, and the next stop ends the process (observed: -2 traceback, -15).
    code, out, err, fired = run_with_stops(
        tmp_path, argv, AT_CALL="contract/interrupts.py:terminating", AT_CALL_SEND="SIGINT", STOPS_AFTER=then
    )
    assert "call" in fired and "said" in fired, (fired, err)
    assert (code, out, err) == (130, "", "interrupted\n")


@pytest.mark.slow
@pytest.mark.parametrize("second", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("argv", [BUILD, MODULE], ids=["build.py", "m-contract"])
def test_a_second_stop_as_the_entry_point_begins_to_say_the_first_is_a_clean_stop(tmp_path, argv, second):
    # A Ctrl-C during the imports (contract.output.faults, inside terminating()) leaves its block: terminating()
    # puts SIG_DFL and Python's default_int_handler back, and only then does entry.main's except call stopped().
    # A second stop there (INT-INT-TERM from a CI runner, a user's double Ctrl-C): observed -15 with nothing said,
    # or a KeyboardInterrupt traceback and -2.
    code, out, err, fired = run_with_stops(
        tmp_path, argv, FIRST_AT_IMPORT="contract.output.faults", FIRST="SIGINT",
        AT_CALL="contract/interrupts.py:stopped", AT_CALL_SEND=second,
    )  # fmt: skip
    assert fired == ["import", "call"], (fired, err)
    assert (code, out, err) in ((130, "", "interrupted\n"), (143, "", "interrupted\n"))


# ============================================================ defects: a stop in the first instant


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "module"),
    [(BUILD, "contract.interrupts"), (BUILD, "contract.cli.entry"), (MODULE, "contract.cli.entry")],
    ids=["build.py-interrupts", "build.py-entry", "m-contract-entry"],
)
def test_sigterm_as_an_entry_point_imports_its_first_modules_is_a_clean_stop(tmp_path, argv, module):
    # A Ctrl-C at the same import is a clean 130 "interrupted" (red team 31); SIGTERM is still the silent kill.
    code, out, err, fired = run_with_stops(tmp_path, argv, FIRST_AT_IMPORT=module, FIRST="SIGTERM")
    assert fired == ["import"], (fired, err)
    assert (code, out, err) == (143, "", "interrupted\n")


@pytest.mark.slow
def test_ctrl_c_as_python_m_contract_imports_its_package_is_a_clean_stop(tmp_path):
    # runpy imports contract/__init__.py (which imports typing) before __main__.py's try begins.
    code, out, err, fired = run_with_stops(tmp_path, MODULE, FIRST_AT_IMPORT="typing", FIRST="SIGINT")
    assert fired == ["import"], (fired, err)
    assert (code, out, err) == (130, "", "interrupted\n")


@pytest.mark.slow
@pytest.mark.parametrize("argv", [BUILD, MODULE], ids=["build.py", "m-contract"])
def test_ctrl_c_as_entry_main_begins_is_a_clean_stop(tmp_path, argv):
    # After build.py's (or __main__.py's) import try, before entry.main's own try: nothing catches it.
    code, out, err, fired = run_with_stops(tmp_path, argv, AT_CALL="contract/cli/entry.py:main", AT_CALL_SEND="SIGINT")
    assert fired == ["call"], (fired, err)
    assert (code, out, err) == (130, "", "interrupted\n")


# ============================================================ held


def _each_swap(
    tmp_path: Path, argv: list[str], preexec=_at_a_terminal, **triggers: str
) -> list[tuple[int, int, str, str]]:
    """Run the command once per handler swap it makes (AT_SWAP=1, 2, ...) until one where the hook no longer fires."""
    results = []
    for swap in range(1, 40):
        code, out, err, fired = run_with_stops(tmp_path, argv, preexec, AT_SWAP=str(swap), **triggers)
        if "swap" not in fired:
            break
        results.append((swap, code, out, err))
    assert results, "the hook never fired"
    return results


@pytest.mark.slow
@pytest.mark.parametrize("second", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("first", ["SIGINT", "SIGTERM"])
def test_held_a_stop_in_the_parser_then_a_second_at_each_handler_swap(tmp_path, first, second):
    results = _each_swap(tmp_path, MODULE, FIRST_AT_IMPORT="contract.cli.word", FIRST=first, AT_SWAP_SEND=second)
    wrong = [
        (swap, code, out, err)
        for swap, code, out, err in results
        if code not in (130, 143) or (out, err) != ("", "interrupted\n")
    ]
    assert wrong == []


@pytest.mark.slow
@pytest.mark.parametrize("argv", [BUILD, MODULE], ids=["build.py", "m-contract"])
def test_held_sigterm_at_each_handler_swap_of_a_normal_command_is_not_lost(tmp_path, argv):
    results = _each_swap(tmp_path, argv, AT_SWAP_SEND="SIGTERM")
    assert [(swap, code, err) for swap, code, _, err in results if code not in (-15, 143) or "Traceback" in err] == []


@pytest.mark.slow
@pytest.mark.parametrize("first", [None, "SIGTERM"], ids=["no-stop", "sigterm-in-parser"])
@pytest.mark.parametrize("argv", [BUILD, MODULE], ids=["build.py", "m-contract"])
def test_held_an_ignored_ctrl_c_at_each_handler_swap_stays_ignored(tmp_path, argv, first):
    def ignoring() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.setpgrp()

    triggers = {"FIRST_AT_IMPORT": "contract.cli.word", "FIRST": first} if first else {}
    results = _each_swap(tmp_path, argv, ignoring, AT_SWAP_SEND="SIGINT", **triggers)
    expected = (143, "interrupted\n") if first else (0, "")
    assert [(swap, code, err) for swap, code, _, err in results if (code, err) != expected] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "first", "stops"),
    [("rendering", "SIGINT", "SIGINT,SIGTERM"), ("staged", "SIGTERM", "SIGTERM,SIGINT,SIGTERM"), ("validating", "SIGTERM", "SIGINT,SIGINT")],
)  # fmt: skip
def test_held_group_stops_as_a_build_says_interrupted(tmp_path, step, first, stops):
    repo = make_repo(tmp_path / "repo")
    marks = tmp_path / "marks"
    env = hooked(tmp_path, STOPS_HOOK, HOOK_MARKS=str(marks), STOPS_AFTER=stops, STOPS_TO_GROUP="1")
    argv = [sys.executable, str(ROOT / "build.py"), "--root", str(repo), "--jobs", "3", "--drafts"]
    build, resume = start_command_paused(argv, step, _at_a_terminal, cwd=repo, env=env)
    try:
        os.killpg(build.pid, getattr(signal, first))
    finally:
        os.close(resume)
    code, out, err = finish(build)
    assert marks.read_text(encoding="utf-8").split() == ["said"]
    assert (code, out, err) == (128 + getattr(signal, first), "", "interrupted\n")


def _host_handler(number: int, frame: object) -> None:
    """A host program's own handler (never called here: the command's handlers are in place while it runs)."""


@pytest.mark.parametrize("stop", [None, signal.SIGINT, signal.SIGTERM], ids=["normal", "ctrl-c", "sigterm"])
@pytest.mark.parametrize("where", ["importing", "command"])
@pytest.mark.parametrize(
    "host",
    [(_host_handler, _host_handler), (signal.default_int_handler, signal.SIG_DFL), (signal.SIG_IGN, _host_handler)],
    ids=["functions", "defaults", "ignored-ctrl-c"],
)
def test_held_the_console_script_function_gives_the_host_its_handlers_back(monkeypatch, capsys, host, where, stop):
    from contract.cli import entry
    from contract.cli import main as cli_main
    from contract.output import faults

    before = signal.signal(signal.SIGINT, host[0]), signal.signal(signal.SIGTERM, host[1])
    try:
        if stop is not None and where == "importing":
            real_point = faults.point
            monkeypatch.setattr(
                faults, "point", lambda step: signal.raise_signal(stop) if step == "importing" else real_point(step)
            )
        if stop is not None and where == "command":
            real_require = cli_main._require_repository

            def require(args):
                signal.raise_signal(stop)
                return real_require(args)

            monkeypatch.setattr(cli_main, "_require_repository", require)
        code = entry.main(["--root", str(ROOT), "versions"])
        handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    ignored = stop == signal.SIGINT and host[0] is signal.SIG_IGN
    # A host's own function for the signal gets it while the start-up runs (terminating() leaves a host's handlers).
    reaches_host = (
        stop is not None and where == "importing" and host[0 if stop == signal.SIGINT else 1] is _host_handler
    )
    assert code == (0 if stop is None or ignored or reaches_host else 128 + stop)
    assert handlers == host
