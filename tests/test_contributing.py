"""CONTRIBUTING.md stays true: every file, folder and function it names in backticks exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
# A path the page names: a word with a slash or a file suffix, optionally ::a_function; placeholders (<code>),
# globs and files a recipe tells the reader to make (Finnish) are not looked for.
_PATH = re.compile(r"^([\w./-]+(?:/|\.py|\.yaml|\.json|\.j2|\.md|\.expected))(?:::(\w+))?")
_TO_BE_MADE = ("fi.yaml", "fi/", "-fi.pdf", "import-fi.yaml", ".venv")


def _named() -> list[tuple[str, str | None]]:
    """Return every (path, function) the page names in backticks."""
    found = []
    for quoted in re.findall(r"`([^`\n]+)`", TEXT):
        match = _PATH.match(quoted)
        if match and not any(part in quoted for part in ("<", "*", "…", *_TO_BE_MADE)):
            found.append((match.group(1), match.group(2)))
    return found


def _resolve(path: str) -> Path | None:
    """Find a named path as the page means it: from the repository, the package or the tests."""
    for base in (ROOT, ROOT / "contract", ROOT / "schema", ROOT / "tests", ROOT / "tests" / "invalid"):
        if (base / path).exists():
            return base / path
    if "/" not in path:  # a bare module name in a sentence about its folder
        hits = [p for p in (ROOT / "contract").rglob(path) if "__pycache__" not in p.parts]
        return hits[0] if len(hits) == 1 else None
    return None


def _defines(module: Path, name: str) -> bool:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name
        for node in ast.walk(tree)
    )


def test_the_page_names_paths_at_all():
    assert len(_named()) > 40  # the pattern still finds what the page names


def test_every_file_and_folder_contributing_names_exists():
    missing = sorted({path for path, _ in _named() if _resolve(path) is None})
    assert missing == [], f"CONTRIBUTING.md names what does not exist: {missing}"


def test_every_function_contributing_names_is_defined_where_it_says():
    wrong = sorted(
        f"{path}::{name}"
        for path, name in _named()
        if name and ((module := _resolve(path)) is None or not _defines(module, name))
    )
    assert wrong == [], f"CONTRIBUTING.md names functions that are not there: {wrong}"


def test_every_stage_folder_of_the_package_is_in_the_picture():
    folders = sorted(p.name for p in (ROOT / "contract").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert [name for name in folders if f"`{name}/`" not in TEXT and f"contract/{name}/" not in TEXT] == []
