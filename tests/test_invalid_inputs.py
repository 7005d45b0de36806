"""A corpus of invalid inputs: each gives its exact located messages, never a traceback.

A case whose messages include an error exits 1; a case that only warns (a check that reports a warning) exits 0.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.source.load import load
from contract.translate import translations

CORPUS = Path(__file__).parent / "invalid"
CASES = sorted(p for p in CORPUS.glob("*.yaml"))
VERSION = "2024"


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def make_base(tmp_path: Path) -> Path:
    """A small valid repository: the real schema and the base version, translations confirmed."""
    root = tmp_path / "repo"
    shutil.copytree(CORPUS.parents[1] / "schema", root / "schema")
    folder = root / "years" / VERSION
    shutil.copytree(CORPUS / "base", folder)
    lock, _ = translations.confirm(load(root, VERSION), {}, None, "en")
    translations.write_lock(folder, lock)
    return root


def install_case(root: Path, case: Path) -> None:
    """Put a case file in place of the file it is named after (purpose.x.yaml replaces purpose.yaml)."""
    target = root / "years" / VERSION / (case.name.split(".", 1)[0] + ".yaml")
    target.write_bytes(case.read_bytes())


def test_the_base_is_valid(tmp_path):
    assert _run(["--root", str(make_base(tmp_path)), "validate"]) == (0, "", "checked 2024: 0 errors, 0 warnings\n")


def test_the_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_invalid_input_gives_its_exact_message(case, tmp_path, update_golden):
    root = make_base(tmp_path)
    install_case(root, case)
    code, out, err = _run(["--root", str(root), "validate"])
    expected = case.with_suffix(".expected")
    if update_golden:
        expected.write_text(out, encoding="utf-8")
    wanted = expected.read_text(encoding="utf-8")
    assert wanted.strip(), f"{expected.name} is empty: every case shows at least one message"
    assert code == (1 if ": error: " in wanted else 0), out
    assert "Traceback" not in out + err
    assert out == expected.read_text(encoding="utf-8")
    assert all(
        (line.startswith(f"years/{VERSION}/") and ": error: " in line) or ": warning: " in line or ": note: " in line
        for line in out.splitlines()
    )


def test_a_huge_file_fails_fast_with_a_clear_message(tmp_path):
    root = make_base(tmp_path)
    huge = root / "years" / VERSION / "purpose.yaml"
    paragraph = "      - p:\n          sv: " + "ord " * 50 + "\n"
    huge.write_text("sections:\n  - id: syfte\n    title:\n      sv: Syfte\n    body:\n" + paragraph * 6000)
    code, out, _ = _run(["--root", str(root), "validate"])
    size = huge.stat().st_size // 1024
    assert code == 1
    assert out == (
        f"years/{VERSION}/purpose.yaml:1:1: error: the file is {size} KiB, more than the limit of 1024 KiB "
        "(a contract file holds text only; split it or remove what does not belong)\n"
    )


def test_all_problems_are_reported_at_once(tmp_path):
    root = make_base(tmp_path)
    for name in ("purpose.unknown-field-section.yaml", "contract.bad-status.yaml", "annex.url-not-web.yaml"):
        install_case(root, CORPUS / name)
    code, out, _ = _run(["--root", str(root), "validate"])
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"years/{VERSION}/annex.yaml",
        f"years/{VERSION}/contract.yaml",
        f"years/{VERSION}/purpose.yaml",
    ]


def test_github_format_prints_annotations(tmp_path):
    root = make_base(tmp_path)
    install_case(root, CORPUS / "purpose.unknown-field-section.yaml")
    code, out, _ = _run(["--root", str(root), "validate", "--format", "github"])
    assert code == 1
    assert (
        out
        == f"::error file=years/{VERSION}/purpose.yaml,line=21,col=9::unknown field 'titel' (did you mean 'title'?)\n"
    )


def test_strict_turns_warnings_into_errors(tmp_path):
    root = make_base(tmp_path)
    (root / "years" / VERSION / "translations.lock").unlink()
    code, _, err = _run(["--root", str(root), "validate"])
    assert code == 0 and err.endswith("0 errors, 15 warnings\n")
    code, out, err = _run(["--root", str(root), "validate", "--strict"])
    assert code == 1 and err.endswith("15 errors, 0 warnings\n")
    assert out.splitlines()[0] == (
        f"years/{VERSION}/annex.yaml:4:7: error: English translation is stale or unconfirmed: the Swedish changed since it was "
        f"confirmed (annex/title) (update the English, then run: klimatkontrakt translations {VERSION} --confirm annex/title)"
    )
