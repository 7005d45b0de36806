"""The whole pipeline: gather and validate every version first, then write the outputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContractError, Diagnostic
from .model import Contract
from .validate import validate


@dataclass
class BuildResult:
    """What a build did: the versions it used and the warnings it saw."""

    versions: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def gather(root: Path, drafts: bool = False) -> tuple[dict[str, Contract], list[Diagnostic]]:
    """Load and check every version; raise ContractError if any has an error."""
    report, loaded = validate(root)
    if report.errors:
        raise ContractError(report.sorted())
    if not drafts:
        loaded = {v: c for v, c in loaded.items() if c.meta.status != "draft"}
    warnings = [d for d in report.sorted() if d.severity == "warning"]
    return loaded, warnings


def build(root: Path, drafts: bool = False) -> BuildResult:
    """Run the pipeline as far as it exists: validation of every version."""
    contracts, warnings = gather(root, drafts)
    return BuildResult(versions=sorted(contracts), warnings=warnings)
