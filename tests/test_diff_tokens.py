"""Whole-word tokens, the word-level redline and the move detection, on small inputs."""

from __future__ import annotations

import pytest

from contract.diff.moves import _increasing
from contract.diff.tokens import Numbers, normalise, tokenise
from contract.diff.words import redline

NUMBERS = Numbers(shown={"mal": "3.1", "plan": "4.2"}, keys={"mal": "3.1", "plan": "4.2"}, notes={"kalla": 2})


def words(source: str) -> list[str]:
    return [t.text for t in tokenise(source, NUMBERS) if t.kind != "space"]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("Bidraget är 1 250 000 kronor.", ["Bidraget", "är", "1 250 000", "kronor", "."]),
        ("Minst 10\u00a0000 ton", ["Minst", "10\u00a0000", "ton"]),
        ("senast den 30 juni 2024 och 8 december", ["senast", "den", "30 juni 2024", "och", "8 december"]),
        ("signed on 8 December 2023", ["signed", "on", "8 December 2023"]),
        ("beslut 2023-12-08 gäller", ["beslut", "2023-12-08", "gäller"]),
        ("med 80 procent och 35 % samt 1,5 %", ["med", "80 procent", "och", "35 %", "samt", "1,5 %"]),
        ("se avsnitt 3.2.1 och 7", ["se", "avsnitt", "3.2.1", "och", "7"]),
        ("år 2030 100 deltagare", ["år", "2030", "100", "deltagare"]),
        ("1,5–2 grader", ["1,5", "–", "2", "grader"]),
        ("energi- och klimatstrategi, Borås Stads", ["energi", "-", "och", "klimatstrategi", ",", "Borås", "Stads"]),
        ("se {ref:mal} och {ref:1.7}", ["se", "3.1", "och", "1.7"]),
        ("text{fn:kalla} här", ["text", "2", "här"]),
        ("*viktigt* och [länk](https://example.org/a)", ["viktigt", "och", "länk"]),
    ],
)
def test_tokens_keep_amounts_dates_percentages_and_numbers_whole(source, expected):
    assert words(source) == expected


def test_normalise_folds_quotes_spaces_and_unicode_forms():
    assert normalise("”Bora\u030as” \u00a0 ’x’\n\tA\u030a") == "\"Bor\u00e5s\" 'x' \u00c5"
    assert normalise("10\u00a0000") == normalise("10 000") == "10 000"
    assert normalise("sj\u00e4lv\u00adst\u00e4ndig") == "självständig"


def test_styled_words_differ_from_plain_ones_and_links_by_target():
    plain, emph = tokenise("ska", NUMBERS), tokenise("*ska*", NUMBERS)
    assert plain[0].key != emph[0].key and emph[0].style == "emph"
    a, b = tokenise("[x](https://a.example)", NUMBERS), tokenise("[x](https://b.example)", NUMBERS)
    assert a[0].key != b[0].key and (a[0].url, a[0].style) == ("https://a.example", "link")
    unsafe = tokenise("[x](javascript:alert)", NUMBERS)
    assert (unsafe[0].style, unsafe[0].url) == ("", None)


def _ops(old: str, new: str):
    line = redline(tokenise(old, NUMBERS), tokenise(new, NUMBERS))
    return [(s.op, s.text) for s in line.segments]


def test_redline_of_equal_text_is_one_equal_segment():
    assert _ops("Parterna är överens.", "Parterna  är\növerens.") == [("equal", "Parterna  är\növerens.")]


def test_redline_shows_inserted_and_deleted_words():
    assert _ops("A ska göra B.", "A bör inte göra B.") == [
        ("equal", "A "),
        ("delete", "ska"),
        ("insert", "bör inte"),
        ("equal", " göra B."),
    ]


def test_redline_marks_a_consequential_reference():
    old = Numbers(shown={"mal": "3.1"}, keys={"mal": "3.2"}, notes={})  # the target is 3.2 in the new version
    new = Numbers(shown={"mal": "3.2"}, keys={"mal": "3.2"}, notes={})
    line = redline(tokenise("se {ref:mal}.", old), tokenise("se {ref:mal}.", new))
    assert [(s.op, s.text, s.style, s.target, s.was) for s in line.segments] == [
        ("equal", "se ", "", None, None),
        ("equal", "3.2", "ref", "mal", "3.1"),
        ("equal", ".", "", None, None),
    ]
    assert not line.changed and line.old_text() == "se 3.1." and line.new_text() == "se 3.2."


def test_a_reference_pointing_elsewhere_is_an_edit():
    numbers = Numbers(shown={"mal": "3.1", "plan": "4.2"}, keys={"mal": "3.1", "plan": "4.2"}, notes={})
    line = redline(tokenise("se {ref:mal}", numbers), tokenise("se {ref:plan}", numbers))
    assert [(s.op, s.text) for s in line.segments if s.op != "equal"] == [("delete", "3.1"), ("insert", "4.2")]


@pytest.mark.parametrize(
    "values, kept",
    [
        ([0, 1, 2, 3], [0, 1, 2, 3]),
        ([0, 2, 1, 3], [0, 2, 3]),  # a swap: one of the two is outside the run
        ([4, 0, 1, 2, 3], [1, 2, 3, 4]),  # the first one moved to the front
        ([1, 2, 3, 4, 0], [0, 1, 2, 3]),
        ([], []),
    ],
)
def test_longest_increasing_run(values, kept):
    assert _increasing(values) == kept
