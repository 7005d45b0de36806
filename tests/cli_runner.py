"""Run the klimatkontrakt command line in the test process (no interpreter start-up per call)."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from contract.cli.main import main


@dataclass(frozen=True)
class Result:
    """What a command printed and returned, like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def run_cli(*args: str | Path, cwd: Path | None = None) -> Result:
    """Run `klimatkontrakt ARGS` in this process and capture its exit code and output."""
    out_bytes = io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", newline="")
    err = io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(previous)
    out.flush()
    data = out_bytes.getvalue()
    return Result(code, data.decode("utf-8", "replace"), err.getvalue(), data)
