"""Where the package's own files are: templates, label catalogues, fonts."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
CATALOGUES = PACKAGE / "i18n"
# The repository the package is installed from (editable install): mkdocs.yml, overrides/, hooks/ live there.
PROJECT = PACKAGE.parent
