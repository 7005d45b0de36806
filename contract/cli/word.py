"""The `klimatkontrakt apply` command: a Word file's edits back into a draft version's YAML."""

from __future__ import annotations

from pathlib import Path

from .. import inputs
from ..errors import ContractError, Diagnostic
from ..model import Meta, Pos
from ..source.load import load
from . import writer
from .languages import add_lang


def add_apply(sub) -> None:
    """Add the apply command."""
    p = sub.add_parser(
        "apply", help="write the edits of a Word file (made by 'klimatkontrakt docx') into a draft version"
    )
    p.add_argument("file", type=Path, metavar="FILE.docx")
    p.add_argument("--to", required=True, metavar="YEAR", help="the draft version to edit")
    add_lang(p, "the language of the Word file")
    p.add_argument(
        "--tracked",
        choices=("accept", "refuse"),
        default="accept",
        help="tracked changes: accept them (default) or refuse them and list them",
    )
    p.add_argument("--partial", action="store_true", help="apply what maps even when some of the file does not")
    p.set_defaults(run=run_apply)


def run_apply(args) -> int:
    """Apply, write, and print the redline of the version before and after."""
    from .. import diff
    from ..render import redline_text
    from ..word import apply

    before = load(args.root, args.to)
    _editable(before.meta, args.to)
    doc = _document(args)
    plan = apply.plan(args.root, before, doc, args.lang)
    if plan.problems and not args.partial:
        raise apply.refuse(str(args.file), plan.problems)
    for problem in plan.problems:
        writer.note(f"{args.file}: not applied: {problem}")
    apply.write(args.root, args.to, plan)
    after = load(args.root, args.to)
    changes = diff.compare(before, after, f"{args.to} before", f"{args.to} with {args.file.name}")
    writer.text(redline_text.to_text(changes, args.lang))
    writer.note(f"applied {args.file} to {args.to}: {len(plan.files)} file{'s' * (len(plan.files) != 1)} changed")
    return 0


def _editable(meta: Meta, version: str) -> None:
    """Refuse a signed version: its text is what the parties signed."""
    if meta.status == "signed":
        raise ContractError(
            [
                Diagnostic(
                    meta.pos or Pos(f"years/{version}"),
                    "error",
                    f"version {version} is signed and cannot change",
                    "start the next version with 'klimatkontrakt new-year' and apply the file to it",
                )
            ]
        )


def _document(args):
    """Read the Word file, refuse one of another version or language, and list its tracked changes."""
    doc = _read(args.file, args.tracked == "accept")
    _same_version(args.file, doc, args.to)
    if doc.language and not doc.language.lower().startswith(args.lang):
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(args.file)),
                    "error",
                    f"the Word file is in {doc.language}, not {args.lang}",
                    f"give --lang {doc.language[:2].lower()} if that is the language of its text",
                )
            ]
        )
    for change in doc.tracked:
        verb = "accepted" if args.tracked == "accept" else "refused"
        writer.note(
            f"{args.file}: paragraph {change.place}: {verb} tracked {change.kind} text by {change.author}: {change.text!r}"
        )
    return doc


def _same_version(path: Path, doc, version: str) -> None:
    """Refuse a file of another version: its unchanged text would undo what this version changed since."""
    from ..word.mapping import exported_version

    exported = exported_version(doc)
    if exported is not None and exported != version:
        raise ContractError(
            [
                Diagnostic(
                    Pos(str(path)),
                    "error",
                    f"the Word file says VERSION {exported}, not {version}: "
                    f"applying it would undo every change {version} made since",
                    f"export {version} with 'klimatkontrakt docx {version}', make the edits in "
                    "that file and apply it; nothing was written",
                )
            ]
        )


def _read(path: Path, accept: bool):
    from ..word import read

    give = "apply the file that 'klimatkontrakt docx' wrote, edited"
    data = inputs.read_file(path, "Word file", give)
    try:
        return read.read(data, accept)
    except read.WordFileError as exc:
        raise ContractError([Diagnostic(Pos(str(path)), "error", str(exc), exc.hint or give)]) from None


COMMANDS = [add_apply]
