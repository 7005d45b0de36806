"""Klimatkontrakt 2030 as data: load and check contract versions, then build the site, PDFs and redlines.

The pipeline's entry point is contract.build.run.build (python build.py); the CLI is contract.cli.main.
"""

from .checks.validate import validate
from .source.load import load

__all__ = ["load", "validate"]
