"""Rarer cycle collections while a command runs (contract/collector.py), and as before once it is over."""

from __future__ import annotations

import gc

import pytest
from cli_runner import run_cli

from contract import collector
from contract.cli import main as cli_main


@pytest.fixture(autouse=True)
def _thresholds_kept():
    """Give the rest of the test process back the thresholds it had (these tests set Python's defaults)."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_a_command_runs_with_rarer_collections_and_leaves_the_process_as_it_was(monkeypatch, tmp_path):
    seen = []
    real = cli_main._run
    monkeypatch.setattr(cli_main, "_run", lambda args: seen.append(gc.get_threshold()) or real(args))
    gc.set_threshold(700, 10, 10)
    result = run_cli("versions", "--root", tmp_path)  # not a repository: refused, exit 2
    assert result.returncode == 2
    assert seen == [collector.THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)


def test_cycles_made_during_a_command_are_still_collected_by_themselves():
    class Cycle:
        pass

    collected: list[int] = []
    gc.collect()
    with collector.fewer_collections():
        gc.callbacks.append(lambda phase, info: phase == "stop" and collected.append(info["collected"]))
        try:
            for _ in range(3 * collector.THRESHOLDS[0]):  # each is cyclic garbage the moment it is made
                node = Cycle()
                node.self = node  # type: ignore[attr-defined]
        finally:
            gc.callbacks.pop()
    assert sum(collected) > 0  # no gc.collect() above: the collector ran on its own and freed the cycles
