"""python -m contract: the klimatkontrakt command line."""

import signal
import sys

try:
    from .cli.entry import main
except KeyboardInterrupt:  # Ctrl-C in the first milliseconds (entry then handles it)
    print("interrupted", file=sys.stderr)
    sys.exit(130)
code = main()
if code in (130, 143):  # stopped, and said so: one more Ctrl-C as it exits changes no exit code
    for number in (signal.SIGINT, signal.SIGTERM):  # (after a command that ended, a SIGTERM is not lost)
        signal.signal(number, signal.SIG_IGN)
sys.exit(code)
