"""Issue #10, the cache and the no-op stamp: a damaged cache entry or stamp, and outputs changed since the last build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from build_helpers import copy_repo, edit_style, make_repo, run, run_process, tree

from contract.build.stamps import read_stamp, stamp_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path):
    """A committed repository that has never been built."""
    return make_repo(tmp_path / "repo").resolve()


# ---------------------------------------------------------------- the cache and the no-op stamp


@pytest.mark.slow
def test_a_damaged_cache_entry_is_rendered_again_with_one_note(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    published = (repo / "site" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf").read_bytes()
    entry = next(p for p in (repo / ".cache" / "build").glob("*.pdf") if p.read_bytes() == published)
    entry.write_text("x\n", encoding="utf-8")
    edit_style(repo)
    code, out, err = run(repo)
    assert code == 0 and "1 PDFs rendered, 1 reused" in out
    assert err == (
        f"{entry}: note: this cached PDF was damaged (its content does not match the hash it was stored with); "
        "it is rendered again\n"
    )
    assert (repo / "site" / "downloads" / "2023" / "klimatkontrakt-2023-sv.pdf").read_bytes() == published
    assert entry.read_bytes() == published
    (repo / "docs_assets" / "kk.css").write_text("/* again */\n", encoding="utf-8")
    code, out, err = run(repo)
    assert (code, err) == (0, "") and "0 PDFs rendered, 2 reused" in out


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["remove sv", "change a page", "add a file"])
def test_outputs_missing_or_changed_since_the_last_build_are_built_again(built_repo, tmp_path, damage):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    site = repo / "site"
    before = tree(site)
    if damage == "remove sv":
        shutil.rmtree(site / "sv")
    elif damage == "change a page":
        (site / "en" / "index.html").write_text("defaced\n", encoding="utf-8")
    else:  # a file the build did not write is never deleted: the build refuses until it is moved out
        (site / "sv" / "extra.html").write_text("left here\n", encoding="utf-8")
        code, out, _ = run(repo)
        assert code == 2 and out.startswith(f"{site}: error: the output folder holds 'sv/extra.html', which")
        assert (site / "sv" / "extra.html").read_text(encoding="utf-8") == "left here\n"
        return
    code, out, _ = run(repo)
    assert code == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused")
    assert tree(site) == before


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"null",
        b'{"stamp": 1}',
        b'{"stamp": "x", "versions": [], "warnings": 0, "outputs": []}',
    ],
)
def test_a_damaged_stamp_reads_as_no_stamp(repo, data):
    stamp = stamp_file(repo, repo / "site")
    stamp.parent.mkdir(parents=True)
    stamp.write_bytes(data)
    assert read_stamp(repo, repo / "site") is None


@pytest.mark.slow
def test_a_build_with_a_damaged_stamp_builds_again(built_repo, tmp_path):
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    stamp_file(repo, repo / "site").write_text('{"stamp": [', encoding="utf-8")
    code, out, err = run(repo)
    assert code == 0 and out.startswith("built 2023: site, 0 PDFs rendered, 2 reused"), out + err


# ---------------------------------------------------------------- compiled site templates


def _environment(folder, cache):
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache)


def test_compiled_templates_are_kept_and_a_damaged_or_unwritable_entry_only_costs_a_compile(tmp_path):
    from contract.build.templates import TemplateCache

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text("Hej {{ name }}!", encoding="utf-8")
    cache = TemplateCache(tmp_path / "cache", {})
    assert _environment(tmp_path / "t", cache).get_template("page.html").render(name="Borås") == "Hej Borås!"
    [entry] = (tmp_path / "cache").iterdir()
    kept = entry.read_bytes()
    # Another process (a fresh cache object) reads the entry instead of compiling: a compile would dump it.
    fresh = TemplateCache(tmp_path / "cache", {})
    assert _environment(tmp_path / "t", fresh).get_template("page.html").render(name="x") == "Hej x!"
    assert fresh.memory == {}  # nothing compiled, nothing dumped
    for damage in (kept[: len(kept) // 2], kept[:-40] + b"\0" * 40, b""):
        entry.write_bytes(damage)
        again = TemplateCache(tmp_path / "cache", {})
        assert _environment(tmp_path / "t", again).get_template("page.html").render(name="y") == "Hej y!"
        assert entry.read_bytes() == kept  # compiled again and stored whole
    # An edited template is compiled again, never served from the entry of its old text.
    (tmp_path / "t" / "page.html").write_text("Hallå {{ name }}!", encoding="utf-8")
    assert (
        _environment(tmp_path / "t", TemplateCache(tmp_path / "cache", {})).get_template("page.html").render(name="z")
        == "Hallå z!"
    )
    # A cache folder that cannot be made (a file stands there) is no cache, not an error.
    blocked = TemplateCache(tmp_path / "t" / "page.html" / "cache", {})
    assert _environment(tmp_path / "t", blocked).get_template("page.html").render(name="w") == "Hallå w!"
    # In one process, another repository's build (another cache folder) reuses what was compiled in memory,
    # and an edited template of the same file is compiled again, never served from memory.
    shared: dict[str, bytes] = {}
    _environment(tmp_path / "t", TemplateCache(tmp_path / "one", shared)).get_template("page.html")
    other = TemplateCache(tmp_path / "two", shared)
    assert _environment(tmp_path / "t", other).get_template("page.html").render(name="v") == "Hallå v!"
    assert not (tmp_path / "two").exists()  # nothing compiled, so nothing dumped there
    (tmp_path / "t" / "page.html").write_text("Hej då {{ name }}!", encoding="utf-8")
    assert _environment(tmp_path / "t", other).get_template("page.html").render(name="u") == "Hej då u!"


@pytest.mark.slow
def test_a_site_built_with_damaged_compiled_templates_equals_one_built_without(built_repo, tmp_path):
    # Each build in a process of its own: this one may hold the compiled templates in memory, and then neither
    # writes them to a repository's cache nor reads the damaged ones.
    def build(repo) -> None:
        edit_style(repo)
        done = run_process(repo)
        assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
        assert done.stdout.startswith("built 2023: site, 0 PDFs rendered, 2 reused"), done.stdout

    damaged, without = (
        copy_repo(built_repo.root, tmp_path / "damaged"),
        copy_repo(built_repo.root, tmp_path / "without"),
    )
    for repo in (damaged, without):
        shutil.rmtree(repo / ".cache" / "build" / "templates", ignore_errors=True)
    build(damaged)  # compiles every template and keeps it
    entries = [entry for entry in sorted((damaged / ".cache" / "build" / "templates").rglob("*")) if entry.is_file()]
    assert len(entries) > 20  # Material's templates and the overrides
    whole = {entry: entry.read_bytes() for entry in entries}
    for entry in entries:
        entry.write_bytes(whole[entry][:-7])
    build(damaged)
    edit_style(without)  # the same two edits of the stylesheet, built once without any compiled template
    build(without)
    assert tree(damaged / "site") == tree(without / "site")
    # Every entry was read, found damaged, compiled again and stored whole.
    assert {entry: entry.read_bytes() for entry in entries} == whole


@pytest.mark.slow
def test_the_hooks_bytecode_python_writes_during_a_build_is_not_a_change(built_repo, tmp_path):
    # MkDocs imports hooks/mkdocs_hook.py, and Python (unless PYTHONDONTWRITEBYTECODE) writes its bytecode into
    # hooks/__pycache__/: the next build counted it among the inputs and built everything again.
    repo = copy_repo(built_repo.root, tmp_path / "repo")
    shutil.rmtree(repo / "hooks" / "__pycache__", ignore_errors=True)
    edit_style(repo)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    first = run_process(repo, env=env)
    assert first.returncode == 0 and first.stdout.startswith("built 2023: site"), first.stdout + first.stderr
    assert list((repo / "hooks" / "__pycache__").glob("mkdocs_hook.*.pyc"))
    again = run_process(repo, env=env)
    assert again.stdout.startswith("nothing changed since the last build of 2023"), again.stdout + again.stderr


def test_the_theme_files_mkdocs_copies_are_those_it_lists_without_our_loader(tmp_path):
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from contract.build.templates import ThemeLoader, use_template_cache

    def theme_files(config) -> list[tuple[str, str]]:
        files = Files([])
        files.add_files_from_theme(config.theme.get_env(), config)
        return sorted((f.src_uri, f.abs_src_path) for f in files)

    # A theme folder of our own with hidden files and folders at every depth, beside Material's (.icons).
    custom = tmp_path / "overrides"
    for name in ("kk.svg", "a/b/c.js", ".hidden.css", "a/.secret/x.css", ".git/HEAD", "a/b/.d/e.png", "main.html"):
        (custom / name).parent.mkdir(parents=True, exist_ok=True)
        (custom / name).write_text("x", encoding="utf-8")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("custom_dir: overrides", f"custom_dir: {custom}")
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    (tmp_path / "docs_assets").mkdir()
    shutil.copytree(ROOT / "hooks", tmp_path / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    plain = theme_files(load_config(str(tmp_path / "mkdocs.yml")))
    ours = load_config(str(tmp_path / "mkdocs.yml"))
    use_template_cache(ours.theme, tmp_path / ".cache")
    assert isinstance(ours.theme.get_env().loader, ThemeLoader)
    assert theme_files(ours) == plain
    assert {"kk.svg", "a/b/c.js"} <= {uri for uri, _ in plain}
    # Material's icons still load by name from the hidden folder the listing skips.
    assert "<svg" in ours.theme.get_env().get_template(".icons/material/weather-night.svg").render()


@pytest.mark.slow
def test_serve_keeps_the_compiled_templates_in_the_build_cache_and_its_rebuilds_compile_none_again(tmp_path):
    from test_redteam_session25 import _Serve

    # serve compiled every theme template at start and again on every live rebuild, and kept none for the build.
    serve, repo, _ = _Serve.in_a_new_repo(tmp_path)
    css = repo / "docs_assets" / "kk.css"  # an edit that leaves the contract valid
    try:
        serve.wait_for("Serving on")
        entries = {p: p.stat().st_mtime_ns for p in (repo / ".cache" / "build" / "templates").glob("*/*")}
        assert len(entries) > 10, entries  # Material's templates and ours
        css.write_text(css.read_text(encoding="utf-8") + "\n/* EDITED */\n", encoding="utf-8")
        serve.wait_for("Reloading browsers")
        assert serve.get("/kk.css").endswith("/* EDITED */\n")
        code = serve.stop(2)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
    assert code == 130, "".join(serve.seen)
    # The rebuild took every template from memory: no entry was written again.
    assert {p: p.stat().st_mtime_ns for p in entries} == entries
