"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

if __name__ == "__main__":
    try:  # Ctrl-C in the first milliseconds (this import, start()'s first instant), before start() handles stops
        from contract.__main__ import start  # contract/__init__.py and __main__.py import only signal and sys

        code = start(["build", *sys.argv[1:]])
    except KeyboardInterrupt as exc:
        try:  # never on standard output (print's default); 130 says it without standard error or its reader
            if sys.stderr is not None:
                print("interrupted", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # a pipe whose reader is gone (BrokenPipeError), or a closed stream
            pass
        code = 128 + getattr(exc, "signal", 2)
    sys.exit(code)
