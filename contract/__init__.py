"""Klimatkontrakt 2030 as data: load and check contract versions, then build the site, PDFs and redlines.

The pipeline's entry point is contract.build.build (python build.py); the CLI is contract.__main__.
"""

from .load import load
from .validate import validate

__all__ = ["load", "validate"]
