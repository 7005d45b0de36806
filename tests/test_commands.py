"""The validate, outline and export commands on the real version 2023."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import jsonschema

from contract.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(ROOT), *argv])
    return code, out.getvalue(), err.getvalue()


def test_validate_2023_passes():
    code, out, err = run("validate", "2023")
    assert code == 0
    assert err.startswith("checked 2023: 0 errors")
    assert [line for line in out.splitlines() if ": error: " in line] == []


def test_outline_lists_the_84_sections_with_the_seed_numbers(golden):
    code, out, _ = run("outline", "2023")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 84
    assert lines[0] == "1\tSyftet med Klimatkontrakt 2030"
    assert lines[-1] == "9\tKontraktet"
    assert "3.10\tRapportering och uppföljning" in lines
    assert "7.1.10\t2023 års kommunrankningar" in lines
    golden(GOLDEN / "outline-2023-sv.txt", out)


def test_outline_json_has_id_number_title_depth():
    code, out, _ = run("outline", "2023", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 84
    assert rows[3] == {"id": "kommunens-klimatmal", "number": "3.1", "title": "Kommunens klimatmål", "depth": 2}
    assert {row["depth"] for row in rows} == {1, 2, 3}


def test_export_json_follows_its_documented_schema():
    code, out, _ = run("export", "2023", "--format", "json")
    data = json.loads(out)
    schema = json.loads((ROOT / "schema" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(data)
    assert code == 0
    assert data["version"] == "2023" and data["status"] == "signed" and data["signed_on"] == "2023-12-08"
    assert len(data["parties"]) == 8


def test_export_markdown_is_the_readable_swedish_text(golden):
    code, out, _ = run("export", "2023", "--format", "markdown", "--lang", "sv")
    assert code == 0
    mark, _, text = out.partition("\n")  # the mark an -o of the export recognises an earlier export by
    assert re.fullmatch("<!-- klimatkontrakt export markdown sv sha256:[0-9a-f]{16} -->", mark)
    assert text.startswith("# Klimatkontrakt 2030\n\nVERSION 2023\n\n")
    assert "\n## 9 Kontraktet\n" in out
    assert "\n#### 3.2.1 Delat ansvar\n" in out
    assert "\n[^1]: Viable Cities är ett strategiskt innovationsprogram" in out
    golden(GOLDEN / "export-2023-sv.md", out)


def test_export_writes_a_file(tmp_path):
    target = tmp_path / "out" / "2023.json"
    target.parent.mkdir()  # -o never makes a folder: see test_redteam_cli
    code, out, _err = run("export", "2023", "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "klimatkontrakt-export/1"


def test_commands_on_a_missing_version_give_a_clear_error():
    code, out, _err = run("outline", "1999")
    assert code == 1
    assert out == "years/1999: error: there is no version '1999' (versions in years/: 2023, 2024)\n"


def test_a_folder_without_schemas_is_a_clear_error(tmp_path):
    (tmp_path / "years" / "2023").mkdir(parents=True)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(tmp_path), "validate"])
    assert code == 2
    assert (
        out.getvalue()
        == f"{tmp_path / 'schema'}: error: there are no contract schemas here (run the command in the repository folder, or give it with --root DIR)\n"
    )


def test_lock_with_a_missing_pdf_is_a_clear_error(repo_copy):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(repo_copy), "lock", "2023", "--pdf", "nope.pdf"])
    assert (code, out.getvalue()) == (
        1,
        "nope.pdf: error: cannot read the file: No such file or directory (give the path of the signed PDF)\n",
    )
    assert "Traceback" not in err.getvalue()
