"""The `klimatkontrakt diff` command: a redline of two versions, each from the working tree or a git revision."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..output import marks
from ..source.languages import language_name
from . import writer
from .languages import add_lang

if TYPE_CHECKING:
    from ..diff import ChangeSet

FORMATS = ("text", "md", "html", "json", "pdf")


def add_diff(sub) -> None:
    """Add the diff command."""
    p = sub.add_parser(
        "diff",
        help="compare two versions section by section, word by word (a redline)",
        description='OLD and NEW are versions ("2023") or versions at a git revision ("main:2024", "HEAD~3:2024").',
    )
    p.add_argument("old", metavar="OLD", help="the earlier version, e.g. 2023 or main:2024")
    p.add_argument("new", metavar="NEW", help="the later version")
    add_lang(p, "language of the redline")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text, md (pull-request comment), html (site fragment), json, pdf",
    )
    p.add_argument(
        "-o", "--output", type=Path, help="write to this file instead of standard output (replacing it if it exists)"
    )
    p.add_argument("--exit-code", action="store_true", help="exit with 1 when there are changes, 0 when there are none")
    p.set_defaults(run=run_diff)


def run_diff(args) -> int:
    """Compare, render and write; return 1 for changes only with --exit-code."""
    # Here, not at the top: every command builds the parser, which imports this module.
    from .. import diff
    from ..source import revisions

    earlier = writer.earlier_result(args.root, "diff", args.format)
    if args.output:  # before the work: a refusal should come at once
        writer.refuse_source(args.root, args.output, "diff")
        writer.refuse_existing(args.output, "diff", earlier, writer.EARLIER)
    old = revisions.load_spec(args.root, args.old)
    new = revisions.load_spec(args.root, args.new)
    _same_source(old.languages[0], new.languages[0], args)
    changes = diff.compare(old, new, revisions.parse(args.old).label, revisions.parse(args.new).label)
    # Made wholly from the repository, like export: replacing an earlier redline loses nothing.
    data = _render(changes, args, draft=new.meta.status == "draft")
    writer.result(data, args.output, "diff", earlier, hint=writer.EARLIER)
    return 1 if args.exit_code and not changes.empty else 0


def _render(changes: ChangeSet, args, draft: bool = False) -> bytes:
    from ..render import redline_html, redline_json, redline_text
    from ..source import provenance

    if args.format == "pdf":
        from ..render import redline_pdf  # imported here: typst is only needed for PDFs

        return redline_pdf.render_redline_pdf(changes, args.lang, provenance.source(args.root), draft=draft)
    if args.format == "json":
        return writer.as_json(redline_json.to_json(changes)).encode("utf-8")
    render = {"text": redline_text.to_text, "md": redline_text.to_markdown, "html": redline_html.to_html}[args.format]
    body = render(changes, args.lang)
    if args.format == "text" and args.output is None:  # on a terminal the mark would be a line of noise to read
        return body.encode("utf-8")
    return marks.mark(body, "diff", args.format, args.lang).encode("utf-8")


COMMANDS = [add_diff]


def _same_source(old: str, new: str, args) -> None:
    """Refuse two versions written in different source languages: their sources would be compared word by word."""
    if old != new:
        raise UsageError(
            f"diff: {args.old} was written with {language_name(old)} ({old}) as its source language and {args.new} "
            f"with {language_name(new)} ({new}): a redline of one against the other would mark every word changed",
            "compare two versions with the same source language (klimatkontrakt.yaml, languages.source)",
        )
