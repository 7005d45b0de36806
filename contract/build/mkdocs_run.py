"""Running MkDocs for one language of the site: its messages collected, its failures as located errors."""

from __future__ import annotations

import contextlib
import logging
import traceback
from pathlib import Path

from ..errors import ContractError, Diagnostic, excerpt_text
from ..model import Pos

CONFIG_NAME = "mkdocs.yml"


def config_error(pos: Pos, message: str, hint: str = "") -> ContractError:
    """Return a located error in the site's MkDocs configuration (the default hint: compare it with ours)."""
    hint = hint or "compare it with the repository's mkdocs.yml: the site is built with 'theme:' and 'name: material'"
    return ContractError([Diagnostic(pos, "error", message, hint, "mkdocs-config")])


def run_mkdocs(build, config, warnings: list[str]) -> None:
    """Run a MkDocs build; an abort (strict: any warning) or a template failing on the theme settings is an error."""
    from jinja2 import TemplateError
    from mkdocs.exceptions import Abort, MkDocsException

    try:
        build(config)
    except (TypeError, AttributeError, KeyError, ValueError, TemplateError) as exc:  # TemplateNotFound: an OSError
        template = _failed_template(exc)
        if template is None:  # not in a template: a fault of ours, reported as one
            raise
        raise config_error(
            Pos(CONFIG_NAME),
            f"the theme's template {template} failed with the theme settings: {type(exc).__name__}: {excerpt_text(str(exc))}",
            "check the settings under 'theme:' (palette, features, icon, font) against the repository's own "
            "mkdocs.yml: Material expects the shapes its documentation shows",
        ) from None
    except (Abort, MkDocsException) as exc:
        said = "; ".join(warnings) or str(exc)
        raise ContractError(
            [
                Diagnostic(
                    Pos(CONFIG_NAME),
                    "error",
                    f"MkDocs could not build the site: {said}",
                    "this is a fault in the site templates; report it with this message",
                    "site-build",
                )
            ]
        ) from exc


def _failed_template(exc: BaseException) -> str | None:
    """Return the template (name and line) an error was raised in, innermost, or None when it came from no template."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".html"):  # Jinja runs a template's code under the template's file name
            found = f"{Path(frame.f_code.co_filename).name}, line {line}"
    return found


@contextlib.contextmanager
def quiet_mkdocs():
    """Keep MkDocs' progress messages (INFO) out of the build's output; collect its warnings to report them."""
    logger = logging.getLogger("mkdocs")
    level = logger.level
    warnings: list[str] = []
    handler = _Collect(warnings)
    logger.setLevel(max(level, logging.WARNING))
    logger.addHandler(handler)
    try:
        yield warnings
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class _Collect(logging.Handler):
    """A logging handler that keeps the messages of warnings and errors."""

    def __init__(self, sink: list[str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
