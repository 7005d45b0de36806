"""YAML syntax errors said in words an editor of the contract can act on, at their line and column."""

from __future__ import annotations

from ruamel.yaml.error import MarkedYAMLError

from ..errors import Report, excerpt_text
from ..model import Pos


def syntax_error(exc: MarkedYAMLError, text: str, display: str, report: Report) -> None:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source_line[: max(column, 1)] or "'\\t'" in str(exc.problem):
        tab = source_line.find("\t") + 1 if "\t" in source_line else column
        report.error(
            Pos(display, line, tab),
            "a tab character is used for indentation",
            "YAML indents with spaces only; replace the tab with spaces",
            "tab-indent",
        )
        return
    problem = excerpt_text((exc.problem or "invalid YAML").strip())
    for pattern, message, hint in _PLAIN_PROBLEMS:
        if pattern in problem:
            if pattern == "end of stream" and exc.context_mark:
                line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
            report.error(Pos(display, line, column), message, hint, "yaml-syntax")
            return
    report.error(
        Pos(display, line, column),
        f"invalid YAML: {problem}",
        "check indentation, colons and quotes on this line and the one above",
        "yaml-syntax",
    )


# ruamel's parser vocabulary, said in words an editor of the contract can act on.
_PLAIN_PROBLEMS = (
    ("end of stream", "a quoted text is not closed", "add the closing quote mark"),
    (
        "expected <block end>",
        "the indentation does not match the lines above",
        "indent this line like the other lines of the same level",
    ),
    (
        "did not find expected key",
        "the indentation does not match the lines above",
        "indent this line like the other lines of the same level",
    ),
    (
        "did not find expected '-' indicator",
        "a list item is indented differently from the others",
        "indent every '- ' of a list the same",
    ),
    (
        "mapping values are not allowed",
        "a colon followed by a space where a value was expected",
        "if the text itself contains ': ', put the whole text in quotes",
    ),
    ("could not find expected ':'", "a line is missing its colon", "write each field as 'key: value'"),
    (
        "expected <block end>, but found '-'",
        "a list item is indented differently from the others",
        "indent every '- ' of a list the same",
    ),
)
