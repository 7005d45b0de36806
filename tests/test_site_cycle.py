"""The site shows the yearly cycle: errata of a signed version, sections still to be written, each clause's history."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from lxml import html as lhtml
from site_helpers import make_repo

from contract.build.redlines import default_redlines
from contract.build.run import gather
from contract.build.site import build_site
from contract.cli.main import main


def run(root: Path, *argv: str) -> int:
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return main(["--root", str(root), *argv])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """2023 with an erratum, and the 2024 draft that new-year makes from it."""
    base = tmp_path_factory.mktemp("cycle")
    root = make_repo(base, draft=False)
    municipality = root / "years" / "2023" / "municipality.yaml"
    municipality.write_text(
        municipality.read_text(encoding="utf-8").replace("1,50 kronor", "2,50 kronor"), encoding="utf-8"
    )
    assert (
        run(
            root,
            "erratum",
            "2023",
            "--section",
            "klimatvaxling",
            "--date",
            "2024-02-01",
            "--what-sv",
            "Avgiften rättad till 2,50 kronor.",
            "--what-en",
            "The fee corrected to 2.50 kronor.",
            "--why-sv",
            "Skrivfel.",
            "--why-en",
            "A typing error.",
        )
        == 0
    )
    assert run(root, "new-year", "2024") == 0
    contracts, _ = gather(root, drafts=True)
    out = base / "site"
    build_site(root, contracts, out, drafts=True, redlines=default_redlines(contracts))
    return out


def text(out: Path, path: str, xpath: str) -> list[str]:
    tree = lhtml.fromstring((out / path).read_bytes())
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


ERRATA = "//*[@id='kk-errata']"
ERRATA_ITEMS = "//*[@id='kk-errata']/following-sibling::ul[1]/li"
NOTES = "//*[contains(concat(' ', @class, ' '), ' kk-translation-note ')]"


def test_errata_are_listed_with_date_section_what_and_why(site):
    assert text(site, "en/2023/index.html", ERRATA) == ["Corrections after signing¶"]
    items = text(site, "en/2023/index.html", ERRATA_ITEMS)
    assert "1 February 2024, 3.3.8: The fee corrected to 2.50 kronor. Reason: A typing error." in items
    assert "1 februari 2024, 3.3.8: Avgiften rättad till 2,50 kronor. Skäl: Skrivfel." in text(
        site, "sv/2023/index.html", ERRATA_ITEMS
    )


def test_sections_still_to_be_written_say_so(site):
    notes = text(site, "sv/2024/index.html", NOTES)
    assert notes.count("Att skriva: texten till detta avsnitt är inte skriven än.") == 24
    assert text(site, "sv/2023/index.html", NOTES) == []


def test_each_clause_has_a_timeline(site):
    entry = lhtml.fromstring((site / "sv" / "history" / "index.html").read_bytes()).get_element_by_id("klimatvaxling")
    rows = [" ".join(li.text_content().split()) for li in entry.getnext().xpath(".//li")]
    assert rows == [
        "Version 2023: 3.3.8 Klimatväxling — första versionen i arkivet (äldre versioner finns inte här)",
        "Version 2024: 3.3.8 Klimatväxling — oförändrat",
    ]
    links = [a.get("href") for a in entry.getnext().xpath(".//a")]
    assert links == ["../2023/#klimatvaxling", "../2024/#klimatvaxling"]
    timeline = lhtml.fromstring((site / "en" / "history" / "index.html").read_bytes()).get_element_by_id(
        "ett-ramverk-for-grona-obligationer"
    )
    assert [" ".join(li.text_content().split()) for li in timeline.getnext().xpath(".//li")][1].endswith(
        "— modified (see the change)"
    )
