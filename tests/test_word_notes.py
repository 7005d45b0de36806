"""Footnotes in Word originals the importer was not written around: notes of several paragraphs, a text box inside
a note (Word writes it twice: a drawing and a VML copy for older readers), a note marked inside a table cell."""

from __future__ import annotations

from pathlib import Path

from docx_parts import rewrite
from test_redteam_session52 import W, _contract_docx
from test_redteam_session53 import MC, WPS, V, _box

from contract.importer.source import read_text
from contract.word.read import read


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _box_twice(paragraphs: str) -> str:
    """A text box as Word 2010 and later writes it: a drawing, and a VML copy of it for older readers."""
    drawing = (
        f"<w:drawing><wps:wsp><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent></wps:txbx></wps:wsp></w:drawing>"
    )
    choice = f'<mc:Choice Requires="wps">{drawing}</mc:Choice>'
    return f"<mc:AlternateContent>{choice}<mc:Fallback>{_box(paragraphs)}</mc:Fallback></mc:AlternateContent>"


def _original(tmp_path: Path) -> Path:
    """A contract whose chapter 3 has a two-paragraph note, a note with a text box, and a note in a table cell."""

    def commitments(d):
        d.add_paragraph("Staden bygger cykelbanor.")
        d.add_paragraph("Staden planterar träd.")
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Mål"
        table.cell(0, 1).text = "Utsläppen halveras."
        d.add_paragraph("Efter tabellen.")

    path = _contract_docx(tmp_path / "kontrakt.docx", commitments)
    notes = {
        "1": _para("Första stycket.") + _para("Andra stycket."),
        "2": f"<w:p><w:r><w:t>Noten har en ruta.</w:t></w:r><w:r>{_box_twice(_para('Rutans ord.'))}</w:r></w:p>",
        "3": _para("Noten i cellen."),
    }
    marks = {"Staden bygger cykelbanor.": "1", "Staden planterar träd.": "2", "Utsläppen halveras.": "3"}
    part = "".join(f'<w:footnote w:id="{key}">{body}</w:footnote>' for key, body in notes.items())

    def marked(data: bytes) -> bytes:
        for words, key in marks.items():
            mark = f'<w:t>{words}</w:t></w:r><w:r><w:footnoteReference w:id="{key}"/>'
            data = data.replace(f"<w:t>{words}</w:t>".encode(), mark.encode())
        return data

    footnotes = f'<?xml version="1.0"?><w:footnotes {W} {MC} {WPS} {V}>{part}</w:footnotes>'
    return rewrite(path, {"word/document.xml": marked}, {"word/footnotes.xml": footnotes})


def test_a_notes_paragraphs_and_its_text_box_are_words_apart_and_the_box_is_read_once(tmp_path):
    # A note's paragraphs were glued ("Första stycket.Andra stycket."), as was a box's text to the note's, and the
    # box's VML copy was read too: its words came twice.
    notes = read(_original(tmp_path).read_bytes()).notes
    assert notes["1"] == "Första stycket. Andra stycket."
    assert notes["2"] == "Noten har en ruta. Rutans ord."


def test_a_note_marked_in_a_table_cell_is_numbered_in_order_and_keeps_its_text(tmp_path):
    text = read_text(_original(tmp_path))
    assert "Staden bygger cykelbanor.1" in text and "Staden planterar träd.2" in text, text
    assert "Mål | Utsläppen halveras.3" in text, text
    assert "1 Första stycket. Andra stycket." in text and "3 Noten i cellen." in text, text
    assert text.count("Rutans ord.") == 1, text


def test_held_a_reviewers_comment_is_left_out_of_the_import(tmp_path):
    # A comment (Review > New Comment) is a reader's remark, not contract text: its words never reach the import.
    def commitments(d):
        paragraph = d.add_paragraph("Staden bygger cykelbanor.")
        d.add_comment(paragraph.runs[0], text="Ska vi verkligen lova detta?", author="Anna", initials="AA")

    text = read_text(_contract_docx(tmp_path / "kontrakt.docx", commitments))
    assert "Staden bygger cykelbanor." in text and "verkligen lova" not in text and "Anna" not in text, text
