"""pyHanko's own command line (`pyhanko ...`), run in the test process: the cross-check is its verdict.

Starting `pyhanko` as a process cost over a second per call (interpreter and pyHanko's imports); the
process boundary is not what the tests check. Click's test runner calls the same entry point the
`pyhanko` script calls, with the same arguments, and returns the exit code the process would have.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from click.testing import CliRunner
from pyhanko.cli import cli_root


def pyhanko(*args: str | Path) -> tuple[int, str]:
    """Run `pyhanko ARGS` in this process; return its exit code and what it printed."""
    # pyHanko's root command adds logging handlers on every run (a process's last act): undo that afterwards.
    # (the root logger and the revocation fetchers' logger by default; any other logger that exists, to be safe)
    known = [logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    loggers = [logging.getLogger(), logging.getLogger("pyhanko_certvalidator.fetchers"), *known]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    try:
        with warnings.catch_warnings():  # its own deprecations (the OS trust list), which a process kept to itself
            warnings.simplefilter("ignore", DeprecationWarning)
            result = CliRunner().invoke(cli_root, [str(a) for a in args], prog_name="pyhanko")
    finally:
        for logger, level, handlers in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
    crash = result.exception if not isinstance(result.exception, SystemExit | type(None)) else None
    return result.exit_code, result.output + (f"\n{crash!r}" if crash else "")
