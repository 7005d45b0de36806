"""Whatever text it is given, the importer makes a version folder or a clear error, never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_importer import EXEMPEL

from contract.errors import ContractError
from contract.importer import import_text
from contract.importer.write import write_folder
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]
TEXTS = Path(__file__).parent / "import_texts"
SAMPLES = [
    EXEMPEL,
    (TEXTS / "english-original.txt").read_text(encoding="utf-8"),
    (TEXTS / "first-generation-crlf.txt").read_text(encoding="utf-8"),
]

# Characters that steer the importer: digits and dots (numbers), bullets, dashes, page breaks, links.
_ALPHABET = list("1234567890.. abcåäö ABC-–•\n\n\f\r\t()”:/%\u00ad")
_PIECES = st.sampled_from(
    ["https://", "Innehåll", "Bilaga 1", " 5", "1. ", "3.1 ", "•\t", "\n\n", "Klimatkontrakt 2030"]
)
_CHUNK = st.one_of(st.text(st.sampled_from(_ALPHABET), max_size=12), _PIECES)
_LINE = st.lists(_CHUNK, max_size=6).map("".join)
_LINES = st.lists(_LINE, max_size=40).map("\n".join)


@st.composite
def _mutated(draw) -> str:
    lines = draw(st.sampled_from(SAMPLES)).split("\n")
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["drop", "copy", "swap", "insert", "cut"]))
        if action == "drop" and lines:
            del lines[at]
        elif action == "copy" and lines:
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
        elif action == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "insert":
            lines.insert(at, draw(_LINE))
        elif lines:
            cut = draw(st.integers(0, len(lines[at])))
            lines[at : at + 1] = [lines[at][:cut], lines[at][cut:]]
    return "\n".join(lines)


def _import_and_load(text: str) -> None:
    try:
        result = import_text(text, "2022", "Exempelby kommun", "in.txt", "sv")
    except ContractError as error:
        assert str(error).startswith("in.txt:")
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(ROOT / "schema", root / "schema")
        write_folder(result, root / "years" / "2022")
        try:
            load(root, "2022")
        except ContractError:
            pass  # a located error about the written files is a clear error too


_FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(_LINES)
def test_random_text_never_crashes(text):
    _import_and_load(text)


@_FAST
@given(_mutated())
def test_mutated_contracts_never_crash(text):
    _import_and_load(text)


@pytest.mark.slow
@_SLOW
@given(st.one_of(_LINES, _mutated()))
def test_many_random_and_mutated_texts_never_crash(text):
    _import_and_load(text)
