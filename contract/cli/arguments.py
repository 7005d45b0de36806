"""Wrong arguments: argparse's errors, raised for main to print, also in the --format a command was given."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# The commands whose --format is also the format of their problems (their result is the diagnostics).
DIAGNOSTICS_COMMANDS = ("validate", "check-signed")


class BadArguments(Exception):
    """argparse's error, raised instead of exiting so that main can also answer in the requested format."""

    def __init__(self, parser: argparse.ArgumentParser, message: str):
        super().__init__(message)
        self.parser, self.message = parser, message


class HelpShown(Exception):
    """argparse printed the help and would exit 0: main flushes it and answers as for any command's result."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors main prints (its subcommands' parsers are of this class too)."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        """Parse; a list option's default is a list of this call's own (the parser is kept for the next call)."""
        parsed, rest = super().parse_known_args(args, namespace)
        for name, value in vars(parsed).items():
            if isinstance(value, list):
                setattr(parsed, name, list(value))
        return parsed, rest

    def error(self, message: str):
        """Raise the error for main to print."""
        raise BadArguments(self, message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Raise HelpShown after the help (argparse's only exit 0 here), so that main judges whether it was written."""
        if message:
            self._print_message(message, sys.stderr)
        if status == 0:
            raise HelpShown
        raise SystemExit(status)

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """Print argparse's text; a help lost on standard output (closed pipe, full disk) is raised, not ignored."""
        if message and file is sys.stdout:  # argparse itself ignores a failed write, and the help would look written
            file.write(message)
        else:
            super()._print_message(message, file)


def requested_format(argv: list[str]) -> str:
    """Return the --format a diagnostics command was given in argv, as far as it can be read; else text."""
    if not any(token in DIAGNOSTICS_COMMANDS for token in argv):
        return "text"
    fmt = "text"
    for token, following in zip(argv, [*argv[1:], ""]):
        if token == "--format":
            fmt = following
        elif token.startswith("--format="):
            fmt = token.split("=", 1)[1]
    return fmt
