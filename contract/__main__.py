"""python -m contract: the klimatkontrakt command line."""

import sys

try:
    from .cli.entry import run
except KeyboardInterrupt:  # Ctrl-C in the first milliseconds (entry then handles it)
    print("interrupted", file=sys.stderr)
    sys.exit(130)
sys.exit(run())
