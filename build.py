"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

from contract.output import faults

if __name__ == "__main__":
    try:
        faults.point("importing")
        from contract.cli.main import main  # a fifth of a second: Ctrl-C may come before main() can catch it
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(main(["build", *sys.argv[1:]]))
