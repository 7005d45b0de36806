"""The --lang option of the commands that write for a reader: any language of the repository's klimatkontrakt.yaml."""

from __future__ import annotations

import argparse

from ..source.languages import load_languages


def add_lang(p: argparse.ArgumentParser, what: str) -> None:
    """Add --lang (default: the source language), checked against the repository's languages after parsing."""
    p.add_argument("--lang", metavar="LANG", help=f"{what} (default: the source language in klimatkontrakt.yaml)")
    p.set_defaults(check_lang=True)


def check_lang(args: argparse.Namespace) -> None:
    """Set args.lang to a language of the repository, or raise UsageError (exit 2) listing them.

    argparse cannot do it: the choices come from --root's klimatkontrakt.yaml, known only after parsing.
    """
    if getattr(args, "check_lang", False):
        languages = load_languages(args.root)
        args.lang = languages.check(languages.source if args.lang is None else args.lang)  # "" is bad usage
