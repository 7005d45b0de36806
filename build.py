"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

if __name__ == "__main__":
    from contract.__main__ import start  # contract/__init__.py and __main__.py import only signal and sys

    sys.exit(start(["build", *sys.argv[1:]]))
