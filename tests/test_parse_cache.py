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
from contract.source.kept import Kept
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
    kept = Kept(1000, weigh=lambda key: len(key[1]))
    monkeypatch.setattr(yamlfile, "_KEPT", kept)
    for number in range(40):
        path = tmp_path / f"f{number}.yaml"
        path.write_text(f"n: {number}\npad: {'x' * 90}\n", encoding="utf-8")
        assert _read(path, path.name)[0].data["n"] == number
        assert kept.size <= 1000 and kept.size == sum(len(text) for _, text in kept.entries)
    assert 1 < len(kept.entries) < 40
    oldest = tmp_path / "f0.yaml"
    assert ("f0.yaml", oldest.read_text(encoding="utf-8")) not in kept.entries  # the least recently read went first
    assert _read(oldest, "f0.yaml")[0].data["n"] == 0  # and is simply parsed again


# ---------------------------------------------------------------- models and checks kept by their inputs


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name in ("schema", "years/2023"):
        shutil.copytree(ROOT / name, repo / name)
    for name in ("klimatkontrakt.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, repo / name)
    return repo


def _findings(repo: Path) -> list[str]:
    report, _ = validate(repo)
    return [str(d) for d in report.sorted()]


def test_a_version_read_again_unchanged_is_the_same_model_with_the_same_findings(tmp_path):
    repo = _repo(tmp_path)
    first, loaded = validate(repo)
    again, reloaded = validate(repo)
    assert reloaded["2023"] is loaded["2023"]  # immutable, so shared
    assert [str(d) for d in again.sorted()] == [str(d) for d in first.sorted()] != []


def test_an_edited_translations_lock_gives_another_model(tmp_path):
    repo = _repo(tmp_path)
    _, loaded = validate(repo)
    text = next(loaded["2023"].texts())
    assert text.status("en") == "current"
    lock = repo / "years" / "2023" / "translations.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    lock.write_text("".join(line for line in lines if f" {text.key} " not in line), encoding="utf-8")
    _, reloaded = validate(repo)
    assert next(reloaded["2023"].texts()).status("en") != "current"


def test_an_edited_glossary_changes_the_findings_of_an_unchanged_version(tmp_path):
    repo = _repo(tmp_path)
    before = _findings(repo)
    glossary = repo / "glossary.yaml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("en: [City of Borås]", "en: [Borås Municipality]"),
        encoding="utf-8",
    )
    after = _findings(repo)
    assert after != before
    assert any("Borås Municipality" in line for line in after)
    glossary.write_text((ROOT / "glossary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _findings(repo) == before


def test_another_language_configuration_gives_another_model(tmp_path):
    repo = _repo(tmp_path)
    first, loaded = validate(repo)
    config = repo / "klimatkontrakt.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("translations: [en]", "translations: []"), encoding="utf-8"
    )
    report, reloaded = validate(repo)  # the same files of 2023, read for Swedish alone: English is unknown now
    assert "2023" not in reloaded and {d.code for d in report.errors} == {"unknown-language"}
    config.write_text((ROOT / "klimatkontrakt.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    again, restored = validate(repo)
    assert restored["2023"] is loaded["2023"] and not again.errors and again.sorted() == first.sorted()
