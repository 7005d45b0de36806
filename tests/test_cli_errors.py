"""Issue #14 item 6: usage errors exit 2 without invented positions, and one writer for every command's output."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.errors import Diagnostic, Report, UsageError
from contract.model import Pos

ROOT = Path(__file__).resolve().parents[1]
ELSEWHERE = "(run the command in the repository folder, or give it with --root DIR)"


def run(root: Path, *argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- a diagnostic without a position


def test_a_diagnostic_without_a_position_names_the_program_in_text_json_and_annotations():
    item = Diagnostic(None, "error", "name the version", "e.g. 2023", "usage")
    assert str(item) == "klimatkontrakt: error: name the version (e.g. 2023)"
    assert item.github() == "::error::name the version (e.g. 2023)"
    assert item.as_dict() == {
        "file": None,
        "line": None,
        "column": None,
        "severity": "error",
        "code": "usage",
        "message": "name the version",
        "hint": "e.g. 2023",
    }


def test_a_folder_position_has_no_line_in_text_and_annotations():
    item = Diagnostic(Pos("years"), "error", "there is no folder of versions here")
    assert str(item) == "years: error: there is no folder of versions here"
    assert item.github() == "::error file=years::there is no folder of versions here"


def test_diagnostics_without_a_position_sort_first():
    report = Report()
    report.error(Pos("b.yaml", 2, 1), "second")
    report.error(None, "first")
    report.error(Pos("a.yaml", 9, 1), "a")
    assert [d.message for d in report.sorted()] == ["first", "a", "second"]


def test_a_usage_error_given_a_message_carries_one_diagnostic_without_a_position():
    error = UsageError("bad", "fix it")
    assert error.diagnostics == [Diagnostic(None, "error", "bad", "fix it", "usage")]
    assert str(error) == "klimatkontrakt: error: bad (fix it)"


# ---------------------------------------------------------------- usage errors: exit 2, message, nothing on stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["translations", "--confirm", "x"],
            "translations: name the version to change (e.g. klimatkontrakt translations 2023 --all-current)",
        ),
        (
            ["translations", "2023", "--confirm", "x", "--all-current"],
            "translations: give one of --confirm, --all-current at a time (run the command once for each)",
        ),
        (
            ["translations", "2023", "--all"],
            "translations: --all only goes with --export (to export every text, not only missing and stale ones)",
        ),
        (
            ["translations", "2023", "--export", "work.txt"],
            "translations: work.txt: unknown kind of file '.txt' (name it .xlf for XLIFF 2, .po for gettext or .json)",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_a_usage_error_without_a_file_exits_2_with_the_program_name(argv, message):
    assert run(ROOT, *argv) == (2, "", f"klimatkontrakt: error: {message}\n")


def test_history_of_an_unknown_section_is_a_usage_error(repo_copy):
    assert run(repo_copy, "history", "no-such-section") == (
        2,
        "",
        "klimatkontrakt: error: history: no version has a section 'no-such-section' "
        "(run 'klimatkontrakt outline YEAR --json' to see the ids)\n",
    )


def test_an_export_into_a_missing_folder_is_a_usage_error(tmp_path):
    code, out, err = run(ROOT, "translations", "2023", "--export", tmp_path / "typo" / "work.xlf")
    assert (code, out) == (2, "")
    assert err == (
        f"klimatkontrakt: error: translations --export: the folder {tmp_path / 'typo'} does not exist "
        "(create it first, or give another path)\n"
    )
    assert not (tmp_path / "typo").exists()


def test_validate_outside_a_repository_names_the_missing_years_folder(tmp_path):
    code, out, err = run(tmp_path, "validate")
    assert (code, err) == (2, "")
    assert out == f"{tmp_path / 'years'}: error: there is no folder of versions here {ELSEWHERE}\n"


def test_validate_outside_a_repository_in_json_and_github(tmp_path):
    code, out, _ = run(tmp_path, "validate", "--format", "json")
    assert code == 2
    assert json.loads(out) == {
        "versions": [],
        "errors": 1,
        "warnings": 0,
        "diagnostics": [
            {
                "file": str(tmp_path / "years"),
                "line": 0,
                "column": 0,
                "severity": "error",
                "code": "no-years",
                "message": "there is no folder of versions here",
                "hint": ELSEWHERE[1:-1],
            }
        ],
    }
    code, out, _ = run(tmp_path, "validate", "--format", "github")
    assert code == 2
    assert out == f"::error file={tmp_path / 'years'}::there is no folder of versions here {ELSEWHERE}\n"


def test_a_usage_error_without_a_position_in_json_and_github():
    code, out, err = run(ROOT, "validate", "../x", "--format", "json")
    assert (code, err) == (2, "")
    (item,) = json.loads(out)["diagnostics"]
    assert (item["file"], item["line"], item["column"], item["code"]) == (None, None, None, "usage")
    assert item["message"].startswith("'../x' is not a version")
    code, out, err = run(ROOT, "validate", "../x", "--format", "github")
    assert (code, err) == (2, "")
    assert out.startswith("::error::'../x' is not a version: give the name of a folder under years/")


def test_a_missing_schema_folder_is_a_usage_error_naming_the_folder(tmp_path):
    (tmp_path / "years" / "2023").mkdir(parents=True)
    code, out, _ = run(tmp_path, "outline", "2023")
    assert code == 2
    assert out == f"{tmp_path / 'schema'}: error: there are no contract schemas here {ELSEWHERE}\n"


def test_a_missing_version_stays_a_data_error_at_its_folder():
    assert run(ROOT, "outline", "1999")[:2] == (
        1,
        "years/1999: error: there is no version '1999' (versions in years/: 2023, 2024)\n",
    )


def test_the_export_format_is_not_taken_for_the_format_of_errors():
    code, out, _ = run(ROOT, "export", "1999", "--format", "json")
    assert code == 1 and out.startswith("years/1999: error: there is no version")


# ---------------------------------------------------------------- one writer


@pytest.mark.slow
def test_export_and_diff_replace_the_file_they_are_told_to_write_if_it_is_their_own(tmp_path):
    target = tmp_path / "out.md"
    assert run(ROOT, "export", "2023", "--format", "markdown", "--lang", "en", "-o", target)[0] == 0  # an earlier one
    assert run(ROOT, "export", "2023", "--format", "markdown", "-o", target) == (0, "", f"wrote {target}\n")
    export = target.read_text(encoding="utf-8")
    assert export.partition("\n")[2].startswith("# Klimatkontrakt 2030\n\nVERSION 2023\n")  # after the mark
    assert run(ROOT, "diff", "2023", "2024", "-o", target)[0] == 2  # another command's result: refused
    assert target.read_text(encoding="utf-8") == export
    redline = tmp_path / "changes.txt"
    assert run(ROOT, "diff", "2023", "2024", "-o", redline) == (0, "", f"wrote {redline}\n")
    assert run(ROOT, "diff", "2023", "2024", "-o", redline) == (0, "", f"wrote {redline}\n")


def test_no_command_writes_over_a_folder(tmp_path):
    code, out, err = run(ROOT, "export", "2023", "--format", "json", "-o", tmp_path)
    assert (code, out) == (2, "")
    assert err == f"klimatkontrakt: error: export: {tmp_path} is a folder (give the name of a file to write)\n"


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_pdf_and_docx_never_replace_a_file_they_did_not_write(tmp_path, kind):
    target = tmp_path / f"mine.{kind}"
    target.write_bytes(b"someone's own document")
    code, out, err = run(ROOT, kind, "2023", "-o", target)
    assert (code, out) == (2, "")
    what = "is not a file this command may replace" if kind == "pdf" else "is never overwritten by this command"
    assert err == (
        f"klimatkontrakt: error: {kind}: {target} exists and {what} (give a new file name, or move that file away first)\n"
    )
    assert target.read_bytes() == b"someone's own document"


@pytest.mark.slow
def test_pdf_rebuilds_its_own_pdf_but_never_a_signed_one(tmp_path):
    target = tmp_path / "2023.pdf"
    assert run(ROOT, "pdf", "2023", "-o", target) == (0, "", f"wrote {target}\n")
    first = target.read_bytes()
    assert run(ROOT, "pdf", "2023", "-o", target) == (0, "", f"wrote {target}\n")
    assert target.read_bytes() == first  # replaced by the same bytes: reproducible
    signed = first + b"\n% a signature's /ByteRange [0 1 2 3]\n"  # what an incremental signature appends
    target.write_bytes(signed)
    code, out, err = run(ROOT, "pdf", "2023", "-o", target)
    assert (code, out) == (2, "") and "exists and is not a file this command may replace" in err
    assert target.read_bytes() == signed


# ---------------------------------------------------------------- a file name that is not one line of text


@pytest.mark.parametrize("name", ["2024\n2025", "2024\x1b[2J", "20\u202824"])
def test_a_folder_name_with_a_line_break_or_an_escape_is_shown_escaped_on_one_line(repo_copy, name):
    (repo_copy / "years" / name).mkdir()
    code, out, err = run(repo_copy, "versions")
    # Two lines: the version, then the problem; the name cannot start a line that looks like another message.
    version, problem = (out + err).splitlines()
    assert code == 1 and version == "2023\tsigned\t2024\t2023-12-08", out + err
    assert problem.startswith(f"years/{name.encode('unicode_escape').decode()}: error: the folder name ")
    code, out, err = run(repo_copy, "validate")
    assert code == 1 and f"years/{name.encode('unicode_escape').decode()}" in out
    assert not any(char in out + err for char in "\x1b\u2028"), out + err
    assert all(": error: " in line or ": warning: " in line or ": note: " in line for line in out.splitlines()[:-1])
