"""Build everything from years/: python build.py [--drafts]. See README.md."""

import signal
import sys

if __name__ == "__main__":
    try:  # a fifth of a second of imports: Ctrl-C or SIGTERM may come before main() can catch it
        from contract import interrupts

        with interrupts.terminating():
            from contract.output import faults

            faults.point("importing")
            from contract.cli.main import main

            code = main(["build", *sys.argv[1:]])
    except KeyboardInterrupt as exc:  # Terminated for SIGTERM
        print("interrupted", file=sys.stderr)
        code = 128 + getattr(exc, "signal", signal.SIGINT)
    if code in (130, 143):  # stopped, and said so: one more Ctrl-C as it exits changes no exit code
        for number in (signal.SIGINT, signal.SIGTERM):  # (after a command that ended, a SIGTERM is not lost)
            signal.signal(number, signal.SIG_IGN)
    sys.exit(code)
