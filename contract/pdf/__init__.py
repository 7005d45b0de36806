"""The archival PDF and its signatures: compile, fields, identity, sign, seal, verify (pyHanko behind one adapter).

Modules: compile (Typst), document (the contract PDF with its signature fields), meta (what a PDF
says about itself), structure (the contract inside a PDF and what came after), identity (party ↔
certificate), credentials, stamp, sign, trust, seal, verify, pyhanko_adapter (every private override),
walk_log (what one revision's object walk found, for the next revision's).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from .compile import FONT_DIR, SignatureBox, _compiler, compile_typst, signature_boxes

# Loaded on first use: pyHanko and pypdf take longer to import than a translation's PDF takes to render.
_LAZY = {
    "add_signature_fields": "signature_fields",
    "render_pdf": "document",
    "facts": "meta",
    "metadata_disagreements": "meta",
    "xmp_properties": "meta",
}

# pyHanko logs tracebacks it also reports in its results (e.g. an untrusted chain); only the CLI
# prints, so keep them off the terminal unless the application configures logging.
for _name in ("pyhanko", "pyhanko_certvalidator", "pypdf", "certomancer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

__all__ = [
    "FONT_DIR",
    "SignatureBox",
    "_compiler",
    "add_signature_fields",
    "compile_typst",
    "facts",
    "metadata_disagreements",
    "render_pdf",
    "signature_boxes",
    "xmp_properties",
]


def __getattr__(name: str) -> Any:
    """Import a name of document or meta when it is first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
