"""The address the site is published at: --site-url or mkdocs.yml's site_url, and the root 404 page that uses its path."""

from __future__ import annotations

import contextlib
import io

import pytest
from lxml import html as lhtml

from contract.build.site_url import base_path, normalise, published_url
from contract.cli.main import main
from contract.errors import ContractError
from contract.render.page_templates import render_not_found


@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://example.org/klimatkontrakt", "https://example.org/klimatkontrakt/"),  # configure-pages' base_url
        ("https://example.org/klimatkontrakt/", "https://example.org/klimatkontrakt/"),
        ("https://www.example.org", "https://www.example.org/"),  # a custom domain: the site at the root
        ("http://127.0.0.1:8000/a/b.c_d~e%20f/", "http://127.0.0.1:8000/a/b.c_d~e%20f/"),
    ],
)
def test_site_addresses_end_in_a_slash(given, expected):
    assert normalise(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "/klimatkontrakt/",  # a path alone: the build needs the whole address
        "example.org/klimatkontrakt/",
        "ftp://example.org/",
        "javascript:alert(1)",
        "https://example.org/a b/",
        'https://example.org/"><script>/',
        "https://example.org/x?y=1",
        "https://example.org/x#top",
        "https://example.org//x/",
        "https://example.org/../x/",
        "https://example.org/x\n",
        "",
    ],
)
def test_anything_else_is_refused_with_what_to_give(bad):
    with pytest.raises(ValueError) as caught:
        normalise(bad)
    assert "such as https://example.org/klimatkontrakt/" in str(caught.value)


def test_the_base_path_is_the_addresss_path():
    assert base_path("https://example.org/klimatkontrakt/") == "/klimatkontrakt/"
    assert base_path("https://example.org/") == "/"
    assert base_path(None) is None


def test_mkdocs_site_url_is_read_and_a_bad_one_named_at_its_line(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    assert published_url(config) is None
    config.write_text("site_name: x\nsite_url:\n", encoding="utf-8")
    assert published_url(config) is None
    config.write_text("site_name: x\nsite_url: https://example.org/kk\n", encoding="utf-8")
    assert published_url(config) == "https://example.org/kk/"
    assert published_url(config, "https://example.net/") == "https://example.net/"  # the build's address wins
    config.write_text("site_name: x\nsite_url:   example.org/kk\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        published_url(config)
    assert str(caught.value).startswith(f"{config}:2:13: error: site_url: 'example.org/kk' is not the address")
    config.write_text("site_name: x\nsite_url: [1]\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        published_url(config)
    assert ":2:11: error: site_url: " in str(caught.value)


def _links(page: str) -> list[str]:
    return lhtml.fromstring(page).xpath("//a/@href")


@pytest.mark.parametrize("base", ["/", "/klimatkontrakt/"])
def test_with_a_known_path_the_404_page_links_under_it_and_needs_no_script(base):
    page = render_not_found(base)
    assert _links(page) == [f"{base}sv/", f"{base}en/"]
    assert "<script" not in page and "<noscript" not in page


def test_without_a_known_path_the_404_page_finds_it_and_says_what_to_do_without_javascript():
    page = render_not_found()
    assert _links(page) == ["/sv/", "/en/"] and "<script>" in page
    doc = lhtml.fromstring(page)
    said = {s.get("lang"): " ".join(s.xpath("string(.//noscript)").split()) for s in doc.xpath("//section")}
    assert said["sv"].startswith("Utan JavaScript vet sidan inte var webbplatsen börjar")
    assert said["en"].startswith("Without JavaScript this page cannot tell where the site starts")


@pytest.mark.parametrize("command", ["build", "site"])
def test_a_bad_site_url_is_a_usage_error_before_anything_is_written(command, tmp_path):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as stopped:
        main([command, "--root", str(tmp_path), "--out", str(tmp_path / "out"), "--site-url", "example.org/kk"])
    assert stopped.value.code == 2
    assert "argument --site-url: 'example.org/kk' is not the address of a site" in err.getvalue()
    assert "Traceback" not in err.getvalue() and not (tmp_path / "out").exists()


def test_a_bad_site_url_in_mkdocs_yml_is_named_at_its_line_and_nothing_is_written(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: 'https://example.org/a b/'\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["site", "--root", str(tmp_path), "--out", str(tmp_path / "site")])
    assert code == 1
    assert out.getvalue().startswith(f"{tmp_path / 'mkdocs.yml'}:2:11: error: site_url: 'https://example.org/a b/' is")
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mkdocs.yml"]
