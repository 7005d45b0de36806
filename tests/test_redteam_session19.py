"""Red team session 19: glossary per language, import per language, klimatkontrakt.yaml, -o rules, build caches."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _render(templates: Path, cache) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=cache)
    return env.get_template("page.html").render(name="Borås")


# ---------------------------------------------------------------- compiled site templates


@pytest.mark.parametrize("linked", [".cache", ".cache/build", ".cache/build/templates", "versions"])
def test_the_template_cache_never_writes_or_reads_through_a_linked_folder(tmp_path, linked):
    from contract.build.templates import template_cache

    root, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    (root / "t").mkdir(parents=True)
    (root / "t" / "page.html").write_text("Hej {{ name }}!", encoding="utf-8")
    cache = root / ".cache" / "build"
    versions = template_cache(cache).folder.name
    link = cache / "templates" / versions if linked == "versions" else root / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    elsewhere.mkdir()
    link.symlink_to(elsewhere, target_is_directory=True)
    assert _render(root / "t", template_cache(cache)) == "Hej Borås!"
    assert list(elsewhere.rglob("*")) == []  # nothing written where the link points


def test_a_linked_template_cache_entry_is_not_read(tmp_path):
    from contract.build.templates import TemplateCache

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text("Hej {{ name }}!", encoding="utf-8")
    assert _render(tmp_path / "t", TemplateCache(tmp_path / "cache")) == "Hej Borås!"
    [entry] = (tmp_path / "cache").iterdir()
    kept = tmp_path / "kept"
    entry.rename(kept)
    entry.symlink_to(kept)
    fresh = TemplateCache(tmp_path / "cache")
    assert _render(tmp_path / "t", fresh) == "Hej Borås!"
    assert list(fresh.memory) == [entry.name]  # compiled again, not read through the link
    assert not entry.is_symlink()  # the compiled entry replaced the link, never wrote through it
