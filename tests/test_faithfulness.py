"""The Swedish text of version 2023 says exactly what the signed PDF says, word for word."""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from contract.model import BulletList
from contract.render.plain import Resolver, plain
from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_e642925e7fb0b65d.txt"
FOOTER = re.compile(r"^\s*viablecities\.se \d+\s*$")
URL = re.compile(r"^\s*https?://\S+\s*$")


def _seed_path() -> Path:
    # CI clones the repository beside a copy of shared/; a checkout inside it works too.
    for candidate in (SEED, ROOT / "shared" / "seeds" / SEED.name, ROOT.parent.parent / "shared" / "seeds" / SEED.name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"the seed text {SEED.name} is not beside the repository (../shared/seeds/)")


def _seed_parts(footnote_count: int) -> tuple[list[str], list[str], set[str]]:
    """Split the seed into main text lines, footnote texts and link addresses."""
    lines = unicodedata.normalize("NFC", _seed_path().read_text(encoding="utf-8")).split("\n")
    main, notes, urls = [], [], set()
    i = 0
    while i < len(lines):
        line = lines[i]
        start = re.match(r"^(\d{1,2}) (\S.*)$", line.strip())
        if FOOTER.match(line):
            i += 1
        elif URL.match(line):
            urls.add(line.strip())
            i += 1
        elif start and int(start.group(1)) == len(notes) + 1 <= footnote_count and not lines[i - 1].strip():
            block = [line]
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(" ") and not URL.match(lines[i]):
                block.append(lines[i])
                i += 1
            notes.append(_join_lines(block))
        else:
            main.append(line)
            i += 1
    return main, notes, urls


def _join_lines(lines: list[str]) -> str:
    """Join PDF lines: a line ending without a space was broken inside a word."""
    out = ""
    for line in lines:
        line = line.lstrip(" ")
        glue = (
            ""
            if out
            and not out[-1].isspace()
            and out[-1] != "\n"
            and line[:1].islower()
            and not out.rstrip().endswith(".")
            else " "
        )
        out = out + (glue if out else "") + line
    return out


def _tokens(text: str) -> list[str]:
    words = []
    for word in text.replace("•", " ").split():
        word = re.sub(r"(?<=\w)-(?=\w)", "", word)  # hyphenation at a line end may or may not be real
        word = re.sub(r"^(\d+(?:\.\d+)*)\.$", r"\1", word)  # "3.1." and "3.1" are the same heading number
        words.append(word)
    return words


def _model_parts(contract) -> tuple[list[str], list[str], set[str]]:
    resolver = Resolver.of(contract)

    def say(t):
        return plain(t, "sv", resolver)

    main = [say(contract.meta.title)]
    main += [say(t) for b in contract.preamble for t in _block_texts(b)]
    for section in contract.walk():
        main.append(f"{section.number} {say(section.title)}")
        main += [say(t) for b in section.body for t in _block_texts(b)]
    main.append(say(contract.annex.title))
    main += [say(t) for b in contract.annex.body for t in _block_texts(b)]
    main += [say(d.title) for d in contract.annex.documents]
    notes = [f"{n.number} {say(n.text)}" for n in contract.footnotes()]
    urls = {d.url for d in contract.annex.documents}
    for note in contract.footnotes():
        urls.update(re.findall(r"\]\((https?://[^)]+)\)", note.text.source))
    return main, notes, urls


def _block_texts(block):
    return block.items if isinstance(block, BulletList) else (block.text,)


def _difference(expected: list[str], actual: list[str]) -> list[str]:
    problems = []
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            problems.append(
                f"{op}: seed {' '.join(expected[a1:a2])!r} / data {' '.join(actual[b1:b2])!r} near {' '.join(expected[max(0, a1 - 6) : a1])!r}"
            )
    return problems


def test_swedish_text_matches_the_signed_seed_word_for_word():
    contract = load(ROOT, "2023")
    model_main, model_notes, model_urls = _model_parts(contract)
    seed_main, seed_notes, seed_urls = _seed_parts(len(model_notes))
    problems = _difference(_tokens(_join_lines(seed_main)), _tokens(" ".join(model_main)))
    assert problems == []
    assert len(model_notes) == len(seed_notes) == 9
    for seed_note, model_note in zip(seed_notes, model_notes):
        assert _difference(_tokens(seed_note), _tokens(model_note)) == []
    assert model_urls == seed_urls


def test_version_2023_has_the_84_numbered_sections_of_the_seed():
    contract = load(ROOT, "2023")
    seed = _seed_path().read_text(encoding="utf-8")
    numbers = [s.number for s in contract.walk()]
    assert len(numbers) == 84
    for section in contract.walk():
        title = plain(section.title, "sv", Resolver.of(contract))
        first_words = " ".join(title.split()[:2])
        pattern = re.escape(section.number) + r"\.?\s+" + re.escape(first_words).replace(r"\ ", r"\s+")
        assert re.search(r"(?m)^\s*" + pattern, seed), f"{section.number} {title} is not a heading of the seed"
