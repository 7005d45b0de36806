"""Red-team of the repository's languages: each test reproduces a defect found by attacking a copy of the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.errors import ContractError
from contract.source.languages import load_languages

ROOT = Path(__file__).resolve().parents[1]


def _config(root: Path, translations: str) -> None:
    (root / "klimatkontrakt.yaml").write_text(
        f"languages:\n  source: sv\n  translations: {translations}\n", encoding="utf-8"
    )


def _errors(root: Path) -> list[str]:
    with pytest.raises(ContractError) as caught:
        load_languages(root)
    return [f"{d.pos}: {d.message} ({d.hint})" for d in caught.value.diagnostics]


def _labels(root: Path, code: str, **replaced: str) -> None:
    """Write i18n/<code>.yaml: the English labels with some replaced (test data, not a translation)."""
    english = (ROOT / "contract/i18n/en.yaml").read_text(encoding="utf-8").splitlines()
    lines = [line for line in english if line.split(":", 1)[0] not in replaced]
    lines += [f"{key}: {json.dumps(value)}" for key, value in replaced.items()]
    (root / "i18n").mkdir(exist_ok=True)
    (root / "i18n" / f"{code}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the config


def test_a_code_with_a_trailing_line_break_is_not_a_language_code(tmp_path):
    # Python's $ matches before a final line break, so the schema's ^[a-z]{2,3}$ took "fi\n".
    _config(tmp_path, '[en, "fi\\n"]')
    errors = _errors(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("klimatkontrakt.yaml:3:") and "'fi\\n' is not a language code" in errors[0]
