"""The archival PDF and its signatures: compile, fields, identity, sign, seal, verify (pyHanko behind one adapter).

Modules: compile (Typst), document (the contract PDF with its signature fields), meta (what a PDF
says about itself), structure (the contract inside a PDF and what came after), identity (party ↔
certificate), credentials, stamp, sign, trust, seal, verify, pyhanko_adapter (every private override).
"""

from __future__ import annotations

import logging

from .compile import FONT_DIR, SignatureBox, _compiler, compile_typst, signature_boxes
from .document import add_signature_fields, render_pdf
from .meta import facts, metadata_disagreements, xmp_properties

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
