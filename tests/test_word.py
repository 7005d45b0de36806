"""Word round trip: export a draft, edit it as a municipality would (python-docx), apply it back by section id."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from contract.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path) -> Path:
    """A scratch repository with the signed 2023 and the draft 2024."""
    root = tmp_path / "repo"
    (root / "years").mkdir(parents=True)
    shutil.copytree(ROOT / "schema", root / "schema")
    for version in ("2023", "2024"):
        shutil.copytree(ROOT / "years" / version, root / "years" / version)
    return root


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _export(root: Path, lang: str = "sv") -> Path:
    path = root.parent / f"2024-{lang}.docx"
    code, _, err = _run(["--root", str(root), "docx", "2024", "--lang", lang, "-o", str(path)])
    assert code == 0, err
    return path


def _paragraph(document, start: str):
    return next(p for p in document.paragraphs if p.text.startswith(start))


def _replace(paragraph, old: str, new: str) -> None:
    run = next(r for r in paragraph.runs if old in r.text)
    run.text = run.text.replace(old, new)


def _snapshot(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "years" / "2024").glob("*.yaml"))}


@pytest.mark.slow
def test_an_unchanged_export_applies_as_no_change(repo):
    before = _snapshot(repo)
    for lang in ("sv", "en"):
        code, out, err = _run(["--root", str(repo), "apply", str(_export(repo, lang)), "--to", "2024", "--lang", lang])
        assert code == 0, err
        assert out.endswith(("Inga ändringar.\n", "No changes.\n"))
    assert _snapshot(repo) == before


@pytest.mark.slow
def test_edits_go_back_by_section_id_keeping_markup_comments_and_english(repo):
    agencies = repo / "years" / "2024" / "agencies.yaml"
    agencies.write_text(
        agencies.read_text(encoding="utf-8").replace(
            "  - id: myndigheternas-ataganden\n",
            "  - id: myndigheternas-ataganden  # checked by the programme office\n",
        ),
        encoding="utf-8",
    )
    path = _export(repo)
    document = docx.Document(str(path))
    _replace(_paragraph(document, "Som en del av det"), "Myndigheterna avser", "Myndigheterna planerar")
    _replace(_paragraph(document, "Strategiska innovationsprogrammet Viable Cities"), "Strategiska", "Det strategiska")
    _replace(_paragraph(document, "2 Parter"), "Parter", "Kontraktets parter")
    added = copy.deepcopy(_paragraph(document, "Parter i Klimatkontrakt 2030")._p)
    _paragraph(document, "Parter i Klimatkontrakt 2030")._p.addnext(added)
    for run in docx.text.paragraph.Paragraph(added, None).runs:
        run.text = ""
    docx.text.paragraph.Paragraph(added, None).runs[0].text = "En ny mening om parterna."
    document.save(str(path))

    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024"])
    assert code == 0, err
    text = agencies.read_text(encoding="utf-8")
    assert "# checked by the programme office" in text
    assert "Myndigheterna planerar att på Arena klimatkontrakt" in " ".join(text.split())
    assert "Policylab ({ref:myndigheternas-smart-policyutveckling})" in " ".join(text.split())
    assert "(see {ref:governance})" in text  # the English stays as it was
    parties = (repo / "years" / "2024" / "parties.yaml").read_text(encoding="utf-8")
    assert "sv: Kontraktets parter\n      en: Parties" in parties
    assert "sv: Det strategiska innovationsprogrammet Viable Cities{fn:viable-cities-ar}." in parties
    assert "      - p:\n          sv: En ny mening om parterna.\n      - list:" in parties
    assert "planerar" in out and "Kontraktets" in out  # the redline of before and after
    code, _, err = _run(["--root", str(repo), "validate", "2024"])
    assert code == 0, err


def _track(paragraph, inserted: str, deleted_word: str) -> None:
    """Add a tracked insertion at the end and mark the run holding deleted_word as a tracked deletion."""
    ins = paragraph._p.makeelement(
        qn("w:ins"), {qn("w:id"): "901", qn("w:author"): "Kommunen", qn("w:date"): "2024-05-01T00:00:00Z"}
    )
    run = paragraph._p.makeelement(qn("w:r"), {})
    t = run.makeelement(qn("w:t"), {qn("xml:space"): "preserve"})
    t.text = inserted
    run.append(t)
    ins.append(run)
    paragraph._p.append(ins)
    target = next(r for r in paragraph.runs if r.text == deleted_word)._r
    wrapper = paragraph._p.makeelement(
        qn("w:del"), {qn("w:id"): "902", qn("w:author"): "Myndigheten", qn("w:date"): "2024-05-01T00:00:00Z"}
    )
    target.addprevious(wrapper)
    wrapper.append(target)
    for text in target.findall(qn("w:t")):
        text.tag = qn("w:delText")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["accept", "refuse"])
def test_tracked_changes_are_accepted_or_refused_and_listed(repo, mode):
    path = _export(repo)
    document = docx.Document(str(path))
    paragraph = _paragraph(document, "Parter i Klimatkontrakt 2030")
    paragraph.runs[0].text = "Parter"  # Word splits a paragraph into runs where its formatting or history changes
    paragraph.add_run(" i Klimatkontrakt 2030 är:")
    _track(paragraph, " Tillagt.", "Parter")
    document.save(str(path))
    before = _snapshot(repo)
    code, _out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024", "--tracked", mode])
    assert code == 0, err
    verb = "accepted" if mode == "accept" else "refused"
    assert f"paragraph 13: {verb} tracked inserted text by Kommunen: ' Tillagt.'" in err
    assert f"paragraph 13: {verb} tracked deleted text by Myndigheten: 'Parter'" in err
    parties = (repo / "years" / "2024" / "parties.yaml").read_text(encoding="utf-8")
    if mode == "accept":
        assert "sv: 'i Klimatkontrakt 2030 är: Tillagt.'" in parties
    else:
        assert _snapshot(repo) == before


@pytest.mark.slow
def test_structure_that_does_not_map_is_reported_and_nothing_is_written(repo):
    path = _export(repo)
    document = docx.Document(str(path))
    deleted = _paragraph(document, "3.1 Kommunens klimatmål")._p
    deleted.getparent().remove(deleted)
    new = copy.deepcopy(_paragraph(document, "2 Parter")._p)
    for mark in [*new.iter(qn("w:bookmarkStart")), *new.iter(qn("w:bookmarkEnd"))]:
        new.remove(mark)  # Word gives a pasted heading no bookmark: a name is unique
    _paragraph(document, "Strategiska innovationsprogrammet Viable Cities")._p.addnext(new)
    docx.text.paragraph.Paragraph(new, None).runs[0].text = "2.1 Ett nytt avsnitt"
    _replace(_paragraph(document, "Strategiska innovationsprogrammet Viable Cities"), "Strategiska", "Det strategiska")
    document.save(str(path))
    before = _snapshot(repo)
    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024"])
    assert code == 1
    problems = [line.split(": error: ", 1)[1] for line in out.splitlines()]
    assert problems[:2] == [
        (
            "paragraph 17 ('2.1 Ett nytt avsnitt'): a heading that is no section of this version (a new section?); "
            "add new sections in the YAML, then export again (nothing was written (give --partial to apply what maps))"
        ),
        (
            "section 3.1 (kommunens-klimatmal): its heading is not in the Word file (deleted?); delete sections in the YAML, "
            "not in Word (nothing was written (give --partial to apply what maps))"
        ),
    ]
    assert _snapshot(repo) == before
    code, out, err = _run(["--root", str(repo), "apply", str(path), "--to", "2024", "--partial"])
    assert code == 0
    assert (
        "not applied: section kommunens-ataganden: not applied, since the text after it may belong to section 3.1"
        in err
    )
    after = _snapshot(repo)
    assert "Det strategiska innovationsprogrammet" in after["parties.yaml"]
    assert after["municipality.yaml"] == before["municipality.yaml"]


def test_a_signed_version_is_refused(repo):
    code, out, _ = _run(["--root", str(repo), "apply", str(repo / "any.docx"), "--to", "2023"])
    assert code == 1
    assert out == (
        "years/2023/contract.yaml:2:10: error: version 2023 is signed and cannot change "
        "(start the next version with 'klimatkontrakt new-year' and apply the file to it)\n"
    )


def test_a_file_that_is_not_a_word_document_is_a_clear_error(repo, tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"not a zip")
    code, out, _ = _run(["--root", str(repo), "apply", str(bad), "--to", "2024"])
    assert code == 1
    assert out.startswith(f"{bad}: error: the file is not a Word document")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_file_saved_by_libreoffice_applies(repo, tmp_path):
    path = _export(repo)
    document = docx.Document(str(path))
    _replace(_paragraph(document, "Strategiska innovationsprogrammet Viable Cities"), "Strategiska", "Det strategiska")
    document.save(str(path))
    out_dir = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "docx",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    code, out, err = _run(["--root", str(repo), "apply", str(out_dir / path.name), "--to", "2024"])
    assert code == 0, out + err
    assert "Det strategiska innovationsprogrammet Viable Cities{fn:viable-cities-ar}." in (
        repo / "years" / "2024" / "parties.yaml"
    ).read_text(encoding="utf-8")


def _atoms(*pieces) -> list:
    from contract.word.read import Atom, _merge

    return _merge([Atom(*p) if isinstance(p, tuple) else Atom("text", p) for p in pieces])


@pytest.mark.parametrize(
    ("source", "pieces", "merged"),
    [
        (
            "Se avsnitt {ref:mal}. Text{fn:not}.",
            ["Se avsnitt 3.2. Ny text", ("fn", "7"), "."],
            "Se avsnitt {ref:mal}. Ny text{fn:not}.",
        ),
        (
            "Ett *viktigt* ord och [en länk](https://exempel.se).",
            ["Ett ", ("em", "viktigt"), " ord och ", ("link", "en länk", "https://exempel.se"), "!"],
            "Ett *viktigt* ord och [en länk](https://exempel.se)!",
        ),
        (
            "Gammal text.",
            ["Helt ", ("em", "ny"), " text med {klamrar} och *stjärnor*."],
            "Helt *ny* text med \\{klamrar\\} och \\*stjärnor\\*.",
        ),
        ("Se avsnitt {ref:mal}.", ["Se avsnitt 3.3."], "Se avsnitt 3.3."),
    ],
    ids=["ref-and-footnote-kept", "emphasis-and-link-kept", "new-text-escaped", "changed-number-is-text"],
)
def test_an_edited_paragraph_keeps_the_markup_of_unchanged_words(source, pieces, merged):
    from contract.word import merge

    old = merge.old_tokens(source, {"mal": "3.2"})
    assert merge.merge(old, merge.new_tokens(_atoms(*pieces), {"7": "not"})).strip() == merged


def test_a_word_file_not_made_by_docx_is_refused(repo, tmp_path):
    document = docx.Document()
    document.add_heading("Klimatkontrakt 2030", level=1)
    document.add_paragraph("Egen text.")
    document.save(str(tmp_path / "egen.docx"))
    code, out, _ = _run(["--root", str(repo), "apply", str(tmp_path / "egen.docx"), "--to", "2024"])
    assert code == 1
    assert "the file has none of the bookmarks 'klimatkontrakt docx' puts in" in out


@pytest.mark.slow
def test_the_wrong_language_and_an_edited_footnote_are_refused(repo):
    before = _snapshot(repo)
    code, out, _ = _run(["--root", str(repo), "apply", str(_export(repo, "en")), "--to", "2024"])
    assert (code, out) == (
        1,
        (
            f"{repo.parent / '2024-en.docx'}: error: the Word file is in en-GB, not sv "
            "(give --lang en if that is the language of its text)\n"
        ),
    )
    path = _export(repo)
    _edit_footnote(path, "Viable Cities är ett strategiskt", "Viable Cities är ett nationellt")
    code, out, _ = _run(["--root", str(repo), "apply", str(path), "--to", "2024"])
    assert code == 1
    assert "footnote 1: its text was changed in Word" in out
    assert _snapshot(repo) == before


def _edit_footnote(path: Path, old: str, new: str) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in items:
            if item.filename == "word/footnotes.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            target.writestr(item, data)


def test_a_word_changed_inside_emphasis_keeps_the_emphasis():
    from contract.word import merge

    old = merge.old_tokens("Ett *mycket viktigt* ord.", {})
    new = merge.new_tokens(_atoms("Ett ", ("em", "mycket centralt"), " ord."), {})
    assert merge.merge(old, new) == "Ett *mycket centralt* ord."
