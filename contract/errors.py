"""Diagnostics (located problems) and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Pos

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Diagnostic:
    """One located problem: where, how bad, what is wrong and how to fix it."""

    pos: Pos
    severity: str
    message: str
    hint: str = ""
    code: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.pos}: {self.severity}: {self.message}{hint}"

    def github(self) -> str:
        """Format as a GitHub Actions workflow annotation."""
        level = {"error": "error", "warning": "warning"}.get(self.severity, "notice")
        props = [f"file={_gh_prop(self.pos.file)}"]
        if self.pos.line:
            props += [f"line={self.pos.line}", f"col={self.pos.column}"]
        text = self.message + (f" ({self.hint})" if self.hint else "")
        return f"::{level} {','.join(props)}::{_gh_data(text)}"

    def as_dict(self) -> dict[str, str | int]:
        """Return a JSON-ready dictionary."""
        return {
            "file": self.pos.file,
            "line": self.pos.line,
            "column": self.pos.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


class ContractError(Exception):
    """Raised when input cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class UsageError(ContractError):
    """Raised when a command must refuse what it was asked (exit 2): a bad argument, an unsafe output folder.

    Give a message alone when no file position applies, or located diagnostics when one does.
    """

    def __init__(self, problem: str | list[Diagnostic]):
        self.message = problem if isinstance(problem, str) else ""
        super().__init__([] if isinstance(problem, str) else problem)
        if self.message:
            self.args = (self.message,)


class Report:
    """Collects diagnostics while loading and checking, so all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, pos: Pos, severity: str, message: str, hint: str = "", code: str = "") -> None:
        """Record one diagnostic."""
        self.items.append(Diagnostic(pos, severity, message, hint, code))

    def error(self, pos: Pos, message: str, hint: str = "", code: str = "") -> None:
        """Record an error."""
        self.add(pos, "error", message, hint, code)

    def warning(self, pos: Pos, message: str, hint: str = "", code: str = "") -> None:
        """Record a warning."""
        self.add(pos, "warning", message, hint, code)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        """Return the diagnostics in file and line order (stable)."""
        return sorted(self.items, key=lambda d: (d.pos.file, d.pos.line, d.pos.column))


EXCERPT = 60  # characters of file content a message may quote


def excerpt_text(text: str, limit: int = EXCERPT) -> str:
    """Return text cut to a short excerpt, so that a message never carries a whole file."""
    return text if len(text) <= limit else text[:limit] + "…"


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """Return the repr of a value from a file (quoted when text), cut to a short excerpt."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"
