"""Build everything from years/: python build.py [--drafts]. See README.md."""

import signal
import sys

from contract import interrupts
from contract.output import faults

if __name__ == "__main__":
    try:
        interrupts.terminate_as_interrupt()
        faults.point("importing")
        from contract.cli.main import main  # a fifth of a second: Ctrl-C may come before main() can catch it
    except KeyboardInterrupt as exc:  # Terminated for SIGTERM
        print("interrupted", file=sys.stderr)
        sys.exit(128 + getattr(exc, "signal", signal.SIGINT))
    sys.exit(main(["build", *sys.argv[1:]]))
