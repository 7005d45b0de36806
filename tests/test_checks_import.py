"""validate warns about the traces a bad import leaves: page numbers in titles, empty sections, glued words."""

from __future__ import annotations

from contract.checks import imported as checks_import
from contract.errors import Report
from contract.source.load import load


def _warnings(root, code: str) -> list[str]:
    report = Report()
    checks_import.check(load(root, "2023"), report)
    return [str(d) for d in report.sorted() if d.code == code]


def _edit(root, name: str, old: str, new: str) -> None:
    path = root / "years" / "2023" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_version_has_none_of_these_warnings(repo_copy):
    report = Report()
    checks_import.check(load(repo_copy, "2023"), report)
    assert report.sorted() == []


def test_a_title_ending_in_a_page_number_is_flagged(repo_copy):
    _edit(repo_copy, "parties.yaml", "sv: Parter\n", "sv: Parter 4\n")
    assert _warnings(repo_copy, "title-page-number") == [
        (
            "years/2023/parties.yaml:5:11: warning: the title of section 2 ends in 4, which looks like a page number "
            "from a table of contents (remove the number if it is one)"
        )
    ]


def test_a_title_ending_in_a_year_is_not_flagged(repo_copy):
    _edit(repo_copy, "parties.yaml", "sv: Parter\n", "sv: Parter 2030\n")
    assert _warnings(repo_copy, "title-page-number") == []


def test_a_section_without_text_that_is_not_to_be_written_is_flagged(repo_copy):
    path = repo_copy / "years" / "2023" / "clause.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    body = next(i for i, line in enumerate(lines) if line.strip() == "body:")
    path.write_text("\n".join(lines[:body]) + "\n", encoding="utf-8")
    assert _warnings(repo_copy, "empty-section") == [
        (
            "years/2023/clause.yaml:3:9: warning: section 9 has no text (write its text under 'body:', or add "
            "'to_be_written: true' if it is still to be written)"
        )
    ]


def test_a_word_glued_from_a_word_and_och_is_flagged(repo_copy):
    _edit(repo_copy, "purpose.yaml", "ramen för Agenda", "ramenoch Agenda")
    found = _warnings(repo_copy, "glued-words")
    assert (
        len(found) == 1
        and "the word 'ramenoch' in section 1 looks like two words glued together (ramen och)" in found[0]
    )


def test_a_word_glued_from_a_verb_and_the_next_word_is_flagged(repo_copy):
    _edit(
        repo_copy, "purpose.yaml", "ramen för Agenda", "ramen för Agenda hotar förutsättningarna hotarförutsättningarna"
    )
    found = _warnings(repo_copy, "glued-words")
    assert (
        len(found) == 1
        and "'hotarförutsättningarna' in section 1 looks like two words glued together (hotar" in found[0]
    )
