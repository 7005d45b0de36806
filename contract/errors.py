"""Diagnostics (located problems) and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Pos

SEVERITIES = ("error", "warning", "note")


PROGRAM = "klimatkontrakt"  # names a problem that no file or folder is behind, like argparse's usage errors


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where (a file position, a folder, or None when no file is behind it), how bad, what, how to fix."""

    pos: Pos | None
    severity: str
    message: str
    hint: str = ""
    code: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.pos or PROGRAM}: {self.severity}: {self.message}{hint}"

    def github(self) -> str:
        """Format as a GitHub Actions workflow annotation (without file= when no file is behind it)."""
        level = {"error": "error", "warning": "warning"}.get(self.severity, "notice")
        props = [f"file={_gh_prop(self.pos.file)}"] if self.pos else []
        if self.pos and self.pos.line:
            props += [f"line={self.pos.line}", f"col={self.pos.column}"]
        text = self.message + (f" ({self.hint})" if self.hint else "")
        return f"::{level}{' ' if props else ''}{','.join(props)}::{_gh_data(text)}"

    def as_dict(self) -> dict[str, str | int | None]:
        """Return a JSON-ready dictionary; file, line and column are null when no file is behind the problem."""
        return {
            "file": self.pos.file if self.pos else None,
            "line": self.pos.line if self.pos else None,
            "column": self.pos.column if self.pos else None,
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

    Give a message (and a hint) when no file or folder is behind the problem, or diagnostics when one is.
    """

    def __init__(self, problem: str | list[Diagnostic], hint: str = ""):
        if isinstance(problem, str):
            problem = [Diagnostic(None, "error", problem, hint, "usage")]
        super().__init__(problem)


class Report:
    """Collects diagnostics while loading and checking, so all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, pos: Pos | None, severity: str, message: str, hint: str = "", code: str = "") -> None:
        """Record one diagnostic."""
        self.items.append(Diagnostic(pos, severity, message, hint, code))

    def error(self, pos: Pos | None, message: str, hint: str = "", code: str = "") -> None:
        """Record an error."""
        self.add(pos, "error", message, hint, code)

    def warning(self, pos: Pos | None, message: str, hint: str = "", code: str = "") -> None:
        """Record a warning."""
        self.add(pos, "warning", message, hint, code)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        """Return the diagnostics in file and line order (stable), those without a file first, each problem once.

        A file every version reads (klimatkontrakt.yaml) is checked once per version: its problem is one problem.
        """
        unique = list(dict.fromkeys(self.items))
        return sorted(unique, key=lambda d: (d.pos.file, d.pos.line, d.pos.column) if d.pos else ("", 0, 0))


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
