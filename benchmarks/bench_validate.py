"""Time `klimatkontrakt validate 2023` in-process: load (YAML, schema) and check. Target: under 0.5 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from contract.checks import validate as validate_module
from contract.checks.validate import validate
from contract.source import load, schema, yamlfile
from contract.source.kept import Kept

ROOT = Path(__file__).resolve().parents[1]


def once(kept: bool = False) -> float:
    """Validate version 2023 once, cold caches for the schemas (and, unless kept, nothing kept); return seconds."""
    schema._validator.cache_clear()
    if not kept:  # as the first validate of a process: every file parsed, checked and built anew
        yamlfile._KEPT = Kept(yamlfile.KEPT_BYTES, weigh=lambda key: len(key[1]))
        load._MODELS, validate_module._CHECKED = Kept(32), Kept(32)
    start = time.perf_counter()
    report, loaded = validate(ROOT, ["2023"])
    elapsed = time.perf_counter() - start
    assert not report.errors and "2023" in loaded
    return elapsed


def command() -> float:
    """Run the whole command as a user would, interpreter start-up included; return seconds."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(ROOT), "validate", "2023"], check=True, capture_output=True
    )
    return time.perf_counter() - start


if __name__ == "__main__":
    runs = [once() for _ in range(10)]
    print(
        f"validate 2023 in-process: median {statistics.median(runs):.3f} s, min {min(runs):.3f} s over {len(runs)} runs"
    )
    again = [once(kept=True) for _ in range(10)]
    print(f"validate 2023 again, files unchanged (kept results): median {statistics.median(again):.3f} s")
    cli = [command() for _ in range(5)]
    print(f"klimatkontrakt validate 2023 (new process): median {statistics.median(cli):.3f} s over {len(cli)} runs")
