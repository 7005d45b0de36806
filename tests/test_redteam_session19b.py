"""Red team, session 19b: reproducers of defects found by attacking the features of session 19."""

from __future__ import annotations

from pathlib import Path

from build_helpers import ROOT
from cli_runner import run_cli

ENGLISH = ROOT / "tests" / "import_texts" / "english-original.txt"


# ---------------------------------------------------------------- import: the original's language


def _import_repo(tmp_path: Path) -> Path:
    from test_import_languages import _repo  # a repository of these languages with the real schemas

    return _repo(tmp_path, "sv", "en")


def test_one_heading_left_in_the_other_language_does_not_pass_an_original_for_it(tmp_path):
    # An English original whose "Parties" chapter kept its Swedish title ("Parter") was stored as Swedish with
    # --lang sv: one title placed by the Swedish words was enough to skip the check, three English ones or not.
    original = tmp_path / "mixed.txt"
    original.write_text(ENGLISH.read_text(encoding="utf-8").replace("2. Parties", "2. Parter"), encoding="utf-8")
    root = _import_repo(tmp_path)
    out = root / "years" / "2022"
    result = run_cli(
        "--root", root, "import", original, "--version", "2022", "--municipality", "Sampletown", "--out", out,
        "--lang", "sv",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--lang sv, but the original's chapter titles are English" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    fixed = run_cli(
        "--root", root, "import", original, "--version", "2022", "--municipality", "Sampletown", "--out", out,
        "--lang", "en",
    )  # fmt: skip
    assert fixed.returncode in (0, 1), fixed.stderr
    assert (out / "contract.yaml").is_file()
