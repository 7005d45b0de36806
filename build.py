"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

from contract.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
