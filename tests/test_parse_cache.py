"""Parsed files are kept by display path and text: a file read again unchanged is not parsed or schema-checked again.

What must hold: a reader changing its data changes nothing another reader or a check sees; an edit is always read;
a kept check reports its problems on every read; the same text under another name is located in that name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from contract.checks.validate import validate
from contract.errors import Report
from contract.source import yamlfile
from contract.source.schema import validate as schema_validate

ROOT = Path(__file__).resolve().parents[1]


def _read(path: Path, display: str = "x.yaml") -> tuple[yamlfile.Document | None, Report]:
    report = Report()
    return yamlfile.read(path, display, report), report


def test_a_reader_changing_its_data_changes_nothing_the_next_reader_sees(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  - b: 1\n  - c\nd: text\n", encoding="utf-8")
    first, _ = _read(path)
    assert first is not None
    first.data["a"][0]["b"] = 2
    first.data["a"].append("added")
    del first.data["d"]
    second, _ = _read(path)
    assert second is not None
    assert second.data == {"a": [{"b": 1}, "c"], "d": "text"}
    assert second.pos(("d",)) == first.as_read().pos(("d",))  # positions come with every copy
    assert (second.pos(("a", 1)).line, second.pos(("a", 1)).column) == (3, 5)


def test_a_schema_check_sees_the_file_as_read_not_a_readers_changes(tmp_path):
    path = tmp_path / "contract.yaml"
    shutil.copy(ROOT / "years" / "2023" / "contract.yaml", path)
    doc, _ = _read(path, "years/2023/contract.yaml")
    assert doc is not None
    doc.data["version"] = ["not", "text"]  # what a buggy caller might do; the file itself is valid
    report = Report()
    assert schema_validate(doc, ROOT / "schema", "version.schema.json", report)
    assert report.items == []


def test_an_edited_file_is_read_and_checked_anew(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert _read(path)[0].data == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")  # same size, same second: only the text tells
    assert _read(path)[0].data == {"a": 2}
    path.write_text("a: [1\n", encoding="utf-8")
    doc, report = _read(path)
    assert doc is None and [d.code for d in report.items] == ["yaml-syntax"]


def test_a_kept_check_reports_its_problems_on_every_read(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", repo / "schema")
    shutil.copytree(ROOT / "years" / "2023", repo / "years" / "2023")
    meta = repo / "years" / "2023" / "contract.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("status: signed", "status: sined"), encoding="utf-8")
    first, _ = validate(repo)
    second, _ = validate(repo)
    assert first.errors and [str(d) for d in second.sorted()] == [str(d) for d in first.sorted()]
    assert any("sined" in d.message and d.pos.file == "years/2023/contract.yaml" for d in second.errors)


def test_the_same_text_under_another_name_is_located_in_that_name(tmp_path):
    text = "version: 5\n"
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        doc, _ = _read(tmp_path / name, name)
        report = Report()
        assert not schema_validate(doc, ROOT / "schema", "version.schema.json", report)
        assert report.errors and {d.pos.file for d in report.errors} == {name}


def test_what_is_kept_stays_within_its_bound(tmp_path, monkeypatch):
    kept = yamlfile._Kept()
    monkeypatch.setattr(yamlfile, "_KEPT", kept)
    monkeypatch.setattr(yamlfile, "KEPT_BYTES", 1000)
    for number in range(40):
        path = tmp_path / f"f{number}.yaml"
        path.write_text(f"n: {number}\npad: {'x' * 90}\n", encoding="utf-8")
        assert _read(path, path.name)[0].data["n"] == number
        assert kept.size <= 1000 and kept.size == sum(len(text) for _, text in kept.files)
    assert 1 < len(kept.files) < 40
    oldest = tmp_path / "f0.yaml"
    assert ("f0.yaml", oldest.read_text(encoding="utf-8")) not in kept.files  # the least recently read went first
    assert _read(oldest, "f0.yaml")[0].data["n"] == 0  # and is simply parsed again
