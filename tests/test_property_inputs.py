"""Property: random YAML and random Unicode never give an internal error, and what validates renders everywhere.

Random documents go through `klimatkontrakt validate`; a version that validates then goes through every renderer:
the Markdown export, the site pages (rendered to HTML as MkDocs does), the Typst source and a real Typst compile.
The fast lane tries a few examples; the slow test many more.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from test_invalid_inputs import VERSION, make_base

from contract import pdf
from contract.cli.main import main
from contract.diff import compare
from contract.render import export, redline_html, redline_pdf, redline_text
from contract.render import typst as typst_render
from contract.render.pages import SiteContext, render_pages
from contract.source.load import load
from contract.source.provenance import Source

# Profiles: a few examples in the fast lane, many in the slow tests; no deadline (a Typst compile takes its time),
# no example database (nothing written into the repository).
settings.register_profile(
    "kk-fast", max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.register_profile("kk-thorough", settings.get_profile("kk-fast"), max_examples=120)
FAST, THOROUGH = settings.get_profile("kk-fast"), settings.get_profile("kk-thorough")
SITE_EXTENSIONS = ["toc", "attr_list", "def_list", "footnotes", "md_in_html", "pymdownx.escapeall"]
SOURCE = Source("abc1234", "2024-01-15", 1705320000, False)

# Markup of the contract language and of every output format, mixed with any Unicode at all.
MARKUP = [
    "{ref:kontraktet}",
    "{ref:1.7}",
    "{fn:exempel}",
    "{ref:",
    "{fn:",
    "}",
    "[",
    "](https://a.example/x)",
    "](",
    ")",
    "*",
    "\\",
    "![b](https://a.example/i.png)",
    "<b>",
    "&amp;",
    "#",
    "$",
    "@",
    "`",
    "_",
    "~",
    "^",
    "=",
    "|",
    ":",
    "- ",
    "1. ",
    "> ",
    "\n",
    "\t",
    "\u00a0",
    "\u00ad",
    "\u202e",
    "\u2066",
    "\u0000",
    "\u009b",
    "\uffff",
    "\ue000",
    "😀",
    "中",
]
texts = st.lists(
    st.one_of(st.sampled_from(MARKUP), st.text(max_size=6), st.text(st.characters(codec="latin-1"), max_size=8)),
    max_size=8,
).map("".join)
# Texts that usually validate: the letters of the contract, its markup and the characters the fonts have.
SAFE_MARKUP = [
    "{ref:kontraktet}",
    "{ref:1.7}",
    "{fn:exempel}",
    "[",
    "](https://a.example/x)",
    "*",
    "\\",
    "!",
    "<b>",
    "&",
    "#",
    "$",
    "@",
    "`",
    "_",
    "~",
    "^",
    "=",
    "|",
    ":",
    "- ",
    "1. ",
    "> ",
    "\n",
    "\u00a0",
    "\u00ad",
    "–",
    "”",
    "€",
    "CO₂",
]
safe_texts = st.lists(
    st.one_of(st.sampled_from(SAFE_MARKUP), st.text("abcåäöÅÄÖ éü0123456789.,;()/%+?'\"", max_size=8)),
    min_size=1,
    max_size=8,
).map("".join)
ids = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def sections(draw, depth: int = 1) -> dict:
    """A section of the right shape, with random ids and texts, nested up to seven levels."""
    section = {"id": draw(ids), "title": {"sv": draw(texts), "en": draw(texts)}}
    blocks = draw(st.lists(st.sampled_from(["p", "heading", "list"]), max_size=3))
    if blocks:
        section["body"] = [
            {kind: [{"sv": draw(texts)}] if kind == "list" else {"sv": draw(texts), "en": draw(texts)}}
            for kind in blocks
        ]
    if depth < 7 and draw(st.booleans()):
        section["sections"] = draw(st.lists(sections(depth + 1), min_size=1, max_size=2))
    return section


# Any YAML-representable data at all, for the parser, the schema and the checks.
yaml_data = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["sections", "id", "title", "sv", "en", "body", "p"]), texts), inner, max_size=3
        ),
    ),
    max_leaves=12,
)


def yaml_text(data) -> str:
    """Write data as YAML: JSON with every character escaped, so that any code point survives the trip."""
    return json.dumps(data, ensure_ascii=True, default=str)  # dates (signed_on) as their ISO text


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


class Repo:
    """One small valid repository reused across examples; each example replaces one file of the version."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kk-property-"))
        self.root = make_base(self.folder)
        self.base = load(self.root, VERSION)
        self.rendered = 0

    def check(self, example: tuple[str, str], compile_pdf: bool) -> None:
        name, content = example
        path = self.root / "years" / VERSION / name
        original = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(content, encoding="utf-8")
        try:
            code, out, err = run(self.root, "validate")
            assert code in (0, 1) and "internal error" not in err and "Traceback" not in out + err, err
            if code == 0:
                render_everything(self.root, self.base, compile_pdf)
                self.rendered += 1
        finally:
            if original is None:
                path.unlink()
            else:
                path.write_text(original, encoding="utf-8")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def render_everything(root: Path, base, compile_pdf: bool) -> None:
    """Render a validated version in every output, and its redline against the base; any exception fails the property."""
    contract = load(root, VERSION)
    changes = compare(base, contract)
    for lang in ("sv", "en"):
        redline_text.to_text(changes, lang)
        markdown.markdown(redline_text.to_markdown(changes, lang))
        redline_html.to_html(changes, lang)
        assert "#import" in redline_pdf.document(changes, lang, SOURCE)
        markdown.markdown(export.to_markdown(contract, lang), extensions=["footnotes"])
        pages = render_pages({VERSION: contract}, lang, SiteContext(SOURCE, drafts=True))
        for page in pages.files.values():
            markdown.markdown(page, extensions=SITE_EXTENSIONS)
        source = typst_render.document(contract, lang, SOURCE)
        if compile_pdf:
            assert pdf.render_pdf(contract, lang, SOURCE).startswith(b"%PDF-")
        else:
            assert "#import" in source


BASE = Path(__file__).parent / "invalid" / "base"


def _purpose_with(text: str) -> tuple[str, str]:
    """The base purpose.yaml with a random text as its first paragraph, in both languages."""
    data = YAML(typ="safe").load((BASE / "purpose.yaml").read_text(encoding="utf-8"))
    data["sections"][0]["body"][0]["p"] = {"sv": text, "en": text}
    return "purpose.yaml", yaml_text(data)


def _parties_with(names: tuple[str, str, str]) -> tuple[str, str]:
    """The base contract.yaml with a random signatory name and role, and a random party name (the signature page)."""
    data = YAML(typ="safe").load((BASE / "contract.yaml").read_text(encoding="utf-8"))
    data["parties"][0]["signatory"] = {"name": names[0], "role": {"sv": names[1], "en": names[1]}}
    data["parties"][1]["name"] = {"sv": names[2], "en": names[2]}
    return "contract.yaml", yaml_text(data)


def _property(purposes, settings_, compile_pdf: bool) -> int:
    """Check the property over the examples; return how many validated and were rendered."""

    @settings_
    @given(purposes)
    def check(example: tuple[str, str]) -> None:
        check.repo.check(example, compile_pdf)

    repo = Repo()
    check.repo = repo
    try:
        check()
    finally:
        repo.close()
    return repo.rendered


ANY_PURPOSE = st.one_of(
    texts.map(_purpose_with),
    safe_texts.map(_purpose_with),
    st.tuples(texts, texts, safe_texts).map(_parties_with),
    st.lists(sections(), min_size=1, max_size=2).map(lambda s: ("purpose.yaml", yaml_text({"sections": s}))),
    yaml_data.map(lambda data: ("purpose.yaml", yaml_text(data))),
    st.tuples(st.sampled_from(["purpose.yaml", "contract.yaml"]), texts),  # not even YAML-shaped: a raw file
    st.tuples(
        st.sampled_from(["translations.lock", "signed.lock"]), st.one_of(yaml_data.map(yaml_text), texts)
    ),  # damaged locks
)
TEXTS_TO_COMPILE = st.one_of(
    texts.map(_purpose_with), safe_texts.map(_purpose_with), st.tuples(safe_texts, safe_texts, texts).map(_parties_with)
)


def test_random_input_never_crashes_and_what_validates_renders():
    _property(ANY_PURPOSE, FAST, compile_pdf=False)


def test_random_texts_that_validate_compile_with_typst():
    assert (
        _property(
            st.one_of(safe_texts.map(_purpose_with), st.tuples(safe_texts, safe_texts, safe_texts).map(_parties_with)),
            settings(FAST, max_examples=2, derandomize=True),  # fixed examples: the count below is no chance
            compile_pdf=True,
        )
        > 0
    )


@pytest.mark.slow
def test_many_random_inputs_never_crash_and_what_validates_renders():
    # Derandomised, like the test below: how many of the examples validate is then fixed, not a chance.
    # 13 of the 120 validate: a damaged translations.lock is refused line by line since the lock records
    # per language (it was skipped silently before), so fewer random locks pass than the 29 of before.
    assert _property(ANY_PURPOSE, settings(THOROUGH, derandomize=True), compile_pdf=False) >= 10


@pytest.mark.slow
def test_many_random_texts_that_validate_compile_with_typst():
    # Derandomised: the same examples every run, so the count of those that validate (the property is not
    # vacuous) is a fixed number rather than a chance; validate refuses most random texts (too-wide words,
    # marks in one language only, characters the font lacks), and that is the point.
    rendered = _property(TEXTS_TO_COMPILE, settings(THOROUGH, max_examples=60, derandomize=True), compile_pdf=True)
    assert rendered >= 20, rendered
