"""The package stays readable: no module over 400 lines, no function over 50 (CONTRIBUTING.md's layout)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "contract").rglob("*.py"), *(ROOT / "hooks").rglob("*.py"), ROOT / "build.py"])
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def test_there_are_modules_to_measure():
    assert len(SOURCES) > 100


def test_no_module_is_over_400_lines():
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in SOURCES
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, "split these modules by what they own (CONTRIBUTING.md)"


def test_no_function_is_over_50_lines():
    long = [
        f"{p.relative_to(ROOT).as_posix()}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for p in SOURCES
        for node in ast.walk(ast.parse(p.read_text("utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
