"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

if __name__ == "__main__":
    try:  # Ctrl-C in the first milliseconds, before start() handles stops
        from contract.__main__ import start  # contract/__init__.py and __main__.py import only signal and sys
    except KeyboardInterrupt:
        if sys.stderr is not None:  # never on standard output (print's default); 130 says it without a reader
            print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(start(["build", *sys.argv[1:]]))
