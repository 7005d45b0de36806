"""Klimatkontrakt 2030 as data: load and check contract versions, then build the site, PDFs and redlines.

The pipeline's entry point is contract.build.run.build (python build.py); the CLI is contract.cli.main.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported: python -m contract runs this before it can catch a Ctrl-C
if TYPE_CHECKING:
    from typing import Any

__all__ = ["load", "validate"]


def __getattr__(name: str) -> Any:
    """Import load and validate on first use: a PDF worker imports contract.pdf, never the checks."""
    if name == "validate":
        from .checks.validate import validate

        return validate
    if name == "load":
        from .source.load import load

        return load
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
