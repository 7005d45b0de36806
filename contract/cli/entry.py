"""The klimatkontrakt console script and python -m contract: a clean stop on Ctrl-C from the first instant.

Importing the command line takes a fifth of a second (the parser imports every command), before main() can catch
anything: so this module imports nothing of it at the top, and turns Ctrl-C meanwhile into exit 130, no traceback.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Import the command line, then run it; Ctrl-C while it loads stops as Ctrl-C during a command does."""
    try:
        from ..output import faults

        faults.point("importing")
        from .main import main as run
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return run()
