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

    def as_dict(self) -> dict:
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
    """Raised when the command was asked for something it must refuse (exit 2), e.g. an unsafe output folder."""


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
