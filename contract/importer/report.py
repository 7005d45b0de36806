"""The report after an import: what was found, what did not match, and which input words did not arrive."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..checks.validate import validate
from ..errors import Diagnostic
from ..output.scratch import scratch_folder
from ..source.languages import language_name
from ..source.load import YEARS
from . import words
from .form import ImportResult, walk
from .outline import cross_check
from .refs import slug
from .write import unmatched_groups

VERSION = re.compile(r"^[0-9]{4}$")


def usage_problem(version: str, municipality: str) -> str | None:
    """Say why validate would reject this version label or municipality name, or None."""
    if not VERSION.match(version):
        return f"the version {version!r} is not a four-digit year label like 2023"
    if not slug(municipality) or not municipality.strip():
        return f'the municipality {municipality!r} has no letters to make its id from; give its name, e.g. "Borås Stad"'
    from ..checks.characters import bad_characters  # validate's own check of a text's characters

    refused = bad_characters(municipality)
    if refused:
        return f"the municipality's name {municipality!r}: {refused[0][1]}"
    from .write import PARTIES

    if slug(municipality) in {party for party, _ in PARTIES}:  # two parties of one id: validate refuses the folder
        return f"the municipality {municipality!r} would have the id {slug(municipality)!r} of a national party"
    return None


def validate_folder(root: Path, out: Path, version: str) -> list[Diagnostic] | None:
    """Validate a written folder as years/VERSION of a repository with root's schemas; None without them."""
    if not (root / "schema").is_dir():
        return None
    if out.resolve().parent == (root / YEARS).resolve():
        report, _ = validate(root, [out.name])
        return report.sorted()
    with scratch_folder("klimatkontrakt-import-") as trial:
        (trial / "schema").symlink_to((root / "schema").resolve())
        # The repository's settings too (its languages, labels and glossary), copied as they are (a link stays a
        # link, which validate refuses there too): the folder is checked as it would be in the repository.
        for name in ("klimatkontrakt.yaml", "i18n", "glossary.yaml"):
            if (root / name).is_symlink() or (root / name).is_file():
                shutil.copy2(root / name, trial / name, follow_symlinks=False)
            elif (root / name).is_dir():
                shutil.copytree(root / name, trial / name, symlinks=True)
        shutil.copytree(out, trial / YEARS / version)
        report, _ = validate(trial, [version])
        return report.sorted()


def output_words(folder: Path) -> Counter[str]:
    """Count the words of every text the written YAML files hold (values only, not keys)."""
    from ruamel.yaml import YAML

    words: Counter[str] = Counter()
    for path in sorted(folder.glob("*.yaml")):
        for value in _strings(YAML(typ="safe").load(path.read_text(encoding="utf-8"))):
            words.update(re.findall(r"\w+", value.replace("\\", "")))
    return words


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def lines(result: ImportResult, written: Counter[str]) -> list[str]:
    """Return the report's lines: sections per chapter, contents cross-check, footnotes, lost words."""
    table = words.table(result.lang)
    fallback = table.title[0] if table and table.title else ""  # the title write.py puts in its place
    out = [f"title: {result.title or f'(none found: {fallback} used)'}"]
    if result.lang != result.source:
        out.append(_translation_original(result.lang, result.source))
    for node in result.sections:
        count = sum(1 for _ in walk([node]))
        out.append(f"chapter {node.number} {node.title}: {count} section{'s' * (count != 1)}")
    for node, group in unmatched_groups(result.sections):
        out.append(
            f"chapter {node.number} matches no section group by its title: stored in {group}.yaml by its place; "
            "move it to the file that fits"
        )
    if result.annex:
        out.append(f"annex {result.annex.title}: {len(result.annex.documents)} documents")
    out += _toc_lines(result)
    out += _set_aside(result)
    notes = [n for s in walk(result.sections) for n in s.footnotes]
    out.append(f"footnotes: {len(notes)}" + (f" ({', '.join(str(n.number) for n in notes)})" if notes else ""))
    lost = _lost(Counter(result.input_words), written)
    if lost:
        shown = ", ".join(f"{w}" + (f" ×{n}" if n > 1 else "") for w, n in sorted(lost.items())[:40])
        out.append(
            f"words of the input not in the output: {sum(lost.values())} ({shown}{', …' if len(lost) > 40 else ''})"
        )
    else:
        out.append("words of the input not in the output: 0")
    return out


def _translation_original(lang: str, source: str) -> str:
    """Say that an original in a translation language stands under the source too, which the schema requires."""
    name, source_name = language_name(lang), language_name(source)
    article = "an" if name[:1] in "AEIOU" else "a"
    return (
        f"{article} {name} original: its texts stand under both {source} and {lang} ({source} is required); "
        f"put the signed {source_name} text under {source} if there is one"
    )


def _lost(given: Counter[str], written: Counter[str]) -> Counter[str]:
    """Input words missing from the output, less the pieces of words a line break cut ("utveck", "ling")."""
    lost = given - written
    joined = " ".join(w.lower() for w in written)
    pieces = {w for w in lost if w not in written and w.lower() in joined}
    return Counter({w: n for w, n in lost.items() if w not in pieces})


def _set_aside(result: ImportResult) -> list[str]:
    """Say which input lines were left out on purpose, and why (cover, contents, footers, signatures)."""
    by_reason: dict[str, list[int]] = {}
    for line, why in sorted(result.set_aside):
        by_reason.setdefault(why, []).append(line)
    return [f"left out as {why}: line{'s' * (len(lines) != 1)} {_ranges(lines)}" for why, lines in by_reason.items()]


def _ranges(numbers: list[int]) -> str:
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n <= runs[-1][1] + 2:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs)


def _toc_lines(result: ImportResult) -> list[str]:
    if not result.toc:
        return ["contents: none found"]
    missing, unlisted = cross_check(result.toc, result.sections)
    out = [f"contents: {len(result.toc)} entries"]
    out += [f"line {e.line}: the contents entry {e.number} {e.title!r} matches no heading" for e in missing]
    out += [f"line {n.line}: the heading {n.number} {n.title!r} is not in the contents" for n in unlisted]
    return out
