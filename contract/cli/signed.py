"""The `klimatkontrakt check-signed` command: a change leaves versions signed on the base branch as they were."""

from __future__ import annotations

from ..errors import ContractError
from ..versions import lockguard
from . import writer


def add_check_signed(sub) -> None:
    p = sub.add_parser(
        "check-signed", help="fail when a change touches the lock or status of a version signed at a git revision"
    )
    p.add_argument("--base", required=True, metavar="REV", help="the revision to compare with, e.g. origin/main")
    p.add_argument("--format", choices=("text", "github"), default="text", help="github prints workflow annotations")
    p.set_defaults(run=run_check_signed, diagnostics_format=True)


def run_check_signed(args) -> int:
    problems = lockguard.check(args.root, args.base)
    if problems:
        raise ContractError(problems)
    writer.note(f"versions signed at {args.base} are unchanged (or changed only by klimatkontrakt erratum or lock)")
    return 0


COMMANDS = [add_check_signed]
