"""Build everything from years/: python build.py [--drafts]. See README.md."""

import sys

if __name__ == "__main__":
    try:  # Ctrl-C in the first milliseconds, before the entry point handles it
        from contract.cli.entry import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(main(["build", *sys.argv[1:]], final=True))
