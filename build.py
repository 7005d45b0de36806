"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

if __name__ == "__main__":
    from contract.__main__ import start  # two small modules of the standard library's imports only

    sys.exit(start(["build", *sys.argv[1:]]))
