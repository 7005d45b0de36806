"""Benchmark of the redline: version 2023 against edited copies (target: whole-contract diff under 0.2 s).

Run: python benchmarks/bench_diff.py [--repeat N]   (prints one line per figure)

Figures (best and median of N runs, loading excluded):
- few edits: a word changed, a section inserted (renumbering 3.8-3.10), a section moved, a title reworded;
- every text edited: one word changed in every paragraph, list item and title of the contract;
- no shared ids: every section id changed, so the similarity fallback pairs all sections;
- render: Markdown, HTML and JSON of the few-edits change set.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contract.diff import compare, tokens
from contract.render import redline_html, redline_json, redline_text
from contract.source.load import load


def copy_version(target: Path) -> Path:
    """Copy the schemas and version 2023 into target; return the version folder."""
    shutil.copytree(ROOT / "schema", target / "schema")
    shutil.copytree(ROOT / "years" / "2023", target / "years" / "2023")
    return target / "years" / "2023"


def few_edits(folder: Path) -> None:
    """Change a word, insert a section before 3.8, move 3.3.4 to the end of 3.3, reword a title."""
    path = folder / "municipality.yaml"
    text = path.read_text(encoding="utf-8").replace("Kommunfullmäktige antog", "Kommunfullmäktige beslutade om", 1)
    text = text.replace("sv: Smart policyutveckling", "sv: Lärande arbetssätt för policyutveckling", 1)
    path.write_text(text, encoding="utf-8")
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    chapter = data["sections"][0]["sections"]
    ids = [s["id"] for s in chapter]
    chapter.insert(
        ids.index("klimatanpassning"),
        {"id": "ny-plan", "title": {"sv": "Ny plan"}, "body": [{"p": {"sv": "Ett nytt avsnitt."}}]},
    )
    leadership = chapter[ids.index("organisation-och-ledning")]["sections"]
    leadership.append(leadership.pop(3))
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)


def every_text(folder: Path) -> None:
    """Change the first "och" of every text to "samt" (titles, paragraphs, list items, footnotes)."""
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(sv: [^\n]*?)\boch\b", r"\1samt", text), encoding="utf-8")


def new_ids(folder: Path) -> None:
    """Give every section a new id (references follow), so no section can be paired by id."""
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(- id: )([a-z0-9-]+)", r"\1x-\2", text)
        text = re.sub(r"\{ref:([a-z][a-z0-9-]*)\}", r"{ref:x-\1}", text)
        path.write_text(text, encoding="utf-8")


def timed(fn, repeat: int) -> tuple[float, float]:
    """Return the best and median seconds of fn, each run cold (token caches cleared)."""
    runs = []
    for _ in range(repeat):
        tokens.clear_caches()
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = load(_prepared(Path(tmp, "base"), None), "2023")
        cases = {"few edits": few_edits, "every text edited": every_text, "no shared ids": new_ids}
        sections = len(list(base.walk()))
        for name, edit in cases.items():
            other = load(_prepared(Path(tmp, name.replace(" ", "-")), edit), "2023")
            best, median = timed(lambda: compare(base, other), args.repeat)
            changed = len(compare(base, other).changed())
            print(
                f"diff, {name}: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms ({sections} sections, {changed} listed)"
            )
        other = load(_prepared(Path(tmp, "render"), few_edits), "2023")
        changes = compare(base, other)
        best, median = timed(
            lambda: (
                redline_text.to_markdown(changes, "sv"),
                redline_html.to_html(changes, "sv"),
                redline_json.to_json(changes),
            ),
            args.repeat,
        )
        print(f"render md + html + json, few edits: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")


def _prepared(root: Path, edit) -> Path:
    folder = copy_version(root)
    if edit:
        edit(folder)
    return root


if __name__ == "__main__":
    main()
